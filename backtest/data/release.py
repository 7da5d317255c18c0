"""Apply release rules: the session at which each observation became known."""

from __future__ import annotations

import numpy as np
import pandas as pd

from backtest.data.calendar import fed_business_offset, next_session_on_or_after
from backtest.data.catalog import ReleaseRule, SeriesSpec

__all__ = ["known_sessions", "period_end"]


def period_end(dates: pd.DatetimeIndex, frequency: str) -> pd.DatetimeIndex:
    """Last day of the period that FRED dates on its first day."""
    if frequency == "monthly":
        return dates + pd.offsets.MonthEnd(0)
    if frequency == "quarterly":
        return dates + pd.offsets.QuarterEnd(0)
    return dates


def known_sessions(dates: pd.DatetimeIndex, spec: SeriesSpec) -> pd.DatetimeIndex:
    """First NYSE session at whose close each observation was known.

    Parameters
    ----------
    dates : DatetimeIndex
        Observation dates as the source labels them.
    spec : SeriesSpec
        Catalog entry whose release rule applies.

    Returns
    -------
    DatetimeIndex
        Same length as ``dates``; NaT where the session lies beyond the
        exchange calendar.

    Examples
    --------
    WALCL's Wednesday 2022-04-13 level is released Thursday 2022-04-14 at
    16:30 ET; Friday 2022-04-15 was Good Friday, so it is first known at the
    close of Monday 2022-04-18.
    """
    rule: ReleaseRule = spec.release
    anchor = period_end(dates, spec.frequency) if rule.anchor == "period_end" else dates
    if rule.business_days:
        pub = fed_business_offset(anchor, rule.lag, rule.calendar)
    else:
        pub = fed_business_offset(anchor + pd.Timedelta(days=rule.lag), 0, rule.calendar)
        if rule.lag == 0:
            # same-day market data: the observation day itself, even if the Fed is closed
            pub = pd.DatetimeIndex(anchor)
    out = next_session_on_or_after(pub, strictly_after=rule.timing == "after_close")
    return pd.DatetimeIndex(np.asarray(out), name="date")
