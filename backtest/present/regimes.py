"""The regime at ``as_of`` by each classifier, and whether they agree.

Labels come from :func:`backtest.regimes.regime_labels_with_phases` on the
sessions from :data:`HISTORY_START` to ``as_of``: each label is what the
classifier knew at that session's close (the data classifiers read
release-lagged H.4.1 levels), so the regime ``now`` reports is the one a
strategy would have read.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.data.calendar import sessions_between
from backtest.data.store import DataStore
from backtest.exceptions import ParameterError
from backtest.regimes.api import check_classifier_name, regime_labels_with_phases

__all__ = ["CLASSIFIER_INPUTS", "DEFAULT_CLASSIFIERS", "HISTORY_START", "check_classifiers",
           "regimes_at"]

DEFAULT_CLASSIFIERS: tuple[str, ...] = ("calendar", "data", "rules")
HISTORY_START = "2003-01-02"  # labels count regimes from here (before the 2008 QE)
#: classifier -> the series it reads (shown among the inputs with their staleness)
CLASSIFIER_INPUTS: dict[str, tuple[str, ...]] = {
    "calendar": (), "data": ("WSHOSHO",), "rules": ("TREAST", "WSHOMCB", "WALCL"),
    "markov": ("WSHOSHO",), "hybrid": ("TREAST", "WSHOMCB", "WALCL"), "file": (),
}


def check_classifiers(classifiers: Sequence[str] | None,
                      regimes: str | Path | None = None) -> tuple[str, ...]:
    """Classifier names, defaults when None, ``file`` added for a regimes file.

    Raises
    ------
    ParameterError
        An unknown name (with the closest), or ``file`` without a regimes file.
    """
    if isinstance(classifiers, str):
        classifiers = [classifiers]
    names = list(DEFAULT_CLASSIFIERS) if classifiers is None else \
        [check_classifier_name(c, "classifier") for c in classifiers]
    if "file" in names and regimes is None:
        raise ParameterError("classifier 'file' reads your regimes file: pass regimes="
                             "'my_regimes.csv' (--regimes FILE) instead of naming it.")
    if regimes is not None and "file" not in names:
        names.append("file")
    return tuple(dict.fromkeys(names))


def regimes_at(store: DataStore, as_of: pd.Timestamp, classifiers: Sequence[str],
               regimes: str | Path | None = None
               ) -> tuple[dict[str, dict[str, Any]], pd.DataFrame]:
    """Each classifier's regime at ``as_of`` and the daily labels (columns = classifiers).

    ``regimes`` is the file the ``file`` classifier reads.

    Returns
    -------
    (dict, DataFrame)
        classifier -> ``label``, ``since`` (first session of the regime),
        ``weeks`` (calendar weeks since, one decimal), ``phase``; and the
        labels from :data:`HISTORY_START` to ``as_of``.
    """
    sessions = sessions_between(HISTORY_START, as_of)
    out: dict[str, dict[str, Any]] = {}
    labels: dict[str, pd.Series] = {}
    for name in classifiers:
        options: dict[str, Any] = {"path": str(regimes)} if name == "file" else {}
        phases = regime_labels_with_phases(sessions, store, name, **options)
        last = phases.iloc[-1]
        since = pd.Timestamp(last["since"])
        out[name] = {"label": str(last["label"]), "since": f"{since:%Y-%m-%d}",
                     "weeks": round(float(last["weeks"]), 1), "phase": str(last["phase"])}
        labels[name] = phases["label"]
    return out, pd.DataFrame(labels, index=sessions)


def disagreement(regimes: dict[str, dict[str, Any]]) -> bool:
    """True when the classifiers do not all give the same label."""
    return len({r["label"] for r in regimes.values()}) > 1
