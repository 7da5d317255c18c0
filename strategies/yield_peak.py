"""Yield peak: under QT, add duration once the 10-year yield stops making new highs.

Playbook claim tested (medium horizon): as QT proceeds, enter when yields
stop making new highs. Rule: a *new high* is a session whose 10-year yield
(DGS10, percent, known at that day's close) is at least its maximum over the
last ``high_weeks`` weeks (5 sessions a week). Under QT, once ``quiet_weeks``
weeks have passed without a new high, hold ``add_weight`` of the duration
asset (TLT by default); on the next new high cut it to ``qt_weight``.
Outside QT hold ``other_weight`` (neutral duration). The rest sits in the
cash ETF. Defaults follow the claim: no new 26-week high for 8 weeks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from backtest.strategy import Param, StrategyContext, StrategySpec
from backtest.strategy.building import in_regime, sessions_since

SESSIONS_PER_WEEK = 5


def _assets(p: Mapping[str, Any]) -> tuple[str, ...]:
    return (str(p["asset"]), str(p["cash_asset"]))


def yield_quiet(yld: pd.Series, high_weeks: int, quiet_weeks: int) -> pd.Series:
    """True once ``yld`` has made no new ``high_weeks``-week high for ``quiet_weeks`` weeks.

    NaN until a full ``high_weeks`` window of yields is known.
    """
    window = high_weeks * SESSIONS_PER_WEEK
    high = yld.rolling(window, min_periods=window).max()
    new_high = (yld >= high).where(high.notna())
    since = sessions_since(new_high)
    return (since >= quiet_weeks * SESSIONS_PER_WEEK).where(since.notna())


def _weights(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    asset, cash = _assets(p)
    quiet = yield_quiet(ctx.panel["DGS10"], int(p["high_weeks"]), int(p["quiet_weeks"]))
    qt = in_regime(ctx, "QT")
    add, hold, other = float(p["add_weight"]), float(p["qt_weight"]), float(p["other_weight"])
    q = quiet.to_numpy(dtype=float)
    w = np.where(qt, np.where(q == 1.0, add, np.where(q == 0.0, hold, np.nan)), other)
    out = pd.DataFrame({asset: w}, index=ctx.index)
    out[cash] = 1.0 - out[asset]
    return out


SPEC = StrategySpec(
    name="yield_peak",
    description="Under QT, TLT once the 10-year yield has made no new 26-week high for 8 weeks.",
    claim="duration_after_yield_peak_qt",
    params=(
        Param("high_weeks", 26, "int", 2, 104, help="look-back of a new yield high, weeks",
              grid=(13, 26, 52)),
        Param("quiet_weeks", 8, "int", 1, 52, help="weeks without a new high before adding",
              grid=(4, 8, 13)),
        Param("asset", "TLT", "str", choices=("TLT", "IEF", "SPY"),
              help="what is added once yields peak"),
        Param("add_weight", 1.0, "float", 0.0, 1.0, help="asset weight under QT after the peak",
              grid=(0.5, 1.0)),
        Param("qt_weight", 0.0, "float", 0.0, 1.0,
              help="asset weight under QT while yields make new highs"),
        Param("other_weight", 0.5, "float", 0.0, 1.0, help="asset weight outside QT"),
        Param("cash_asset", "SHY", "str", choices=("SHY", "BIL"), help="the rest"),
    ),
    assets=_assets,
    series=("DGS10",),
    weights=_weights,
    rebalance="weekly",
)
