"""Out-of-sample validation: parameters chosen without the episode they label.

Two protocols, both over the calendar's episodes (contiguous runs of one
calendar label) from ``start`` (2008-11) on:

``loeo`` (leave one episode out)
    For each episode, the grid point with the best weekly agreement on every
    *other* week labels that episode.
``walk_forward``
    For each episode, the grid point with the best agreement on the weeks
    *before* it labels it; with less than ``min_history_weeks`` of history
    the classifier's defaults are used (and the choice says so).

Each grid point is fitted once on the whole history: the classifiers are
causal (labels before t do not depend on data after t), so a fit on all the
data gives, for every week, the label a fit on the data known that week
would give. The stitched labels are then scored like any other labels.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from backtest.exceptions import ParameterError, QtbtError
from backtest.regimes.episodes import episode_runs

__all__ = ["GRIDS", "OutOfSample", "grid_points", "out_of_sample"]

# small grids around each classifier's defaults (every point is a valid setting)
GRIDS: dict[str, dict[str, list[Any]]] = {
    "data": {
        "window_weeks": [6, 8, 10],
        "qe_enter": [30.0, 40.0, 50.0],
        "confirm_weeks": [2, 3],
        "slow_ratio": [0.5, 0.6, 0.7],
    },
    "rules": {
        "qe_enter": [15.0, 20.0, 30.0],
        "flat": [10.0, 15.0, 20.0],
        "confirm_weeks": [1, 2, 3],
        "qt_enter": [-3.0, -4.0, -6.0],
        "slow_ratio": [0.6, 0.75],
    },
}


def grid_points(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, in a fixed order."""
    names = list(grid)
    return [dict(zip(names, values, strict=True))
            for values in itertools.product(*(grid[n] for n in names))]


@dataclass(frozen=True)
class OutOfSample:
    """Stitched out-of-sample labels and the parameters chosen for each episode.

    Attributes
    ----------
    protocol : str
        ``loeo`` or ``walk_forward``.
    labels : Series
        Daily labels; each calendar episode labelled with its own choice.
    choices : DataFrame
        One row per episode: ``start``, ``end``, ``label`` (calendar),
        ``train_weeks``, ``train_agreement`` and ``params`` (dict; the
        classifier's defaults when ``train_weeks`` is 0).
    grid_size : int
        Grid points that could be fitted.
    """

    protocol: str
    labels: pd.Series
    choices: pd.DataFrame
    grid_size: int


def _fit_grid(fit: Callable[[dict[str, Any]], pd.Series], points: list[dict[str, Any]]
              ) -> tuple[list[dict[str, Any]], list[pd.Series]]:
    kept, labels = [], []
    for p in points:
        try:
            labels.append(fit(p))
        except QtbtError:  # an invalid combination (e.g. flat above qe_enter) is skipped
            continue
        kept.append(p)
    if not kept:
        raise ParameterError("No grid point could be fitted; check the grid's values.")
    return kept, labels


def out_of_sample(
    fit: Callable[[dict[str, Any]], pd.Series],
    grid: dict[str, list[Any]],
    calendar_labels: pd.Series,
    protocol: str = "loeo",
    start: str | pd.Timestamp = "2008-11-01",
    min_history_weeks: int = 52,
) -> OutOfSample:
    """Label each calendar episode with parameters chosen without it.

    Parameters
    ----------
    fit : callable
        ``fit(params) -> daily labels`` on the sessions of ``calendar_labels``
        (parameters not in ``params`` keep their defaults; ``{}`` = defaults).
    grid : dict
        Parameter name -> values to try.
    calendar_labels : Series
        Daily calendar labels (the reference), effective anchor.
    protocol : {"loeo", "walk_forward"}
        See the module docstring.
    start : date-like
        First date scored (weeks before it never train or test).
    min_history_weeks : int
        Walk-forward only: fewer weeks of history than this use the defaults.
    """
    if protocol not in ("loeo", "walk_forward"):
        raise ParameterError(f"protocol must be 'loeo' or 'walk_forward', got {protocol!r}.")
    points, fitted = _fit_grid(fit, grid_points(grid))
    lo = pd.Timestamp(start)
    scored = calendar_labels.loc[lo:]
    # the last session of each Friday-ending week, as validate_against_calendar compares
    last = pd.Series(scored.index, index=scored.index).resample("W-FRI").last().dropna()
    cal_w = pd.Series(scored.loc[pd.DatetimeIndex(last)].to_numpy(),
                      index=pd.DatetimeIndex(last.index))
    at = pd.DatetimeIndex(last)
    hits = np.array([lab.reindex(at).to_numpy() == cal_w.to_numpy() for lab in fitted],
                    dtype=float)
    runs = episode_runs(calendar_labels.loc[lo:])
    out = fit({}).copy()
    rows = []
    for label, t0, t1 in zip(runs["label"], runs["start"], runs["end"], strict=True):
        inside = (cal_w.index >= t0) & (cal_w.index <= t1 + pd.Timedelta(days=6))
        train = ~inside if protocol == "loeo" else cal_w.index < t0
        if protocol == "walk_forward" and train.sum() < min_history_weeks:
            params: dict[str, Any] = {}
            best_score, source = float("nan"), fit({})
        else:
            scores = hits[:, train].mean(axis=1)
            best = int(np.argmax(scores))  # first best in grid order
            params, best_score, source = points[best], float(scores[best]), fitted[best]
        sel = (out.index >= t0) & (out.index <= t1)
        out.loc[sel] = source.loc[sel]
        rows.append([pd.Timestamp(t0), pd.Timestamp(t1), str(label),
                     int(train.sum()) if params else 0, best_score, params])
    choices = pd.DataFrame(rows, columns=["start", "end", "label", "train_weeks",
                                          "train_agreement", "params"])
    return OutOfSample(protocol, out.rename("regime"), choices, len(points))
