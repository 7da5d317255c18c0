"""Net liquidity timing: equity exposure follows the trend of net liquidity.

Playbook claim tested: net liquidity (Fed assets - TGA - reverse repo) and
the S&P 500 move together, so a rising trend is risk-on. Rule: when NETLIQ
(point-in-time, USD millions) is above its value ``lookback`` sessions ago by
more than ``threshold_pct`` percent, hold SPY; otherwise hold the cash ETF.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.strategy import Param, StrategyContext, StrategySpec
from backtest.strategy.building import switch


def _assets(p: Mapping[str, Any]) -> tuple[str, ...]:
    return ("SPY", str(p["cash_asset"]))


def _weights(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    netliq = ctx.panel["NETLIQ"]
    change = netliq / netliq.shift(int(p["lookback"])) - 1.0
    rising = (change > float(p["threshold_pct"]) / 100.0).where(change.notna())
    cash = str(p["cash_asset"])
    return switch(rising, {"SPY": 1.0}, {cash: 1.0}, _assets(p))


SPEC = StrategySpec(
    name="net_liquidity",
    description="SPY when net liquidity is rising over the lookback, else a cash ETF.",
    claim="netliq_spx_together",
    params=(
        Param("lookback", 63, "int", 5, 260, help="sessions over which the trend is measured",
              grid=(21, 42, 63, 126)),
        Param("threshold_pct", 0.0, "float", -10.0, 10.0,
              help="minimum NETLIQ change, percent", grid=(-1.0, 0.0, 1.0)),
        Param("cash_asset", "SHY", "str", choices=("SHY", "BIL"), help="risk-off holding"),
    ),
    assets=_assets,
    series=("NETLIQ",),
    weights=_weights,
    rebalance="weekly",
)
