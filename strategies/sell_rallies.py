"""Sell rallies: under QT, trim equities after a sharp rally, restore after a pullback.

Playbook claim tested (medium horizon, 3-6 months): during QT rallies fade,
so sell them. Rule: hold ``base_weight`` of SPY. Under QT, when SPY stands
``rally_pct`` percent or more above its lowest close of the last
``rally_days`` sessions, trim SPY to ``trim_weight`` (the rest in the cash
ETF); restore ``base_weight`` after a pullback (SPY ``pullback_pct`` percent
or more below its highest close of the last ``rally_days`` sessions) or when
QT ends. Defaults follow the claim: a 5% rally within 21 sessions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.strategy import Param, StrategyContext, StrategySpec
from backtest.strategy.building import in_regime, latch


def _assets(p: Mapping[str, Any]) -> tuple[str, ...]:
    return ("SPY", str(p["cash_asset"]))


def trimmed(spy: pd.Series, qt: pd.Series, p: Mapping[str, Any]) -> pd.Series:
    """1.0 while the overlay is trimmed, 0.0 otherwise, NaN before a full window."""
    n = int(p["rally_days"])
    low = spy.rolling(n, min_periods=n).min()
    high = spy.rolling(n, min_periods=n).max()
    rally = (spy / low - 1.0) * 100.0 >= float(p["rally_pct"])
    pullback = (1.0 - spy / high) * 100.0 >= float(p["pullback_pct"])
    known = low.notna()
    return latch((qt & rally).where(known), (qt & ~pullback).where(known))


def _weights(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    trim = trimmed(ctx.prices["SPY"], in_regime(ctx, "QT"), p)
    base, cut = float(p["base_weight"]), float(p["trim_weight"])
    spy = base + (cut - base) * trim
    return pd.DataFrame({"SPY": spy, str(p["cash_asset"]): 1.0 - spy}, index=ctx.index)


SPEC = StrategySpec(
    name="sell_rallies",
    description="SPY, trimmed under QT after a 5% rally within 21 sessions until a pullback.",
    claim="sell_rallies_qt",
    params=(
        Param("rally_pct", 5.0, "float", 0.5, 30.0, help="rally above the recent low, percent",
              grid=(3.0, 5.0, 8.0)),
        Param("rally_days", 21, "int", 2, 126, help="window of the rally and pullback, sessions",
              grid=(10, 21, 42)),
        Param("pullback_pct", 3.0, "float", 0.5, 30.0,
              help="fall from the recent high that restores, percent", grid=(2.0, 3.0, 5.0)),
        Param("base_weight", 1.0, "float", 0.0, 1.0, help="SPY weight normally"),
        Param("trim_weight", 0.5, "float", 0.0, 1.0, help="SPY weight after a QT rally",
              grid=(0.0, 0.25, 0.5, 0.75)),
        Param("cash_asset", "SHY", "str", choices=("SHY", "BIL"), help="where trims go"),
    ),
    assets=_assets,
    weights=_weights,
    rebalance="daily",
)
