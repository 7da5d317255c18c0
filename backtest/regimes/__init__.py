"""Regime classification: labels, the events file, the calendar, data and file classifiers."""

from __future__ import annotations

from backtest.regimes.api import (
    CLASSIFIERS,
    make_classifier,
    regime_labels,
    regime_labels_with_phases,
)
from backtest.regimes.calendar import CalendarClassifier
from backtest.regimes.compare import (
    Disagreement,
    compare_labels,
    episode_counts,
    warn_if_episode_counts_differ,
)
from backtest.regimes.data import BalanceSheetClassifier
from backtest.regimes.episodes import episode_runs, episodes_table
from backtest.regimes.events import EVENT_SETS, Event, event_set, load_events
from backtest.regimes.hybrid import HybridClassifier
from backtest.regimes.labels import LABEL_DESCRIPTIONS, LABELS
from backtest.regimes.markov import MarkovClassifier
from backtest.regimes.phases import end_of_qt_stage, expost_halves, regime_phases
from backtest.regimes.rules import RulesClassifier
from backtest.regimes.userfile import FileClassifier, read_regime_file
from backtest.regimes.validate import ValidationReport, validate_against_calendar

__all__ = [
    "CLASSIFIERS",
    "EVENT_SETS",
    "LABELS",
    "LABEL_DESCRIPTIONS",
    "BalanceSheetClassifier",
    "CalendarClassifier",
    "Disagreement",
    "Event",
    "FileClassifier",
    "HybridClassifier",
    "MarkovClassifier",
    "RulesClassifier",
    "ValidationReport",
    "compare_labels",
    "end_of_qt_stage",
    "episode_counts",
    "episode_runs",
    "episodes_table",
    "event_set",
    "expost_halves",
    "load_events",
    "make_classifier",
    "read_regime_file",
    "regime_labels",
    "regime_labels_with_phases",
    "regime_phases",
    "validate_against_calendar",
    "warn_if_episode_counts_differ",
]
