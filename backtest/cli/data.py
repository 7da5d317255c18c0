"""``qtbt data``: list, pull, refresh, show and verify series."""

from __future__ import annotations

import warnings
from typing import Annotated, Literal

import typer

from backtest.cli.common import (
    CacheDirOpt,
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
) -> None:
    """List series: id, source, first, last, rows, days since last observation."""
    store = make_store(data_dir, cache_dir, offline=True)
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
) -> None:
    """Download series into the cache (or check them in the snapshot with --data-dir)."""
    specs = [get_spec(i) for i in ids]  # fail on unknown ids before any download
    if refresh and offline:
        raise ParameterError("--refresh re-downloads and --offline forbids the network; "
                             "use one of them.")
    store = make_store(data_dir, cache_dir, offline=offline, refresh=refresh)
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
) -> None:
    """Download the series that have a new release due since they were cached."""
    from backtest.sweep.executor import ChunkProgress

    store = make_store(data_dir, cache_dir, offline=offline)
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
) -> None:
    """Print one series as `date,<ID>`."""
    parse_series_ref(series_id)
    for name, value in (("--start", start), ("--end", end)):
        if value is not None:
            parse_date(value, name)
    store = make_store(data_dir, cache_dir, offline=offline)
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




__all__ = ["data_app"]
