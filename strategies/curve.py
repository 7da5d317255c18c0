"""Curve: duration-neutral steepener or flattener by regime.

Playbook claim tested: the curve steepens into and after the end of QT
(short-end yields fall first). A steepener is long the short leg (SHY) and
short the long leg (TLT or IEF) in a ratio that makes it duration-neutral:
``w_long = -w_short * D_short / D_long``, so it earns the slope change, not
the level. A flattener is the mirror image. Shorts pay the engine's
``borrow_bps``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.regimes.labels import LABELS
from backtest.strategy import Param, StrategyContext, StrategySpec
from backtest.strategy.building import by_regime

POSITIONS = ("steepener", "flattener", "flat")
DEFAULTS = {"QE": "flat", "taper": "flat", "QT": "flattener", "end_of_qt": "steepener",
            "neutral": "flat"}
DURATION = {"SHY": 1.9, "IEF": 7.5, "TLT": 17.0}  # approximate modified durations, years


def _assets(p: Mapping[str, Any]) -> tuple[str, ...]:
    return ("SHY", str(p["long_leg"]))


def _weights(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    long_leg = str(p["long_leg"])
    size = float(p["size"])
    ratio = DURATION["SHY"] / DURATION[long_leg]
    legs = {
        "steepener": {"SHY": size, long_leg: -size * ratio},
        "flattener": {"SHY": -size, long_leg: size * ratio},
        "flat": {},
    }
    table = {label: legs[str(p[f"{label.lower()}_position"])] for label in LABELS}
    return by_regime(ctx.regimes, table, _assets(p))


SPEC = StrategySpec(
    name="curve",
    description="Duration-neutral SHY vs TLT/IEF: steepener at end-of-QT, flattener under QT.",
    claim="curve_steepens_end_of_qt",
    params=(
        Param("long_leg", "TLT", "str", choices=("TLT", "IEF"), help="long-duration leg"),
        Param("size", 0.8, "float", 0.0, 0.9, help="weight of the SHY leg",
              grid=(0.4, 0.6, 0.8)),
        *(Param(f"{label.lower()}_position", pos, "str", choices=POSITIONS,
                help=f"curve position in {label}") for label, pos in DEFAULTS.items()),
    ),
    assets=_assets,
    weights=_weights,
    rebalance="regime_change",
)
