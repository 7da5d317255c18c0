"""Cash and quality: the playbook's long-horizon QT rule.

Playbook claim tested (a year or more): under QT hold more cash, and tilt
equities to quality, strong cash flow and low leverage. Rule: outside QT
hold SPY. Under QT hold ``qt_cash`` in the cash ETF; of the rest, a share
``quality_share`` goes to quality and low volatility (split ``usmv_share``
to USMV, the remainder to QUAL) and the rest stays in SPY.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.strategy import Param, StrategyContext, StrategySpec
from backtest.strategy.building import by_regime


def _assets(p: Mapping[str, Any]) -> tuple[str, ...]:
    return ("SPY", "QUAL", "USMV", str(p["cash_asset"]))


def qt_book(p: Mapping[str, Any]) -> dict[str, float]:
    """Weights under QT (they add up to one)."""
    cash = float(p["qt_cash"])
    invested = 1.0 - cash
    quality = invested * float(p["quality_share"])
    usmv = quality * float(p["usmv_share"])
    return {"SPY": invested - quality, "QUAL": quality - usmv, "USMV": usmv,
            str(p["cash_asset"]): cash}


def _weights(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    risk_on = {"SPY": 1.0}
    table = {"QT": qt_book(p), "QE": risk_on, "taper": risk_on, "end_of_qt": risk_on,
             "neutral": risk_on}
    return by_regime(ctx.regimes, table, _assets(p))


SPEC = StrategySpec(
    name="cash_quality",
    description="SPY; under QT more cash and equities tilted to quality and low volatility "
                "(QUAL, USMV).",
    claim="quality_low_vol_qt",
    params=(
        Param("qt_cash", 0.3, "float", 0.0, 1.0, help="share in the cash ETF under QT",
              grid=(0.0, 0.2, 0.3, 0.5)),
        Param("quality_share", 1.0, "float", 0.0, 1.0,
              help="share of the equities in QUAL and USMV under QT", grid=(0.5, 1.0)),
        Param("usmv_share", 0.5, "float", 0.0, 1.0, help="USMV's part of the quality sleeve",
              grid=(0.0, 0.5, 1.0)),
        Param("cash_asset", "SHY", "str", choices=("SHY", "BIL"), help="cash-like ETF"),
    ),
    assets=_assets,
    weights=_weights,
    rebalance="monthly",
)
