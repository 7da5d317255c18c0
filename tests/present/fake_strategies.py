"""Two tiny strategies for the synthetic ``now`` tests (loaded via QTBT_STRATEGY_MODULES)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from backtest.strategy import StrategyContext, StrategySpec


def _spy(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    idx = ctx.index
    return pd.DataFrame({"SPY": np.where(idx < pd.Timestamp("2024-04-01"), 1.0, 0.5)}, index=idx)


def _tlt(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
    return pd.DataFrame({"TLT": 0.25}, index=ctx.index)


REGISTRY = {
    "hold_spy": StrategySpec("hold_spy", "SPY, halved from 2024-04-01", "playbook_beats_60_40",
                             (), ("SPY",), _spy),
    "hold_tlt": StrategySpec("hold_tlt", "a quarter in TLT", "duration_suffers_qt", (),
                             ("TLT",), _tlt),
    "bench": StrategySpec("bench", "a benchmark: never shown by default", "benchmark", (),
                          ("SPY",), _spy),
}
