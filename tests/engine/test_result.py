"""BacktestResult's result convention: metrics() dict, summary() table, to_text(), plot()."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest.engine import BacktestResult, EngineConfig, run_backtest
from backtest.exceptions import ParameterError
from tests.engine.helpers import no_targets, prices, sessions

IDX = sessions("2024-01-02", 6)
CLOSE = prices(IDX, {"A": [10.0, 10.0, 11.0, 11.0, 12.1, 12.1], "B": [5.0] * 6})


def _result() -> BacktestResult:
    t = no_targets(CLOSE)
    t.iloc[0] = [0.5, 0.5]
    labels = pd.Series(["QE", "QE", "QE", "QT", "QT", "QT"], index=IDX)
    return run_backtest(t, CLOSE, EngineConfig(costs_bps=0.0, rebalance="daily"), regimes=labels)


def test_summary_is_the_metrics_as_one_column_table() -> None:
    res = _result()
    m = res.metrics()
    s = res.summary()
    assert isinstance(s, pd.DataFrame) and list(s.columns) == ["value"]
    assert s.index.name == "metric" and list(s.index) == list(m)
    assert s["value"].to_dict() == m
    # day 2: A +10 % on half the book; day 4: +10 % on A's 11/21 share
    assert m["total_return"] == pytest.approx(1.05 * (1 + 0.1 * 11 / 21) - 1, abs=1e-12)
    assert m["start"] == "2024-01-02" and m["trades"] == 2


def test_to_text_aligns_every_metric() -> None:
    res = _result()
    text = res.to_text()
    lines = text.splitlines()
    m = res.metrics()
    assert [line.split()[0] for line in lines] == list(m)
    assert len({len(line) for line in lines}) == 1  # values right-aligned in one column
    assert "start" in lines[0] and lines[0].endswith("2024-01-02")
    assert any(line.startswith("total_return") and line.endswith(f"{m['total_return']:.6g}")
               for line in lines)


def test_plot_returns_figures_and_never_shows_them() -> None:
    pytest.importorskip("plotly")
    res = _result()
    eq = res.plot()
    assert type(eq).__name__ == "Figure"
    ys = [np.asarray(tr.y, dtype=float) for tr in eq.data if tr.name == "strategy"]
    np.testing.assert_allclose(ys[0], np.round(res.equity.to_numpy(), 8))
    pos = res.plot("positions")
    assert {"A", "B", "cash"} & {tr.name for tr in pos.data}
    perf = res.plot("performance")
    assert len(perf.data) >= 3
    with pytest.raises(ParameterError, match=r"plot kind must be one of 'equity', .*; got 'pie'"):
        res.plot("pie")


def test_positions_hold_assets_and_cash() -> None:
    res = _result()
    pos = res.positions
    assert list(pos.columns) == ["A", "B", "cash"]
    np.testing.assert_allclose(pos.sum(axis=1).to_numpy(), 1.0, atol=1e-12)
    assert not hasattr(res, "weights")
