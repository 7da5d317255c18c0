"""Trading and publication calendars.

* NYSE sessions come from ``exchange_calendars`` (XNYS): the panel's index.
* Fed business days (weekends and US federal holidays, from pandas'
  ``USFederalHolidayCalendar``) decide when the Fed and other agencies publish.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from backtest._typing import DateLike

__all__ = [
    "fed_business_offset",
    "next_session_on_or_after",
    "nyse_sessions",
    "parse_date",
    "sessions_between",
]

_CAL_START = "1962-01-02"


@lru_cache(maxsize=1)
def nyse_sessions() -> pd.DatetimeIndex:
    """All NYSE sessions from 1962 to the calendar's last date (tz-naive, midnight)."""
    import exchange_calendars as xcals

    cal = xcals.get_calendar("XNYS", start=_CAL_START)
    sessions = pd.DatetimeIndex(cal.sessions)
    if sessions.tz is not None:
        sessions = sessions.tz_localize(None)
    return pd.DatetimeIndex(sessions.as_unit("ns"), name="date")


def sessions_between(start: DateLike | None, end: DateLike | None) -> pd.DatetimeIndex:
    """NYSE sessions with ``start <= session <= end`` (either bound optional)."""
    s = nyse_sessions()
    lo = 0 if start is None else int(s.searchsorted(pd.Timestamp(start), side="left"))
    hi = len(s) if end is None else int(s.searchsorted(pd.Timestamp(end), side="right"))
    return s[lo:hi]


def next_session_on_or_after(dates: pd.DatetimeIndex, strictly_after: bool = False) -> np.ndarray:
    """Map each date to the first NYSE session on (or strictly after) it.

    Returns a ``datetime64[ns]`` array; dates beyond the calendar map to NaT.
    """
    s = nyse_sessions()
    pos = s.searchsorted(dates, side="right" if strictly_after else "left")
    out = np.full(len(dates), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = pos < len(s)
    out[ok] = s.values[pos[ok]]
    return out


@lru_cache(maxsize=1)
def _fed_holidays() -> np.ndarray:
    from pandas.tseries.holiday import USFederalHolidayCalendar

    hol = USFederalHolidayCalendar().holidays(start="1950-01-01", end="2100-12-31")
    return np.asarray(hol.values.astype("datetime64[D]"))


def fed_business_offset(dates: pd.DatetimeIndex, days: int) -> pd.DatetimeIndex:
    """Roll each date forward to a Fed business day, then add ``days`` of them.

    Parameters
    ----------
    dates : DatetimeIndex
        Calendar dates (tz-naive).
    days : int
        Fed business days to add after rolling forward (0 only rolls).
    """
    d = dates.values.astype("datetime64[D]")
    out = np.busday_offset(d, days, roll="forward", holidays=_fed_holidays())
    return pd.DatetimeIndex(out.astype("datetime64[ns]"))


def parse_date(value: DateLike, name: str) -> pd.Timestamp:
    """``value`` as a Timestamp; a ParameterError naming ``name`` if it is not a date."""
    from backtest.exceptions import ParameterError

    if isinstance(value, pd.Timestamp):
        return value
    text = str(value).strip()
    try:
        return pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d"))
    except (ValueError, TypeError):
        raise ParameterError(f"{name} {text!r} is not a date; use YYYY-MM-DD.") from None
