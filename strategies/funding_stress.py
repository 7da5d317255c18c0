"""Funding stress: de-risk (or position for the end of QT) when repo trades above IORB.

Playbook claim tested: funding stress (SOFR or EFFR above interest on
reserves) is the early warning that reserves are scarce and QT is near its
end. Rule: smooth the spread over ``smooth_days``; when it exceeds
``threshold_bp`` basis points, switch from SPY to the stress holding
(``stress_asset``: SHY to de-risk, or IEF to position for falling yields
when QT ends). Sessions before the rate exists count as no stress.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.strategy import Param, StrategyContext, StrategySpec
from backtest.strategy.building import switch


def _assets(p: Mapping[str, Any]) -> tuple[str, ...]:
    return ("SPY", str(p["stress_asset"]))


def _series(p: Mapping[str, Any]) -> tuple[str, ...]:
    return (f"{p['rate']}_IORB",)


def _weights(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    spread_bp = ctx.panel[f"{p['rate']}_IORB"] * 100.0
    smooth = spread_bp.rolling(int(p["smooth_days"]), min_periods=1).mean()
    stressed = (smooth > float(p["threshold_bp"])).where(ctx.prices["SPY"].notna())
    return switch(stressed, {str(p["stress_asset"]): 1.0}, {"SPY": 1.0}, _assets(p))


SPEC = StrategySpec(
    name="funding_stress",
    description="SPY, switching to SHY (or IEF) while SOFR/EFFR trade above IORB/IOER.",
    claim="funding_stress_precedes_end",
    params=(
        Param("rate", "EFFR", "str", choices=("SOFR", "EFFR"),
              help="overnight rate compared with IORB (SOFR exists from 2018-04)"),
        Param("threshold_bp", 0.0, "float", -50.0, 100.0, help="stress above this spread, bp",
              grid=(-5.0, 0.0, 5.0, 10.0)),
        Param("smooth_days", 5, "int", 1, 60, help="moving average of the spread, sessions",
              grid=(1, 5, 20)),
        Param("stress_asset", "SHY", "str", choices=("SHY", "IEF", "BIL"),
              help="holding while stressed"),
    ),
    assets=_assets,
    series=_series,
    weights=_weights,
    rebalance="daily",
)
