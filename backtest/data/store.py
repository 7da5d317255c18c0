"""DataStore: one entry point that finds a series in the snapshot, the cache or the network."""

from __future__ import annotations

import copy
import dataclasses
import warnings
from pathlib import Path

import pandas as pd

from backtest.data.cache import SeriesCache
from backtest.data.catalog import SeriesSpec, all_specs, get_spec
from backtest.data.checks import check_series
from backtest.data.paths import resolve_cache_dir, resolve_data_dir
from backtest.data.providers.base import Fetched, Provider
from backtest.data.providers.localcsv import LocalCsvProvider
from backtest.data.providers.snapshot import SnapshotProvider
from backtest.data.usercat import DefaultReleaseWarning, active_catalog
from backtest.exceptions import (
    CacheCorruptError,
    NetworkError,
    ParameterError,
    SeriesNotAvailableError,
    StaleCacheWarning,
)

__all__ = ["DataStore", "as_store", "default_providers"]


def default_providers(timeout: float = 15.0, retries: int = 3) -> dict[str, Provider]:
    """The real network providers, keyed by catalog source."""
    from backtest.data.providers.fred import FredProvider
    from backtest.data.providers.french import FrenchProvider
    from backtest.data.providers.yahoo import YahooProvider

    return {
        "fred": FredProvider(timeout=timeout, retries=retries),
        "yahoo": YahooProvider(timeout=timeout, retries=retries),
        "french": FrenchProvider(timeout=timeout, retries=retries),
    }


class DataStore:
    """Where series come from, in order.

    0. A user series from a local CSV file (``source = "csv"`` in a user
       catalog, :mod:`backtest.data.usercat`) is read from its file, always.
    1. A snapshot directory (``data_dir`` or ``$QTBT_DATA_DIR``): read directly,
       never the network. A user-declared FRED id or Yahoo ticker the
       snapshot lacks is read from the cache (``qtbt data pull ID`` fills it).
    2. Otherwise the parquet cache (``cache_dir``, ``$QTBT_CACHE_DIR`` or
       ``~/.cache/qtbt``), unless ``refresh``.
    3. Otherwise the network provider of the series' source, whose result is
       cached. If the download fails and a cached copy exists, the copy is
       used with a :class:`~backtest.exceptions.StaleCacheWarning`.

    Parameters
    ----------
    data_dir : path, optional
        Snapshot directory laid out like ``shared/data``.
    cache_dir : path, optional
        Cache directory.
    offline : bool
        Never touch the network; a series not in snapshot or cache is an error.
    refresh : bool
        Re-download even when a cached copy exists.
    providers : dict, optional
        Network providers by source (``fred``, ``yahoo``, ``french``); the
        real ones by default. Tests pass fakes here.
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        cache_dir: str | Path | None = None,
        offline: bool = False,
        refresh: bool = False,
        providers: dict[str, Provider] | None = None,
    ) -> None:
        root = resolve_data_dir(data_dir)
        self.snapshot = SnapshotProvider(root) if root is not None else None
        self.cache = SeriesCache(resolve_cache_dir(cache_dir))
        self.offline = offline
        self.refresh = refresh
        self._providers = providers
        self._memo: dict[str, Fetched] = {}
        self._specs: dict[str, SeriesSpec] = {}
        self.cutoff: pd.Timestamp | None = None
        self._parent: DataStore | None = None

    def truncated(self, cutoff: str | pd.Timestamp) -> DataStore:
        """A view of this store that hides every observation dated after ``cutoff``.

        Used to prove that nothing computed for a date depends on later data:
        a panel, label or weight for any date up to ``cutoff`` must come out
        the same from the truncated view.
        """
        view = self.view()
        view.cutoff = pd.Timestamp(cutoff)
        return view

    def view(self) -> DataStore:
        """A view sharing this store's loaded data, whose provenance starts empty.

        Runs use one so their manifests list only the series they read, even
        when the store was used before (notebooks, sweeps). A view of a view
        reads through the root store, so what it loads is never listed in the
        provenance of the view it was made from.
        """
        view = copy.copy(self)
        view._memo = {}
        view._specs = {}
        view._parent = self._parent if self._parent is not None else self
        return view

    def provenance(self) -> dict[str, dict[str, str]]:
        """Source, origin, sha256 and fetch time of every series loaded so far.

        A user-declared series also gives its catalog file and that file's
        sha256, its units, frequency and release rule (``(default)`` when the
        catalog gave none); a file recorded with :meth:`record` (a regimes
        file) is listed under its key.
        """
        out = {sid: {"source": f.source, "origin": f.origin, "sha256": f.sha256,
                     "fetched_at": f.fetched_at} for sid, f in sorted(self._memo.items())}
        cat = active_catalog()
        for sid, spec in self._specs.items():
            if spec.catalog and sid in out:
                rule = spec.release.describe() + (" (default)" if spec.default_release else "")
                out[sid].update({"catalog": spec.catalog, "units": spec.units,
                                 "frequency": spec.frequency, "release": rule})
                if cat is not None and str(cat.path) == spec.catalog:
                    out[sid]["catalog_sha256"] = cat.sha256
        return out

    def record(self, key: str, fetched: Fetched) -> None:
        """List a file that is not a series (a regimes file) in :meth:`provenance`."""
        self._memo[key] = fetched

    @property
    def providers(self) -> dict[str, Provider]:
        """Network providers (created on first use)."""
        if self._providers is None:
            self._providers = default_providers()
        return self._providers

    def describe(self) -> str:
        """Where data comes from, for messages and manifests."""
        if self.snapshot is not None:
            return f"snapshot {self.snapshot.root}"
        mode = "offline" if self.offline else "network"
        return f"cache {self.cache.root} ({mode})"

    def load(self, series_id: str | SeriesSpec) -> Fetched:
        """Full observation history of one series, with provenance.

        Raises
        ------
        UnknownSeriesError
            Unknown id (with close matches).
        SeriesNotAvailableError
            Not in the snapshot, or offline with no cached copy.
        NetworkError
            Download failed and no cached copy exists.
        CacheCorruptError
            The cached copy is damaged (and the network is not used).
        """
        spec = series_id if isinstance(series_id, SeriesSpec) else get_spec(series_id)
        if spec.source == "derived":
            raise SeriesNotAvailableError(
                f"{spec.id} is derived from {', '.join(spec.inputs)}; build it with "
                "backtest.build_panel or `qtbt data show`."
            )
        if spec.id not in self._memo or self._specs.get(spec.id, spec) != spec:
            # (a user catalog activated since may declare the id anew: read it again)
            if spec.default_release:
                warnings.warn(_default_rule_message(spec), DefaultReleaseWarning, stacklevel=2)
            self._specs[spec.id] = spec
            parent = self._parent
            full = parent.load(spec) if parent is not None else self._load(spec)
            if self.cutoff is not None:
                full = dataclasses.replace(full, data=full.data[full.data.index <= self.cutoff])
            self._memo[spec.id] = full
        return self._memo[spec.id]

    def _load(self, spec: SeriesSpec) -> Fetched:
        if spec.source == "csv":
            return LocalCsvProvider().fetch(spec)
        if self.snapshot is not None:
            if not spec.catalog or self.snapshot.has(spec):
                return self.snapshot.fetch(spec)
            return self._user_from_cache(spec)
        cached = self.cache.has(spec)
        if cached and not self.refresh:
            return self.cache.read(spec)
        if self.offline:
            raise SeriesNotAvailableError(
                f"{spec.id}: not in the cache {self.cache.root} and --offline forbids the "
                "network. Pass --data-dir to a snapshot, or run once online: "
                f"`qtbt data pull {spec.id}`."
            )
        try:
            fetched = self.providers[spec.source].fetch(spec)
            check_series(spec, fetched.data, fetched.origin)
        except NetworkError as exc:
            if cached:
                try:
                    old = self.cache.read(spec)
                except CacheCorruptError:
                    raise exc from None
                warnings.warn(
                    f"{spec.id}: download failed ({exc}); using the cached copy fetched "
                    f"{old.fetched_at}.",
                    StaleCacheWarning,
                    stacklevel=3,
                )
                return old
            raise
        self.cache.write(spec, fetched)
        return fetched

    def _user_from_cache(self, spec: SeriesSpec) -> Fetched:
        """A user-declared FRED id or Yahoo ticker next to a snapshot: the cached copy."""
        if not self.cache.has(spec):
            raise SeriesNotAvailableError(
                f"{spec.id} (declared in {spec.catalog}) is not in the snapshot "
                f"{self.snapshot.root if self.snapshot else ''} nor in the cache "
                f"{self.cache.root}; snapshots are never downloaded into. Fill the cache once "
                f"online: `qtbt data pull {spec.id} --cache-dir {self.cache.root}` (without "
                "--data-dir).")
        return self.cache.read(spec)

    def available(self) -> list[SeriesSpec]:
        """Catalog entries (built-in and user) that can be loaded without the network."""
        out = []
        for spec in all_specs().values():
            if spec.source == "derived":
                continue
            if spec.source == "csv":
                if Path(spec.path).is_file():
                    out.append(spec)
            elif self.snapshot is not None and not spec.catalog:
                if self.snapshot.has(spec):
                    out.append(spec)
            elif self.cache.has(spec) or (self.snapshot is not None and
                                          self.snapshot.has(spec)):
                out.append(spec)
        return out


def _default_rule_message(spec: SeriesSpec) -> str:
    return (f"{spec.id} (declared in {spec.catalog}) has no release rule; qtbt assumes the "
            f"conservative default for {spec.frequency} series: "
            f"{spec.release.describe()}. Add release = {{ lag = DAYS, ... }} to its "
            "[series] entry to say when each value was published.")


def as_store(store: DataStore | str | Path | None, func: str = "store") -> DataStore:
    """``store`` as a DataStore: None is the default store, a path a snapshot folder.

    Parameters
    ----------
    store : DataStore, str, Path or None
        What the caller was given.
    func : str
        The function that was called, named in the error.

    Raises
    ------
    ParameterError
        For anything else, or an empty path (naming ``func``, the type and what
        is accepted).
    """
    if store is None:
        return DataStore()
    if isinstance(store, DataStore):
        return store
    if isinstance(store, (str, Path)) and str(store).strip():
        return DataStore(data_dir=store)
    raise ParameterError(
        f"{func}: store must be a DataStore or the path of a data folder (str or Path), or None; "
        f"got {store!r} ({type(store).__name__}). Pass DataStore(data_dir=...) or a folder path."
    )
