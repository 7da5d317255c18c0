"""``qtbt report``, ``qtbt scorecard`` and ``qtbt compare``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from backtest.cli.common import CacheDirOpt, CatalogOpt, DataDirOpt, OfflineOpt, make_store
from backtest.regimes.api import ClassifierName
from backtest.report.bootstrap import MAX_REPS, BootstrapSpec

__all__ = ["compare_cmd", "report_cmd", "scorecard_cmd"]

RepsOpt = Annotated[int, typer.Option(
    "--reps", help=f"Bootstrap resamples, 100 to {MAX_REPS:,}.")]
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
    from backtest.report import load_run, write_html
    from backtest.report.save import write_run_page

    spec = BootstrapSpec(block=block, reps=reps, level=level)  # bounds checked before loading
    result = load_run(run_dir, spec)
    path = (write_html(out, result.to_html()) if out is not None
            else write_run_page(run_dir, result.to_html()))
    _print(result.to_text())
    typer.echo(f"\nwrote {path}")


def scorecard_cmd(
    classifier: Annotated[ClassifierName, typer.Option(
        help="Regime labels: the Fed calendar or a balance-sheet classifier.")] = "calendar",
    fmt: Annotated[Literal["table", "csv", "json", "markdown"], typer.Option(
        "--format", help="Output on stdout.")] = "table",
    out: Annotated[Path | None, typer.Option(
        help="Also write the HTML report to this file.")] = None,
    claims: Annotated[Path | None, typer.Option(
        "--claims", help="Your own claims: a TOML file with one claim table per claim (id, "
        "statement, series, versus, window, direction; see the README), tested after the "
        "playbook's.",
        show_default=False)] = None,
    reps: RepsOpt = 1000,
    block: BlockOpt = 20,
    level: LevelOpt = 0.95,
    regimes: Annotated[Path | None, typer.Option(
        "--regimes", help="Your own regimes file (date,label rows), used instead of "
        "--classifier.", show_default=False)] = None,
    start: Annotated[str, typer.Option(help="First date of the data tested.")] = "2003-01-02",
    end: Annotated[str | None, typer.Option(
        help="Last date (default: the latest observation).", show_default=False)] = None,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    offline: OfflineOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Test every playbook claim on the data: statistic, interval and verdict."""
    from backtest.report import check_html_path, scorecard, write_html
    from backtest.report.scorecard_user import load_user_claims

    if out is not None:
        check_html_path(out)  # before the work, not after
    spec = BootstrapSpec(block=block, reps=reps, level=level)
    user = load_user_claims(claims) if claims is not None else []
    store = make_store(data_dir, cache_dir, offline=offline, catalog=catalog)
    sc = scorecard(store, classifier, spec, start=start, end=end, user_claims=user,
                   regimes=regimes)
    _print(sc.to_text(fmt))
    if out is not None:
        typer.echo(f"wrote {write_html(out, sc.to_html())}", err=True)


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
    from backtest.report import check_html_path, compare_runs, write_html

    if out is not None:
        check_html_path(out)
    comp = compare_runs(run_dirs, allow_different_data,
                        BootstrapSpec(block=block, reps=reps, level=level))
    for w in comp.warnings:
        typer.echo(f"warning: {w}", err=True)
    _print(comp.to_text())
    if out is not None:
        typer.echo(f"wrote {write_html(out, comp.to_html())}", err=True)
