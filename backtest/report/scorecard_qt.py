"""Scorecard measures of the playbook's claims about QT itself (and the QE mirror).

Each function adds a claim's test and context rows to a :class:`Builder`;
see :mod:`backtest.report.scorecard` for the verdict rules. Growth of weekly
or monthly levels (WRESBAL, M2SL, WALCL) is the daily percent change of the
level carried forward between observations, so it is zero between releases
and its mean times 252 is the growth per year.
"""

from __future__ import annotations

import pandas as pd

from backtest.claims import Claim
from backtest.metrics import TRADING_DAYS
from backtest.report.scorecard_measures import Builder, bp_change, regime_runs, returns

__all__ = ["credit_qt", "curve_qt", "equities_qe", "growth_qt", "halves", "late_qt",
           "long_yields_qt", "reserves_qe", "reserves_qt", "vix_qt", "yields_qe"]


def vix_qt(b: Builder, c: Claim) -> None:
    """VIX minus its mean over every session, in points, per regime (QT the test)."""
    v = b.data.panel["VIXCLS"].dropna()
    b.by_regime(c, "VIX minus its all-session mean", v - float(v.mean()), "points", 1.0, 1,
                ["QT"])


def credit_qt(b: Builder, c: Claim) -> None:
    """High-yield and investment-grade OAS changes, bp per year."""
    p = b.data.panel
    for ref, name in (("BAMLH0A0HYM2", "high-yield OAS change"),
                      ("BAMLC0A0CM", "investment-grade OAS change")):
        b.by_regime(c, name, bp_change(p, ref), "bp_per_year", TRADING_DAYS, 1, ["QT"])


def _growth(b: Builder, c: Claim, regime: str, direction: int, refs: tuple[str, ...]) -> None:
    p = b.data.panel
    names = {"WRESBAL": "reserve balances (WRESBAL) growth", "M2SL": "M2 (M2SL) growth",
             "WALCL": "Fed assets (WALCL) growth"}
    for ref in refs:
        b.by_regime(c, names[ref], returns(p, ref), "ann_growth", TRADING_DAYS, direction,
                    [regime])


def reserves_qt(b: Builder, c: Claim) -> None:
    """Reserves and M2 growth, % a year (claimed < 0 in QT)."""
    _growth(b, c, "QT", -1, ("WRESBAL", "M2SL"))


def reserves_qe(b: Builder, c: Claim) -> None:
    """Reserves growth, % a year (claimed > 0 in QE)."""
    _growth(b, c, "QE", 1, ("WRESBAL",))


def curve_qt(b: Builder, c: Claim) -> None:
    """2s10s change, bp per year (claimed > 0 in QT)."""
    b.by_regime(c, "2s10s change", bp_change(b.data.panel, "T2S10S"), "bp_per_year",
                TRADING_DAYS, 1, ["QT"])


def long_yields_qt(b: Builder, c: Claim) -> None:
    """30-year yield change, bp per year (claimed > 0 in QT)."""
    b.by_regime(c, "30-year yield change", bp_change(b.data.panel, "DGS30"), "bp_per_year",
                TRADING_DAYS, 1, ["QT"])


def yields_qe(b: Builder, c: Claim) -> None:
    """10- and 30-year yield changes, bp per year (claimed < 0 in QE)."""
    for ref in ("DGS10", "DGS30"):
        b.by_regime(c, f"{ref} change", bp_change(b.data.panel, ref), "bp_per_year",
                    TRADING_DAYS, -1, ["QE"])


def equities_qe(b: Builder, c: Claim) -> None:
    """SPY and EEM returns, annualised (claimed > 0 in QE)."""
    for ref in ("SPY", "EEM"):
        b.by_regime(c, f"{ref} return", returns(b.data.panel, ref), "ann_return", TRADING_DAYS,
                    1, ["QE"])


def growth_qt(b: Builder, c: Claim) -> None:
    """QQQ and IWF minus SPY, annualised (claimed < 0 in QT)."""
    p = b.data.panel
    spy = returns(p, "SPY")
    for ref in ("QQQ", "IWF"):
        b.by_regime(c, f"{ref} - SPY return", returns(p, ref) - spy, "ann_return",
                    TRADING_DAYS, -1, ["QT"])


def halves(labels: pd.Series, regime: str = "QT") -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """Sessions of the first and of the second half of every ``regime`` episode.

    An episode of ``n`` sessions gives its first ``n // 2`` sessions to the
    first half and the rest to the second.
    """
    first: list[pd.Timestamp] = []
    second: list[pd.Timestamp] = []
    for days in regime_runs(labels, regime):
        k = len(days) // 2
        first.extend(days[:k])
        second.extend(days[k:])
    return pd.DatetimeIndex(first), pd.DatetimeIndex(second)


def late_qt(b: Builder, c: Claim) -> None:
    """SPY late minus early in QT (claimed > 0); WALCL growth late in QT (claimed < 0)."""
    p = b.data.panel
    early, late = halves(b.data.labels)
    spy = returns(p, "SPY")
    b.contrast(c, "SPY return, second half minus first half", "QT episodes",
               spy.reindex(late), spy.reindex(early), "ann_return", TRADING_DAYS, 1)
    walcl = returns(p, "WALCL").reindex(late).dropna().to_numpy()
    value, lo, hi, _ = b.mean_ci(walcl, TRADING_DAYS, f"{c.id}/walcl/late")
    b.add(c, "Fed assets (WALCL) growth in the second half", "QT episodes", "test", -1,
          "ann_growth", value, lo, hi, len(walcl), len(walcl), b.episodes_of(late))
    early_w = returns(p, "WALCL").reindex(early).dropna().to_numpy()
    value, lo, hi, _ = b.mean_ci(early_w, TRADING_DAYS, f"{c.id}/walcl/early")
    b.add(c, "Fed assets (WALCL) growth in the first half", "QT episodes", "context", -1,
          "ann_growth", value, lo, hi, len(early_w), len(early_w), b.episodes_of(early))
