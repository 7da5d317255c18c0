"""``qtbt events``: event studies around Fed balance-sheet announcements."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from backtest._typing import AbnormalModel, EventAnchor, EventShow, EventTiming
from backtest.cli.common import CacheDirOpt, DataDirOpt, FormatOpt, OfflineOpt, make_store
from backtest.eventstudy import event_study, parse_dates, select_events
from backtest.exceptions import ParameterError
from backtest.regimes.events import EVENT_SETS, Event

__all__ = ["events_cmd"]


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
WindowOpt = Annotated[int, typer.Option(
    "--window", "-n", help="Sessions from the close before the event session to the last "
    "close (1: the event session's own move).")]
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


def _choose_events(dates: str | None, set_name: str | None,
                   events_file: Path | None) -> list[Event | pd.Timestamp]:
    """The events of exactly one of --dates, --set/--events."""
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
    window: WindowOpt = 1,
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
) -> None:
    """Measure moves around Fed balance-sheet events: bp for yields, returns for prices.

    For each event the move runs from the close before the event session to the
    close WINDOW sessions later; then per series the total, mean, std and
    t-statistic (mean / (std / sqrt(n))). An event on a non-trading day maps to
    the next session. Give events with --set, --events (all of a file, or a set
    from it) or --dates.
    """
    refs = _split(series)
    if not refs:
        raise ParameterError("--series is empty; e.g. --series DGS10,SPY.")
    chosen = _choose_events(dates, set_name, events_file)
    store = make_store(data_dir, cache_dir, offline=offline)
    result = event_study(
        refs, chosen, window=window, store=store, anchor=anchor, timing=timing,
        benchmark=benchmark, abnormal=abnormal, on_missing="skip" if skip_missing else "raise",
    )
    sys.stdout.write(result.to_text(show, fmt))
