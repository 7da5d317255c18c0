"""Every registered strategy: sweep returns equal `qtbt run`'s (vectorbt) to 1e-9."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from backtest.data.store import DataStore
from backtest.runner import RunConfig, run
from backtest.strategy import load_registry
from backtest.sweep import run_sweep

START, END = "2018-01-02", "2021-12-31"
# costs > 0 everywhere; cash yield, borrow, slippage and open execution spread across strategies
SETTINGS: dict[str, tuple[dict[str, Any], str]] = {
    "value_tilt": ({"costs_bps": 5.0}, "DGS3MO"),
    "duration": ({"costs_bps": 3.0}, "none"),
    "curve": ({"costs_bps": 4.0, "borrow_bps": 60.0}, "DGS3MO"),
    "dollar": ({"costs_bps": 2.0, "borrow_bps": 30.0}, "BIL"),
    "net_liquidity": ({"costs_bps": 10.0}, "DGS3MO"),
    "funding_stress": ({"costs_bps": 8.0, "slippage_bps": 2.0}, "none"),
    "playbook": ({"costs_bps": 3.0}, "DGS3MO"),
    "buy_and_hold": ({"costs_bps": 2.0}, "DGS3MO"),
    "sixty_forty": ({"costs_bps": 2.0, "execution": "open", "slippage_bps": 1.0}, "DGS3MO"),
    "yield_peak": ({"costs_bps": 3.0}, "DGS3MO"),
    "early_qt_dollar": ({"costs_bps": 2.0}, "BIL"),
    "divergence": ({"costs_bps": 5.0, "slippage_bps": 1.0}, "DGS3MO"),
    "sell_rallies": ({"costs_bps": 4.0, "execution": "open"}, "none"),
    "cash_quality": ({"costs_bps": 3.0}, "DGS3MO"),
}


def _grid(name: str) -> dict[str, tuple[Any, ...]]:
    """The default value plus up to two other values of the first swept parameter."""
    spec = load_registry()[name]
    for p in spec.params:
        if p.grid:
            others = [v for v in p.grid if v != p.default][:2]
            return {p.name: (p.default, *others)}
    return {}


def test_every_registered_strategy_is_covered() -> None:
    assert set(SETTINGS) == set(load_registry())


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_sweep_returns_equal_run(name: str, snapshot_store: DataStore) -> None:
    engine, cash = SETTINGS[name]
    cfg = RunConfig(strategy=name, start=START, end=END, engine=engine, cash_yield=cash,
                    benchmarks=())
    res = run_sweep(cfg, _grid(name) or None, snapshot_store, keep_returns=True, n_splits=4)
    assert res.measures.returns is not None
    for k, params in enumerate(res.params):
        out = run(RunConfig(strategy=name, params=params, start=START, end=END, engine=engine,
                            cash_yield=cash, benchmarks=()), snapshot_store)
        ref = out.result.returns
        assert res.sessions.equals(ref.index)
        np.testing.assert_allclose(res.measures.returns[k], ref.to_numpy(), rtol=0, atol=1e-9)
        row = res.table.iloc[k]
        overall = out.metrics["overall"]
        for key in ("total_return", "cagr", "ann_vol", "sharpe", "sortino", "max_drawdown",
                    "turnover"):
            assert row[key] == pytest.approx(overall[key], rel=1e-9, abs=1e-12), key
        for label, m in out.metrics["by_regime"].items():
            for key in ("sharpe", "ann_return"):
                want = np.nan if m[key] is None else m[key]  # JSON metrics hold None for NaN
                assert row[f"{key}_{label}"] == pytest.approx(want, rel=1e-9, abs=1e-12,
                                                              nan_ok=True), (label, key)
