"""Listings, single-series views and checksum verification (behind ``qtbt data``)."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pandas as pd

from backtest._typing import AsOf, DateLike
from backtest.data.calendar import parse_date
from backtest.data.catalog import SeriesSpec, all_specs, parse_series_ref
from backtest.data.panel import build_panel, known_observations
from backtest.data.providers.snapshot import (
    SnapshotProvider,
    entry_mismatches,
    file_sha256,
    read_manifest,
)
from backtest.data.store import DataStore
from backtest.data.usercat import DefaultReleaseWarning
from backtest.exceptions import CacheCorruptError, EmptyRangeError, QtbtError

__all__ = ["csv_extent", "inventory", "show_series", "verify_cache", "verify_snapshot"]

_LIST_COLUMNS = ["id", "source", "frequency", "units", "first", "last", "rows", "days_since_last"]


def inventory(
    store: DataStore, include_missing: bool = False, today: dt.date | None = None
) -> pd.DataFrame:
    """One row per series available without the network (user-declared series too).

    Columns: id, source, frequency, units, first, last, rows, days_since_last
    (calendar days from the last observation to ``today``). Listing applies
    no release rule, so a user series without one does not warn here. A
    snapshot file that matches its manifest is only counted (quickly, see
    :meth:`SnapshotProvider.extent`); any other is loaded and checked.
    """
    today = today or dt.date.today()
    rows = []
    available = {s.id for s in store.available()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DefaultReleaseWarning)
        for spec in all_specs().values():
            row = _row(spec, store, spec.id in available, include_missing, today)
            if row is not None:
                rows.append(row)
    return pd.DataFrame(rows, columns=_LIST_COLUMNS)


def _row(spec: SeriesSpec, store: DataStore, available: bool, include_missing: bool,
         today: dt.date) -> list[object] | None:
    if spec.source == "derived":
        return None
    if not available:
        return [spec.id, spec.source, spec.frequency, spec.units, "", "", 0, None] \
            if include_missing else None
    field = spec.default_field or spec.id
    snap = store.snapshot
    fast = snap.extent(spec, field) if snap is not None and snap.has(spec) else None
    if fast is not None:
        first, last, rows = fast
    else:
        col = store.load(spec).data[field].dropna()
        first, last, rows = col.index[0].date(), col.index[-1].date(), len(col)
    return [spec.id, spec.source, spec.frequency, spec.units, str(first), str(last), rows,
            (today - last).days]


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
    """Check every CSV file and every manifest entry of the snapshot.

    Each file gets one status: ``ok`` (sha256 and, where the entry records
    them, rows, first and last date agree), ``mismatch: ...`` (naming what
    differs), ``missing`` (an entry without its file) or ``unverified: ...``
    (no manifest.json in its folder, no entry, or an entry without sha256).
    Nothing is skipped.

    Raises
    ------
    DataFormatError
        A manifest that is not valid JSON (naming the file and line).
    EmptyRangeError
        No CSV file and no manifest at all.
    """
    rows = []
    for folder in ("fred", "yahoo", "french"):
        base = snapshot.root / folder
        mpath = base / "manifest.json"
        entries = read_manifest(mpath) if mpath.is_file() else None
        files = {p.stem: p for p in sorted(base.glob("*.csv"))}
        names = {str(k).removesuffix(".csv") for k in (entries or {})} | set(files)
        for name in sorted(names):
            path = files.get(name, base / f"{name}.csv")
            rows.append([folder, name, *_verify_file(path, entries, mpath)])
    if not rows:
        raise EmptyRangeError(
            f"No CSV file or manifest.json under {snapshot.root}/fred, /yahoo or /french; "
            "nothing to verify. Is --data-dir the snapshot's top folder?"
        )
    return pd.DataFrame(rows, columns=["folder", "file", "status", "sha256", "expected"])


def _verify_file(path: Path, entries: dict[str, dict[str, object]] | None,
                 mpath: Path) -> list[str]:
    """``[status, sha256, expected sha256]`` of one snapshot file."""
    if entries is None:
        digest = file_sha256(path)[:12]
        return [f"unverified: no {mpath.name} in {mpath.parent.name}/", digest, ""]
    entry = entries.get(path.stem, entries.get(path.name))
    if not path.is_file():
        want = str(entry.get("sha256", "")) if isinstance(entry, dict) else ""
        return ["missing", "", want[:12]]
    digest = file_sha256(path)
    if entry is None:
        return [f"unverified: no entry in {mpath.parent.name}/{mpath.name}", digest[:12], ""]
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        return ["unverified: entry has no sha256", digest[:12], ""]
    found: dict[str, object] = {"sha256": digest}
    if {"rows", "first", "last"} & set(entry):
        found.update(csv_extent(path))
    diffs = entry_mismatches(entry, found)
    status = "ok" if not diffs else "mismatch: " + "; ".join(diffs)
    if diffs and diffs[0].startswith("sha256"):
        status = "checksum mismatch" + (f" ({'; '.join(diffs[1:])})" if diffs[1:] else "")
    return [status, digest[:12], str(entry["sha256"])[:12]]


def csv_extent(path: Path) -> dict[str, object]:
    """Data rows and the first and last date field of a CSV file, as its text has them."""
    try:
        lines = [x for x in path.read_text(encoding="utf-8-sig").splitlines()[1:] if x.strip()]
    except UnicodeDecodeError:
        return {"rows": "unreadable", "first": "", "last": ""}
    return {"rows": len(lines), "first": lines[0].split(",")[0].strip() if lines else "",
            "last": lines[-1].split(",")[0].strip() if lines else ""}


def verify_cache(store: DataStore) -> pd.DataFrame:
    """Re-check every cached file against the checksum stored in its metadata."""
    rows = []
    for spec in all_specs().values():
        if spec.source in ("derived", "csv") or not store.cache.has(spec):
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
