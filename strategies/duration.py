"""Duration by regime: short under QT, long under QE.

Playbook claim tested: QT lifts term premia so long duration suffers; QE
compresses them so long duration wins; end-of-QT brings short-end relief.
Rule: hold one Treasury ETF per regime (TLT ~17y, IEF ~7.5y, SHY ~1.9y
duration), chosen by parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.strategy import Param, StrategyContext, StrategySpec
from backtest.strategy.building import by_regime

BONDS = ("TLT", "IEF", "SHY")
DEFAULTS = {"QE": "TLT", "taper": "IEF", "QT": "SHY", "end_of_qt": "IEF", "neutral": "IEF"}


def _weights(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    table = {label: {str(p[f"{label.lower()}_asset"]): 1.0} for label in DEFAULTS}
    return by_regime(ctx.regimes, table, BONDS)


SPEC = StrategySpec(
    name="duration",
    description="One Treasury ETF per regime: TLT under QE, SHY under QT, IEF otherwise.",
    claim="duration_suffers_qt",
    params=tuple(
        Param(f"{label.lower()}_asset", asset, "str", choices=BONDS,
              help=f"bond ETF held in {label}", grid=BONDS if label == "QT" else ())
        for label, asset in DEFAULTS.items()
    ),
    assets=BONDS,
    weights=_weights,
    rebalance="regime_change",
)
