"""The strategy contract, the registry and the resolver of strategy references."""

from __future__ import annotations

from backtest.strategy.context import StrategyContext
from backtest.strategy.origin import strategy_origin
from backtest.strategy.params import Param, validate_params
from backtest.strategy.registry import get_strategy, load_registry
from backtest.strategy.resolve import resolve_strategy
from backtest.strategy.spec import StrategySpec, WeightsFn

__all__ = [
    "Param",
    "StrategyContext",
    "StrategySpec",
    "WeightsFn",
    "get_strategy",
    "load_registry",
    "resolve_strategy",
    "strategy_origin",
    "validate_params",
]
