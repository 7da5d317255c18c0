"""One call to get daily regime labels from any classifier, by name."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from backtest._typing import ClassifierName
from backtest.data.store import DataStore
from backtest.exceptions import ParameterError
from backtest.regimes.calendar import CalendarClassifier
from backtest.regimes.data import BalanceSheetClassifier
from backtest.regimes.hybrid import HybridClassifier
from backtest.regimes.markov import MarkovClassifier
from backtest.regimes.phases import EARLY_WEEKS, end_of_qt_stage, regime_phases
from backtest.regimes.rules import RulesClassifier
from backtest.regimes.userfile import FileClassifier

__all__ = ["BUILT_IN", "CLASSIFIERS", "ClassifierName", "DataClassifier", "make_classifier",
           "regime_labels", "regime_labels_with_phases"]


# name -> one line on what it reads (shown by `qtbt regimes --help` and in errors)
CLASSIFIERS: dict[str, str] = {
    "calendar": "Fed announcements (events file), exact by construction",
    "data": "v1 rules on the pace of securities held (WSHOSHO)",
    "rules": "v2 rules on Treasuries, MBS and total assets (TREAST, WSHOMCB, WALCL), two "
             "pace windows; recognises sterilised sales and reserve-management purchases",
    "markov": "three-state Markov-switching model of the securities pace (statsmodels), "
              "filtered probabilities, refitted yearly on an expanding window",
    "hybrid": "calendar labels from each announcement (use --anchor announce), every change "
              "checked against the rules classifier; unconfirmed changes are flagged",
    "file": "your own labels from a date,label CSV file (--regimes FILE; parameter path)",
}
#: classifiers computed from data or events (every one but ``file``, which needs a path)
BUILT_IN: tuple[str, ...] = tuple(c for c in CLASSIFIERS if c != "file")


class DataClassifier(Protocol):
    """What a balance-sheet classifier offers: the estimator contract plus ``fit_store``."""

    def get_params(self) -> dict[str, float]: ...  # noqa: D102

    def fit_store(self, store: DataStore) -> Any: ...  # noqa: D102

    def predict(self, sessions: pd.DatetimeIndex | None = None) -> pd.Series: ...  # noqa: D102


_DATA_CLASSES: dict[str, type] = {"data": BalanceSheetClassifier, "rules": RulesClassifier,
                                  "markov": MarkovClassifier}


def check_classifier_name(classifier: object, option: str = "classifier") -> str:
    """``classifier`` if it is a known name, else a ParameterError naming the closest one."""
    if isinstance(classifier, str) and classifier in CLASSIFIERS:
        return classifier
    close = difflib.get_close_matches(str(classifier), list(CLASSIFIERS), n=1, cutoff=0.4)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ParameterError(
        f"{option} = {classifier!r} is not a classifier; choose one of "
        f"{', '.join(CLASSIFIERS)}.{hint}"
    )


def make_classifier(
    classifier: str = "calendar",
    anchor: str = "effective",
    end_of_qt_days: int | None = None,
    events: str | Path | None = None,
    **params: Any,
) -> Any:
    """Build (unfitted) the named classifier.

    Parameters
    ----------
    classifier : str
        One of :data:`CLASSIFIERS`.
    anchor, end_of_qt_days, events
        Calendar options (see :class:`CalendarClassifier`).
    **params
        Parameters of a data classifier (see its docstring).

    Raises
    ------
    ParameterError
        Unknown classifier name (with the closest valid one), or parameters
        the classifier does not take.
    """
    name = check_classifier_name(classifier)
    if name == "file":
        return _file_classifier(params)
    if name == "calendar":
        if params:
            raise ParameterError(
                f"The calendar classifier takes anchor, end_of_qt_days and events; got "
                f"{sorted(params)}."
            )
        return CalendarClassifier(anchor=anchor, end_of_qt_days=end_of_qt_days,  # type: ignore[arg-type]
                                  events=events)
    if name == "hybrid":
        unknown = sorted(set(params) - {"confirm_weeks"})
        if unknown:
            raise ParameterError(
                f"Unknown hybrid-classifier parameter(s) {unknown}; allowed: ['confirm_weeks']."
            )
        return HybridClassifier(anchor=anchor, events=events, **params)
    cls = _DATA_CLASSES[name]
    allowed = set(cls().get_params())
    unknown = sorted(set(params) - allowed)
    if unknown:
        label = "data-classifier" if name == "data" else f"{name}-classifier"
        raise ParameterError(
            f"Unknown {label} parameter(s) {unknown}; allowed: {sorted(allowed)}."
        )
    return cls(**params)


def _file_classifier(params: dict[str, Any]) -> FileClassifier:
    """The ``file`` classifier of ``params`` (exactly one: ``path``)."""
    if set(params) != {"path"} or not isinstance(params["path"], str | Path) \
            or not str(params["path"]).strip():
        raise ParameterError(
            f"The file classifier takes one parameter, path (a date,label CSV file); got "
            f"{params!r}. Pass --regimes FILE, or classifier_params={{'path': 'my_regimes.csv'}}.")
    return FileClassifier(params["path"])


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
    return _fitted(classifier, store, anchor, end_of_qt_days, events, **params).predict(sessions)


def _fitted(classifier: str, store: DataStore, anchor: str = "effective",
            end_of_qt_days: int | None = None, events: str | Path | None = None,
            **params: Any) -> Any:
    clf = make_classifier(classifier, anchor, end_of_qt_days, events, **params)
    if isinstance(clf, CalendarClassifier):
        return clf.fit()
    return clf.fit_store(store)


def regime_labels_with_phases(sessions: pd.DatetimeIndex, store: DataStore,
                              classifier: str = "calendar", early_weeks: int = EARLY_WEEKS,
                              **options: Any) -> pd.DataFrame:
    """Labels and their causal phases in one frame (for ``StrategyContext.phases``).

    ``options`` are :func:`regime_labels`'s (``anchor``, ``end_of_qt_days``,
    ``events`` and classifier parameters; ``path`` for ``file``). Returns
    :func:`~backtest.regimes.phases.regime_phases` of the labels with the
    classifier's ``end_of_qt`` stages: columns ``label`` (exactly what
    :func:`regime_labels` returns), ``phase``, ``since``, ``weeks``. Phases
    count from ``sessions[0]``: pass sessions that start early enough (the
    run's warm-up) for ``since`` to be a regime's real start.
    """
    clf = _fitted(classifier, store, **options)
    labels = clf.predict(sessions)
    # a user's file has no runoff stages: its end_of_qt sessions are early / late
    stage = None if isinstance(clf, FileClassifier) else end_of_qt_stage(clf, labels.index)
    return regime_phases(labels, stage=stage, early_weeks=early_weeks)
