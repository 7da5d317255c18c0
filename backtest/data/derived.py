"""Derived series as pure functions of point-in-time inputs.

Each function takes aligned input columns (same index) and returns one
column. :func:`backtest.data.panel.build_panel` feeds them the already
release-lagged inputs, so derived series inherit the lags of their inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd

__all__ = [
    "DERIVED",
    "IORB_START",
    "NETLIQ_PARTS",
    "SAME_DATE",
    "SPLICES",
    "curve_2s10s",
    "funding_spread",
    "net_liquidity",
    "netliq_part_change",
    "reserve_rate",
    "rrp_millions",
    "weeks_change",
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


def rrp_millions(rrp_bn: pd.Series) -> pd.Series:
    """ON RRP volume in USD millions (RRPONTSYD x 1000; missing counts as zero, as in NETLIQ).

    The same units as WALCL and WTREGEN, so the three parts of net liquidity
    can be compared and added.
    """
    return rrp_bn.fillna(0.0) * 1000.0


def weeks_change(x: pd.Series, weeks: int) -> pd.Series:
    """``x`` minus its value ``weeks`` weeks (7-day periods) earlier, on ``x``'s own dates.

    The earlier value is the latest non-missing one on or before the date
    ``weeks`` weeks back; NaN where there is none (the first ``weeks`` weeks
    of the data handed in).
    """
    known = x.dropna()
    idx = pd.DatetimeIndex(x.index)
    if known.empty:
        return pd.Series(float("nan"), index=x.index)
    back = idx - pd.Timedelta(weeks=weeks)
    pos = pd.DatetimeIndex(known.index).searchsorted(back, side="right") - 1
    prev = known.to_numpy()[pos.clip(0)]
    prev[pos < 0] = float("nan")
    return pd.Series(x.to_numpy(dtype="float64") - prev, index=x.index)


def netliq_part_change(walcl: pd.Series, wtregen: pd.Series, rrp_bn: pd.Series, part: str,
                       weeks: int) -> pd.Series:
    """One part of net liquidity's change over ``weeks`` weeks, USD millions.

    ``part`` is ``total`` (the change in NETLIQ), ``walcl`` (the change in Fed
    assets), ``tga`` (minus the change in the TGA) or ``rrp`` (minus the
    change in ON RRP): the last three add up to the first.
    """
    series = {"total": net_liquidity(walcl, wtregen, rrp_bn), "walcl": walcl,
              "tga": -wtregen, "rrp": -rrp_millions(rrp_bn)}
    return weeks_change(series[part], weeks)


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

_NETLIQ_INPUTS = ("WALCL", "WTREGEN", "RRPONTSYD")
#: id -> (part, weeks) of the derived changes of net liquidity, by component (USD millions)
NETLIQ_PARTS: dict[str, tuple[str, int]] = {
    f"NETLIQ_{part.upper()}_{w}W": (part, w)
    for w in (4, 13) for part in ("total", "walcl", "tga", "rrp")
}

# id -> (inputs in order, function)
DERIVED: dict[str, tuple[tuple[str, ...], Callable[..., pd.Series]]] = {
    "NETLIQ": (_NETLIQ_INPUTS, net_liquidity),
    "RRP_MN": (("RRPONTSYD",), rrp_millions),
    **{k: (_NETLIQ_INPUTS, partial(netliq_part_change, part=p, weeks=w))
       for k, (p, w) in NETLIQ_PARTS.items()},
    "IORB_IOER": (("IOER", "IORB"), reserve_rate),
    "SOFR_IORB": (("SOFR", "IORB_IOER"), funding_spread),
    "EFFR_IORB": (("EFFR", "IORB_IOER"), funding_spread),
    "T2S10S": (("DGS2", "DGS10"), curve_2s10s),
}
