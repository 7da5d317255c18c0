"""``qtbt regimes``: episodes, daily labels, validation and the regime picture."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import typer

from backtest.cli.common import (
    CacheDirOpt,
    DataDirOpt,
    OfflineOpt,
    echo_frame,
    make_store,
    parse_params,
)
from backtest.data.cache import atomic_write_bytes
from backtest.data.calendar import parse_date, sessions_between
from backtest.data.panel import build_panel, last_known_session
from backtest.exceptions import ParameterError, StaleSeriesWarning
from backtest.regimes.api import check_classifier_name, make_classifier
from backtest.regimes.calendar import CalendarClassifier
from backtest.regimes.episodes import episodes_table
from backtest.regimes.validate import validate_against_calendar

__all__ = ["regimes_cmd"]


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        atomic_write_bytes(out, text.encode("utf-8"))
        typer.echo(f"wrote {out}", err=True)


def regimes_cmd(
    classifier: Annotated[str, typer.Option(
        help="calendar: Fed announcements; data: v1 pace of securities held (WSHOSHO); "
             "rules: v2 Treasuries/MBS/total assets.")
    ] = "calendar",
    anchor: Annotated[Literal["announce", "effective"], typer.Option(
        help="Calendar regimes start on announcement or effective dates.")] = "effective",
    end_of_qt_days: Annotated[int | None, typer.Option(
        help="Calendar: days end_of_qt lasts after runoff stops (default: until next event).")
    ] = None,
    events: Annotated[Path | None, typer.Option(help="Your own events CSV.")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="Data-classifier parameter name=value (repeatable).")] = None,
    start: Annotated[str | None, typer.Option(help="First date (default 2003-01-02).")] = None,
    end: Annotated[str | None, typer.Option(help="Last date (default: last WSHOSHO release).")
                   ] = None,
    daily: Annotated[bool, typer.Option("--daily", help="Print date,regime per session.")
                     ] = False,
    validate: Annotated[bool, typer.Option(
        "--validate", help="Score the data classifier against the calendar.")] = False,
    plot: Annotated[Path | None, typer.Option(help="Write the regime picture (.png or .html).")
                    ] = None,
    fmt: Annotated[Literal["table", "csv", "json"], typer.Option("--format")] = "table",
    out: Annotated[Path | None, typer.Option(help="Write output to FILE instead of stdout.")
                   ] = None,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    offline: OfflineOpt = False,
) -> None:
    """Label Fed balance-sheet regimes and print the episodes table."""
    store = make_store(data_dir, cache_dir, offline=offline)
    classifier = check_classifier_name(classifier, "--classifier")
    params = parse_params(param)
    if params and classifier == "calendar" and not validate:
        raise ParameterError("--param applies to the data classifier; add --classifier data.")
    last = last_known_session("WSHOSHO", store)
    if last is None:
        raise ParameterError("WSHOSHO has no observations; regimes need securities held.")
    lo = parse_date(start, "--start") if start else pd.Timestamp("2003-01-02")
    hi = parse_date(end, "--end") if end else last
    if lo > hi:
        raise ParameterError(f"--start {lo.date()} is after --end {hi.date()}; swap them.")
    if hi > last:
        warnings.warn(
            f"WSHOSHO is known only to {last.date()}; regimes end there instead of "
            f"{hi.date()} (balance-sheet values after it would be carried forward).",
            StaleSeriesWarning, stacklevel=2,
        )
        hi = last
    sessions = sessions_between(lo, hi)
    if len(sessions) == 0:
        raise ParameterError(f"No NYSE session between {lo.date()} and {hi.date()}; widen the "
                             "range.")
    cal = CalendarClassifier(anchor=anchor, end_of_qt_days=end_of_qt_days, events=events).fit()
    cal_labels = cal.predict(sessions)
    need_data = classifier != "calendar" or validate or plot is not None
    data_name = classifier if classifier != "calendar" else "data"
    data_labels = None
    if need_data:
        clf = make_classifier(data_name, **params)
        data_labels = clf.fit_store(store).predict(sessions)
    labels = data_labels if classifier != "calendar" else cal_labels
    assert labels is not None
    if plot is not None:
        from backtest.regimes.plot import save_regime_plot

        panel = build_panel(["WSHOSHO", "NETLIQ"], start=sessions[0], end=sessions[-1],
                            store=store, on_stale="ignore")
        assert data_labels is not None
        written = save_regime_plot(plot, panel, {"calendar": cal_labels, "data": data_labels})
        typer.echo(f"wrote {written}", err=True)
        if not (validate or daily) and out is None:
            return
    if validate:
        assert data_labels is not None
        eff = CalendarClassifier(anchor="effective", end_of_qt_days=end_of_qt_days,
                                 events=events).fit()
        report = validate_against_calendar(data_labels, eff.predict(sessions), eff.changes())
        _print_validation(report, fmt, out)
        return
    if daily:
        frame = labels.to_frame("regime")
        frame.index.name = "date"
        text = (frame.to_csv(lineterminator="\n", date_format="%Y-%m-%d") if fmt != "json"
                else json.dumps(dict(zip(pd.DatetimeIndex(labels.index).strftime("%Y-%m-%d"),
                                         labels.astype(str), strict=True)), indent=1))
        _emit(text, out)
        return
    table = episodes_table(labels, store)
    if fmt == "json":
        _emit(table.to_json(orient="records", date_format="iso", indent=1) + "\n", out)
    elif fmt == "csv":
        _emit(table.to_csv(index=False, lineterminator="\n"), out)
    elif out is not None:
        _emit(table.to_string(index=False) + "\n", out)
    else:
        echo_frame(table, "table", index=False)


def _print_validation(report: Any, fmt: str, out: Path | None) -> None:
    head = report.summary()
    if fmt == "json":
        payload = {
            **head,
            "per_label": json.loads(report.per_label.reset_index().to_json(orient="records")),
            "delays": json.loads(report.delays.to_json(orient="records", date_format="iso")),
        }
        _emit(json.dumps(payload, indent=1) + "\n", out)
        return
    delays = report.delays.assign(
        change=report.delays["change"].dt.date,
        detected=report.delays["detected"].dt.date,
    )
    lines = [
        f"data classifier vs calendar (effective anchor), {head['start']} to {head['end']}",
        f"weeks compared: {head['weeks']}",
        f"weeks agreeing: {head['agreement']:.1%}  (aim: >= 90%)",
        f"detection delay: median {head['median_delay_weeks']} weeks (aim <= 6), "
        f"max {head['max_delay_weeks']} (aim <= 13), over 13: {head['over_13_weeks']}, "
        f"missed: {head['missed']} of {head['changes']} changes",
        "",
        "per label:",
        report.per_label.round(3).to_string(),
        "",
        "regime changes:",
        pd.DataFrame(delays).to_string(index=False),
    ]
    if fmt == "csv":
        _emit(report.delays.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d"),
              out)
    else:
        _emit("\n".join(lines) + "\n", out)
