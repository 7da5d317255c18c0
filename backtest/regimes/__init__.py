"""Regime classification: labels, the events file, the calendar and data classifiers."""

from __future__ import annotations

from backtest.regimes.api import CLASSIFIERS, make_classifier, regime_labels
from backtest.regimes.calendar import CalendarClassifier
from backtest.regimes.data import BalanceSheetClassifier
from backtest.regimes.episodes import episode_runs, episodes_table
from backtest.regimes.events import EVENT_SETS, Event, event_set, load_events
from backtest.regimes.labels import LABEL_DESCRIPTIONS, LABELS
from backtest.regimes.rules import RulesClassifier
from backtest.regimes.validate import ValidationReport, validate_against_calendar

__all__ = [
    "CLASSIFIERS",
    "EVENT_SETS",
    "LABELS",
    "LABEL_DESCRIPTIONS",
    "BalanceSheetClassifier",
    "CalendarClassifier",
    "Event",
    "RulesClassifier",
    "ValidationReport",
    "episode_runs",
    "episodes_table",
    "event_set",
    "load_events",
    "make_classifier",
    "regime_labels",
    "validate_against_calendar",
]
