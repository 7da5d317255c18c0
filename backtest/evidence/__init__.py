"""Evidence: the forecast ledger scored against outcomes.

:func:`load_ledger` reads a ledger (the shipped forecasts made when the end of
QT2 was announced, or a user's TOML/CSV file), :func:`score_forecasts`
measures each leg point in time and gives verdicts, and :func:`forecasts`
does both and returns a :class:`ForecastReport`.
"""

from __future__ import annotations

from backtest.evidence.ledger import COLUMNS, SHIPPED, Forecast, Leg, load_ledger
from backtest.evidence.score import (
    NYM,
    OUTCOME_COLUMNS,
    PATH_COLUMNS,
    VERDICT_COLUMNS,
    combine_verdicts,
    leg_verdict,
    score_forecasts,
)

__all__ = [
    "COLUMNS",
    "NYM",
    "OUTCOME_COLUMNS",
    "PATH_COLUMNS",
    "SHIPPED",
    "VERDICT_COLUMNS",
    "Forecast",
    "Leg",
    "combine_verdicts",
    "leg_verdict",
    "load_ledger",
    "score_forecasts",
]
