"""The series of an event study: how each is measured, and its values on every NYSE session.

Only daily market series make sense; rates are measured in basis points,
prices as returns (see :mod:`backtest.eventstudy.study`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest._typing import EventMeasure
from backtest.data.calendar import nyse_sessions
from backtest.data.catalog import SeriesSpec, parse_series_ref
from backtest.data.derived import DERIVED
from backtest.data.store import DataStore
from backtest.exceptions import EmptyRangeError, ParameterError

__all__ = [
    "MAX_STALE_SESSIONS",
    "EventMeasure",
    "Track",
    "measure_of",
    "same_series",
    "series_track",
]


#: how many sessions an observation may be carried forward (bond-market holidays)
MAX_STALE_SESSIONS = 5

_RATE_UNITS = ("percent", "percentage points")


@dataclass(frozen=True, eq=False)
class Track:
    """One series aligned to every NYSE session (carried forward a few sessions).

    ``value``: observation (NaN where none in the last MAX_STALE_SESSIONS);
    ``obs_date``: date of that observation as the source dates it;
    ``obs_pos``: position of the session that observation belongs to.
    """

    ref: str
    measure: EventMeasure
    value: np.ndarray
    obs_date: np.ndarray
    obs_pos: np.ndarray
    first: pd.Timestamp
    last: pd.Timestamp


def measure_of(ref: str) -> EventMeasure:
    """How moves of a series are measured: ``change_bp`` (rates) or ``return`` (prices).

    Raises
    ------
    UnknownSeriesError
        Unknown id (with close matches).
    ParameterError
        Series that are not daily market series (weekly H.4.1 balances,
        monthly or quarterly macro data, quantities such as RRPONTSYD, a
        Volume column); the message suggests daily series instead.
    """
    spec, field = parse_series_ref(ref)
    _check_daily(spec, ref)
    if spec.kind == "factors":
        return "return"
    if spec.kind == "ohlcv":
        if field == "Volume":
            raise ParameterError(
                f"{ref} is trading volume, not a price; use {spec.id} (adjusted close) or "
                f"{spec.id}.Close."
            )
        return "return"
    if spec.units in _RATE_UNITS:
        return "change_bp"
    if spec.units.startswith("index"):
        return "return"
    raise ParameterError(
        f"{spec.id} is measured in {spec.units}, neither a rate (reported in bp) nor a price "
        "(reported as a return); event studies take yields, spreads and prices, e.g. DGS10, "
        "T2S10S, SOFR_IORB, SPY."
    )


def _check_daily(spec: SeriesSpec, ref: str) -> None:
    hint = "use a daily market series such as DGS10, T2S10S, SOFR_IORB or SPY"
    if spec.frequency != "daily":
        raise ParameterError(
            f"{ref} is a {spec.frequency} series ({spec.title}); event windows are measured "
            f"in trading sessions, so {hint}."
        )
    if spec.source == "derived":
        slow = [i for i in spec.inputs if parse_series_ref(i)[0].frequency != "daily"]
        if slow:
            freq = parse_series_ref(slow[0])[0].frequency
            raise ParameterError(
                f"{ref} is built from {freq} series ({', '.join(slow)}), so it moves only when "
                f"they are published; {hint}."
            )
        for i in spec.inputs:
            _check_daily(parse_series_ref(i)[0], i)


def _observations(ref: str, store: DataStore) -> pd.DataFrame:
    """Observations of ``ref`` by NYSE session: columns ``value`` and ``obs_date``.

    Each observation belongs to the first session on or after its date (the
    observation view: no release lag); of several, the last one wins.
    """
    spec, field = parse_series_ref(ref)
    sessions = nyse_sessions()
    if spec.source == "derived":
        inputs, func = DERIVED[spec.id]
        cols = [_observations(i, store)["value"] for i in inputs]
        idx = cols[0].index
        for c in cols[1:]:
            idx = idx.union(c.index)
        out = func(*(c.reindex(idx) for c in cols)).dropna()
        return pd.DataFrame(
            {"value": out.to_numpy(dtype="float64"), "obs_date": out.index}, index=out.index
        )
    col = store.load(spec).data[field or spec.id].dropna().astype("float64")
    if spec.kind == "factors":  # daily percent returns -> total-return index
        col = (1.0 + col / 100.0).cumprod()
    dates = pd.DatetimeIndex(col.index)
    pos = sessions.searchsorted(dates, side="left")
    ok = pos < len(sessions)
    frame = pd.DataFrame(
        {"value": col.to_numpy()[ok], "obs_date": dates[ok]},
        index=pd.DatetimeIndex(sessions[pos[ok]]),
    )
    return frame[~frame.index.duplicated(keep="last")]


def _track(ref: str, store: DataStore) -> Track:
    measure = measure_of(ref)
    obs = _observations(ref, store)
    if obs.empty:
        raise EmptyRangeError(f"{ref} has no observation at all; `qtbt data list` shows it.")
    sessions = nyse_sessions()
    pos = sessions.get_indexer(obs.index)
    n = len(sessions)
    value = np.full(n, np.nan)
    obs_pos = np.full(n, -1, dtype=np.int64)
    value[pos] = obs["value"].to_numpy(dtype="float64")
    obs_pos[pos] = pos
    # carry each observation forward at most MAX_STALE_SESSIONS sessions
    filled = pd.Series(np.where(obs_pos >= 0, obs_pos, np.nan)).ffill(limit=MAX_STALE_SESSIONS)
    carried = filled.to_numpy()
    have = ~np.isnan(carried)
    src = np.where(have, carried, 0).astype(np.int64)
    value = np.where(have, value[src], np.nan)
    obs_pos = np.where(have, src, -1)
    date_by_pos = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    date_by_pos[pos] = obs["obs_date"].to_numpy(dtype="datetime64[ns]")
    obs_date = np.where(have, date_by_pos[src], np.datetime64("NaT"))
    return Track(ref, measure, value, obs_date, obs_pos,
                  pd.Timestamp(obs["obs_date"].iloc[0]), pd.Timestamp(obs["obs_date"].iloc[-1]))


#: the private name the event-study modules use
_Track = Track


def series_track(ref: str, store: DataStore) -> Track:
    """``ref`` on every NYSE session (observations carried forward a few sessions).

    Raises
    ------
    UnknownSeriesError, ParameterError
        See :func:`measure_of`.
    EmptyRangeError
        The series has no observation.
    """
    return _track(ref, store)


def same_series(a: str, b: str) -> bool:
    """Whether references ``a`` and ``b`` name the same values (``SPY`` is ``SPY.Adj Close``).

    Raises
    ------
    UnknownSeriesError
        Either id is unknown.
    """
    (spec_a, field_a), (spec_b, field_b) = parse_series_ref(a), parse_series_ref(b)
    default = "Adj Close" if spec_a.kind == "ohlcv" else None
    return spec_a.id == spec_b.id and (field_a or default) == (field_b or default)
