"""The factor block of a run's ``metrics.json``: Fama-French attribution of its returns.

Reads the five-factor daily file (``FF5_DAILY``, percent) through the run's
store and hands it, as decimals, to
:func:`backtest.metrics.factors.factor_attribution`. Factor returns are
used as returns on their own dates, never carried forward: sessions after
the file's last date are simply not regressed (``end`` says where it stops).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.data.store import DataStore
from backtest.exceptions import QtbtError
from backtest.metrics import to_jsonable
from backtest.metrics.factors import factor_attribution

__all__ = ["FACTOR_SERIES", "run_factors"]

#: the factor file a run is attributed to
FACTOR_SERIES = "FF5_DAILY"


def run_factors(returns: pd.Series, labels: pd.Series, store: DataStore,
                regimes: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], Mapping[
                    str, Mapping[str, str]]]:
    """JSON-ready factor attribution of ``returns`` and the provenance of the factors read.

    When the factors cannot be read (not in the snapshot, offline) or too few
    sessions overlap, the block is ``{"unavailable": <why>}``: the run is
    still written and says why it has no attribution.
    """
    view = store.view()
    try:
        factors = view.load(FACTOR_SERIES).data.astype(float) / 100.0
        block = factor_attribution(returns, factors, labels, model=FACTOR_SERIES,
                                   regimes=list(regimes) if regimes is not None else None)
    except QtbtError as exc:
        return {"unavailable": str(exc)}, view.provenance()
    return to_jsonable(block), view.provenance()
