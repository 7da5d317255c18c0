"""Divergence: under QT, ride an S&P 500 rally that defies falling net liquidity.

Playbook claim tested: an S&P 500 that bottoms on volume while QT
continues anticipates a slowdown of runoff, so the rally can be ridden.
Rule: under QT hold the cash ETF, but switch to SPY when (1) SPY has risen
``rise_pct`` percent from its ``low_weeks``-week low, (2) SPY volume is
rising (its ``volume_days``-session average above its ``low_weeks``-week
average) and (3) net liquidity (NETLIQ, USD millions, point-in-time) is
below its value ``liquidity_weeks`` weeks ago. Stay in SPY while QT lasts
and SPY holds at least ``fail_pct`` percent above that low; when the
divergence fails (the rally gives it back) return to cash. Outside QT hold
SPY. Defaults follow the claim: 10% off the 26-week low, 13-week fall.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.strategy import Param, StrategyContext, StrategySpec
from backtest.strategy.building import in_regime, latch, switch

SESSIONS_PER_WEEK = 5


def _assets(p: Mapping[str, Any]) -> tuple[str, ...]:
    return ("SPY", str(p["cash_asset"]))


def divergence_signal(spy: pd.Series, volume: pd.Series, netliq: pd.Series, qt: pd.Series,
                      p: Mapping[str, Any]) -> pd.Series:
    """1.0 while the rally-against-liquidity holds under QT, 0.0 otherwise, NaN if unknown."""
    window = int(p["low_weeks"]) * SESSIONS_PER_WEEK
    low = spy.rolling(window, min_periods=window).min()
    rise = (spy / low - 1.0) * 100.0
    vol_up = volume.rolling(int(p["volume_days"])).mean() > volume.rolling(window).mean()
    lag = int(p["liquidity_weeks"]) * SESSIONS_PER_WEEK
    falling = netliq < netliq.shift(lag)
    known = rise.notna() & netliq.shift(lag).notna()
    enter = (qt & (rise >= float(p["rise_pct"])) & vol_up & falling).where(known)
    stay = (qt & (rise >= float(p["fail_pct"]))).where(known)
    return latch(enter, stay)


def _weights(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    qt = in_regime(ctx, "QT")
    on = divergence_signal(ctx.prices["SPY"], ctx.panel["SPY.Volume"], ctx.panel["NETLIQ"],
                           qt, p)
    risk_on = on.where(qt, 1.0)  # outside QT: SPY, whatever the signal
    return switch(risk_on, {"SPY": 1.0}, {str(p["cash_asset"]): 1.0}, _assets(p))


SPEC = StrategySpec(
    name="divergence",
    description="Under QT cash, SPY while it rises 10% off its 26-week low on volume "
                "against falling net liquidity.",
    claim="spx_liquidity_divergence_qt",
    params=(
        Param("rise_pct", 10.0, "float", 1.0, 50.0, help="rise from the low that enters, percent",
              grid=(5.0, 10.0, 15.0)),
        Param("fail_pct", 5.0, "float", 0.0, 50.0,
              help="rise from the low below which the divergence has failed, percent",
              grid=(0.0, 5.0)),
        Param("low_weeks", 26, "int", 2, 104, help="window of the low and of average volume, "
              "weeks", grid=(13, 26, 52)),
        Param("volume_days", 21, "int", 2, 126, help="recent volume average, sessions"),
        Param("liquidity_weeks", 13, "int", 1, 52, help="net-liquidity change window, weeks",
              grid=(4, 13, 26)),
        Param("cash_asset", "SHY", "str", choices=("SHY", "BIL"), help="risk-off holding"),
    ),
    assets=_assets,
    series=("NETLIQ", "SPY.Volume"),
    weights=_weights,
    rebalance="daily",
)
