"""The point-in-time panel: every series as it was known at each NYSE close.

Convention: the row for NYSE session ``d`` holds, for every series, the
latest observation whose release rule makes it known at the close of ``d``.
Release lags are applied here, once, for every consumer; no strategy
re-implements them.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from backtest._typing import AsOf, DateLike
from backtest.data.calendar import next_session_on_or_after, parse_date, sessions_between
from backtest.data.catalog import SeriesSpec, get_spec, parse_series_ref
from backtest.data.derived import DERIVED, SAME_DATE, SPLICES
from backtest.data.release import known_sessions
from backtest.data.store import DataStore, as_store
from backtest.exceptions import EmptyRangeError, ParameterError, StaleSeriesWarning

__all__ = [
    "build_panel",
    "column_name",
    "known_observations",
    "last_known_session",
    "observations_with_release",
    "observed_panel",
]

# how long after its expected next release a series counts as stale
_STALE_AFTER = {
    "daily": pd.Timedelta(days=10),
    "weekly": pd.Timedelta(days=21),
    "monthly": pd.Timedelta(days=70),
    "quarterly": pd.Timedelta(days=190),
}


def column_name(spec: SeriesSpec, field: str) -> str:
    """Panel column for a series reference (``SPY``, ``SPY.Close``, ``FF3_DAILY.HML``)."""
    if spec.kind == "series" or (spec.kind == "ohlcv" and field == spec.default_field):
        return spec.id
    return f"{spec.id}.{field}"


def known_observations(
    ref: str, store: DataStore, asof: AsOf = "release"
) -> pd.Series:
    """Observations of one series re-indexed by the session they became known.

    Parameters
    ----------
    ref : str
        ``ID`` or ``ID.FIELD`` of a non-derived series.
    store : DataStore
        Where the data comes from.
    asof : {"release", "observation"}
        ``release`` applies the series' release rule; ``observation`` maps
        each observation to the first session on or after its own date (no
        lag: for charts and diagnostics only, never for signals).

    Returns
    -------
    Series
        Index: NYSE session (unique, increasing); value: the latest
        observation known at that session's close. Missing values dropped.
    """
    spec, field = parse_series_ref(ref)
    data = store.load(spec).data
    col = data[field or spec.id].dropna()
    idx = pd.DatetimeIndex(col.index)
    if asof == "release":
        known = known_sessions(idx, spec)
    elif asof == "observation":
        known = pd.DatetimeIndex(next_session_on_or_after(idx))
    else:
        raise ParameterError(f"asof must be 'release' or 'observation', got {asof!r}.")
    out = pd.Series(col.to_numpy(dtype="float64"), index=known, name=column_name(spec, field))
    out = out[out.index.notna()]
    return out[~out.index.duplicated(keep="last")]


def last_known_session(ref: str, store: DataStore, asof: AsOf = "release") -> pd.Timestamp | None:
    """Session at which the last observation of ``ref`` (or of a derived series) is known.

    None when the series has no observation at all.
    """
    spec, _ = parse_series_ref(ref)
    if spec.source != "derived":
        s = known_observations(ref, store, asof)
        return pd.Timestamp(s.index[-1]) if len(s) else None
    inputs, _ = DERIVED[spec.id]
    lasts = [last_known_session(i, store, asof) for i in inputs]
    known = [x for x in lasts if x is not None]
    if spec.id == "IORB_IOER":  # a splice is as fresh as its freshest part
        return max(known) if known else None
    return min(known) if len(known) == len(lasts) else None


def observations_with_release(ref: str, store: DataStore, asof: AsOf = "release"
                              ) -> pd.DataFrame:
    """Observations of ``ref`` by observation date, with the session each became known.

    Returns a frame indexed by observation date with columns ``value`` and
    ``known``. For a derived series the inputs are aligned on observation
    dates (each carried forward to the union of their dates), and a value is
    known at the latest of its inputs' release sessions (a splice takes the
    release of the input it uses).
    """
    spec, field = parse_series_ref(ref)
    if spec.source != "derived":
        col = store.load(spec).data[field or spec.id].dropna()
        idx = pd.DatetimeIndex(col.index)
        if asof == "release":
            known = pd.DatetimeIndex(known_sessions(idx, spec))
        else:
            known = pd.DatetimeIndex(next_session_on_or_after(idx))
        return pd.DataFrame({"value": col.to_numpy(dtype="float64"), "known": known}, index=idx)
    inputs, func = DERIVED[spec.id]
    frames = [observations_with_release(i, store, asof) for i in inputs]
    days = frames[0].index
    for f in frames[1:]:
        days = days.union(f.index)
    values = [f["value"].reindex(days, method="ffill") for f in frames]
    knowns = [f["known"].reindex(days, method="ffill") for f in frames]
    value = func(*values)
    known_at: pd.Series
    if spec.id in SPLICES:
        first = pd.Series(days < SPLICES[spec.id], index=days)
        known_at = knowns[1].where(~first, knowns[0])
    else:
        known_at = pd.concat(knowns, axis=1).max(axis=1, skipna=False)
    ok = value.notna().to_numpy() & known_at.notna().to_numpy()
    return pd.DataFrame({"value": value[ok].to_numpy(), "known": known_at[ok].to_numpy()},
                        index=days[ok])


def _column(ref: str, sessions: pd.DatetimeIndex, store: DataStore, asof: AsOf) -> pd.Series:
    spec, _ = parse_series_ref(ref)
    if spec.id in SAME_DATE:
        obs = observations_with_release(ref, store, asof)
        s = pd.Series(obs["value"].to_numpy(), index=pd.DatetimeIndex(obs["known"]),
                      name=spec.id)
        s = s[~s.index.duplicated(keep="last")]
        return s.reindex(sessions, method="ffill")
    if spec.source == "derived":
        inputs, func = DERIVED[spec.id]
        cols = [_column(i, sessions, store, asof) for i in inputs]
        out = func(*cols)
        out.name = spec.id
        return out
    known = known_observations(ref, store, asof)
    return known.reindex(sessions, method="ffill")


def build_panel(
    series: Sequence[str],
    start: DateLike | None = None,
    end: DateLike | None = None,
    asof: AsOf = "release",
    store: DataStore | str | Path | None = None,
    on_stale: str = "warn",
) -> pd.DataFrame:
    """Build a point-in-time panel of any series over any range.

    Parameters
    ----------
    series : sequence of str
        Series references: ``WALCL``, ``SPY`` (adjusted close), ``SPY.Close``,
        ``FF3_DAILY.HML``, derived ids such as ``NETLIQ``.
    start, end : date-like, optional
        Inclusive bounds: ``YYYY-MM-DD`` strings, ``datetime.date`` or
        ``pd.Timestamp`` (numbers are refused). Default: from the first session any series is
        known to the last session at which any series has news.
    asof : {"release", "observation"}
        ``release`` (default) lags every series by its release rule.
    store : DataStore or path, optional
        Data source; a path is a snapshot folder; default ``DataStore()``
        (``$QTBT_DATA_DIR`` or cache/network).
    on_stale : {"warn", "raise", "ignore"}
        What to do when a series' last observation is known well before
        ``end``: its last value is carried forward, and this says so.

    Returns
    -------
    DataFrame
        Index: NYSE sessions named ``date``; one float column per reference,
        in the requested order; NaN before a series is first known.

    Raises
    ------
    EmptyRangeError
        If the range holds no NYSE session or no series has data in it.
    SeriesNotAvailableError, UnknownSeriesError
        For series that cannot be found.
    """
    if on_stale not in ("warn", "raise", "ignore"):
        raise ParameterError(f"on_stale must be 'warn', 'raise' or 'ignore', got {on_stale!r}.")
    refs = _check_refs(series)
    lo = parse_date(start, "start") if start is not None else None
    hi = parse_date(end, "end") if end is not None else None
    store = as_store(store, "build_panel")
    for r in refs:
        parse_series_ref(r)  # fail fast on unknown ids, before any loading
    if lo is not None and hi is not None and lo > hi:
        raise EmptyRangeError(f"start {lo.date()} is after end {hi.date()}; swap them.")
    if hi is None:
        lasts = [x for x in (last_known_session(r, store, asof) for r in refs) if x is not None]
        if not lasts:
            raise EmptyRangeError(f"None of {', '.join(refs)} has any observation.")
        hi = max(lasts)
    sessions = sessions_between(lo, hi)
    if len(sessions) == 0:
        raise EmptyRangeError(
            f"No NYSE session between {lo.date() if lo is not None else 'the start'} and "
            f"{hi.date()}. Widen the range."
        )
    frame = pd.DataFrame(
        {column_name(*parse_series_ref(r)): _column(r, sessions, store, asof) for r in refs},
        index=sessions,
    )
    if lo is None:
        first = frame.notna().any(axis=1).to_numpy()
        if first.any():
            frame = frame.iloc[int(np.argmax(first)):]
    if frame.empty or frame.isna().all().all():
        raise EmptyRangeError(
            f"No data for {', '.join(refs)} between {sessions[0].date()} and "
            f"{sessions[-1].date()}. `qtbt data list` shows each series' first and last dates."
        )
    frame.index.name = "date"
    if on_stale != "ignore":
        _check_stale(refs, frame.index[-1], store, asof, on_stale)
    return frame


def observed_panel(series: Sequence[str], start: DateLike | None, end: DateLike | None,
                   store: DataStore) -> pd.DataFrame:
    """What happened: :func:`build_panel` at observation dates, never carried past a series' end.

    Each column is NaN after the session of its series' last observation
    (``build_panel`` would carry the last value forward). For measuring
    outcomes after the fact (the scorecard, a run's liquidity block), never
    for decisions: no release lag is applied.
    """
    panel = build_panel(list(series), start=start, end=end, asof="observation", store=store,
                        on_stale="ignore")
    for ref in series:
        last = last_known_session(ref, store, "observation")
        if last is not None:
            panel.loc[panel.index > last, column_name(*parse_series_ref(ref))] = np.nan
    return panel


def _check_refs(series: object) -> list[str]:
    """``series`` as a list of unique references; a teaching error for anything else."""
    if isinstance(series, str):
        raise ParameterError(
            f"series must be a list of series ids, got the string {series!r}; pass "
            f"[{series!r}] (a bare string would be read letter by letter)."
        )
    if not isinstance(series, Iterable) or isinstance(series, (bytes, Mapping)):
        raise ParameterError(
            f"series must be a list of series ids such as ['WALCL', 'SPY'], got "
            f"{type(series).__name__} {series!r}."
        )
    refs = list(series)
    if not refs:
        raise ParameterError("build_panel needs at least one series id, got none.")
    wrong = [r for r in refs if not isinstance(r, str) or not r.strip()]
    if wrong:
        raise ParameterError(
            f"series ids must be non-empty strings such as 'WALCL' or 'SPY.Close', got "
            f"{wrong[0]!r} ({type(wrong[0]).__name__}) in {refs!r}."
        )
    return list(dict.fromkeys(refs))


def _check_stale(
    refs: list[str], end: pd.Timestamp, store: DataStore, asof: AsOf, mode: str
) -> None:
    stale = []
    for r in refs:
        spec = get_spec(r.partition(".")[0])
        last = last_known_session(r, store, asof)
        if last is None:
            stale.append(f"{r} (no observations)")
        elif end - last > _STALE_AFTER[spec.frequency]:
            stale.append(f"{r} (last known {last.date()})")
    if not stale:
        return
    msg = (
        f"Series end before the panel does ({end.date()}): {'; '.join(stale)}. Their last "
        "values were carried forward; pass an earlier end date or refresh the data."
    )
    if mode == "raise":
        raise EmptyRangeError(msg)
    warnings.warn(msg, StaleSeriesWarning, stacklevel=3)
