"""Trading and publication calendars.

* NYSE sessions come from ``exchange_calendars`` (XNYS): the panel's index.
* Fed business days (weekends and US federal holidays, from pandas'
  ``USFederalHolidayCalendar``) decide when the Fed and other agencies publish.
  Two holiday calendars: federal agencies and the Board of Governors close on
  the Friday before a Saturday holiday; the Federal Reserve Banks (the New
  York Fed publishes EFFR and SOFR) stay open that Friday (a Sunday holiday
  closes both the next Monday). So 2010-12-31 (New Year 2011 fell on a
  Saturday) and 2021-06-18 (Juneteenth 2021) are Reserve Bank business days.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from backtest._typing import DateLike, HolidayCalendar
from backtest.data.calendar_store import library_version, stored_dates

__all__ = [
    "HolidayCalendar",
    "fed_business_offset",
    "fed_holidays",
    "next_session_on_or_after",
    "nyse_sessions",
    "parse_date",
    "sessions_between",
]

_CAL_START = "1962-01-02"
#: bump when :func:`nyse_sessions` or :func:`fed_holidays` build differently (it names the
#: calendars kept between processes)
_CALENDAR_RULES = "r1"


@lru_cache(maxsize=1)
def nyse_sessions() -> pd.DatetimeIndex:
    """All NYSE sessions from 1962 to a year after today (tz-naive, midnight).

    The end is ``exchange_calendars``' default (today + one year, local
    time), passed explicitly so the sessions can be kept between processes
    under it (:func:`~backtest.data.calendar_store.stored_dates`).
    """
    end = pd.Timestamp.now().floor("D") + pd.DateOffset(years=1)

    def build() -> np.ndarray:
        import exchange_calendars as xcals

        sessions = pd.DatetimeIndex(xcals.get_calendar("XNYS", start=_CAL_START, end=end).sessions)
        if sessions.tz is not None:
            sessions = sessions.tz_localize(None)
        return np.asarray(sessions.as_unit("ns").values)

    xcals_version = library_version("exchange_calendars")
    key = (f"{xcals_version}-{pd.__version__}-{_CALENDAR_RULES}-{_CAL_START}-{end:%Y-%m-%d}"
           if xcals_version else None)
    return pd.DatetimeIndex(stored_dates("xnys", key, build), name="date")


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


# fixed-date federal holidays (month, day): the only ones that can fall on a Saturday
_FIXED_DATE_HOLIDAYS = {(1, 1), (6, 19), (7, 4), (11, 11), (12, 25)}


@lru_cache(maxsize=2)
def fed_holidays(calendar: HolidayCalendar = "federal") -> pd.DatetimeIndex:
    """Weekdays on which a publisher is closed, 1950-2100.

    Parameters
    ----------
    calendar : {"federal", "reserve_banks"}
        ``federal``: US federal holidays as federal agencies and the Board of
        Governors observe them (pandas' ``USFederalHolidayCalendar``: a
        Saturday holiday is observed on the Friday before, a Sunday one on the
        Monday after). ``reserve_banks``: the Federal Reserve Banks (the New
        York Fed publishes EFFR and SOFR), which stay open on the Friday
        before a Saturday holiday, e.g. 2010-12-31 and 2021-06-18.
    """
    if calendar not in ("federal", "reserve_banks"):
        from backtest.exceptions import ParameterError

        raise ParameterError(
            f"calendar must be 'federal' or 'reserve_banks', got {calendar!r}.")

    def build() -> np.ndarray:
        from pandas.tseries.holiday import USFederalHolidayCalendar

        hol = USFederalHolidayCalendar().holidays(start="1950-01-01", end="2100-12-31")
        if calendar == "reserve_banks":
            nxt = hol + pd.Timedelta(days=1)
            saturday_observed = (hol.day_of_week == 4) & np.array(
                [(d.month, d.day) in _FIXED_DATE_HOLIDAYS for d in nxt], dtype=bool)
            hol = hol[~saturday_observed]
        return np.asarray(pd.DatetimeIndex(hol).as_unit("ns").values)

    # the rules are pandas' (and this module's): a new pandas or qtbt builds afresh
    key = f"{pd.__version__}-{_CALENDAR_RULES}"
    return pd.DatetimeIndex(stored_dates(f"fed-{calendar}", key, build), name="date")


@lru_cache(maxsize=2)
def _holiday_days(calendar: HolidayCalendar) -> np.ndarray:
    return np.asarray(fed_holidays(calendar).values.astype("datetime64[D]"))


def fed_business_offset(dates: pd.DatetimeIndex, days: int,
                        calendar: HolidayCalendar = "federal") -> pd.DatetimeIndex:
    """Roll each date forward to a Fed business day, then add ``days`` of them.

    Parameters
    ----------
    dates : DatetimeIndex
        Calendar dates (tz-naive).
    days : int
        Fed business days to add after rolling forward (0 only rolls).
    calendar : {"federal", "reserve_banks"}
        Whose holidays count (see :func:`fed_holidays`).
    """
    d = dates.values.astype("datetime64[D]")
    out = np.busday_offset(d, days, roll="forward", holidays=_holiday_days(calendar))
    return pd.DatetimeIndex(out.astype("datetime64[ns]"))


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: DateLike, name: str) -> pd.Timestamp:
    """``value`` as a Timestamp, accepting exactly what is documented.

    Parameters
    ----------
    value : str, datetime.date or pandas.Timestamp
        A ``YYYY-MM-DD`` string (four-digit year, two-digit month and day),
        a ``datetime.date``/``datetime.datetime`` or a ``pd.Timestamp``.
        Numbers, ``now``, ``today``, ``2020-1-5``, ``nan``, empty strings and
        ``NaT`` are refused.
    name : str
        The argument's name, for the message (``--start``, ``start``).

    Raises
    ------
    ParameterError
        Naming ``name``, echoing the value and saying what is allowed.
    """
    from backtest.exceptions import ParameterError

    fix = "use YYYY-MM-DD (e.g. 2022-01-03), a datetime.date or a pandas.Timestamp"
    if isinstance(value, (pd.Timestamp, dt.date)) and not isinstance(value, bool):
        ts = pd.Timestamp(value)
        if pd.isna(ts):
            raise ParameterError(f"{name} NaT is not a date; {fix}.")
        return ts
    if not isinstance(value, str):
        raise ParameterError(
            f"{name} {value!r} ({type(value).__name__}) is not a date; {fix}. "
            "Numbers such as 20220101 are not dates."
        )
    text = value.strip()
    if not _ISO_DATE.fullmatch(text):
        raise ParameterError(f"{name} {value!r} is not a date; {fix}.")
    try:
        return pd.Timestamp(dt.datetime.strptime(text, "%Y-%m-%d"))
    except ValueError:
        raise ParameterError(
            f"{name} {value!r} is not a date; {fix} (no such day in the calendar)."
        ) from None
