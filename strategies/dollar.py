"""Dollar: long USD under QT, flat or short at end-of-QT.

Playbook claim tested: QT tightens dollar liquidity and lifts the dollar;
after QT ends the dollar weakens. Rule: hold UUP (long USD index) at
``qt_weight`` under QT; at end-of-QT hold ``end_of_qt_position`` (flat or
short UUP); cash otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.strategy import Param, StrategyContext, StrategySpec
from backtest.strategy.building import by_regime


def _weights(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    w = float(p["qt_weight"])
    eoq = {"flat": 0.0, "short": -w}[str(p["end_of_qt_position"])]
    table = {"QT": {"UUP": w}, "end_of_qt": {"UUP": eoq}}
    return by_regime(ctx.regimes, table, ("UUP",))


SPEC = StrategySpec(
    name="dollar",
    description="UUP long under QT; flat (or short) at end-of-QT; cash otherwise.",
    claim="dollar_rises_qt",
    params=(
        Param("qt_weight", 1.0, "float", 0.0, 1.0, help="UUP weight under QT",
              grid=(0.5, 1.0)),
        Param("end_of_qt_position", "flat", "str", choices=("flat", "short"),
              help="UUP position at end-of-QT", grid=("flat", "short")),
    ),
    assets=("UUP",),
    weights=_weights,
    rebalance="regime_change",
)
