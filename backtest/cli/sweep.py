"""``qtbt sweep`` and ``qtbt walkforward``: parameter sweeps and their out-of-sample test.

``qtbt sweep STRATEGY [--grid name=v1,v2,...]...`` evaluates every
configuration of the grid (the strategy's default grid when no ``--grid`` is
given), writes ``DIR/<run_id>/sweep.parquet``, ``summary.json`` and
``manifest.json``, and prints the best configurations with their deflated
Sharpe ratio, the sweep's probability of backtest overfitting, and whether
any configuration beats the run's benchmarks after data snooping (DSR over
the benchmark and the grid median, Hansen's SPA, Romano-Wolf StepM).

``qtbt walkforward STRATEGY [...]`` runs the same sweep, then chooses a
configuration in sample and scores it out of sample: rolling and expanding
windows, and leave-one-episode-out by regime. It prints the windows, the
episodes and the in-sample vs out-of-sample summary side by side, and also
writes ``walkforward.parquet`` and ``leave_one_out.parquet``.

The options come in groups (:class:`GridOptions`, the shared
:class:`~backtest.cli.common.ConfigOptions`, :class:`WalkForwardOptions`,
:class:`ShowOptions`, :class:`ExecOptions`, ...); each command is built from
its groups by :func:`~backtest.cli.common.group_command`, so no function
lists them all.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import typer

from backtest.cli.common import (
    ConfigOptions,
    DataOptions,
    WalkForwardConfigOptions,
    check_bounds,
    group_command,
)
from backtest.cli.run import RunOutputOptions
from backtest.runner.rundir import check_run_target
from backtest.sweep.config import (
    DEFAULT_SEED,
    MAX_CHUNK,
    MAX_MONTHS,
    MAX_REPS,
    MAX_SESSIONS,
    MAX_SPLITS,
    MIN_REPS,
    SweepConfig,
    WalkForwardConfig,
)
from backtest.sweep.executor import parse_bytes
from backtest.sweep.grid import parse_grid

__all__ = ["MAX_TOP", "ExecOptions", "GridOptions", "ShowOptions", "TestOptions",
           "WalkForwardOptions", "sweep_cmd", "walkforward_cmd"]

MAX_TOP = 1000  # best configurations shown and kept in summary.json

GridOpt = Annotated[list[str] | None, typer.Option(
    "--grid", help="Values to sweep: name=v1,v2,... (repeatable; default: the strategy's grid).")]
TopOpt = Annotated[int, typer.Option(help=f"Best configurations to show (1 to {MAX_TOP}).")]
SplitsOpt = Annotated[int, typer.Option(
    help=f"CSCV blocks for the PBO (even; C(S, S/2) splits, {MAX_SPLITS} at most).")]
ExecutorOpt = Annotated[Literal["local", "dask"], typer.Option(
    help="local: this process; dask: chunks on a Dask cluster.")]
SchedulerOpt = Annotated[str | None, typer.Option(
    help="Dask scheduler address (default: start a local cluster).")]
TimeoutOpt = Annotated[float, typer.Option(
    help="Seconds to wait for the Dask scheduler (above 0, at most 3600).")]
WorkersOpt = Annotated[int | None, typer.Option(
    help="Workers of the local Dask cluster (1 to 1024; default: CPU count).")]
ChunkOpt = Annotated[int | None, typer.Option(
    help=f"Configurations per chunk (1 to {MAX_CHUNK:,}; default: auto).")]
MemoryOpt = Annotated[str | None, typer.Option(
    help="Working-set budget per process, e.g. 4GiB (default 2GiB); chunks are sized to it.")]
TrainOpt = Annotated[int, typer.Option(
    help=f"In-sample window, calendar months (1 to {MAX_MONTHS}).")]
TestOpt = Annotated[int, typer.Option(
    help=f"Out-of-sample window and step, months (1 to {MAX_MONTHS}).")]
RegimesOpt = Annotated[str | None, typer.Option(
    help="Regimes for leave-one-episode-out, comma-separated (default: all with 2+ episodes).")]
MinSessionsOpt = Annotated[int, typer.Option(
    help=f"Shortest episode / test window kept, sessions (1 to {MAX_SESSIONS}).")]
BenchmarkOpt = Annotated[str | None, typer.Option(
    help="Benchmark the best configuration's DSR is measured against (default: the run's "
         "first); SPA/StepM test it and the run's other benchmarks.")]
RepsOpt = Annotated[int, typer.Option(
    help=f"Bootstrap resamples of SPA/StepM ({MIN_REPS:,} to {MAX_REPS:,}; 0 skips them).")]
SeedOpt = Annotated[int, typer.Option(help="Seed of the SPA/StepM bootstrap (0 to 2**32-1).")]


@dataclass(frozen=True)
class GridOptions:
    """The values to sweep."""

    grid: GridOpt = None


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
class ShowOptions:
    """How many of the best configurations are shown and kept."""

    top: TopOpt = 5


@dataclass(frozen=True)
class TestOptions:
    """What the best configuration is tested against, and the bootstrap of the tests."""

    benchmark: BenchmarkOpt = None
    reps: RepsOpt = 1000
    seed: SeedOpt = DEFAULT_SEED


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
               walkforward: WalkForwardConfig | None,
               tests: TestOptions | None = None) -> SweepConfig:
        """The library's SweepConfig (every value checked)."""
        budget = parse_bytes(self.max_memory) if self.max_memory is not None else None
        t = tests if tests is not None else TestOptions()
        return SweepConfig(grid=grid, n_splits=self.splits, max_memory=budget,
                           chunk_size=self.chunk_size, executor=self.executor,
                           scheduler=self.scheduler, scheduler_timeout=self.scheduler_timeout,
                           workers=self.workers, walkforward=walkforward,
                           benchmark=t.benchmark, reps=t.reps, seed=t.seed)


def _sweep(strategy: str | None, grid: GridOptions, options: ConfigOptions,
           out: RunOutputOptions, show: ShowOptions, tests: TestOptions, ex: ExecOptions,
           data: DataOptions, wf: WalkForwardOptions | None = None) -> None:
    """Both commands: configs checked, sweep (and walk-forward) run, written, printed."""
    started = dt.datetime.now(dt.UTC)
    check_bounds("--top", show.top, 1, MAX_TOP)
    cfg = options.run_config(strategy)
    parsed = parse_grid(grid.grid, cfg.strategy_spec())
    settings = ex.config(parsed, wf.config() if wf is not None else None, tests)
    check_run_target(out.out, out.run_id)
    from backtest.sweep.output import write_sweep  # numba, scipy: only once the inputs are good
    from backtest.sweep.sweep import run_sweep
    from backtest.sweep.walkforward import walk_forward_sweep
    result = run_sweep(cfg, None, data.store(), settings=settings)
    walk = walk_forward_sweep(result, settings.walkforward) if settings.walkforward else None
    path = write_sweep(result, out.out, out.run_id, command=["qtbt", *sys.argv[1:]],
                       started_at=started, top=show.top, walkforward=walk)
    typer.echo(result.to_text(show.top))
    if walk is not None:
        typer.echo("")
        typer.echo(walk.to_text())
    typer.echo(f"\nwrote {path}")


def _walkforward(strategy: str | None, grid: GridOptions, options: ConfigOptions,
                 wf: WalkForwardOptions, out: RunOutputOptions, show: ShowOptions,
                 tests: TestOptions, ex: ExecOptions, data: DataOptions) -> None:
    _sweep(strategy, grid, options, out, show, tests, ex, data, wf)


sweep_cmd = group_command(
    _sweep, "sweep_cmd",
    "Evaluate every configuration of a parameter grid; write DIR/<run_id>/sweep.parquet.",
    GridOptions, ConfigOptions, RunOutputOptions, ShowOptions, TestOptions, ExecOptions,
    DataOptions)
walkforward_cmd = group_command(
    _walkforward, "walkforward_cmd",
    "Choose in sample, test out of sample: rolling, expanding, leave one episode out.",
    GridOptions, WalkForwardConfigOptions, WalkForwardOptions, RunOutputOptions, ShowOptions,
    TestOptions, ExecOptions, DataOptions)
