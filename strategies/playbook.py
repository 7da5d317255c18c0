"""The QT playbook: a configurable regime-to-allocation table.

Playbook claims combined: under QT hold value equities, short duration, the
dollar and some gold; at the end of QT rotate into duration, gold and
emerging markets as the dollar weakens; under QE own growth and long
duration. The table is a parameter (set it in a TOML config file under
``[params.table.<REGIME>]``): the regimes given replace their default rows,
the others keep them (an empty table holds cash in that regime); weights per
regime must have gross <= 1, the rest is cash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.strategy import Param, StrategyContext, StrategySpec
from backtest.strategy.building import by_regime, check_table

DEFAULT_TABLE: dict[str, dict[str, float]] = {
    "QE": {"IWF": 0.4, "TLT": 0.4, "GLD": 0.2},
    "taper": {"SPY": 0.5, "IEF": 0.3, "SHY": 0.2},
    "QT": {"IWD": 0.4, "SHY": 0.3, "UUP": 0.2, "GLD": 0.1},
    "end_of_qt": {"SPY": 0.3, "IEF": 0.3, "GLD": 0.2, "EEM": 0.2},
    "neutral": {"SPY": 0.6, "IEF": 0.4},
}


def _assets(p: Mapping[str, Any]) -> tuple[str, ...]:
    table: Mapping[str, Mapping[str, float]] = p["table"]
    return tuple(sorted({t for w in table.values() for t in w}))


def _weights(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    table: Mapping[str, Mapping[str, float]] = p["table"]
    check_table(table, "playbook")
    return by_regime(ctx.regimes, table, _assets(p))


SPEC = StrategySpec(
    name="playbook",
    description="Regime-to-allocation table across equities, duration, dollar, gold and EM.",
    claim="playbook_beats_60_40",
    params=(Param("table", DEFAULT_TABLE, "table",
                  help="regime -> {ticker: weight}; rest is cash"),),
    assets=_assets,
    weights=_weights,
    rebalance="monthly",
)
