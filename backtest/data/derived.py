"""Derived series as pure functions of point-in-time inputs.

Each function takes aligned input columns (same index) and returns one
column. :func:`backtest.data.panel.build_panel` feeds them the already
release-lagged inputs, so derived series inherit the lags of their inputs.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

__all__ = [
    "DERIVED",
    "IORB_START",
    "SAME_DATE",
    "SPLICES",
    "curve_2s10s",
    "funding_spread",
    "net_liquidity",
    "reserve_rate",
]

IORB_START = pd.Timestamp("2021-07-29")


def net_liquidity(walcl: pd.Series, wtregen: pd.Series, rrp_bn: pd.Series) -> pd.Series:
    """Net liquidity = WALCL - WTREGEN - RRPONTSYD * 1000, in USD millions.

    ``rrp_bn`` is ON RRP volume in USD billions. Before its first observation
    it counts as zero (no reverse repo outstanding). Between observations the
    panel carries the last value forward; the snapshot omits FRED's
    non-operation days, so in 2004-2013 a small stale value (at most USD 25
    bn, against a balance sheet of USD 0.7-4 tn) can persist for months.
    WTREGEN is FRED's week average of the TGA (week ending Wednesday).
    In the release view each input is the latest *known* value, so NETLIQ
    mixes Wednesday H.4.1 levels with that day's RRP, as a trader would.
    """
    return walcl - wtregen - rrp_bn.fillna(0.0) * 1000.0


def reserve_rate(ioer: pd.Series, iorb: pd.Series) -> pd.Series:
    """Interest paid on reserves: IOER before 2021-07-29, IORB from then (percent)."""
    before = pd.Series(ioer.index < IORB_START, index=ioer.index)
    return iorb.where(~before, ioer)


def funding_spread(overnight: pd.Series, reserve: pd.Series) -> pd.Series:
    """Overnight rate (SOFR or EFFR) minus interest on reserves, percent.

    Positive values mean money-market rates trade above what reserves earn:
    reserves are getting scarce (the funding-stress signal).
    """
    return overnight - reserve


def curve_2s10s(dgs2: pd.Series, dgs10: pd.Series) -> pd.Series:
    """10-year minus 2-year Treasury yield, percentage points."""
    return dgs10 - dgs2


# derived series that compare inputs observed on the same date: they are computed on
# observation dates and become known when the last of their inputs is released, so a
# next-morning rate (EFFR, SOFR) is never set against the next day's IORB
SAME_DATE: frozenset[str] = frozenset({"IORB_IOER", "SOFR_IORB", "EFFR_IORB", "T2S10S"})

# splices: id -> first date of the second input
SPLICES: dict[str, pd.Timestamp] = {"IORB_IOER": IORB_START}

# id -> (inputs in order, function)
DERIVED: dict[str, tuple[tuple[str, ...], Callable[..., pd.Series]]] = {
    "NETLIQ": (("WALCL", "WTREGEN", "RRPONTSYD"), net_liquidity),
    "IORB_IOER": (("IOER", "IORB"), reserve_rate),
    "SOFR_IORB": (("SOFR", "IORB_IOER"), funding_spread),
    "EFFR_IORB": (("EFFR", "IORB_IOER"), funding_spread),
    "T2S10S": (("DGS2", "DGS10"), curve_2s10s),
}
