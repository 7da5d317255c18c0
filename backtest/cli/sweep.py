"""``qtbt sweep`` and ``qtbt walkforward``: parameter sweeps and their out-of-sample test.

``qtbt sweep STRATEGY [--grid name=v1,v2,...]...`` evaluates every
configuration of the grid (the strategy's default grid when no ``--grid`` is
given), writes ``DIR/<run_id>/sweep.parquet``, ``summary.json`` and
``manifest.json``, and prints the best configurations with their deflated
Sharpe ratio and the sweep's probability of backtest overfitting.

``qtbt walkforward STRATEGY [...]`` runs the same sweep, then chooses a
configuration in sample and scores it out of sample: rolling and expanding
windows, and leave-one-episode-out by regime. It prints the windows, the
episodes and the in-sample vs out-of-sample summary side by side, and also
writes ``walkforward.parquet`` and ``leave_one_out.parquet``.

The options come in groups (:class:`RunOptions`, :class:`OutputOptions`,
:class:`ExecOptions`, :class:`WalkForwardOptions`); each command is built
from its groups by :func:`group_command`, so no function lists them all.
"""

from __future__ import annotations

import datetime as dt
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any, Literal, get_type_hints

import typer

from backtest.cli.common import CacheDirOpt, DataDirOpt, OfflineOpt, check_bounds, make_store
from backtest.cli.run import EndOfQtOpt
from backtest.runner import RunConfig, build_run_config
from backtest.runner.config import MAX_END_OF_QT_DAYS
from backtest.runner.rundir import check_run_target
from backtest.strategy import get_strategy
from backtest.sweep.config import SweepConfig, WalkForwardConfig
from backtest.sweep.executor import parse_bytes
from backtest.sweep.grid import parse_grid
from backtest.sweep.output import write_sweep
from backtest.sweep.sweep import run_sweep
from backtest.sweep.walkforward import walk_forward_sweep

__all__ = ["MAX_TOP", "DataOptions", "ExecOptions", "OutputOptions", "RunOptions",
           "WalkForwardOptions", "group_command", "sweep_cmd", "walkforward_cmd"]

MAX_TOP = 1000  # best configurations shown and kept in summary.json

StrategyArg = Annotated[str | None, typer.Argument(help="Strategy name (`qtbt strategies`).")]
GridOpt = Annotated[list[str] | None, typer.Option(
    "--grid", help="Values to sweep: name=v1,v2,... (repeatable; default: the strategy's grid).")]
ParamOpt = Annotated[list[str] | None, typer.Option(
    "--param", help="Fixed parameter name=value (repeatable).")]
ConfigOpt = Annotated[Path | None, typer.Option(help="TOML run configuration (as qtbt run).")]
StartOpt = Annotated[str | None, typer.Option(help="First session (YYYY-MM-DD).")]
EndOpt = Annotated[str | None, typer.Option(help="Last session (YYYY-MM-DD).")]
ClassifierOpt = Annotated[Literal["calendar", "data"] | None, typer.Option(
    help="Regime classifier.")]
AnchorOpt = Annotated[Literal["announce", "effective"] | None, typer.Option(
    help="Calendar anchor.")]
CostsOpt = Annotated[float | None, typer.Option(help="Costs, bps of traded value (0 to 1000).")]
RebalanceOpt = Annotated[str | None, typer.Option(
    help="daily|weekly|monthly|regime_change|drift (default: the strategy's).")]
ExecutionOpt = Annotated[str | None, typer.Option(help="close (default) or open of t+1.")]
CashOpt = Annotated[str | None, typer.Option(help="DGS3MO (default), BIL or none.")]
OutOpt = Annotated[Path, typer.Option(help="Parent folder of run directories.")]
RunIdOpt = Annotated[str | None, typer.Option(help="Name of the run directory.")]
TopOpt = Annotated[int, typer.Option(help=f"Best configurations to show (1 to {MAX_TOP}).")]
SplitsOpt = Annotated[int, typer.Option(
    help="CSCV blocks for the PBO (even; C(S, S/2) splits, 20 at most).")]
ExecutorOpt = Annotated[Literal["local", "dask"], typer.Option(
    help="local: this process; dask: chunks on a Dask cluster.")]
SchedulerOpt = Annotated[str | None, typer.Option(
    help="Dask scheduler address (default: start a local cluster).")]
TimeoutOpt = Annotated[float, typer.Option(
    help="Seconds to wait for the Dask scheduler (above 0, at most 3600).")]
WorkersOpt = Annotated[int | None, typer.Option(
    help="Workers of the local Dask cluster (1 to 1024; default: CPU count).")]
ChunkOpt = Annotated[int | None, typer.Option(
    help="Configurations per chunk (default: auto).")]
MemoryOpt = Annotated[str | None, typer.Option(
    help="Working-set budget per process, e.g. 4GiB (default 2GiB); chunks are sized to it.")]
TrainOpt = Annotated[int, typer.Option(help="In-sample window, calendar months (1 to 600).")]
TestOpt = Annotated[int, typer.Option(help="Out-of-sample window and step, months (1 to 600).")]
RegimesOpt = Annotated[str | None, typer.Option(
    help="Regimes for leave-one-episode-out, comma-separated (default: all with 2+ episodes).")]
MinSessionsOpt = Annotated[int, typer.Option(
    help="Shortest episode / test window kept, sessions (1 to 2520).")]


@dataclass(frozen=True)
class RunOptions:
    """What to sweep: the run configuration options (as ``qtbt run``) and the grid."""

    grid: GridOpt = None
    param: ParamOpt = None
    config: ConfigOpt = None
    start: StartOpt = None
    end: EndOpt = None
    classifier: ClassifierOpt = None
    anchor: AnchorOpt = None
    end_of_qt_days: EndOfQtOpt = None
    costs_bps: CostsOpt = None
    rebalance: RebalanceOpt = None
    execution: ExecutionOpt = None
    cash_yield: CashOpt = None

    def run_config(self, strategy: str | None) -> RunConfig:
        """The RunConfig (no benchmarks: a sweep has none)."""
        check_bounds("--end-of-qt-days", self.end_of_qt_days, 1, MAX_END_OF_QT_DAYS)
        return build_run_config(
            strategy, self.config, self.param, benchmarks=(), start=self.start, end=self.end,
            classifier=self.classifier, anchor=self.anchor, end_of_qt_days=self.end_of_qt_days,
            cash_yield=self.cash_yield, engine={"costs_bps": self.costs_bps,
                                                "rebalance": self.rebalance,
                                                "execution": self.execution})


@dataclass(frozen=True)
class WalkForwardOptions:
    """How the sweep is validated out of sample."""

    train_months: TrainOpt = 36
    test_months: TestOpt = 12
    regimes: RegimesOpt = None
    min_sessions: MinSessionsOpt = 20

    def config(self) -> WalkForwardConfig:
        """The library's WalkForwardConfig (every value checked)."""
        wanted = tuple(r.strip() for r in self.regimes.split(",") if r.strip()) \
            if self.regimes else None
        return WalkForwardConfig(self.train_months, self.test_months, wanted,
                                 self.min_sessions)


@dataclass(frozen=True)
class OutputOptions:
    """Where results go and how many configurations are shown."""

    out: OutOpt = Path("results")
    run_id: RunIdOpt = None
    top: TopOpt = 5


@dataclass(frozen=True)
class ExecOptions:
    """CSCV blocks, and how the work is cut and where it runs."""

    splits: SplitsOpt = 16
    executor: ExecutorOpt = "local"
    scheduler: SchedulerOpt = None
    scheduler_timeout: TimeoutOpt = 10.0
    workers: WorkersOpt = None
    chunk_size: ChunkOpt = None
    max_memory: MemoryOpt = None

    def config(self, grid: dict[str, tuple[Any, ...]],
               walkforward: WalkForwardConfig | None) -> SweepConfig:
        """The library's SweepConfig (every value checked)."""
        budget = parse_bytes(self.max_memory) if self.max_memory is not None else None
        return SweepConfig(grid=grid, n_splits=self.splits, max_memory=budget,
                           chunk_size=self.chunk_size, executor=self.executor,
                           scheduler=self.scheduler, scheduler_timeout=self.scheduler_timeout,
                           workers=self.workers, walkforward=walkforward)


@dataclass(frozen=True)
class DataOptions:
    """Where data comes from."""

    data_dir: DataDirOpt = None
    cache_dir: CacheDirOpt = None
    offline: OfflineOpt = False


def group_command(body: Callable[..., None], name: str, doc: str,
                  *groups: type) -> Callable[..., None]:
    """A typer command taking ``STRATEGY`` and every option of ``groups``.

    ``body(strategy, *group_instances)`` is called with one instance of each
    group, built from the parsed options.
    """
    params = [inspect.Parameter("strategy", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                default=None, annotation=StrategyArg)]
    for group in groups:
        hints = get_type_hints(group, include_extras=True)
        params += [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default,
                                     annotation=hints[f.name]) for f in fields(group)]

    def command(**kw: Any) -> None:
        body(kw["strategy"], *(g(**{f.name: kw[f.name] for f in fields(g)}) for g in groups))

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__name__ = command.__qualname__ = name
    command.__doc__ = doc
    return command


def _sweep(strategy: str | None, run: RunOptions, out: OutputOptions, ex: ExecOptions,
           data: DataOptions, wf: WalkForwardOptions | None = None) -> None:
    """Both commands: configs checked, sweep (and walk-forward) run, written, printed."""
    started = dt.datetime.now(dt.UTC)
    check_bounds("--top", out.top, 1, MAX_TOP)
    cfg = run.run_config(strategy)
    grid = parse_grid(run.grid, get_strategy(cfg.strategy))
    settings = ex.config(grid, wf.config() if wf is not None else None)
    check_run_target(out.out, out.run_id)
    result = run_sweep(cfg, None, make_store(data.data_dir, data.cache_dir,
                                             offline=data.offline), settings=settings)
    walk = walk_forward_sweep(result, settings.walkforward) if settings.walkforward else None
    path = write_sweep(result, out.out, out.run_id, command=["qtbt", *sys.argv[1:]],
                       started_at=started, top=out.top, walkforward=walk)
    typer.echo(result.to_text(out.top))
    if walk is not None:
        typer.echo("")
        typer.echo(walk.to_text())
    typer.echo(f"\nwrote {path}")


def _walkforward(strategy: str | None, run: RunOptions, wf: WalkForwardOptions,
                 out: OutputOptions, ex: ExecOptions, data: DataOptions) -> None:
    _sweep(strategy, run, out, ex, data, wf)


sweep_cmd = group_command(
    _sweep, "sweep_cmd",
    "Evaluate every configuration of a parameter grid; write DIR/<run_id>/sweep.parquet.",
    RunOptions, OutputOptions, ExecOptions, DataOptions)
walkforward_cmd = group_command(
    _walkforward, "walkforward_cmd",
    "Choose in sample, test out of sample: rolling, expanding, leave one episode out.",
    RunOptions, WalkForwardOptions, OutputOptions, ExecOptions, DataOptions)
