"""Benchmarks: buy-and-hold SPY and a monthly 60/40 SPY/IEF.

Both run through the same engine as every strategy, so costs and execution
are identical.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from backtest.data.catalog import get_spec
from backtest.exceptions import ParameterError
from backtest.strategy import Param, StrategyContext, StrategySpec
from backtest.strategy.building import constant


def _asset(p: Mapping[str, Any]) -> str:
    """The catalog id of the held ticker (``spy`` -> ``SPY``); prices only."""
    spec = get_spec(str(p["asset"]))
    if spec.source != "yahoo":
        raise ParameterError(f"buy_and_hold: asset {spec.id} is not a price series; choose a "
                             "ticker from `qtbt data list` (source yahoo).")
    return spec.id


def _buy_and_hold(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    asset = _asset(p)
    w = pd.DataFrame({asset: np.nan}, index=ctx.index)
    w.loc[ctx.first_session] = 1.0  # one decision, at the first close; held ever after
    return w


def _sixty_forty(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    eq = float(p["equity_weight"])
    return constant(ctx.index, {"SPY": eq, "IEF": 1.0 - eq})


BUY_AND_HOLD = StrategySpec(
    name="buy_and_hold",
    description="Buy SPY on the first session and hold it (benchmark).",
    claim="benchmark",
    params=(Param("asset", "SPY", "str", help="ticker held", grid=("SPY",)),),
    assets=lambda p: (_asset(p),),
    weights=_buy_and_hold,
    rebalance="daily",
)

SIXTY_FORTY = StrategySpec(
    name="sixty_forty",
    description="60% SPY / 40% IEF, rebalanced on the first session of each month (benchmark).",
    claim="benchmark",
    params=(Param("equity_weight", 0.6, "float", 0.0, 1.0, help="SPY share; IEF the rest",
                  grid=(0.4, 0.5, 0.6, 0.7)),),
    assets=("SPY", "IEF"),
    weights=_sixty_forty,
    rebalance="monthly",
)
