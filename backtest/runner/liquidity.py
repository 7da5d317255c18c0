"""The liquidity block of a run's ``metrics.json``: net liquidity's parts over each QT episode.

Reads WALCL, WTREGEN and RRPONTSYD through the run's store at their
observation dates (what happened, as the scorecard measures it; nothing
here feeds a decision) on the run's sessions, and splits the change in net
liquidity over each QT episode inside the run's range with
:func:`backtest.metrics.liquidity.decompose`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.data.panel import observed_panel
from backtest.data.store import DataStore
from backtest.exceptions import QtbtError
from backtest.metrics import to_jsonable
from backtest.metrics.liquidity import LIQUIDITY_SERIES, decompose

__all__ = ["run_liquidity"]


def run_liquidity(labels: pd.Series, store: DataStore) -> tuple[dict[str, Any], Mapping[
        str, Mapping[str, str]]]:
    """JSON-ready decomposition of net liquidity per QT episode, and the provenance read.

    Returns ``{"regime": "QT", "episodes": [...]}`` (rows of
    :data:`~backtest.metrics.liquidity.DECOMPOSITION_COLUMNS`, dates as
    ``YYYY-MM-DD``, USD billions); ``{"unavailable": <why>}`` when the series
    cannot be read, so the run is still written and says why.
    """
    view = store.view()
    idx = pd.DatetimeIndex(labels.index)
    try:
        panel = observed_panel(LIQUIDITY_SERIES, idx[0], idx[-1], view)
    except QtbtError as exc:
        return {"unavailable": str(exc)}, view.provenance()
    rows = decompose(panel.reindex(idx), labels, "QT")
    for col in ("start", "end"):
        rows[col] = pd.DatetimeIndex(rows[col]).strftime("%Y-%m-%d")
    return to_jsonable({"regime": "QT", "episodes": rows.to_dict("records")}), view.provenance()
