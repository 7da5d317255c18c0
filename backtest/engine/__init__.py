"""The backtest engine: target weights in, net returns, positions and trades out.

A target decided at the close of session *t* trades at the close (or open)
of *t+1*; costs, slippage, borrow fees and cash yield are explicit. Only
:mod:`backtest.engine.vbt` talks to vectorbt; results are plain pandas.

The rules shared with the numba sweep kernel live here, once:
:mod:`backtest.engine.prepare` (input checks, leverage cap, net-long limit,
cash yield, error texts), :mod:`backtest.engine.schedule` (the table of
rebalancing schedules) and :mod:`backtest.engine.drift` (drifting weights,
compiled; imported only when a drift schedule runs).
"""

from __future__ import annotations

from backtest.engine.config import EngineConfig, Execution, Rebalance
from backtest.engine.result import BacktestResult
from backtest.engine.schedule import (
    REBALANCES,
    SCHEDULES,
    Schedule,
    carry_targets,
    decision_days,
    drift_decision_days,
)
from backtest.engine.vbt import run_backtest

__all__ = [
    "REBALANCES",
    "SCHEDULES",
    "BacktestResult",
    "EngineConfig",
    "Execution",
    "Rebalance",
    "Schedule",
    "carry_targets",
    "decision_days",
    "drift_decision_days",
    "run_backtest",
]
