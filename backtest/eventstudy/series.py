"""The series of an event study: how each is measured, and its values on every NYSE session.

Rates are measured in basis points, prices as returns, levels (weekly H.4.1
balances, quarterly fund assets, RRP volumes) as changes in their own units
(see :mod:`backtest.eventstudy.study`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest._typing import EventMeasure
from backtest.data.calendar import nyse_sessions
from backtest.data.catalog import parse_series_ref
from backtest.data.derived import DERIVED
from backtest.data.store import DataStore
from backtest.exceptions import EmptyRangeError, ParameterError

__all__ = [
    "MAX_STALE_SESSIONS",
    "STALE_SESSIONS",
    "EventMeasure",
    "Track",
    "measure_of",
    "same_series",
    "series_track",
    "slow_frequency",
]


#: how many sessions an observation may be carried forward (bond-market holidays)
MAX_STALE_SESSIONS = 5

_RATE_UNITS = ("percent", "percentage points")


@dataclass(frozen=True, eq=False)
class Track:
    """One series aligned to every NYSE session (carried forward a few sessions).

    ``value``: observation (NaN where none in the last ``STALE_SESSIONS`` of its frequency);
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
    """How moves of a series are measured.

    ``change_bp`` for rates (percent or percentage points), ``return`` for
    prices and index levels, ``change`` (end minus start, in the series' own
    units) for every other level: H.4.1 balances (WALCL, WRESBAL, WLRRAL),
    fund assets (MMMFFAQ027S), RRP volumes (RRPONTSYD, USD billions), NETLIQ.
    Weekly, monthly and quarterly series are carried forward longer between
    observations (:data:`STALE_SESSIONS`).

    Raises
    ------
    UnknownSeriesError
        Unknown id (with close matches).
    ParameterError
        A Volume column (trading volume is neither a price nor a level to
        follow around events).
    """
    spec, field = parse_series_ref(ref)
    if spec.kind == "ohlcv" and field == "Volume":
        raise ParameterError(
            f"{ref} is trading volume, not a price; use {spec.id} (adjusted close) or "
            f"{spec.id}.Close."
        )
    if spec.kind in ("factors", "ohlcv"):
        return "return"
    if spec.units in _RATE_UNITS:
        return "change_bp"
    if spec.units.startswith("index"):
        return "return"
    return "change"


def slow_frequency(ref: str) -> str | None:
    """The frequency of ``ref`` or of its slowest input when not daily, else None."""
    spec, _ = parse_series_ref(ref)
    if spec.frequency != "daily":
        return spec.frequency
    if spec.source == "derived":
        for i in spec.inputs:
            slow = slow_frequency(i)
            if slow is not None:
                return slow
    return None


#: sessions an observation may be carried forward, by the series' (slowest) frequency
STALE_SESSIONS = {"daily": MAX_STALE_SESSIONS, "weekly": 10, "monthly": 30, "quarterly": 70}


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
    limit = STALE_SESSIONS[slow_frequency(ref) or "daily"]
    filled = pd.Series(np.where(obs_pos >= 0, obs_pos, np.nan)).ffill(limit=limit)
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
