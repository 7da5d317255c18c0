"""``qtbt now``: where we are at the latest session the data describes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import typer

from backtest.cli.common import DataOptions, RegimesOpt, group_command
from backtest.runner.rundir import check_run_target

__all__ = ["NowOptions", "now_cmd"]

StrategyOpt = Annotated[list[str] | None, typer.Option(
    "--strategy", help="Strategy whose targets to show (repeatable; default: every "
    "registered strategy that is not a benchmark).")]
ClassifierOpt = Annotated[list[str] | None, typer.Option(
    "--classifier", help="Regime classifier: calendar, data, rules, markov or hybrid "
    "(repeatable; default calendar, data, rules; "
    "markov takes ~7 s).")]
NowFormatOpt = Annotated[Literal["table", "json", "markdown", "html"], typer.Option(
    "--format", help="Output format (html: the desk report page, offline, on stdout).")]
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", help="Describe an earlier session (YYYY-MM-DD) with what was known at its close.")]
NowOutOpt = Annotated[str | None, typer.Option(
    "--out", help="Write the desk report (now.json, now.html) into OUT/now_<as_of>/.")]
SinceOpt = Annotated[Path | None, typer.Option(
    "--since", help="An earlier desk report folder (or its now.json): list what changed.")]


@dataclass(frozen=True)
class NowOptions:
    """What ``now`` shows and where its desk report goes."""

    strategies: StrategyOpt = None
    classifiers: ClassifierOpt = None
    format: NowFormatOpt = "table"
    as_of: AsOfOpt = None
    out: NowOutOpt = None
    since: SinceOpt = None
    regime_file: RegimesOpt = None


def _now(strategy: str | None, opts: NowOptions, data: DataOptions) -> None:
    from backtest.present import changes_since, now
    from backtest.report.now_report import load_now_json, render_now_html, write_now

    names = [*([strategy] if strategy else []), *(opts.strategies or [])] or None
    previous = load_now_json(opts.since) if opts.since is not None else None
    if opts.out is not None:
        check_run_target(opts.out, None)
    result = now(data.store(), names, opts.classifiers, opts.as_of, opts.regime_file)
    changes = changes_since(result.to_dict(), previous) if previous is not None else None
    side = opts.format in ("json", "html")  # keep stdout a valid document
    if opts.format == "html":
        typer.echo(render_now_html(result, changes), nl=False)
    else:
        typer.echo(result.to_text(opts.format), nl=False)
    if changes:
        typer.echo("\n" + "\n".join(changes), err=side)
    if opts.out is not None:
        typer.echo(f"\nwrote {write_now(result, opts.out, changes)}", err=side)


now_cmd = group_command(
    _now, "now_cmd",
    "Where we are now: regimes, net liquidity, funding and each strategy's targets at the "
    "latest session the data describes (STRATEGY adds to --strategy).",
    NowOptions, DataOptions)
