"""``qtbt report``, ``qtbt scorecard`` and ``qtbt compare``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from backtest.cli.common import CacheDirOpt, DataDirOpt, OfflineOpt, make_store
from backtest.report.bootstrap import BootstrapSpec

__all__ = ["compare_cmd", "report_cmd", "scorecard_cmd"]

RepsOpt = Annotated[int, typer.Option("--reps", help="Bootstrap resamples.")]
BlockOpt = Annotated[int, typer.Option("--block", help="Mean bootstrap block, sessions.")]
LevelOpt = Annotated[float, typer.Option("--level", help="Interval coverage, e.g. 0.95.")]


def _print(text: str) -> None:
    """Write ``text`` to stdout with exactly one trailing newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def report_cmd(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by `qtbt run`.",
                                            show_default=False)],
    out: Annotated[Path | None, typer.Option(
        help="Where to write (default RUN_DIR/report.html).")] = None,
    reps: RepsOpt = 1000,
    block: BlockOpt = 20,
    level: LevelOpt = 0.95,
) -> None:
    """Re-render a run's report.html from its saved results (no data needed)."""
    from backtest.report.format import fmt_interval, fmt_num, fmt_pct, text_table
    from backtest.report.result import RunResult
    from backtest.report.run_report import render_run_report, write_html

    spec = BootstrapSpec(block=block, reps=reps, level=level)
    result = RunResult.load(run_dir, spec)
    path = write_html(out if out is not None else run_dir / "report.html",
                      render_run_report(result))
    t = result.regime_table
    t = t[t["series"] == "strategy"]
    rows = [[str(r["regime"]), f"{int(r['days'])}", f"{int(r['episodes'])}",
             fmt_pct(r["ann_return"]), fmt_interval(r["ann_return_lo"], r["ann_return_hi"],
                                                    fmt_pct),
             fmt_num(r["sharpe"]), fmt_interval(r["sharpe_lo"], r["sharpe_hi"], fmt_num),
             str(r["warning"])] for r in t.to_dict("records")]
    typer.echo(f"{result.strategy} ({result.run_id}), Sharpe of {result.sharpe_basis}:")
    typer.echo(text_table(["regime", "days", "episodes", "ann. return", f"{level:.0%} interval",
                           "Sharpe", f"{level:.0%} interval", "warning"], rows,
                          [False, True, True, True, True, True, True, False]))
    typer.echo(f"\nwrote {path}")


def scorecard_cmd(
    classifier: Annotated[Literal["calendar", "data"], typer.Option(
        help="Regime labels: Fed calendar or balance-sheet data.")] = "calendar",
    fmt: Annotated[Literal["table", "csv", "json", "markdown"], typer.Option(
        "--format", help="Output on stdout.")] = "table",
    out: Annotated[Path | None, typer.Option(
        help="Also write the HTML report to this file.")] = None,
    reps: RepsOpt = 1000,
    block: BlockOpt = 20,
    level: LevelOpt = 0.95,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    offline: OfflineOpt = False,
) -> None:
    """Test every playbook claim on the data: statistic, interval and verdict."""
    from backtest.report.run_report import check_html_path, write_html
    from backtest.report.scorecard import scorecard
    from backtest.report.scorecard_report import (
        scorecard_csv,
        scorecard_html,
        scorecard_json,
        scorecard_markdown,
        scorecard_text,
    )

    if out is not None:
        check_html_path(out)  # before the work, not after
    store = make_store(data_dir, cache_dir, offline=offline)
    sc = scorecard(store, classifier, BootstrapSpec(block=block, reps=reps, level=level))
    render = {"table": scorecard_text, "csv": scorecard_csv, "json": scorecard_json,
              "markdown": scorecard_markdown}[fmt]
    _print(render(sc))
    if out is not None:
        typer.echo(f"wrote {write_html(out, scorecard_html(sc))}", err=True)


def compare_cmd(
    run_dirs: Annotated[list[Path], typer.Argument(help="Two or more run directories.",
                                                   show_default=False)],
    out: Annotated[Path | None, typer.Option(help="Also write an HTML comparison.")] = None,
    allow_different_data: Annotated[bool, typer.Option(
        "--allow-different-data",
        help="Compare runs whose data checksums differ (with a warning).")] = False,
    reps: RepsOpt = 1000,
    block: BlockOpt = 20,
    level: LevelOpt = 0.95,
) -> None:
    """Runs side by side: metrics overall and by regime, parameter and data differences."""
    from backtest.report.compare import compare_runs
    from backtest.report.compare_report import comparison_html
    from backtest.report.run_report import check_html_path, write_html

    if out is not None:
        check_html_path(out)
    comp = compare_runs(run_dirs, allow_different_data,
                        BootstrapSpec(block=block, reps=reps, level=level))
    for w in comp.warnings:
        typer.echo(f"warning: {w}", err=True)
    _print(comp.to_markdown())
    if out is not None:
        typer.echo(f"wrote {write_html(out, comparison_html(comp))}", err=True)
