"""Performance metrics: pure functions of daily returns, overall and per regime.

Daily simple returns, 252 sessions a year; degenerate inputs give NaN,
never an exception; :func:`to_jsonable` turns NaN into None and rounds floats
to 12 significant digits for byte-stable JSON. Metric field names are
defined once in :mod:`backtest.metrics.fields`.
"""

from __future__ import annotations

from backtest.metrics.fields import OVERALL_KEYS, REGIME_KEYS
from backtest.metrics.performance import (
    TRADING_DAYS,
    ann_return,
    ann_vol,
    cagr,
    drawdown,
    hit_rate,
    max_drawdown,
    performance_summary,
    round_sig,
    sharpe,
    sortino,
    to_jsonable,
    total_return,
    turnover,
)
from backtest.metrics.regime import align_labels, by_regime, episodes

__all__ = [
    "OVERALL_KEYS",
    "REGIME_KEYS",
    "TRADING_DAYS",
    "align_labels",
    "ann_return",
    "ann_vol",
    "by_regime",
    "cagr",
    "drawdown",
    "episodes",
    "hit_rate",
    "max_drawdown",
    "performance_summary",
    "round_sig",
    "sharpe",
    "sortino",
    "to_jsonable",
    "total_return",
    "turnover",
]
