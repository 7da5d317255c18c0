"""A signal on a macro series: hold stocks while net liquidity grows.

Net liquidity (``NETLIQ``, USD millions) is the Fed's balance sheet minus the
Treasury General Account minus reverse repo. ``ctx.panel`` holds each
declared series as it was known at each session's close (release lags
applied), so the signal never looks ahead.

Run it (and try another lookback):

    qtbt run examples/netliq_signal.py --data-dir ../shared/data
    qtbt run examples/netliq_signal.py --param lookback=21 --data-dir ../shared/data
"""

from __future__ import annotations

import pandas as pd

from backtest.strategy import Param, StrategySpec


def weights(ctx, params):
    """SPY while NETLIQ is above its level ``lookback`` sessions ago, else IEF."""
    netliq = ctx.panel["NETLIQ"]
    before = netliq.shift(params["lookback"])
    spy = (netliq > before).astype(float).where(before.notna())  # NaN row: no decision yet
    return pd.DataFrame({"SPY": spy, "IEF": 1.0 - spy}, index=ctx.index)


SPEC = StrategySpec(
    name="netliq_signal",
    description="SPY while net liquidity grows over the lookback, IEF otherwise.",
    claim="netliq_spx_together",
    params=(Param("lookback", 63, "int", 5, 260, help="sessions; trend of NETLIQ",
                  grid=(21, 63, 126)),),
    assets=("SPY", "IEF"),
    series=("NETLIQ",),
    weights=weights,
    rebalance="weekly",
)
