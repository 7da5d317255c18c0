"""The validation table: every data classifier against the calendar, in and out of sample."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.data.store import DataStore
from backtest.regimes.api import BUILT_IN, check_classifier_name, make_classifier
from backtest.regimes.calendar import CalendarClassifier
from backtest.regimes.oos import GRIDS, out_of_sample
from backtest.regimes.validate import validation_row

__all__ = ["PROTOCOLS", "validation_table"]

PROTOCOLS: tuple[str, ...] = ("in_sample", "loeo", "walk_forward")


def _fitter(name: str, store: DataStore, sessions: pd.DatetimeIndex, **fixed: Any) -> Any:
    """``fit(params) -> daily labels`` for a data classifier, loading its inputs once."""
    proto = make_classifier(name, **fixed)
    inputs = proto.load_inputs(store)

    def fit(params: dict[str, Any]) -> pd.Series:
        clf = make_classifier(name, **{**fixed, **params})
        return clf.fit(inputs).predict(sessions)

    return fit


def validation_table(
    store: DataStore,
    sessions: pd.DatetimeIndex,
    classifiers: Sequence[str] | None = None,
    events: str | Path | None = None,
    protocols: Sequence[str] = PROTOCOLS,
) -> pd.DataFrame:
    """One row per (classifier, protocol) with :func:`validation_row`'s figures.

    Parameters
    ----------
    store : DataStore
        Where the balance-sheet series come from.
    sessions : DatetimeIndex
        Sessions labelled (should reach back before 2008-11 for the checks).
    classifiers : sequence of str, optional
        Data classifiers to score; all but ``calendar`` by default.
    events : path, optional
        Events file of the reference calendar (effective anchor).
    protocols : sequence of str
        ``in_sample`` (the defaults, chosen on the whole history),
        ``loeo`` and ``walk_forward`` (see :mod:`backtest.regimes.oos`).
        A classifier with no grid (nothing tuned to the calendar: markov,
        hybrid) has one row, protocol ``untuned``, ``tuned`` False: its
        figures are out of sample as they stand.

    Returns
    -------
    DataFrame
        Columns ``classifier``, ``protocol``, ``tuned`` then the figures.
    """
    names = [check_classifier_name(c) for c in (classifiers or
                                                 [c for c in BUILT_IN if c != "calendar"])]
    cal = CalendarClassifier(events=events).fit()
    cal_labels = cal.predict(sessions)
    changes = cal.changes()
    rows = []
    for name in names:
        # the hybrid reads each announcement on its date
        fixed = {"anchor": "announce", "events": events} if name == "hybrid" else {}
        fit = _fitter(name, store, sessions, **fixed)
        base = fit({})
        grid = GRIDS.get(name)
        # nothing tuned to the calendar: in-sample figures are out-of-sample figures
        for protocol in (protocols if grid is not None else ["untuned"]):
            if protocol in ("in_sample", "untuned") or grid is None:
                labels = base
            else:
                labels = out_of_sample(fit, grid, cal_labels, protocol).labels
            row = {"classifier": name, "protocol": protocol, "tuned": grid is not None}
            row.update(validation_row(labels, cal_labels, changes, cal.events_))
            rows.append(row)
    return pd.DataFrame(rows)
