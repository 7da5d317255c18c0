"""``qtbt run`` and ``qtbt strategies``: parse options, call the library, print ``to_text()``."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from typing import Annotated

import typer

from backtest.claims import get_claim
from backtest.cli.common import ConfigOptions, DataOptions, group_command
from backtest.report import save_run
from backtest.runner import run
from backtest.runner.rundir import check_run_target
from backtest.strategy import load_registry
from backtest.strategy.resolve import strategies_in

__all__ = ["BenchmarkOptions", "OutOpt", "RunIdOpt", "RunOutputOptions", "run_cmd",
           "strategies_cmd"]

# a str, not a Path: typer turns --out '' into Path("."), and the empty value must be refused
OutOpt = Annotated[str, typer.Option(help="Parent folder of run directories.")]
RunIdOpt = Annotated[str | None, typer.Option(help="Name of the run directory.")]


def strategies_cmd(
    source: Annotated[str | None, typer.Argument(
        help="A strategy file or module to describe instead (my_strategy.py, pkg.mod).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also show the claim tested.")
                       ] = False,
) -> None:
    """List strategies: name, one-line description and parameters."""
    for name, spec in (load_registry() if source is None else strategies_in(source)).items():
        typer.echo(f"{name:<15} {spec.description}")
        if verbose:
            typer.echo(f"{'':<15} claim: {get_claim(spec.claim).statement}")
        for p in spec.params:
            typer.echo(f"{'':<17}{p.describe()}")


BenchmarkOpt = Annotated[list[str] | None, typer.Option(
    "--benchmark", help="Benchmark strategy: name, file or module (repeatable; `none` for no "
                        "benchmark; default: the config's, else buy_and_hold and sixty_forty).",
    show_default=False)]


@dataclass(frozen=True)
class BenchmarkOptions:
    """Which strategies run alongside."""

    benchmark: BenchmarkOpt = None

    def names(self) -> tuple[str, ...] | None:
        """The benchmarks given (None: keep the config's or the default)."""
        return tuple(self.benchmark) if self.benchmark else None


@dataclass(frozen=True)
class RunOutputOptions:
    """Where the run directory goes."""

    out: OutOpt = "results"
    run_id: RunIdOpt = None


def _run(strategy: str | None, options: ConfigOptions, bench: BenchmarkOptions,
         out: RunOutputOptions, data: DataOptions) -> None:
    started = dt.datetime.now(dt.UTC)
    cfg = options.run_config(strategy, bench.names())
    check_run_target(out.out, out.run_id)
    output = run(cfg, data.store())
    path = save_run(output, out.out, out.run_id, command=["qtbt", *sys.argv[1:]],
                    started_at=started)
    typer.echo(output.to_text())
    typer.echo(f"\nwrote {path}")


run_cmd = group_command(_run, "run_cmd",
                        "Backtest a strategy with its benchmarks and write results/<run_id>/.",
                        ConfigOptions, BenchmarkOptions, RunOutputOptions, DataOptions)
