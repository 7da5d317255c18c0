"""The strategy contract and registry."""

from __future__ import annotations

from backtest.strategy.context import StrategyContext
from backtest.strategy.params import Param, validate_params
from backtest.strategy.registry import get_strategy, load_registry
from backtest.strategy.spec import StrategySpec, WeightsFn

__all__ = [
    "Param",
    "StrategyContext",
    "StrategySpec",
    "WeightsFn",
    "get_strategy",
    "load_registry",
    "validate_params",
]
