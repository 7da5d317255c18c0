"""A series of your own: shorten duration while the Fed's Treasury runoff is large.

``RUNOFF_CAP`` is not one of qtbt's series: ``examples/qtbt.toml`` declares it
from ``examples/data/ust_runoff_cap.csv`` (the monthly cap on the Fed's
Treasury runoff, USD billions per month), with its release rule. A strategy
reads it like any other series: declare it in ``series=`` and read
``ctx.panel["RUNOFF_CAP"]``, already lagged to when each value was known.

Run it with the catalog (or from inside examples/, where qtbt.toml is found):

    qtbt run examples/runoff_duration.py --catalog examples/qtbt.toml --data-dir ../shared/data
    qtbt run examples/runoff_duration.py --catalog examples/qtbt.toml --param threshold=40
"""

from __future__ import annotations

import pandas as pd

from backtest.strategy import Param, StrategySpec


def weights(ctx, params):
    """60% SPY; the other 40% in TLT, or in SHY while the runoff cap is at least the threshold."""
    cap = ctx.panel["RUNOFF_CAP"]
    short = (cap >= params["threshold"]).astype(float).where(cap.notna())
    return pd.DataFrame({"SPY": 0.6 + 0.0 * short, "TLT": 0.4 * (1.0 - short),
                         "SHY": 0.4 * short}, index=ctx.index)


SPEC = StrategySpec(
    name="runoff_duration",
    description="60/40 SPY/TLT; the bonds move to SHY while the Treasury runoff cap is large.",
    claim="duration_suffers_qt",
    params=(Param("threshold", 20.0, "float", 1.0, 100.0,
                  help="USD bn per month of Treasury runoff at which bonds go short",
                  grid=(10.0, 20.0, 40.0)),),
    assets=("SPY", "TLT", "SHY"),
    series=("RUNOFF_CAP",),
    weights=weights,
    rebalance="monthly",
)
