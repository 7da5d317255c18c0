"""Schedule-aware refresh of the cache: download a series only when a newer value can exist.

For each series the cache's last observation date and the series' release
rule (:class:`~backtest.data.catalog.ReleaseRule`) give the *next expected
release*: the next observation after the cached one (next NYSE session for
market data, next Fed business day for daily FRED series, +7 days weekly,
the next month or quarter), plus the rule's lag, rolled to a Fed business
day as :func:`backtest.data.release.known_sessions` does, at the hour the
rule guarantees (:func:`due_at`). A series is downloaded only when that
moment is on or before ``now`` (or when forced, or when it is not cached).

A failed download keeps the old cached copy and is reported as ``failed``;
every other series is still tried.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from backtest.data.calendar import fed_business_offset, next_session_on_or_after
from backtest.data.catalog import SeriesSpec, get_spec, parse_series_ref
from backtest.data.checks import check_series
from backtest.data.release import period_end
from backtest.data.store import DataStore
from backtest.exceptions import CacheCorruptError, ParameterError, QtbtError

__all__ = ["ACTIONS", "RELEASE_TZ", "RefreshResult", "RefreshRow", "check_refreshable", "due_at",
           "expand_ids",
           "next_observation", "refresh"]

#: time zone of release times (the NYSE close and the Fed's releases)
RELEASE_TZ = "America/New_York"
#: what :func:`refresh` did with a series
ACTIONS = ("downloaded", "up to date", "not due", "due", "failed", "local file")
_CLOSE = dt.time(16, 0)  # before_close rules: known by the NYSE close
_AFTER_CLOSE = dt.time(16, 30)  # after_close rules: H.4.1 is out at 16:30 ET


def expand_ids(refs: Iterable[str]) -> list[str]:
    """Catalog ids to download for ``refs``: fields dropped, derived series replaced by inputs.

    ``SPY.Close`` becomes ``SPY``; ``NETLIQ`` becomes ``WALCL``, ``WTREGEN``,
    ``RRPONTSYD`` (recursively). Order of first appearance, no duplicates.

    Raises
    ------
    UnknownSeriesError
        An id the catalog does not know (with close matches).
    """
    out: dict[str, None] = {}

    def add(spec: SeriesSpec) -> None:
        if spec.source == "derived":
            for sid in spec.inputs:
                add(get_spec(sid))
        else:
            out.setdefault(spec.id, None)

    for ref in refs:
        add(parse_series_ref(ref)[0])
    return list(out)


def next_observation(spec: SeriesSpec, last: pd.Timestamp) -> pd.Timestamp:
    """Date of the first observation after ``last`` that the source can publish.

    Daily market data (Yahoo, Ken French): the next NYSE session. Daily FRED
    series: the next business day of the rule's holiday calendar. Weekly:
    ``last`` + 7 days. Monthly and quarterly (FRED dates them on the period's
    first day): the first day of the next period.
    """
    if spec.frequency == "weekly":
        return last + pd.Timedelta(days=7)
    if spec.frequency == "monthly":
        return last + pd.DateOffset(months=1)
    if spec.frequency == "quarterly":
        return last + pd.DateOffset(months=3)
    day = pd.DatetimeIndex([last + pd.Timedelta(days=1)])
    if spec.source == "fred":
        return pd.Timestamp(fed_business_offset(day, 0, spec.release.calendar)[0])
    return pd.Timestamp(next_session_on_or_after(day)[0])


def due_at(spec: SeriesSpec, last: pd.Timestamp) -> pd.Timestamp:
    """When the observation after ``last`` is expected to be published (tz-aware, New York).

    The publication date follows the release rule exactly as
    :func:`backtest.data.release.known_sessions` computes it (anchor, lag,
    business days, holiday calendar). The hour is the latest the rule
    guarantees: 16:00 ET (the NYSE close) for ``before_close`` rules, 16:30 ET
    for ``after_close`` ones (H.4.1). So an H.4.1 series cached through
    Wednesday 2026-11-25 is due Thursday 2026-12-03 16:30 ET, and a daily
    market series after each session's close.
    """
    rule = spec.release
    obs = pd.DatetimeIndex([next_observation(spec, pd.Timestamp(last).normalize())])
    anchor = period_end(obs, spec.frequency) if rule.anchor == "period_end" else obs
    if rule.lag == 0:
        pub = anchor
    elif rule.business_days:
        pub = fed_business_offset(anchor, rule.lag, rule.calendar)
    else:
        pub = fed_business_offset(anchor + pd.Timedelta(days=rule.lag), 0, rule.calendar)
    hour = _AFTER_CLOSE if rule.timing == "after_close" else _CLOSE
    return pd.Timestamp(dt.datetime.combine(pub[0].date(), hour)).tz_localize(RELEASE_TZ)


def _as_now(now: object) -> pd.Timestamp:
    """``now`` as a tz-aware Timestamp (naive values are UTC); the clock when None."""
    if now is None:
        return pd.Timestamp.now(tz="UTC")
    if isinstance(now, bool) or not isinstance(now, (str, dt.date)):
        raise ParameterError(f"now must be a datetime (naive means UTC) or an ISO string, "
                             f"got {now!r} ({type(now).__name__}).")
    try:
        ts = pd.Timestamp(now)
    except ValueError:
        raise ParameterError(f"now {now!r} is not a date-time; use e.g. "
                             "'2026-12-03T21:45Z' or a datetime.") from None
    if pd.isna(ts):
        raise ParameterError("now NaT is not a date-time; pass a datetime or None (the clock).")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts


@dataclass(frozen=True)
class RefreshRow:
    """What happened to one series.

    Attributes
    ----------
    id : str
        Catalog id.
    cached_last : Timestamp or None
        Last observation date in the cache before the refresh (None: not cached).
    next_release : Timestamp or None
        When the observation after ``cached_last`` is expected (New York time).
    action : str
        One of :data:`ACTIONS`: ``downloaded`` (newer data stored),
        ``up to date`` (downloaded, nothing newer than the cache), ``not due``
        (next release in the future: nothing downloaded), ``due`` (would be
        downloaded; offline), ``failed`` (old copy kept), ``local file`` (a
        user series read from its CSV file: nothing to download).
    new_last : Timestamp or None
        Last observation date in the cache afterwards.
    detail : str
        Why it failed (empty otherwise).
    """

    id: str
    cached_last: pd.Timestamp | None
    next_release: pd.Timestamp | None
    action: str
    new_last: pd.Timestamp | None
    detail: str = ""


@dataclass(frozen=True)
class RefreshResult:
    """Outcome of :func:`refresh`: one row per series, and the clock it used."""

    rows: tuple[RefreshRow, ...]
    now: pd.Timestamp

    @property
    def failed(self) -> list[RefreshRow]:
        """Rows whose download failed (their old copy is kept)."""
        return [r for r in self.rows if r.action == "failed"]

    def summary(self) -> pd.DataFrame:
        """Table: id, cached last, next release (ET), action, new last."""
        def day(ts: pd.Timestamp | None) -> str:
            return "-" if ts is None else f"{ts:%Y-%m-%d}"

        def when(ts: pd.Timestamp | None) -> str:
            return "-" if ts is None else f"{ts:%Y-%m-%d %H:%M} ET"

        return pd.DataFrame(
            [(r.id, day(r.cached_last), when(r.next_release), r.action, day(r.new_last))
             for r in self.rows],
            columns=["id", "cached_last", "next_release", "action", "new_last"])

    def to_text(self) -> str:
        """The table and a one-line count of each action (what the CLI prints)."""
        counts = {a: sum(r.action == a for r in self.rows) for a in ACTIONS}
        tally = ", ".join(f"{n} {a}" for a, n in counts.items() if n)
        clock = self.now.tz_convert(RELEASE_TZ)
        with pd.option_context("display.max_rows", None, "display.width", 200):
            table = self.summary().to_string(index=False)
        return f"{table}\n{len(self.rows)} series at {clock:%Y-%m-%d %H:%M} ET: {tally}\n"

    def error_message(self) -> str:
        """One line naming every failed series and why (empty when none failed)."""
        if not self.failed:
            return ""
        what = "; ".join(f"{r.id} ({r.detail})" for r in self.failed)
        return (f"{len(self.failed)} of {len(self.rows)} series failed to download, "
                f"their cached copies are kept: {what}")


def _cached_last(store: DataStore, spec: SeriesSpec) -> pd.Timestamp | None:
    if not store.cache.has(spec):
        return None
    try:
        data = store.cache.read(spec).data
    except CacheCorruptError:
        return None  # a damaged copy is replaced like a missing one
    return pd.Timestamp(data.index[-1]) if len(data) else None


def _local(spec: SeriesSpec) -> RefreshRow:
    """A user CSV series: its file is the only copy; report its last date (or why not)."""
    from backtest.data.providers.localcsv import LocalCsvProvider

    try:
        data = LocalCsvProvider().fetch(spec).data
    except QtbtError as exc:
        return RefreshRow(spec.id, None, None, "failed", None, str(exc))
    last = pd.Timestamp(data.index[-1])
    return RefreshRow(spec.id, last, None, "local file", last)


def _one(store: DataStore, spec: SeriesSpec, now: pd.Timestamp, force: bool,
         offline: bool) -> RefreshRow:
    if spec.source == "csv":
        return _local(spec)
    last = _cached_last(store, spec)
    due = None if last is None else due_at(spec, last)
    if not force and due is not None and due > now:
        return RefreshRow(spec.id, last, due, "not due", last)
    if offline:
        return RefreshRow(spec.id, last, due, "due", last)
    try:
        fetched = store.providers[spec.source].fetch(spec)
        check_series(spec, fetched.data, fetched.origin)
    except QtbtError as exc:
        return RefreshRow(spec.id, last, due, "failed", last, str(exc))
    store.cache.write(spec, fetched)
    new = pd.Timestamp(fetched.data.index[-1]) if len(fetched.data) else None
    grew = last is None or (new is not None and new > last)
    return RefreshRow(spec.id, last, due, "downloaded" if grew else "up to date", new)


def check_refreshable(store: DataStore) -> None:
    """Refuse a snapshot store: snapshots are fixed, checksummed folders and are not refreshed.

    Raises
    ------
    ParameterError
        ``store`` reads a snapshot (``--data-dir`` or ``$QTBT_DATA_DIR``).
    """
    if store.snapshot is not None:
        raise ParameterError(
            f"snapshots are not refreshed: {store.snapshot.root} is a fixed, checksummed "
            "folder (see its manifest.json); refresh fills the cache. Drop --data-dir and "
            "unset QTBT_DATA_DIR (optionally pass --cache-dir), or run `qtbt now` on the "
            "snapshot to see how stale its inputs are.")


def refresh(store: DataStore, ids: Sequence[str], *, force: bool = False,
            offline: bool | None = None, now: object = None,
            on_step: Callable[[str], None] | None = None) -> RefreshResult:
    """Bring the cache of ``store`` up to date for ``ids``, downloading only what is due.

    Parameters
    ----------
    store : DataStore
        A cache-backed store (not a snapshot); its providers download (with
        their bounded retries) and its cache receives the results.
    ids : sequence of str
        Series ids (``ID.FIELD`` and derived ids allowed: see :func:`expand_ids`).
    force : bool
        Download every series whatever its schedule (``--refresh``).
    offline : bool, optional
        Only report what is due, download nothing (default: ``store.offline``).
    now : datetime or str, optional
        The clock (naive means UTC); default the current time. Tests pass it.
    on_step : callable, optional
        Called with each series id once it is done (a progress bar).

    Returns
    -------
    RefreshResult
        One row per series; ``failed`` lists downloads that failed.

    Raises
    ------
    ParameterError
        ``store`` reads a snapshot, ``force`` with ``offline``, no ids, or a bad ``now``.
    UnknownSeriesError
        An unknown id (before anything is downloaded).
    """
    check_refreshable(store)
    offline = store.offline if offline is None else bool(offline)
    if force and offline:
        raise ParameterError("--refresh re-downloads and --offline forbids the network; "
                             "use one of them.")
    clock = _as_now(now)
    specs = [get_spec(sid) for sid in expand_ids(ids)]
    if not specs:
        raise ParameterError("refresh: no series given; pass ids such as ['WALCL', 'SPY'].")
    rows = []
    for spec in specs:
        rows.append(_one(store, spec, clock, force, offline))
        if on_step is not None:
            on_step(spec.id)
    return RefreshResult(rows=tuple(rows), now=clock)
