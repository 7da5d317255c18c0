"""Value tilt: value over growth, and more cash, under QT.

Playbook claim tested: QT drains reserves and lifts term premia, which
compresses the valuations of long-duration (growth) equities; value should
beat growth under QT, and holding more cash should cut drawdowns. Under QE
(and, optionally, after QT ends) the tilt reverses toward growth.

Rule: a 50/50 value/growth book, tilted by ``qt_tilt`` toward value under QT
(and end-of-QT by ``end_of_qt_tilt``, negative = toward growth), by
``qe_tilt`` under QE; under QT a share ``qt_cash`` sits in the cash ETF.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.strategy import Param, StrategyContext, StrategySpec
from backtest.strategy.building import by_regime

PAIRS = {"IWD/IWF": ("IWD", "IWF"), "VTV/VUG": ("VTV", "VUG")}


def _assets(p: Mapping[str, Any]) -> tuple[str, ...]:
    value, growth = PAIRS[str(p["pair"])]
    return (value, growth, str(p["cash_asset"]))


def _book(tilt: float, cash: float) -> tuple[float, float, float]:
    invested = 1.0 - cash
    return invested * (0.5 + tilt / 2), invested * (0.5 - tilt / 2), cash


def _weights(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    value, growth, cash_asset = _assets(p)
    tilts = {
        "QT": (float(p["qt_tilt"]), float(p["qt_cash"])),
        "end_of_qt": (float(p["end_of_qt_tilt"]), 0.0),
        "QE": (float(p["qe_tilt"]), 0.0),
        "taper": (0.0, 0.0),
        "neutral": (0.0, 0.0),
    }
    table = {}
    for label, (tilt, cash) in tilts.items():
        v, g, c = _book(tilt, cash)
        table[label] = {value: v, growth: g, cash_asset: c}
    return by_regime(ctx.regimes, table, _assets(p))


SPEC = StrategySpec(
    name="value_tilt",
    description="Value over growth and more cash under QT (IWD/IWF or VTV/VUG, SHY or BIL).",
    claim="value_beats_growth_qt",
    params=(
        Param("pair", "IWD/IWF", "str", choices=tuple(PAIRS), help="value/growth ETF pair"),
        Param("cash_asset", "SHY", "str", choices=("SHY", "BIL"), help="cash-like ETF"),
        Param("qt_tilt", 0.6, "float", -1.0, 1.0, help="tilt toward value under QT",
              grid=(0.2, 0.4, 0.6, 0.8, 1.0)),
        Param("qt_cash", 0.2, "float", 0.0, 1.0, help="share in cash ETF under QT",
              grid=(0.0, 0.1, 0.2, 0.3)),
        Param("end_of_qt_tilt", 0.0, "float", -1.0, 1.0, help="tilt after runoff slows"),
        Param("qe_tilt", -0.4, "float", -1.0, 1.0, help="tilt under QE (negative = growth)",
              grid=(-0.6, -0.4, -0.2, 0.0)),
    ),
    assets=_assets,
    weights=_weights,
    rebalance="monthly",
)
