"""``qtbt run`` and ``qtbt strategies``: parse options, call the library, print ``to_text()``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from backtest.cli.common import CacheDirOpt, DataDirOpt, OfflineOpt, check_bounds, make_store
from backtest.runner import build_run_config, run, write_run
from backtest.runner.config import MAX_END_OF_QT_DAYS
from backtest.runner.rundir import check_run_target
from backtest.strategy import load_registry

__all__ = ["EndOfQtOpt", "run_cmd", "strategies_cmd"]

EndOfQtOpt = Annotated[int | None, typer.Option(
    help=f"Calendar end-of-QT horizon, calendar days (1 to {MAX_END_OF_QT_DAYS}).")]


def strategies_cmd(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also show the claim tested.")
                       ] = False,
) -> None:
    """List strategies: name, one-line description and parameters."""
    for name, spec in load_registry().items():
        typer.echo(f"{name:<15} {spec.description}")
        if verbose:
            typer.echo(f"{'':<15} claim: {spec.claim}")
        for p in spec.params:
            typer.echo(f"{'':<17}{p.describe()}")


def run_cmd(
    strategy: Annotated[str | None, typer.Argument(help="Strategy name (`qtbt strategies`).")
                        ] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="Strategy parameter name=value (repeatable).")] = None,
    config: Annotated[Path | None, typer.Option(help="TOML run configuration.")] = None,
    start: Annotated[str | None, typer.Option(help="First session (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="Last session (YYYY-MM-DD).")] = None,
    classifier: Annotated[Literal["calendar", "data"] | None, typer.Option(
        help="Regime classifier.")] = None,
    anchor: Annotated[Literal["announce", "effective"] | None, typer.Option(
        help="Calendar anchor.")] = None,
    end_of_qt_days: EndOfQtOpt = None,
    costs_bps: Annotated[float | None, typer.Option(
        help="Costs, bps of traded value (0 to 1000).")] = None,
    rebalance: Annotated[str | None, typer.Option(
        help="daily|weekly|monthly|regime_change|drift (default: the strategy's).")] = None,
    execution: Annotated[str | None, typer.Option(help="close (default) or open of t+1.")
                         ] = None,
    cash_yield: Annotated[str | None, typer.Option(help="DGS3MO (default), BIL or none.")
                          ] = None,
    out: Annotated[Path, typer.Option(help="Parent folder of run directories.")] = Path(
        "results"),
    run_id: Annotated[str | None, typer.Option(help="Name of the run directory.")] = None,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    offline: OfflineOpt = False,
) -> None:
    """Backtest a strategy with its benchmarks and write results/<run_id>/."""
    started = dt.datetime.now(dt.UTC)
    check_bounds("--end-of-qt-days", end_of_qt_days, 1, MAX_END_OF_QT_DAYS)
    cfg = build_run_config(strategy, config, param, start=start, end=end,
                           classifier=classifier, anchor=anchor,
                           end_of_qt_days=end_of_qt_days, cash_yield=cash_yield,
                           engine={"costs_bps": costs_bps, "rebalance": rebalance,
                                   "execution": execution})
    check_run_target(out, run_id)
    output = run(cfg, make_store(data_dir, cache_dir, offline=offline))
    path = write_run(output, out, run_id, command=["qtbt", *sys.argv[1:]], started_at=started)
    typer.echo(output.to_text())
    typer.echo(f"\nwrote {path}")
