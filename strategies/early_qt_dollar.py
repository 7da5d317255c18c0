"""Early-QT dollar: long USD in the first months of a QT episode only.

Playbook claim tested: QT lifts the dollar early in the cycle (long USD
early in QT); later in QT and after it ends the dollar no longer gains.
Rule: hold ``weight`` of UUP while the regime is QT and fewer than
``months`` months (``months`` x 52/12 weeks, read from the context's time
in regime) have passed since that QT episode began; flat (cash) later in
QT, at the end of QT and in every other regime. Default: the first 6 months.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.strategy import Param, StrategyContext, StrategySpec
from backtest.strategy.building import early_in_regime

WEEKS_PER_MONTH = 52.0 / 12.0


def _weights(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    early = early_in_regime(ctx, "QT", int(p["months"]) * WEEKS_PER_MONTH)
    return pd.DataFrame({"UUP": early.astype(float) * float(p["weight"])}, index=ctx.index)


SPEC = StrategySpec(
    name="early_qt_dollar",
    description="UUP long in the first 6 months of each QT episode; flat later and otherwise.",
    claim="dollar_early_qt",
    params=(
        Param("months", 6, "int", 1, 36, help="months from the start of QT holding UUP",
              grid=(3, 6, 9, 12)),
        Param("weight", 1.0, "float", 0.0, 1.0, help="UUP weight early in QT",
              grid=(0.5, 1.0)),
    ),
    assets=("UUP",),
    weights=_weights,
    rebalance="weekly",
)
