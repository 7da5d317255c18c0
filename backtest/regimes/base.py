"""Shared pieces of the data-driven classifiers: inputs, paces, daily labels.

Every data classifier labels *weeks* (one row per H.4.1 release, indexed by
the NYSE session at which the release became known) and turns them into
daily labels by carrying each week's label forward. The helpers here keep
that logic, the input checks and the release-lagged inputs in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from backtest.data.panel import known_observations
from backtest.data.store import DataStore
from backtest.exceptions import ParameterError

__all__ = [
    "WEEKS_PER_MONTH",
    "WeeklyLabelsMixin",
    "check_sessions",
    "input_frame",
    "pace",
    "weekly_inputs",
]

WEEKS_PER_MONTH = 52.0 / 12.0


def check_sessions(sessions: object, who: str) -> pd.DatetimeIndex:
    """``sessions`` as a DatetimeIndex, or a ParameterError that says what to pass.

    Parameters
    ----------
    sessions : DatetimeIndex or sequence of dates
        Sessions to label.
    who : str
        The caller, for the message (``"CalendarClassifier.predict"``).
    """
    if sessions is None or isinstance(sessions, str | bytes | int | float):
        raise ParameterError(
            f"{who} needs the sessions to label as a pandas DatetimeIndex, got "
            f"{sessions!r}; pass e.g. backtest.data.calendar.sessions_between('2008-01-02', "
            f"'2026-06-30')."
        )
    try:
        idx = pd.DatetimeIndex(sessions)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(
            f"{who}: sessions must be dates (a pandas DatetimeIndex), got "
            f"{type(sessions).__name__}; pass e.g. sessions_between(start, end)."
        ) from None
    if not idx.is_monotonic_increasing or idx.has_duplicates:
        raise ParameterError(f"{who}: sessions must be increasing and unique dates.")
    return idx


def input_frame(levels: object, columns: Sequence[str], who: str) -> pd.DataFrame:
    """The ``columns`` of ``levels`` as floats without missing rows, or a teaching error.

    Parameters
    ----------
    levels : DataFrame
        Weekly levels (USD bn) indexed by release session.
    columns : sequence of str
        Series the classifier reads.
    who : str
        The caller, for the message (``"RulesClassifier.fit"``).
    """
    have = getattr(levels, "columns", ())
    missing = [c for c in columns if c not in have]
    if missing or not isinstance(levels, pd.DataFrame):
        raise ParameterError(
            f"{who} needs a DataFrame with columns {list(columns)} (USD bn); missing "
            f"{missing or list(columns)}. Use fit_store(store) to build it."
        )
    return levels[list(columns)].astype("float64").dropna()


def weekly_inputs(store: DataStore, series: Sequence[str]) -> pd.DataFrame:
    """Release-lagged weekly levels of ``series`` on one index, USD billions.

    Each column is ``known_observations(series, store)`` (the H.4.1 levels
    indexed by the session at which each became known) divided by 1000. The
    index is the union of the release sessions; a series without a new
    release that week carries its last known level forward (never backward).
    Rows before every series has a first value are dropped.
    """
    cols = {name: known_observations(name, store) / 1000.0 for name in series}
    frame = pd.concat(cols, axis=1).sort_index().ffill().dropna()
    frame.index = pd.DatetimeIndex(frame.index, name="date")
    return frame


def pace(level: np.ndarray, weeks: int) -> np.ndarray:
    """Trailing ``weeks``-week change of ``level`` in units per month (NaN at the start).

    ``pace[i] = (level[i] - level[i - weeks]) / weeks * 52 / 12``; with levels
    in USD bn the result is USD bn per month.
    """
    out = np.full(len(level), np.nan)
    if len(level) > weeks:
        out[weeks:] = (level[weeks:] - level[:-weeks]) / weeks * WEEKS_PER_MONTH
    return out


class WeeklyLabelsMixin:
    """``predict`` for classifiers whose ``fit`` sets ``weekly_`` with a ``regime`` column."""

    weekly_: pd.DataFrame

    def predict(self, sessions: pd.DatetimeIndex | None = None) -> pd.Series:
        """Daily labels: each session carries the label of the latest known week.

        Sessions before the first classified week are ``neutral``. Without
        ``sessions``, the weekly labels themselves.
        """
        name = type(self).__name__
        if not hasattr(self, "weekly_"):
            raise ParameterError(f"Call {name}.fit() (or fit_store()) before predict().")
        weekly = self.weekly_["regime"]
        if sessions is None:
            return weekly.rename("regime")
        idx = check_sessions(sessions, f"{name}.predict")
        out = weekly.reindex(idx, method="ffill").fillna("neutral")
        out.index = pd.DatetimeIndex(idx, name="date")
        return out.astype(object).rename("regime")
