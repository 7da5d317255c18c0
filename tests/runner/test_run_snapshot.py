"""qtbt run on the real snapshot: benchmarks by hand, reproducibility, provenance."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest.data.panel import build_panel
from backtest.data.store import DataStore
from backtest.runner import RunConfig, run, write_run


def test_buy_and_hold_equals_adjusted_close_ratio(snapshot_store: DataStore) -> None:
    cfg = RunConfig("buy_and_hold", start="2010-01-04", end="2020-12-31", cash_yield="none",
                    engine={"costs_bps": 0.0}, benchmarks=())
    out = run(cfg, snapshot_store)
    spy = build_panel(["SPY"], start="2010-01-04", end="2020-12-31", store=snapshot_store)["SPY"]
    # decided at the close of 2010-01-04, bought at the close of 2010-01-05
    expected = spy.iloc[-1] / spy.iloc[1]
    assert (1 + out.result.returns).prod() == pytest.approx(expected, rel=1e-9)


def test_sixty_forty_matches_independent_pandas(snapshot_store: DataStore) -> None:
    cfg = RunConfig("sixty_forty", start="2012-01-03", end="2019-12-31", cash_yield="none",
                    engine={"costs_bps": 0.0}, benchmarks=())
    got = run(cfg, snapshot_store).result.returns
    px = build_panel(["SPY", "IEF"], start="2012-01-03", end="2019-12-31",
                     store=snapshot_store)
    rets = px.pct_change().fillna(0.0)
    month = px.index.to_period("M")
    decide = pd.Series(month, index=px.index).ne(pd.Series(month, index=px.index).shift())
    trade = decide.shift(1, fill_value=False)  # decided at a month's first close, traded next
    w = np.zeros(2)
    out = []
    for i in range(len(px.index)):
        r = rets.iloc[i].to_numpy()
        port = float(w @ r) if i else 0.0
        out.append(port)
        w = w * (1 + r) / (1 + port) if w.sum() else w
        if trade.iloc[i]:
            w = np.array([0.6, 0.4])
    expected = pd.Series(out, index=px.index)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), atol=1e-9)


def test_metrics_are_byte_identical_and_manifest_complete(
    snapshot_store: DataStore, snapshot_dir: Path, tmp_path: Path
) -> None:
    cfg = RunConfig("playbook", start="2015-01-02", end="2024-12-31")
    a = write_run(run(cfg, snapshot_store), tmp_path, "a", command=["qtbt", "run"])
    b = write_run(run(cfg, DataStore(snapshot_dir)), tmp_path, "b", command=["qtbt", "run"])
    assert (a / "metrics.json").read_bytes() == (b / "metrics.json").read_bytes()
    metrics = json.loads((a / "metrics.json").read_text())
    assert set(metrics) == {"overall", "by_regime", "benchmarks", "factors", "liquidity"}
    assert {"total_return", "cagr", "ann_vol", "sharpe", "sortino", "max_drawdown", "turnover",
            "days"} <= set(metrics["overall"])
    assert set(metrics["benchmarks"]) == {"buy_and_hold", "sixty_forty"}
    for m in metrics["by_regime"].values():
        assert set(m) == {"days", "episodes", "ann_return", "ann_vol", "sharpe",
                          "max_drawdown", "hit_rate"}
    manifest = json.loads((a / "manifest.json").read_text())
    snap = json.loads((snapshot_dir / "yahoo" / "manifest.json").read_text())
    assert manifest["data"]["SPY"]["sha256"] == snap["SPY"]["sha256"]
    assert manifest["data"]["WSHOSHO"]["sha256"] if "WSHOSHO" in manifest["data"] else True
    assert manifest["parameters"]["table"]["QT"]["IWD"] == 0.4
    assert manifest["git"].keys() == {"commit", "dirty"}
    assert manifest["versions"]["vectorbt"] != "not installed"
    for name in ("returns", "targets", "positions", "regimes"):
        frame = pd.read_parquet(a / f"{name}.parquet")
        assert len(frame) == manifest["range"]["sessions"]
    rets = pd.read_parquet(a / "returns.parquet")
    assert list(rets.columns) == ["strategy", "buy_and_hold", "sixty_forty"]


def test_benchmarks_keep_their_own_schedule(snapshot_store: DataStore) -> None:
    cfg = RunConfig("duration", start="2015-01-02", end="2019-12-31",
                    engine={"rebalance": "regime_change", "costs_bps": 3.0})
    out = run(cfg, snapshot_store)
    assert out.engine.rebalance == "regime_change"
    bench = out.benchmarks["sixty_forty"]
    assert bench.config.rebalance == "monthly"
    assert bench.config.costs_bps == 3.0  # costs are shared
    assert len(bench.rebalance_days) >= 59  # one per month, 2015-2019
