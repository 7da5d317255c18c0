"""Event dates: parse them, pick a named set, map each to the NYSE session that reacts.

See :mod:`backtest.eventstudy.study` for the conventions (event session,
anchor, timing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import pandas as pd

from backtest._typing import DateLike, EventAnchor, EventTiming
from backtest.data.calendar import nyse_sessions
from backtest.exceptions import ConfigError, ParameterError
from backtest.regimes.events import EVENT_SETS, Event, event_set, load_events

__all__ = ["ANCHORS", "TIMINGS", "EventAnchor", "EventTiming", "event_session", "parse_dates",
           "select_events"]


ANCHORS: tuple[str, ...] = get_args(EventAnchor)
TIMINGS: tuple[str, ...] = get_args(EventTiming)


@dataclass(frozen=True)
class _EventRow:
    """One event, normalised: the date studied and what to call it."""

    date: pd.Timestamp
    event: str
    label: str
    kind: str


def parse_dates(text: str | Sequence[str]) -> list[pd.Timestamp]:
    """Parse event dates given as ``YYYY-MM-DD`` (a comma-separated string or a list).

    Raises
    ------
    ParameterError
        When a token is not a valid ``YYYY-MM-DD`` date or no date is given.
    """
    tokens = text.split(",") if isinstance(text, str) else [
        t for item in text for t in str(item).split(",")
    ]
    out: list[pd.Timestamp] = []
    for tok in (t.strip() for t in tokens):
        if not tok:
            continue
        try:
            out.append(pd.Timestamp(pd.to_datetime(tok, format="%Y-%m-%d")))
        except (ValueError, TypeError):
            raise ParameterError(
                f"Event date {tok!r} does not parse; write dates as YYYY-MM-DD, separated by "
                "commas (e.g. --dates 2009-03-18,2020-03-15)."
            ) from None
    if not out:
        raise ParameterError("No event date given; e.g. --dates 2009-03-18,2020-03-15.")
    return out


def select_events(
    set_name: str | None = None, events_file: str | Path | None = None
) -> list[Event]:
    """Events of a named set, from the shipped events file or a user's file.

    Parameters
    ----------
    set_name : str, optional
        One of :data:`backtest.regimes.events.EVENT_SETS` (``qe``, ``taper``,
        ``qt_start``, ``qt_end`` (slowdowns and ends), ``rmp``,
        ``purchases_end``, ``all``). Every event of the file when omitted.
    events_file : path, optional
        A file in the format of the shipped ``backtest/regimes/events.csv``.

    Raises
    ------
    ConfigError
        Unknown set (lists the known ones), or a malformed events file.
    """
    if set_name is not None and set_name not in EVENT_SETS:
        raise ConfigError(
            f"Unknown event set {set_name!r}; known sets: {', '.join(EVENT_SETS)}."
        )
    events = load_events(events_file)
    if set_name is None:
        return events
    chosen = event_set(set_name, events)
    if not chosen:
        where = str(events_file) if events_file is not None else "the shipped events file"
        raise ConfigError(
            f"Event set {set_name!r} (kinds {', '.join(EVENT_SETS[set_name])}) has no event "
            f"in {where}; pick another set or add events."
        )
    return chosen


def _normalise(
    events: Sequence[Event | DateLike], anchor: EventAnchor
) -> list[_EventRow]:
    rows: list[_EventRow] = []
    for e in events:
        if isinstance(e, Event):
            when = e.announced if anchor == "announce" else e.effective
            rows.append(_EventRow(pd.Timestamp(when).normalize(), e.description, e.label, e.kind))
        else:
            try:
                ts = pd.Timestamp(e)
            except (ValueError, TypeError):
                raise ParameterError(
                    f"Event {e!r} is neither an Event nor a date; use YYYY-MM-DD."
                ) from None
            if pd.isna(ts):
                raise ParameterError(f"Event date {e!r} is missing; use YYYY-MM-DD.")
            rows.append(_EventRow(ts.normalize(), "", "", ""))
    return sorted(rows, key=lambda r: r.date)


def event_session(date: DateLike, timing: EventTiming = "intraday") -> pd.Timestamp:
    """NYSE session whose close first reflects an event dated ``date``.

    Parameters
    ----------
    date : date-like
        Calendar date of the event (ET).
    timing : {"intraday", "after_close", "before_open"}
        When the news came out. ``intraday`` (FOMC statements at 14:00 ET) and
        ``before_open``: the session on the date, or the next session if the
        date is not a trading day. ``after_close``: the first session strictly
        after the date.

    Raises
    ------
    ParameterError
        Unknown timing, or a date beyond the trading calendar.
    """
    if timing not in TIMINGS:
        raise ParameterError(f"timing must be one of {', '.join(TIMINGS)}, got {timing!r}.")
    return _session_at(_session_pos(pd.Timestamp(date), timing), pd.Timestamp(date))


def _session_pos(date: pd.Timestamp, timing: EventTiming) -> int:
    sessions = nyse_sessions()
    side: Literal["left", "right"] = "right" if timing == "after_close" else "left"
    return int(sessions.searchsorted(date.normalize(), side=side))


def _session_at(pos: int, date: pd.Timestamp) -> pd.Timestamp:
    sessions = nyse_sessions()
    if pos >= len(sessions):
        raise ParameterError(
            f"Event date {date.date()} is beyond the trading calendar (last session "
            f"{sessions[-1].date()}); drop it."
        )
    return pd.Timestamp(sessions[pos])
