"""A regime table: one allocation per Fed balance-sheet regime.

Run it:

    qtbt run examples/regime_table.py --data-dir ../shared/data

Change an allocation without editing this file, in a TOML file passed with
``--config``: the regimes you give replace their rows, the others keep the
defaults below (an empty ``[params.table.taper]`` holds cash in taper)::

    strategy = "examples/regime_table.py"
    [params.table.QT]
    SHY = 0.6
    GLD = 0.4
"""

from __future__ import annotations

from backtest.strategy import Param, StrategySpec
from backtest.strategy.building import by_regime

# regime -> {ticker: weight}; weights of a regime add up to at most 1, the rest is cash
TABLE = {
    "QE": {"QQQ": 0.6, "TLT": 0.4},
    "taper": {"SPY": 0.6, "IEF": 0.4},
    "QT": {"SHY": 0.5, "GLD": 0.3, "SPY": 0.2},
    "end_of_qt": {"SPY": 0.5, "TLT": 0.3, "GLD": 0.2},
    "neutral": {"SPY": 0.6, "IEF": 0.4},
}


def assets(params):
    """Every ticker the (possibly edited) table holds."""
    return tuple(sorted({t for row in params["table"].values() for t in row}))


def weights(ctx, params):
    """Target weights per session: the row of the session's regime."""
    return by_regime(ctx.regimes, params["table"], assets(params))


SPEC = StrategySpec(
    name="regime_table",
    description="Growth and duration under QE, short duration and gold under QT.",
    claim="playbook_beats_60_40",
    params=(Param("table", TABLE, "table", help="regime -> {ticker: weight}; rest is cash"),),
    assets=assets,
    weights=weights,
    rebalance="regime_change",
)
