"""One call to get daily regime labels from either classifier."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd

from backtest.data.store import DataStore
from backtest.exceptions import ParameterError
from backtest.regimes.calendar import CalendarClassifier
from backtest.regimes.data import BalanceSheetClassifier

__all__ = ["ClassifierName", "make_classifier", "regime_labels"]

ClassifierName = Literal["calendar", "data"]


def make_classifier(
    classifier: str = "calendar",
    anchor: str = "effective",
    end_of_qt_days: int | None = None,
    events: str | Path | None = None,
    **params: Any,
) -> CalendarClassifier | BalanceSheetClassifier:
    """Build (unfitted) the named classifier.

    Raises
    ------
    ParameterError
        Unknown classifier name, or parameters the classifier does not take.
    """
    if classifier == "calendar":
        if params:
            raise ParameterError(
                f"The calendar classifier takes anchor, end_of_qt_days and events; got "
                f"{sorted(params)}."
            )
        return CalendarClassifier(anchor=anchor, end_of_qt_days=end_of_qt_days,  # type: ignore[arg-type]
                                  events=events)
    if classifier == "data":
        allowed = set(BalanceSheetClassifier().get_params())
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise ParameterError(
                f"Unknown data-classifier parameter(s) {unknown}; allowed: {sorted(allowed)}."
            )
        return BalanceSheetClassifier(**params)
    raise ParameterError(f"classifier must be 'calendar' or 'data', got {classifier!r}.")


def regime_labels(
    sessions: pd.DatetimeIndex,
    store: DataStore,
    classifier: str = "calendar",
    anchor: str = "effective",
    end_of_qt_days: int | None = None,
    events: str | Path | None = None,
    **params: Any,
) -> pd.Series:
    """Daily regime labels on ``sessions``, known at each session's close."""
    clf = make_classifier(classifier, anchor, end_of_qt_days, events, **params)
    if isinstance(clf, CalendarClassifier):
        return clf.fit().predict(sessions)
    return clf.fit_store(store).predict(sessions)
