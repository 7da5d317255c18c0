"""``qtbt forecasts``: the forecast ledger scored against what happened."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from backtest.cli.common import CacheDirOpt, DataDirOpt, OfflineOpt, make_store

__all__ = ["forecasts_cmd"]


def forecasts_cmd(
    forecasts: Annotated[Path | None, typer.Option(
        "--forecasts", help="Your ledger, TOML or CSV in the format of the shipped "
        "backtest/evidence/qt_end_2025.toml (default: the shipped ledger).",
        show_default=False)] = None,
    ids: Annotated[list[str] | None, typer.Option(
        "--id", help="Only these forecast ids (comma-separated or repeated).",
        show_default=False)] = None,
    events_file: Annotated[Path | None, typer.Option(
        "--events", help="Events file that event: anchors refer to (default: the shipped "
        "one).", show_default=False)] = None,
    fmt: Annotated[Literal["table", "csv", "json", "html"], typer.Option(
        "--format", help="Output on stdout (html: a self-contained page).")] = "table",
    out: Annotated[Path | None, typer.Option(
        help="Also write the HTML page to this file.")] = None,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    offline: OfflineOpt = False,
) -> None:
    """Score dated forecasts: the move from the close before the anchor to N sessions later.

    Each forecast names series, a direction and maybe a size range; the verdict at
    each horizon is right, partly (direction right, size outside the range), wrong
    or not yet measurable.
    """
    from backtest.report import check_html_path, write_html
    from backtest.report.forecasts import forecast_report

    if out is not None:
        check_html_path(out)
    only = [t.strip() for v in ids or [] for t in v.split(",") if t.strip()]
    store = make_store(data_dir, cache_dir, offline=offline)
    report = forecast_report(forecasts, store, events_file, only or None)
    text = report.to_text(fmt)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if out is not None:
        typer.echo(f"wrote {write_html(out, report.to_text('html'))}", err=True)
