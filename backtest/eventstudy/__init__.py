"""Event studies of market moves around Fed balance-sheet announcements.

``event_study(["DGS10", "SPY"], select_events("qe"), window=1)`` measures, for
each event, the move from the close before the event session to the close
``window`` sessions later (yields and spreads in basis points, prices as
returns, optionally abnormal against a benchmark) and summarises it per
series (total, mean, t-statistic). See :mod:`backtest.eventstudy.study` for
the conventions.

Modules: :mod:`~backtest.eventstudy.dates` (event dates and sessions),
:mod:`~backtest.eventstudy.series` (how a series is measured, its values per
session), :mod:`~backtest.eventstudy.measure` (one series around one event,
the summary), :mod:`~backtest.eventstudy.result` (:class:`EventStudyResult`)
and :mod:`~backtest.eventstudy.study` (:func:`event_study`). The figure is
drawn by the report layer (:mod:`backtest.report.event_chart`).
"""

from __future__ import annotations

from backtest.eventstudy.dates import event_session, parse_dates, select_events
from backtest.eventstudy.measure import MOVE_COLUMNS, SUMMARY_COLUMNS, EventSkippedWarning
from backtest.eventstudy.result import EventStudyResult, windows_text
from backtest.eventstudy.series import measure_of
from backtest.eventstudy.study import event_study

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
    "windows_text",
]
