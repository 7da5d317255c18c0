"""Event studies of market moves around Fed balance-sheet announcements.

``event_study(["DGS10", "SPY"], select_events("qe"), window=1)`` measures, for
each event, the move from the close before the event session to the close
``window`` sessions later (yields and spreads in basis points, prices as
returns, optionally abnormal against a benchmark) and summarises it per
series (total, mean, t-statistic). See :mod:`backtest.eventstudy.study` for
the conventions.
"""

from __future__ import annotations

from backtest.eventstudy.study import (
    MOVE_COLUMNS,
    SUMMARY_COLUMNS,
    EventSkippedWarning,
    EventStudyResult,
    event_session,
    event_study,
    measure_of,
    parse_dates,
    select_events,
)

__all__ = [
    "MOVE_COLUMNS",
    "SUMMARY_COLUMNS",
    "EventSkippedWarning",
    "EventStudyResult",
    "event_session",
    "event_study",
    "measure_of",
    "parse_dates",
    "select_events",
]
