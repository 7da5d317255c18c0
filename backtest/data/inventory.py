"""Listings, single-series views and checksum verification (behind ``qtbt data``)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from backtest._typing import AsOf, DateLike
from backtest.data.calendar import parse_date
from backtest.data.catalog import CATALOG, parse_series_ref
from backtest.data.panel import build_panel, known_observations
from backtest.data.providers.snapshot import SnapshotProvider, file_sha256
from backtest.data.store import DataStore
from backtest.exceptions import CacheCorruptError, EmptyRangeError, QtbtError

__all__ = ["inventory", "show_series", "verify_cache", "verify_snapshot"]

_LIST_COLUMNS = ["id", "source", "frequency", "units", "first", "last", "rows", "days_since_last"]


def inventory(
    store: DataStore, include_missing: bool = False, today: dt.date | None = None
) -> pd.DataFrame:
    """One row per series available without the network.

    Columns: id, source, frequency, units, first, last, rows, days_since_last
    (calendar days from the last observation to ``today``).
    """
    today = today or dt.date.today()
    rows = []
    available = {s.id for s in store.available()}
    for spec in CATALOG.values():
        if spec.source == "derived":
            continue
        if spec.id not in available:
            if include_missing:
                rows.append([spec.id, spec.source, spec.frequency, spec.units,
                             "", "", 0, None])
            continue
        data = store.load(spec).data
        col = data[spec.default_field or spec.id].dropna()
        first, last = col.index[0].date(), col.index[-1].date()
        rows.append([spec.id, spec.source, spec.frequency, spec.units, str(first), str(last),
                     len(col), (today - last).days])
    return pd.DataFrame(rows, columns=_LIST_COLUMNS)


def show_series(
    ref: str,
    store: DataStore,
    start: DateLike | None = None,
    end: DateLike | None = None,
    asof: AsOf = "release",
) -> pd.DataFrame:
    """One series as a ``date,<ID>`` frame.

    ``asof="observation"`` lists observations on the source's own dates;
    ``asof="release"`` re-dates each one to the first NYSE session whose
    close knew it. Derived series are shown on every session of the panel.
    """
    spec, field = parse_series_ref(ref)
    for name, value in (("start", start), ("end", end)):
        if value is not None:
            parse_date(value, name)
    if spec.source == "derived":
        frame = build_panel([ref], start=start, end=end, asof=asof, store=store,
                            on_stale="ignore")
        return frame.dropna()
    if asof == "observation":
        data = store.load(spec).data
        s = data[field or spec.id].dropna().rename(ref)
    else:
        s = known_observations(ref, store, asof="release").rename(ref)
    lo = parse_date(start, "start") if start is not None else None
    hi = parse_date(end, "end") if end is not None else None
    if lo is not None and hi is not None and lo > hi:
        raise EmptyRangeError(f"start {lo.date()} is after end {hi.date()}; swap them.")
    if lo is not None:
        s = s[s.index >= lo]
    if hi is not None:
        s = s[s.index <= hi]
    if s.empty:
        full = store.load(spec).data.index
        raise EmptyRangeError(
            f"{ref} has no observations between {start or 'its start'} and {end or 'its end'}; "
            f"it runs from {full[0].date()} to {full[-1].date()}."
        )
    frame = s.to_frame()
    frame.index.name = "date"
    return frame


def verify_snapshot(snapshot: SnapshotProvider) -> pd.DataFrame:
    """Compare every file named in the snapshot manifests with its recorded sha256 and rows."""
    rows = []
    for folder, entries in snapshot.manifest().items():
        for name, meta in sorted(entries.items()):
            path = snapshot.root / folder / f"{name}.csv"
            if not path.is_file():
                rows.append([folder, name, "missing", "", str(meta.get("sha256", ""))[:12]])
                continue
            digest = file_sha256(path)
            status = "ok" if digest == meta.get("sha256") else "checksum mismatch"
            rows.append([folder, name, status, digest[:12], str(meta.get("sha256", ""))[:12]])
    if not rows:
        raise EmptyRangeError(
            f"No manifest.json found under {snapshot.root}/fred, /yahoo or /french; nothing to "
            "verify. Is --data-dir the snapshot's top folder?"
        )
    return pd.DataFrame(rows, columns=["folder", "file", "status", "sha256", "expected"])


def verify_cache(store: DataStore) -> pd.DataFrame:
    """Re-check every cached file against the checksum stored in its metadata."""
    rows = []
    for spec in CATALOG.values():
        if spec.source == "derived" or not store.cache.has(spec):
            continue
        try:
            got = store.cache.read(spec)
            rows.append([spec.source, spec.id, "ok", got.sha256[:12], got.fetched_at])
        except (CacheCorruptError, QtbtError) as exc:
            rows.append([spec.source, spec.id, f"corrupt: {exc}", "", ""])
    if not rows:
        raise EmptyRangeError(
            f"The cache {store.cache.root} is empty; `qtbt data pull ID` fills it, or pass "
            "--data-dir to verify a snapshot."
        )
    return pd.DataFrame(rows, columns=["source", "id", "status", "sha256", "fetched_at"])
