"""Prices and regimes together: under QT hold stocks only above their moving average.

Outside QT the strategy holds SPY; under QT it holds SPY only while SPY
closes above its ``window``-session moving average, and SHY otherwise. Rows
before ``ctx.first_session`` are warm-up history, so the moving average is
ready on the first session of the backtest.

Run it:

    qtbt run examples/trend_under_qt.py --data-dir ../shared/data --costs-bps 5
"""

from __future__ import annotations

import pandas as pd

from backtest.strategy import Param, StrategySpec


def weights(ctx, params):
    """SPY, except under QT when SPY is below its moving average: then SHY."""
    spy = ctx.prices["SPY"]
    above = spy > spy.rolling(params["window"]).mean()
    defensive = ((ctx.regimes == "QT") & ~above).astype(float)
    return pd.DataFrame({"SPY": 1.0 - defensive, "SHY": defensive}, index=ctx.index)


WINDOW = Param("window", 200, "int", 10, 400, help="moving average, sessions",
               grid=(50, 100, 200))

SPEC = StrategySpec(name="trend_under_qt",
                    description="SPY; under QT only above its moving average, else SHY.",
                    claim="duration_suffers_qt", params=(WINDOW,), assets=("SPY", "SHY"),
                    weights=weights, rebalance="daily")
