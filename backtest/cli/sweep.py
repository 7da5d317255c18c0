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
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import typer

from backtest.cli.common import CacheDirOpt, DataDirOpt, OfflineOpt, make_store
from backtest.cli.run import build_config
from backtest.runner.rundir import check_run_target
from backtest.strategy import get_strategy
from backtest.sweep.executor import make_executor, parse_bytes
from backtest.sweep.grid import parse_grid
from backtest.sweep.output import write_sweep
from backtest.sweep.sweep import SweepResult, run_sweep
from backtest.sweep.walkforward import WalkForwardResult, walk_forward_sweep

__all__ = ["format_sweep", "format_walkforward", "sweep_cmd", "walkforward_cmd"]

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
CostsOpt = Annotated[float | None, typer.Option(help="Costs, bps of traded value.")]
RebalanceOpt = Annotated[str | None, typer.Option(
    help="daily|weekly|monthly|regime_change|drift (default: the strategy's).")]
ExecutionOpt = Annotated[str | None, typer.Option(help="close (default) or open of t+1.")]
CashOpt = Annotated[str | None, typer.Option(help="DGS3MO (default), BIL or none.")]
OutOpt = Annotated[Path, typer.Option(help="Parent folder of run directories.")]
RunIdOpt = Annotated[str | None, typer.Option(help="Name of the run directory.")]
TopOpt = Annotated[int, typer.Option(min=1, help="Best configurations to show.")]
SplitsOpt = Annotated[int, typer.Option(
    min=2, max=20, help="CSCV blocks for the PBO (even; C(S, S/2) splits, 20 at most).")]
ExecutorOpt = Annotated[Literal["local", "dask"], typer.Option(
    help="local: this process; dask: chunks on a Dask cluster.")]
SchedulerOpt = Annotated[str | None, typer.Option(
    help="Dask scheduler address (default: start a local cluster).")]
TimeoutOpt = Annotated[float, typer.Option(help="Seconds to wait for the Dask scheduler.")]
WorkersOpt = Annotated[int | None, typer.Option(
    min=1, help="Workers of the local Dask cluster (default: CPU count).")]
ChunkOpt = Annotated[int | None, typer.Option(help="Configurations per chunk (default: auto).")]
MemoryOpt = Annotated[str | None, typer.Option(
    help="Working-set budget per process, e.g. 4GiB (default 2GiB); chunks are sized to it.")]


def _sweep(strategy: str | None, grid: list[str] | None, param: list[str] | None,
           config: Path | None, overrides: dict[str, Any], engine_over: dict[str, Any],
           executor: str, scheduler: str | None, timeout: float, workers: int | None,
           chunk_size: int | None, max_memory: str | None, splits: int, monthly: bool,
           data_dir: Path | None, cache_dir: Path | None, offline: bool) -> SweepResult:
    cfg = build_config(strategy, config, param, overrides, engine_over, benchmarks=())
    spec = get_strategy(cfg.strategy)
    parsed = parse_grid(grid, spec)
    budget = parse_bytes(max_memory) if max_memory is not None else None
    store = make_store(data_dir, cache_dir, offline=offline)
    with make_executor(executor, scheduler, timeout, workers) as ex:
        return run_sweep(cfg, parsed or None, store, executor=ex, max_memory=budget,
                         chunk_size=chunk_size, n_splits=splits, monthly_segments=monthly)


def _fmt(v: float) -> str:
    return "nan" if pd.isna(v) else f"{v:,.3f}"


def format_sweep(result: SweepResult, top: int = 5) -> str:
    """Header, the best configurations with DSR, and the PBO line."""
    eng = result.engine
    n = len(result.params)
    varying = result.varying or list(result.grid)
    lines = [f"{result.strategy} sweep: {n:,} configuration{'s' if n != 1 else ''} "
             f"({' x '.join(varying) or 'defaults'}), {result.sessions[0]:%Y-%m-%d} to "
             f"{result.sessions[-1]:%Y-%m-%d}, rebalance {eng.rebalance}, costs "
             f"{eng.costs_bps:g} bps, cash yield {result.config.cash_yield}",
             f"Best by Sharpe (dsr = deflated Sharpe ratio: probability the Sharpe beats the "
             f"best of {n:,} lucky trials; above 0.95 it survives the selection):"]
    best = result.best(top)
    cols = [*varying, "sharpe", "dsr", "total_return", "max_drawdown", "sharpe_QT", "sharpe_QE"]
    shown = best[[c for c in cols if c in best.columns]].reset_index(drop=True)
    lines.append(shown.to_string(float_format=_fmt, index=False))
    pbo = result.pbo
    if n < 2:
        lines.append("PBO: needs at least two configurations.")
    else:
        verdict = " — more likely overfit than not." if pbo.pbo > 0.5 else "."
        lines.append(
            f"Probability of backtest overfitting (CSCV, {pbo.n_splits} blocks, "
            f"{pbo.n_combinations:,} splits): {pbo.pbo:.2f}: the in-sample best ranked at or "
            f"below the out-of-sample median in {pbo.pbo:.0%} of splits and lost money out of "
            f"sample in {pbo.prob_oos_loss:.0%}{verdict}"
        )
    thin = [r for r in ("QT", "QE") if int(((result.labels == r) & (result.labels.shift()
                                                                     != r)).sum()) < 2]
    if thin:
        lines.append(f"note: {', '.join(thin)} rest on fewer than two episodes in this range.")
    return "\n".join(lines)


def format_walkforward(wf: WalkForwardResult) -> str:
    """The window and episode tables and the side-by-side summary."""
    def table(frame: pd.DataFrame, cols: list[str]) -> str:
        if frame.empty:
            return "(none)"
        shown = frame[[c for c in cols if c in frame.columns]].copy()
        for c in shown.columns:
            if pd.api.types.is_datetime64_any_dtype(shown[c]):
                shown[c] = shown[c].dt.strftime("%Y-%m-%d")
        return shown.to_string(float_format=_fmt, index=False)

    lines = ["Walk-forward windows (chosen = best in-sample Sharpe):",
             table(wf.windows, ["scheme", "window", "train_start", "train_end", "test_start",
                                "test_end", "chosen", "is_sharpe", "oos_sharpe",
                                "oos_percentile"]),
             "", "Leave one episode out:",
             table(wf.episodes, ["test_episode", "train_episodes", "chosen", "is_sharpe",
                                 "oos_sharpe", "oos_percentile", "oos_best_sharpe"]),
             "", "In sample vs out of sample (Sharpe, annualised, excess of cash):",
             table(wf.summary, ["scheme", "windows", "is_sharpe_mean", "oos_sharpe_stitched",
                                "degradation", "oos_percentile_mean",
                                "full_sample_best_oos_sharpe"])]
    return "\n".join(lines)


def sweep_cmd(
    strategy: Annotated[str | None, typer.Argument(help="Strategy name (`qtbt strategies`).")
                        ] = None,
    grid: GridOpt = None, param: ParamOpt = None, config: ConfigOpt = None,
    start: StartOpt = None, end: EndOpt = None, classifier: ClassifierOpt = None,
    anchor: AnchorOpt = None, costs_bps: CostsOpt = None, rebalance: RebalanceOpt = None,
    execution: ExecutionOpt = None, cash_yield: CashOpt = None,
    out: OutOpt = Path("results"), run_id: RunIdOpt = None, top: TopOpt = 5,
    splits: SplitsOpt = 16, executor: ExecutorOpt = "local", scheduler: SchedulerOpt = None,
    scheduler_timeout: TimeoutOpt = 10.0, workers: WorkersOpt = None,
    chunk_size: ChunkOpt = None, max_memory: MemoryOpt = None,
    data_dir: DataDirOpt = None, cache_dir: CacheDirOpt = None, offline: OfflineOpt = False,
) -> None:
    """Evaluate every configuration of a parameter grid; write DIR/<run_id>/sweep.parquet."""
    check_run_target(out, run_id)
    started = dt.datetime.now(dt.UTC)
    result = _sweep(strategy, grid, param, config,
                    {"start": start, "end": end, "classifier": classifier, "anchor": anchor,
                     "cash_yield": cash_yield},
                    {"costs_bps": costs_bps, "rebalance": rebalance, "execution": execution},
                    executor, scheduler, scheduler_timeout, workers, chunk_size, max_memory,
                    splits, False, data_dir, cache_dir, offline)
    path = write_sweep(result, out, run_id, command=["qtbt", *sys.argv[1:]],
                       started_at=started, top=top)
    typer.echo(format_sweep(result, top))
    typer.echo(f"\nwrote {path}")


def walkforward_cmd(
    strategy: Annotated[str | None, typer.Argument(help="Strategy name (`qtbt strategies`).")
                        ] = None,
    grid: GridOpt = None, param: ParamOpt = None, config: ConfigOpt = None,
    start: StartOpt = None, end: EndOpt = None, classifier: ClassifierOpt = None,
    anchor: AnchorOpt = None, costs_bps: CostsOpt = None, rebalance: RebalanceOpt = None,
    execution: ExecutionOpt = None, cash_yield: CashOpt = None,
    train_months: Annotated[int, typer.Option(help="In-sample window, calendar months.")] = 36,
    test_months: Annotated[int, typer.Option(help="Out-of-sample window and step, months.")
                           ] = 12,
    regimes: Annotated[str | None, typer.Option(
        help="Regimes for leave-one-episode-out, comma-separated (default: all with 2+ "
        "episodes).")] = None,
    min_sessions: Annotated[int, typer.Option(
        min=1, max=2520, help="Shortest episode / test window kept, sessions.")] = 20,
    out: OutOpt = Path("results"), run_id: RunIdOpt = None, top: TopOpt = 5,
    splits: SplitsOpt = 16, executor: ExecutorOpt = "local", scheduler: SchedulerOpt = None,
    scheduler_timeout: TimeoutOpt = 10.0, workers: WorkersOpt = None,
    chunk_size: ChunkOpt = None, max_memory: MemoryOpt = None,
    data_dir: DataDirOpt = None, cache_dir: CacheDirOpt = None, offline: OfflineOpt = False,
) -> None:
    """Choose in sample, test out of sample: rolling, expanding, leave one episode out."""
    check_run_target(out, run_id)
    started = dt.datetime.now(dt.UTC)
    result = _sweep(strategy, grid, param, config,
                    {"start": start, "end": end, "classifier": classifier, "anchor": anchor,
                     "cash_yield": cash_yield},
                    {"costs_bps": costs_bps, "rebalance": rebalance, "execution": execution},
                    executor, scheduler, scheduler_timeout, workers, chunk_size, max_memory,
                    splits, True, data_dir, cache_dir, offline)
    wanted = [r.strip() for r in regimes.split(",") if r.strip()] if regimes else None
    wf = walk_forward_sweep(result, train_months=train_months, test_months=test_months,
                            regimes=wanted, min_sessions=min_sessions)
    path = write_sweep(result, out, run_id, command=["qtbt", *sys.argv[1:]],
                       started_at=started, top=top, walkforward=wf)
    typer.echo(format_sweep(result, top))
    typer.echo("")
    typer.echo(format_walkforward(wf))
    typer.echo(f"\nwrote {path}")
