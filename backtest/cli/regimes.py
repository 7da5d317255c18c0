"""``qtbt regimes``: episodes, daily labels and phases, validation, comparison, the picture."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import typer

from backtest.cli.common import (
    CacheDirOpt,
    CatalogOpt,
    DataDirOpt,
    OfflineOpt,
    echo_frame,
    make_store,
    parse_params,
)
from backtest.data.cache import atomic_write_bytes
from backtest.data.calendar import parse_date, sessions_between
from backtest.data.panel import build_panel, last_known_session
from backtest.data.store import DataStore
from backtest.exceptions import ParameterError, StaleSeriesWarning
from backtest.regimes.api import CLASSIFIERS, check_classifier_name, make_classifier
from backtest.regimes.calendar import CalendarClassifier
from backtest.regimes.compare import compare_labels, warn_if_episode_counts_differ
from backtest.regimes.episodes import episodes_table
from backtest.regimes.phases import end_of_qt_stage, regime_phases
from backtest.regimes.table import validation_table
from backtest.regimes.userfile import FileClassifier
from backtest.regimes.validate import ValidationReport, validate_against_calendar

__all__ = ["regimes_cmd"]

Fmt = Literal["table", "csv", "json"]
_HISTORY_START = pd.Timestamp("2003-01-02")


@dataclass(frozen=True)
class _Setup:
    """What every action of the command needs."""

    store: DataStore
    sessions: pd.DatetimeIndex
    classifier: str
    params: dict[str, Any]
    anchor: str
    end_of_qt_days: int | None
    events: Path | None
    regimes_file: Path | None = None

    def fitted(self, name: str) -> Any:
        """The named classifier, fitted (parameters apply to the chosen data classifier)."""
        if name == "file":
            if self.regimes_file is None:
                raise ParameterError("the file classifier reads your regimes file; add "
                                     "--regimes FILE (a CSV of date,label rows).")
            return FileClassifier(self.regimes_file).fit_store(self.store)
        if name == "calendar":
            return CalendarClassifier(anchor=self.anchor,  # type: ignore[arg-type]
                                      end_of_qt_days=self.end_of_qt_days,
                                      events=self.events).fit()
        params = self.params if name == self.data_name else {}
        clf = make_classifier(name, self.anchor, None, self.events, **params)
        return clf.fit_store(self.store)

    def labels(self, name: str) -> pd.Series:
        """Daily labels of the named classifier on the sessions."""
        return self.fitted(name).predict(self.sessions)

    @property
    def data_name(self) -> str:
        """The data classifier scored or plotted (``data`` when the calendar is chosen)."""
        return self.classifier if self.classifier != "calendar" else "data"


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        atomic_write_bytes(out, text.encode("utf-8"))
        typer.echo(f"wrote {out}", err=True)


def _sessions(store: DataStore, start: str | None, end: str | None) -> pd.DatetimeIndex:
    last = last_known_session("WSHOSHO", store)
    if last is None:
        raise ParameterError("WSHOSHO has no observations; regimes need securities held.")
    lo = parse_date(start, "--start") if start else _HISTORY_START
    hi = parse_date(end, "--end") if end else last
    if lo > hi:
        raise ParameterError(f"--start {lo.date()} is after --end {hi.date()}; swap them.")
    if hi > last:
        warnings.warn(
            f"WSHOSHO is known only to {last.date()}; regimes end there instead of "
            f"{hi.date()} (balance-sheet values after it would be carried forward).",
            StaleSeriesWarning, stacklevel=3,
        )
        hi = last
    sessions = sessions_between(lo, hi)
    if len(sessions) == 0:
        raise ParameterError(f"No NYSE session between {lo.date()} and {hi.date()}; widen the "
                             "range.")
    return sessions


def _names(text: str) -> list[str]:
    names = [check_classifier_name(n.strip(), "--compare") for n in text.split(",") if n.strip()]
    if len(names) < 2 or len(set(names)) != len(names):
        raise ParameterError(
            f"--compare takes two or more different classifier names separated by commas "
            f"(e.g. calendar,rules), got {text!r}; choose from {', '.join(CLASSIFIERS)}."
        )
    return names


def _plot(setup: _Setup, path: Path) -> None:
    from backtest.report.regimes_charts import save_regime_plot

    s = setup.sessions
    panel = build_panel(["WSHOSHO", "NETLIQ"], start=s[0], end=s[-1], store=setup.store,
                        on_stale="ignore")
    shown = {"calendar": setup.labels("calendar"), setup.data_name: setup.labels(setup.data_name)}
    written = save_regime_plot(path, panel, shown)
    typer.echo(f"wrote {written}", err=True)


def _compare(setup: _Setup, text: str, fmt: Fmt, out: Path | None) -> None:
    names = _names(text)
    labels = {n: setup.labels(n) for n in names}
    warn_if_episode_counts_differ(names[0], labels)
    results = [compare_labels(labels[names[0]], labels[n], (names[0], n)) for n in names[1:]]
    if fmt == "json":
        payload = [{**d.summary(), "disagreements": json.loads(
            d.periods.to_json(orient="records", date_format="iso"))} for d in results]
        _emit(json.dumps(payload, indent=1) + "\n", out)
        return
    if fmt == "csv":
        frames = [d.periods.rename(columns={d.names[0]: "label_a", d.names[1]: "label_b"})
                  .assign(a=d.names[0], b=d.names[1]) for d in results]
        _emit(pd.concat(frames).to_csv(index=False, lineterminator="\n",
                                       date_format="%Y-%m-%d"), out)
        return
    lines = []
    for d in results:
        a, b = d.names
        lines += [f"{a} vs {b}: {d.share:.1%} of {d.sessions} sessions differ, "
                  f"in {len(d.periods)} periods", "", "episodes per label:",
                  d.episodes.to_string(), "", "periods of disagreement (longest 15):",
                  d.periods.sort_values("sessions", ascending=False).head(15)
                  .assign(start=lambda f: f["start"].dt.date, end=lambda f: f["end"].dt.date)
                  .to_string(index=False), ""]
    _emit("\n".join(lines), out)


def _validate(setup: _Setup, fmt: Fmt, out: Path | None) -> None:
    eff = CalendarClassifier(anchor="effective", end_of_qt_days=setup.end_of_qt_days,
                             events=setup.events).fit()
    report = validate_against_calendar(setup.labels(setup.data_name),
                                       eff.predict(setup.sessions), eff.changes())
    table = validation_table(setup.store, setup.sessions, events=setup.events)
    if fmt == "json":
        payload = {
            "classifier": setup.data_name,
            **report.summary(),
            "per_label": json.loads(report.per_label.reset_index().to_json(orient="records")),
            "delays": json.loads(report.delays.to_json(orient="records", date_format="iso")),
            "table": json.loads(table.to_json(orient="records")),
        }
        _emit(json.dumps(payload, indent=1) + "\n", out)
    elif fmt == "csv":
        _emit(table.to_csv(index=False, lineterminator="\n"), out)
    else:
        _emit(_validation_text(setup.data_name, report, table), out)


def _validation_text(name: str, report: ValidationReport, table: pd.DataFrame) -> str:
    head = report.summary()
    delays = report.delays.assign(change=report.delays["change"].dt.date,
                                  detected=report.delays["detected"].dt.date)
    cols = ["classifier", "protocol", "agreement", "median_delay_weeks", "max_delay_weeks",
            "missed", "false_episodes", "qt_episodes", "qt_weeks_before_2008_11",
            "qe_weeks_on_rmp"]
    with pd.option_context("display.width", 200, "display.max_columns", None):
        summary = table[cols].to_string(index=False)
        pr = table[["classifier", "protocol"]
                   + [c for c in table.columns if c.startswith(("precision_", "recall_"))]]
        pr_text = pr.to_string(index=False)
    return "\n".join([
        f"{name} classifier vs calendar (effective anchor), {head['start']} to {head['end']}",
        f"weeks compared: {head['weeks']}",
        f"weeks agreeing: {head['agreement']:.1%}  (aim: >= 90%)",
        f"detection delay: median {head['median_delay_weeks']} weeks (aim <= 4), "
        f"max {head['max_delay_weeks']} (aim <= 10), over 13: {head['over_13_weeks']}, "
        f"missed: {head['missed']} of {head['changes']} changes",
        "", "per label:", report.per_label.round(3).to_string(),
        "", "regime changes:", pd.DataFrame(delays).to_string(index=False),
        "", "all classifiers (in_sample: defaults chosen on the whole history; loeo: "
        "parameters chosen without the episode; walk_forward: chosen on earlier episodes):",
        summary, "", "precision and recall per label:", pr_text, "",
    ])


def _daily(setup: _Setup, phases: bool, fmt: Fmt, out: Path | None) -> None:
    clf = setup.fitted(setup.classifier)
    labels = clf.predict(setup.sessions)
    frame = labels.to_frame("regime")
    if phases:  # from the start of the history, so a regime begun before --start counts
        full = sessions_between(min(_HISTORY_START, setup.sessions[0]), setup.sessions[-1])
        ph = regime_phases(clf.predict(full), stage=end_of_qt_stage(clf, full))
        ph = ph.reindex(setup.sessions)
        frame = frame.assign(phase=ph["phase"], weeks=ph["weeks"].round(1))
    frame.index.name = "date"
    if fmt == "json":
        recs = frame.assign(date=frame.index.strftime("%Y-%m-%d"))
        text = (json.dumps(dict(zip(recs["date"], labels.astype(str), strict=True)), indent=1)
                if not phases else recs.to_json(orient="records", indent=1))
    else:
        text = frame.to_csv(lineterminator="\n", date_format="%Y-%m-%d")
    _emit(text, out)


def _episodes(setup: _Setup, fmt: Fmt, out: Path | None) -> None:
    table = episodes_table(setup.labels(setup.classifier), setup.store)
    if fmt == "json":
        _emit(table.to_json(orient="records", date_format="iso", indent=1) + "\n", out)
    elif fmt == "csv":
        _emit(table.to_csv(index=False, lineterminator="\n"), out)
    elif out is not None:
        _emit(table.to_string(index=False) + "\n", out)
    else:
        echo_frame(table, "table", index=False)


def regimes_cmd(
    classifier: Annotated[str, typer.Option(
        help="calendar: Fed announcements; data: v1 pace of securities held (WSHOSHO); "
             "rules: v2 Treasuries/MBS/total assets; markov: Markov-switching model; "
             "hybrid: announcements confirmed by the balance sheet.")] = "calendar",
    anchor: Annotated[Literal["announce", "effective"], typer.Option(
        help="Calendar regimes start on announcement or effective dates.")] = "effective",
    end_of_qt_days: Annotated[int | None, typer.Option(
        help="Calendar: days end_of_qt lasts after runoff stops, 1..3650 (default: until "
             "the next event).")] = None,
    events: Annotated[Path | None, typer.Option(help="Your own events CSV.")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="Data-classifier parameter name=value (repeatable).")] = None,
    start: Annotated[str | None, typer.Option(help="First date (default 2003-01-02).")] = None,
    end: Annotated[str | None, typer.Option(help="Last date (default: last WSHOSHO release).")
                   ] = None,
    daily: Annotated[bool, typer.Option("--daily", help="Print date,regime per session.")
                     ] = False,
    phases: Annotated[bool, typer.Option(
        "--phases", help="With --daily: add the causal phase and weeks in regime.")] = False,
    validate: Annotated[bool, typer.Option(
        "--validate", help="Score the data classifiers against the calendar, in and out of "
                           "sample.")] = False,
    compare: Annotated[str | None, typer.Option(
        help="Compare classifiers, e.g. calendar,rules,data (the first is the reference).")
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="Write the regime picture (.png or .html).")
                    ] = None,
    fmt: Annotated[Fmt, typer.Option("--format")] = "table",
    out: Annotated[Path | None, typer.Option(help="Write output to FILE instead of stdout.")
                   ] = None,
    regimes: Annotated[Path | None, typer.Option(
        "--regimes", help="Your own regimes file (date,label rows): its episodes, or "
        "--compare calendar,file to measure it against the calendar.",
        show_default=False)] = None,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    offline: OfflineOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Label Fed balance-sheet regimes and print the episodes table."""
    store = make_store(data_dir, cache_dir, offline=offline, catalog=catalog)
    name = check_classifier_name(classifier, "--classifier")
    if regimes is not None and name not in ("calendar", "file"):
        raise ParameterError(f"--regimes gives the labels; drop --classifier {name}, or compare "
                             f"them with --compare file,{name}.")
    if regimes is not None and validate:
        raise ParameterError("--validate scores the data classifiers against the calendar; to "
                             "measure your file use --compare calendar,file --regimes FILE.")
    if regimes is not None and compare is None:
        name = "file"
    params = parse_params(param)
    if params and name == "calendar" and not validate:
        raise ParameterError("--param applies to the data classifier; add --classifier data "
                             "(or rules, markov, hybrid).")
    if phases and not daily:
        raise ParameterError("--phases adds columns to --daily; add --daily.")
    CalendarClassifier(end_of_qt_days=end_of_qt_days).fit()  # bad values fail before any work
    setup = _Setup(store, _sessions(store, start, end), name, params, anchor, end_of_qt_days,
                   events, regimes)
    if plot is not None:
        _plot(setup, plot)
        if not (validate or daily or compare) and out is None:
            return
    if compare is not None:
        _compare(setup, compare, fmt, out)
    elif validate:
        _validate(setup, fmt, out)
    elif daily:
        _daily(setup, phases, fmt, out)
    else:
        _episodes(setup, fmt, out)
