"""``qtbt data``: list, pull, refresh, show and verify series."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Annotated, Literal

import typer

from backtest.cli.common import (
    CacheDirOpt,
    CatalogOpt,
    DataDirOpt,
    FormatOpt,
    OfflineOpt,
    RefreshOpt,
    echo_frame,
    make_store,
)
from backtest.data.calendar import parse_date
from backtest.data.catalog import get_spec, parse_series_ref
from backtest.data.inventory import inventory, show_series, verify_cache, verify_snapshot
from backtest.data.refresh import check_refreshable, expand_ids, refresh
from backtest.exceptions import ParameterError, QtbtError, QtbtWarning, StaleCacheWarning

data_app = typer.Typer(help="Inspect, download and verify data series.", no_args_is_help=True)


@data_app.command("list")
def list_cmd(
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Also list catalog series not available locally.")
    ] = False,
    fmt: FormatOpt = "table",
    catalog: CatalogOpt = None,
) -> None:
    """List series (yours too): id, source, first, last, rows, days since last observation."""
    store = make_store(data_dir, cache_dir, offline=True, catalog=catalog)
    table = inventory(store, include_missing=all_)
    if table.empty:
        typer.echo(f"no series available from {store.describe()}; pass --data-dir to a snapshot "
                   "or `qtbt data pull ID` (online) to fill the cache.", err=True)
        return
    echo_frame(table, fmt, index=False)


@data_app.command("pull")
def pull_cmd(
    ids: Annotated[list[str], typer.Argument(help="Series ids, e.g. WALCL SPY FF3_DAILY.")],
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    offline: OfflineOpt = False,
    refresh: RefreshOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Download series into the cache (or check them in the snapshot with --data-dir).

    Your own series (``qtbt data add``) are pulled the same way; a CSV series
    is read and checked from its file.
    """
    if refresh and offline:
        raise ParameterError("--refresh re-downloads and --offline forbids the network; "
                             "use one of them.")
    store = make_store(data_dir, cache_dir, offline=offline, refresh=refresh, catalog=catalog)
    specs = [get_spec(i) for i in ids]  # fail on unknown ids before any download
    failures = 0
    for spec in specs:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", QtbtWarning)
                got = store.load(spec)
        except QtbtError as exc:
            failures += 1
            typer.echo(f"error: {exc}", err=True)
            continue
        stale = [w for w in caught if issubclass(w.category, StaleCacheWarning)]
        for w in caught:
            if w not in stale:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if stale:  # --refresh (or a first pull) that fell back to the old copy pulled nothing
            failures += 1
            typer.echo(f"error: {stale[0].message} Nothing was pulled; the cached copy is kept.",
                       err=True)
            continue
        d = got.data
        typer.echo(
            f"{spec.id:<12} {len(d):>6} rows  {d.index[0].date()}..{d.index[-1].date()}  "
            f"{got.source:<16} sha256 {got.sha256[:12]}"
        )
    if failures:
        raise typer.Exit(code=2)


def needed_series(strategies: list[str] | None) -> list[str]:
    """Series ``strategies`` (default: every registered one) and ``qtbt now`` read.

    Each strategy's assets and macro series under its default parameters, the
    default run's benchmarks and cash yield, and ``now``'s inputs (net
    liquidity, funding, GDP, every classifier's series). Derived series are
    expanded to their inputs by :func:`backtest.data.refresh.expand_ids`.
    """
    from backtest.present.inputs import CORE
    from backtest.present.regimes import CLASSIFIER_INPUTS
    from backtest.runner.config import RunConfig
    from backtest.strategy import load_registry, resolve_strategy

    names = list(load_registry()) if not strategies else list(strategies)
    default = RunConfig(names[0])  # the run defaults: benchmarks and cash yield
    names += default.benchmarks
    refs: list[str] = [*CORE, "GDP", *(r for ins in CLASSIFIER_INPUTS.values() for r in ins)]
    if default.cash_yield != "none":
        refs.append(default.cash_yield)
    for name in dict.fromkeys(names):
        spec = resolve_strategy(name)
        params = spec.resolve()
        refs += [*spec.assets_for(params), *spec.series_for(params)]
    return refs


@data_app.command("refresh")
def refresh_cmd(
    ids: Annotated[list[str] | None, typer.Argument(
        help="Series ids to refresh (default: what the strategies and `qtbt now` read).")] = None,
    strategy: Annotated[list[str] | None, typer.Option(
        "--strategy", help="Strategy whose series to refresh (repeatable; default: every "
        "registered strategy when no ids are given).")] = None,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help="Download nothing: only show what is due.")] = False,
    refresh_: Annotated[bool, typer.Option(
        "--refresh", help="Download every series, whether a new release is due or not.")] = False,
    catalog: CatalogOpt = None,
) -> None:
    """Download the series that have a new release due since they were cached."""
    from backtest.sweep.executor import ChunkProgress

    store = make_store(data_dir, cache_dir, offline=offline, catalog=catalog)
    check_refreshable(store)  # before any strategy or id is resolved
    refs = list(ids or []) if ids and not strategy else [*(ids or []), *needed_series(strategy)]
    total = len(expand_ids(refs))
    # downloads take seconds each: the bar shows from the first finished series
    with ChunkProgress(total, after=0.0, label="refresh") as bar:
        result = refresh(store, refs, force=refresh_, offline=offline,
                         on_step=lambda _sid: bar.advance())
    typer.echo(result.to_text(), nl=False)
    if result.failed:
        typer.echo(f"error: {result.error_message()}", err=True)
        raise typer.Exit(code=2)


@data_app.command("show")
def show_cmd(
    series_id: Annotated[str, typer.Argument(help="ID or ID.FIELD, e.g. WALCL, SPY.Close.")],
    start: Annotated[str | None, typer.Option(help="First date (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="Last date (YYYY-MM-DD).")] = None,
    asof: Annotated[
        Literal["release", "observation"],
        typer.Option(
            help="release: date each value became known (first NYSE session whose close "
            "knows it); observation: the source's own observation date."
        ),
    ] = "release",
    fmt: FormatOpt = "table",
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    offline: OfflineOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Print one series as `date,<ID>`."""
    store = make_store(data_dir, cache_dir, offline=offline, catalog=catalog)
    parse_series_ref(series_id)
    for name, value in (("--start", start), ("--end", end)):
        if value is not None:
            parse_date(value, name)
    frame = show_series(series_id, store, start=start, end=end, asof=asof)
    echo_frame(frame, fmt, index=True, float_format="%.10g")


@data_app.command("verify")
def verify_cmd(
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Check snapshot files against their manifests (or cache files against their checksums)."""
    store = make_store(data_dir, cache_dir, offline=True)
    table = verify_snapshot(store.snapshot) if store.snapshot is not None else verify_cache(store)
    echo_frame(table, fmt, index=False)
    unverified = table["status"].str.startswith("unverified")
    bad = table[(table["status"] != "ok") & ~unverified]
    where = str(store.snapshot.root) if store.snapshot is not None else str(store.cache.root)
    n_ok = len(table) - len(bad) - int(unverified.sum())
    typer.echo(f"{n_ok} ok, {len(bad)} failed, {int(unverified.sum())} unverified ({where})",
               err=True)
    for _, row in table[unverified].iterrows():
        typer.echo(f"unverified: {row['folder']}/{row['file']}.csv "
                   f"({row['status'].removeprefix('unverified: ')})", err=True)
    if len(bad) or unverified.any():
        raise typer.Exit(code=1)




def _release_table(lag: int | None, anchor: str | None, business_days: bool,
                   after_close: bool) -> dict[str, object] | None:
    """The ``release = {...}`` table of the options given (None: no rule, the default)."""
    if lag is None and anchor is None and not business_days and not after_close:
        return None
    table: dict[str, object] = {"lag": 0 if lag is None else lag}
    if anchor is not None:
        table["anchor"] = anchor
    if business_days:
        table["business_days"] = True
    if after_close:
        table["timing"] = "after_close"
    return table


@data_app.command("add")
def add_cmd(
    series_id: Annotated[str, typer.Argument(
        help="Your id for the series, e.g. RUNOFF_CAP, XLE, DCOILWTICO (not a built-in id).")],
    csv: Annotated[Path | None, typer.Option(
        "--csv", help="A local CSV file: a date column then a value column.")] = None,
    fred: Annotated[bool, typer.Option("--fred", help="A FRED series (SERIES_ID or --symbol).")
                    ] = False,
    yahoo: Annotated[bool, typer.Option(
        "--yahoo", help="A Yahoo ticker (SERIES_ID or --symbol, e.g. ^TNX).")] = False,
    units: Annotated[str | None, typer.Option(
        help="Units of the values, e.g. percent, 'USD billions' (needed for --csv, --fred).")
    ] = None,
    frequency: Annotated[str | None, typer.Option(
        help="daily, weekly, monthly or quarterly (needed for --csv, --fred).")] = None,
    lag: Annotated[int | None, typer.Option(
        help="Release rule: days from the observation (or period end) to publication.")] = None,
    anchor: Annotated[Literal["observation", "period_end"] | None, typer.Option(
        help="Release rule: count --lag from the observation date or the period's end "
             "(default: the period's end for monthly and quarterly series).")
    ] = None,
    business_days: Annotated[bool, typer.Option(
        "--business-days", help="Release rule: --lag counts Fed business days.")] = False,
    after_close: Annotated[bool, typer.Option(
        "--after-close", help="Release rule: published after the NYSE close.")] = False,
    title: Annotated[str | None, typer.Option(help="A description.")] = None,
    symbol: Annotated[str | None, typer.Option(
        help="The provider's symbol when it differs from SERIES_ID.")] = None,
    column: Annotated[str | None, typer.Option(
        help="The CSV's value column (default: value).")] = None,
    catalog: CatalogOpt = None,
    cache_dir: CacheDirOpt = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help="Do not download a FRED or Yahoo series to check it.")] = False,
) -> None:
    """Declare your own series in the catalog file (default ./qtbt.toml), after checking it."""
    from backtest.data.catalog_file import add_series
    from backtest.data.store import DataStore
    from backtest.data.usercat import PROJECT_FILE

    chosen = [n for n, on in (("csv", csv is not None), ("fred", fred), ("yahoo", yahoo)) if on]
    if len(chosen) != 1:
        raise ParameterError(f"qtbt data add {series_id}: say where the series comes from with "
                             "exactly one of --csv FILE, --fred or --yahoo; got "
                             f"{' and '.join('--' + c for c in chosen) or 'none'}.")
    entry = {"source": chosen[0], "path": None if csv is None else str(csv), "column": column,
             "symbol": symbol, "title": title, "units": units, "frequency": frequency,
             "release": _release_table(lag, anchor, business_days, after_close)}
    path = catalog or Path(os.environ.get("QTBT_CATALOG") or PROJECT_FILE)
    store = None if offline or csv is not None else DataStore(cache_dir=cache_dir)
    typer.echo(add_series(path, series_id, entry, store).to_text(), nl=False)


__all__ = ["add_cmd", "data_app"]
