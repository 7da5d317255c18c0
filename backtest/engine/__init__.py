"""The backtest engine: target weights in, net returns, weights and trades out.

A target decided at the close of session *t* trades at the close (or open)
of *t+1*; costs, slippage, borrow fees and cash yield are explicit. Only
:mod:`backtest.engine.vbt` talks to vectorbt; results are plain pandas.
"""

from __future__ import annotations

from backtest.engine.config import EngineConfig, Execution, Rebalance
from backtest.engine.result import BacktestResult
from backtest.engine.schedule import carry_targets, decision_days, drift_decision_days
from backtest.engine.vbt import run_backtest

__all__ = [
    "BacktestResult",
    "EngineConfig",
    "Execution",
    "Rebalance",
    "carry_targets",
    "decision_days",
    "drift_decision_days",
    "run_backtest",
]
