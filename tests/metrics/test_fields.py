"""Metric field names are defined once and every output uses them, in their order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from backtest.data.calendar import sessions_between
from backtest.metrics import fields
from backtest.runner import RunConfig, run
from backtest.sweep import measures, sweep
from tests.conftest import MakeSnapshot


def test_sweep_names_come_from_fields() -> None:
    assert measures.METRICS is fields.KERNEL_METRICS
    assert sweep.OVERALL_COLUMNS is fields.SWEEP_COLUMNS
    assert fields.SWEEP_COLUMNS == (*fields.KERNEL_METRICS, "turnover")
    assert set(fields.SUMMARY_ROWS) <= set(fields.OVERALL_KEYS)
    assert set(fields.SWEEP_COLUMNS) <= set(fields.OVERALL_KEYS)
    assert fields.sweep_regime_column("sharpe", "QT") == "sharpe_QT"


def test_run_metrics_use_every_field_in_order(make_snapshot: MakeSnapshot) -> None:
    days = pd.bdate_range("2019-01-02", "2020-12-31")
    rng = np.random.default_rng(3)
    px = pd.Series(100 * np.cumprod(1 + rng.normal(0, 0.01, len(days))), index=days)
    root = make_snapshot({"SPY": px})
    out = run(RunConfig("buy_and_hold", cash_yield="none", engine={"costs_bps": 0.0},
                        benchmarks=()), root)
    assert tuple(out.metrics["overall"]) == fields.OVERALL_KEYS  # none missing, none extra
    for regime in out.metrics["by_regime"].values():
        assert tuple(regime) == fields.REGIME_KEYS
    summary = out.summary()
    assert tuple(summary.index) == fields.OVERALL_KEYS and list(summary.columns) == ["strategy"]
    held = px.reindex(sessions_between(days[0], days[-1]))
    growth = held.iloc[-1] / held.iloc[1]  # decided at the first close, bought at the second
    assert abs(summary.loc["total_return", "strategy"] - (growth - 1)) < 1e-9
