"""Playbook strategy modules: one small file each, listed in ``REGISTRY``.

``backtest`` loads this module by name (``$QTBT_STRATEGY_MODULES``, default
``strategies``); add a strategy by writing a module with a ``StrategySpec``
and listing it here.
"""

from __future__ import annotations

from backtest.strategy import StrategySpec
from strategies import (
    benchmarks,
    curve,
    dollar,
    duration,
    funding_stress,
    net_liquidity,
    playbook,
    value_tilt,
)

REGISTRY: dict[str, StrategySpec] = {
    s.name: s
    for s in (
        value_tilt.SPEC,
        duration.SPEC,
        curve.SPEC,
        dollar.SPEC,
        net_liquidity.SPEC,
        funding_stress.SPEC,
        playbook.SPEC,
        benchmarks.BUY_AND_HOLD,
        benchmarks.SIXTY_FORTY,
    )
}

__all__ = ["REGISTRY"]
