"""Scorecard measures of the playbook's horizon rules (the claims of issue #16's strategies).

Conditions are read at the close of session ``t - 1`` and the return is that of
session ``t`` (what a rule could have traded), except :func:`sell_rallies`,
whose outcome is the 21-session return *after* a rally. Windows: 26 weeks =
126 sessions, 13 weeks = 63, 8 weeks = 40, 6 months = 126.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from backtest.claims import Claim
from backtest.metrics import TRADING_DAYS
from backtest.report.scorecard_measures import Builder, regime_runs, returns

__all__ = ["divergence_signal", "dollar_early_qt", "early_sessions", "quality_qt", "sell_rallies",
           "sessions_since_high", "spx_divergence", "yield_peak"]

HALF_YEAR = 126
QUARTER = 63
EIGHT_WEEKS = 40
MONTH = 21


def sessions_since_high(x: pd.Series, window: int = HALF_YEAR) -> pd.Series:
    """Sessions since ``x`` last closed at its rolling ``window``-session high (NaN before)."""
    high = x.rolling(window, min_periods=window).max()
    is_high = (x >= high) & high.notna()
    count = np.full(len(x), np.nan)
    last = -1
    for i, (h, known) in enumerate(zip(is_high.to_numpy(), high.notna().to_numpy(),
                                       strict=True)):
        if h:
            last = i
        if known and last >= 0:
            count[i] = i - last
    return pd.Series(count, index=x.index)


def _qt(b: Builder) -> pd.Series:
    return b.data.labels.reindex(b.data.panel.index) == "QT"


def yield_peak(b: Builder, c: Claim) -> None:
    """TLT after 8 weeks without a new 26-week 10-year high, minus after a recent high."""
    p = b.data.panel
    since = sessions_since_high(p["DGS10"].dropna()).reindex(p.index).shift(1)
    tlt, qt = returns(p, "TLT"), _qt(b)
    quiet = qt & (since >= EIGHT_WEEKS)
    recent = qt & (since < EIGHT_WEEKS)
    b.contrast(c, "TLT return, no new 10-year high for 8 weeks minus after one", "QT",
               tlt[quiet], tlt[recent], "ann_return", TRADING_DAYS, 1)


def early_sessions(labels: pd.Series, regime: str = "QT", n: int = HALF_YEAR
                   ) -> pd.DatetimeIndex:
    """The first ``n`` sessions of every ``regime`` episode."""
    out: list[pd.Timestamp] = []
    for days in regime_runs(labels, regime):
        out.extend(days[:n])
    return pd.DatetimeIndex(out)


def dollar_early_qt(b: Builder, c: Claim) -> None:
    """UUP and broad dollar: first 6 months of QT minus the rest of QT and end of QT."""
    p = b.data.panel
    early = early_sessions(b.data.labels)
    lab = b.data.labels.reindex(p.index)
    later = p.index[lab.isin(["QT", "end_of_qt"]).to_numpy() & ~p.index.isin(early)]
    for ref in ("UUP", "DTWEXBGS"):
        r = returns(p, ref)
        b.contrast(c, f"{ref} return, first 6 months minus later", "QT and end_of_qt",
                   r.reindex(early), r.reindex(later), "ann_return", TRADING_DAYS, 1)


def divergence_signal(spy: pd.Series, volume: pd.Series, netliq: pd.Series) -> pd.Series:
    """The divergence condition at each close.

    SPY 10 % above its 26-week low, its 20-session mean volume above its
    63-session mean, and net liquidity lower than 13 weeks earlier.
    """
    rally = spy / spy.rolling(HALF_YEAR, min_periods=HALF_YEAR).min() - 1.0 >= 0.10
    rising = volume.rolling(MONTH).mean() > volume.rolling(QUARTER).mean()
    falling = netliq - netliq.shift(QUARTER) < 0
    return rally & rising & falling


def spx_divergence(b: Builder, c: Claim) -> None:
    """SPY after the divergence signal (previous close) minus other QT sessions."""
    p = b.data.panel
    sig = divergence_signal(p["SPY"], p["SPY.Volume"], p["NETLIQ"]).shift(1, fill_value=False)
    spy, qt = returns(p, "SPY"), _qt(b)
    b.contrast(c, "SPY return after a rally on volume as net liquidity falls, minus other "
               "days", "QT", spy[qt & sig], spy[qt & ~sig], "ann_return", TRADING_DAYS, 1)


def sell_rallies(b: Builder, c: Claim) -> None:
    """SPY's next-21-session return after a 5 % 21-session rally, minus after any QT session."""
    spy = b.data.panel["SPY"]
    rally = spy / spy.shift(MONTH) - 1.0 >= 0.05
    fwd = spy.shift(-MONTH) / spy - 1.0
    qt = _qt(b)
    b.contrast(c, "SPY next-21-session return after a 5% rally, minus after any day", "QT",
               fwd[qt & rally], fwd[qt], "return_21d", 1.0, -1)


def quality_qt(b: Builder, c: Claim) -> None:
    """QUAL and USMV minus SPY, annualised (claimed > 0 in QT)."""
    p = b.data.panel
    spy = returns(p, "SPY")
    for ref in ("QUAL", "USMV"):
        b.by_regime(c, f"{ref} - SPY return", returns(p, ref) - spy, "ann_return",
                    TRADING_DAYS, 1, ["QT"])
