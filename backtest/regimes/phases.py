"""Phases within a regime: how long it has run, early or late, slowdown or stopped.

Two kinds of phase, kept apart on purpose:

* **Causal** (:func:`regime_phases`), for strategies: at each session, the
  weeks since the current regime began, ``early`` for its first
  ``early_weeks`` weeks and ``late`` after; for ``end_of_qt``, ``slowdown``
  (runoff pace cut, still running off) or ``stopped`` (runoff over). Every
  value at t uses only labels (and stages) up to t.
* **Ex post** (:func:`expost_halves`), for reports: ``first_half`` /
  ``second_half`` of each whole episode. Where an episode's middle lies is
  only known once it has ended, so a strategy must never read it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from backtest.exceptions import ParameterError
from backtest.regimes.base import check_sessions

__all__ = [
    "EARLY_WEEKS",
    "PHASE_COLUMNS",
    "end_of_qt_stage",
    "expost_halves",
    "regime_phases",
]

EARLY_WEEKS = 13  # a quarter: the first FOMC meeting cycle or two of a regime
PHASE_COLUMNS = ("label", "phase", "since", "weeks")
_STOP_PACE = 5.0  # USD bn/month: runoff slower than this has stopped


def _check_labels(labels: object) -> pd.Series:
    if not isinstance(labels, pd.Series) or not isinstance(labels.index, pd.DatetimeIndex):
        raise ParameterError(
            f"labels must be a pandas Series of regime labels indexed by session, got "
            f"{type(labels).__name__}; pass e.g. regime_labels(sessions, store)."
        )
    return labels


def regime_phases(labels: pd.Series, stage: pd.Series | None = None,
                  early_weeks: int = EARLY_WEEKS) -> pd.DataFrame:
    """Causal phase of each session's regime.

    Parameters
    ----------
    labels : Series
        Daily regime labels indexed by session. A regime that began before
        the first session counts from that session: pass labels from far
        enough back (e.g. 2003) and slice the result.
    stage : Series, optional
        ``slowdown`` or ``stopped`` per session for ``end_of_qt`` sessions
        (see :func:`end_of_qt_stage`); without it ``end_of_qt`` sessions get
        ``early`` / ``late`` like the other labels.
    early_weeks : int
        Weeks a regime counts as ``early`` (1..520).

    Returns
    -------
    DataFrame
        Same index; ``label``; ``phase`` (``early``, ``late``, ``slowdown``,
        ``stopped``); ``since`` (first session of the current regime);
        ``weeks`` (calendar days since ``since`` / 7, float, 0 on the first
        session).
    """
    labels = _check_labels(labels)
    if isinstance(early_weeks, bool) or not isinstance(early_weeks, int | np.integer) \
            or not 1 <= early_weeks <= 520:
        raise ParameterError(
            f"early_weeks = {early_weeks!r} is out of range; allowed: whole weeks from 1 to 520."
        )
    run = labels.ne(labels.shift()).cumsum()
    idx = pd.Series(labels.index, index=labels.index)
    since = idx.groupby(run).transform("first")
    weeks = (idx - since).dt.days / 7.0
    phase = pd.Series(np.where(weeks < early_weeks, "early", "late"), index=labels.index,
                      dtype=object)
    if stage is not None:
        st = stage.reindex(labels.index)
        eoq = (labels == "end_of_qt") & st.isin(["slowdown", "stopped"])
        phase = phase.where(~eoq, st)
    return pd.DataFrame({"label": labels.astype(object), "phase": phase,
                         "since": since, "weeks": weeks}, index=labels.index)


def expost_halves(labels: pd.Series) -> pd.Series:
    """``first_half`` / ``second_half`` of each whole episode (ex post: reports only).

    A session is in the first half when fewer calendar days separate it from
    its episode's first session than from its last.
    """
    labels = _check_labels(labels)
    run = labels.ne(labels.shift()).cumsum()
    idx = pd.Series(labels.index, index=labels.index)
    first = idx.groupby(run).transform("first")
    last = idx.groupby(run).transform("last")
    first_half = (idx - first) < (last - idx)
    return pd.Series(np.where(first_half | (first == last), "first_half", "second_half"),
                     index=labels.index, dtype=object, name="half")


def _calendar_stage(clf: Any, sessions: pd.DatetimeIndex) -> pd.Series:
    starts = clf._starts()
    kinds = {(e.announced if clf.anchor == "announce" else e.effective): e.kind
             for e in clf.events_}
    stage = starts["day"].map(kinds).map({"qt_slowdown": "slowdown", "qt_end": "stopped"})
    s = pd.Series(stage.to_numpy(), index=pd.DatetimeIndex(starts["session"]))
    return s.reindex(sessions, method="ffill")


def end_of_qt_stage(classifier: Any, sessions: pd.DatetimeIndex) -> pd.Series:
    """``slowdown`` / ``stopped`` for each session, from a *fitted* classifier.

    The calendar knows it from its events (``qt_slowdown`` vs ``qt_end``).
    Data classifiers read it from the runoff pace of the latest known week:
    ``stopped`` once Treasuries (rules) or securities (data) fall slower than
    5bn a month, ``slowdown`` before. Values outside ``end_of_qt`` sessions
    are not meaningful; :func:`regime_phases` only reads them there.
    """
    sessions = check_sessions(sessions, "end_of_qt_stage")
    if hasattr(classifier, "events_"):
        return _calendar_stage(classifier, sessions).rename("stage")
    weekly = getattr(classifier, "weekly_", None)
    if weekly is None:
        raise ParameterError("end_of_qt_stage needs a fitted classifier; call fit() first.")
    col = "tsy_fast" if "tsy_fast" in weekly else "pace_bn_month"
    stage = np.where(weekly[col] > -_STOP_PACE, "stopped", "slowdown")
    s = pd.Series(stage, index=weekly.index, dtype=object)
    return s.reindex(sessions, method="ffill").rename("stage")
