"""``qtbt events``: event studies around Fed balance-sheet announcements."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from backtest._typing import AbnormalModel, EventAnchor, EventShow, EventTiming
from backtest.cli.common import (
    CacheDirOpt,
    CatalogOpt,
    DataDirOpt,
    FormatOpt,
    OfflineOpt,
    make_store,
)
from backtest.eventstudy import event_study, parse_dates, select_events, windows_text
from backtest.exceptions import ParameterError
from backtest.regimes.events import EVENT_SETS, Event

__all__ = ["events_cmd", "parse_windows"]


def _split(values: list[str]) -> list[str]:
    return [t.strip() for v in values for t in v.split(",") if t.strip()]


SeriesOpt = Annotated[list[str], typer.Option(
    "--series", "-s",
    help="Daily series, comma-separated or repeated: yields/spreads (moves in bp, "
    "e.g. DGS10,T2S10S,SOFR_IORB) or prices (returns, e.g. SPY,TLT,SP500).",
    show_default=False)]
EventsFileOpt = Annotated[Path | None, typer.Option(
    "--events", help="Events file in the format of the shipped backtest/regimes/events.csv "
    "(default: the shipped file).", show_default=False)]
SetOpt = Annotated[str | None, typer.Option(
    "--set", help=f"Event set: {', '.join(EVENT_SETS)} (qt_end = QT slowdowns and ends; "
    "rmp = reserve-management purchases).", show_default=False)]
DatesOpt = Annotated[str | None, typer.Option(
    "--dates", help="Plain event dates, YYYY-MM-DD,YYYY-MM-DD,...", show_default=False)]
WindowOpt = Annotated[str, typer.Option(
    "--window", "-n", help="Sessions from the close before the event session to the last "
    "close (1: the event session's own move); several horizons comma-separated, e.g. "
    "21,63,126.")]
EventOpt = Annotated[str | None, typer.Option(
    "--event", help="One episode on its own: the events-file row(s) announced on "
    "YYYY-MM-DD (with --events FILE, that file's).", show_default=False)]
AnchorOpt = Annotated[EventAnchor, typer.Option(
    help="Date events by announcement or by effective date.")]
TimingOpt = Annotated[EventTiming, typer.Option(
    help="When the news came out. intraday (FOMC 14:00 ET) and before_open: the event session "
    "is the event date (or the next session if the market is closed); after_close: the next "
    "session.")]
BenchmarkOpt = Annotated[str | None, typer.Option(
    help="Price series for abnormal returns of price series, e.g. SPY.", show_default=False)]
AbnormalOpt = Annotated[AbnormalModel, typer.Option(
    help="ols: beta from 250 daily returns ending 10 sessions before the event; market: "
    "beta = 1.")]
SkipOpt = Annotated[bool, typer.Option(
    "--skip-missing", help="Leave out (with a warning) events a series has no data for, "
    "instead of stopping.")]
ShowOpt = Annotated[EventShow, typer.Option(
    help="What to print: per-event moves, the per-series summary, or both (in csv, two blocks "
    "separated by a blank line).")]


def parse_windows(text: str) -> list[int]:
    """``21,63,126`` -> [21, 63, 126] (each checked by the study: at least 1).

    Raises
    ------
    ParameterError
        A token that is not a whole number.
    """
    out = []
    for tok in (t.strip() for t in str(text).split(",")):
        try:
            out.append(int(tok))
        except ValueError:
            raise ParameterError(f"--window takes whole numbers of sessions, one or several "
                                 f"comma-separated (e.g. 21 or 21,63,126); got {text!r}."
                                 ) from None
    return list(dict.fromkeys(out))


def _one_episode(day: str, events_file: Path | None) -> list[Event | pd.Timestamp]:
    """The events-file rows announced on ``day`` (ParameterError when there is none)."""
    target = parse_dates(day)
    rows = [e for e in select_events(None, events_file) if pd.Timestamp(e.announced) in target]
    if not rows:
        raise ParameterError(f"--event {day}: no event of the events file was announced that "
                             "day (see the announced column of backtest/regimes/events.csv); "
                             "use one of those dates, or --dates for any date.")
    return list(rows)


def _choose_events(dates: str | None, set_name: str | None,
                   events_file: Path | None, event: str | None = None
                   ) -> list[Event | pd.Timestamp]:
    """The events of exactly one of --dates, --set/--events, --event."""
    if event is not None:
        if dates is not None or set_name is not None:
            raise ParameterError("--event cannot be combined with --dates or --set; pick one.")
        return _one_episode(event, events_file)
    if dates is not None and (set_name is not None or events_file is not None):
        raise ParameterError("--dates cannot be combined with --set or --events; pick one.")
    if dates is not None:
        return list(parse_dates(dates))
    if set_name is not None or events_file is not None:
        return list(select_events(set_name, events_file))
    raise ParameterError(
        f"Say which events: --set NAME ({', '.join(EVENT_SETS)}), --events FILE or "
        "--dates YYYY-MM-DD,..."
    )


def events_cmd(
    series: SeriesOpt,
    events_file: EventsFileOpt = None,
    set_name: SetOpt = None,
    dates: DatesOpt = None,
    event: EventOpt = None,
    window: WindowOpt = "1",
    anchor: AnchorOpt = "announce",
    timing: TimingOpt = "intraday",
    benchmark: BenchmarkOpt = None,
    abnormal: AbnormalOpt = "ols",
    skip_missing: SkipOpt = False,
    show: ShowOpt = "both",
    fmt: FormatOpt = "table",
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    offline: OfflineOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Measure moves around Fed balance-sheet events: bp for yields, returns for prices.

    For each event the move runs from the close before the event session to the
    close WINDOW sessions later; then per series the total, mean, std and
    t-statistic (mean / (std / sqrt(n))). Levels (WALCL, WRESBAL, RRPONTSYD,
    NETLIQ, ...) are measured as changes in their own units. An event on a
    non-trading day maps to the next session. Give events with --set, --events
    (all of a file, or a set from it), --event (one episode) or --dates.
    """
    refs = _split(series)
    if not refs:
        raise ParameterError("--series is empty; e.g. --series DGS10,SPY.")
    windows = parse_windows(window)
    chosen = _choose_events(dates, set_name, events_file, event)
    store = make_store(data_dir, cache_dir, offline=offline, catalog=catalog)
    results = [event_study(
        refs, chosen, window=w, store=store, anchor=anchor, timing=timing,
        benchmark=benchmark, abnormal=abnormal, on_missing="skip" if skip_missing else "raise",
    ) for w in windows]
    sys.stdout.write(windows_text(results, show, fmt))
