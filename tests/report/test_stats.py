"""Per-regime and per-episode statistics on a six-session example worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from backtest.metrics import by_regime
from backtest.report.stats import episode_stats, regime_stats, regime_warnings
from tests.report.helpers import BENCH6, IDX6, LABELS6, STRATEGY6


def _frame() -> tuple[pd.DataFrame, pd.Series]:
    returns = pd.DataFrame({"strategy": STRATEGY6, "buy_and_hold": BENCH6}, index=IDX6)
    return returns, pd.Series(LABELS6, index=IDX6)


def _row(t: pd.DataFrame, regime: str, series: str) -> dict[str, object]:
    sub = t[(t["regime"] == regime) & (t["series"] == series)]
    assert len(sub) == 1
    return dict(sub.iloc[0])


def test_qt_rows_by_hand() -> None:
    returns, labels = _frame()
    t = regime_stats(returns, labels)
    assert t["regime"].drop_duplicates().tolist() == ["all", "QE", "QT"]
    qt = _row(t, "QT", "strategy")
    # QT sessions: 0.01, 0.02, 0.03, -0.02 (two episodes)
    assert (qt["days"], qt["episodes"]) == (4, 2)
    assert qt["ann_return"] == pytest.approx(0.01 * 252)
    assert qt["total_return"] == pytest.approx(1.01 * 1.02 * 1.03 * 0.98 - 1)
    assert qt["hit_rate"] == pytest.approx(0.75)
    assert qt["max_drawdown"] == pytest.approx(-0.02)
    # benchmark in QT: 0.00, 0.01, 0.02, 0.00 -> mean 0.0075
    assert qt["excess_buy_and_hold"] == pytest.approx((0.01 - 0.0075) * 252)
    assert qt["ann_return_lo"] <= qt["ann_return_hi"]
    assert "two episodes only" in str(qt["warning"])
    assert math.isnan(float(str(_row(t, "QT", "buy_and_hold")["excess_buy_and_hold"])))


def test_qe_single_episode_is_flagged_and_flat_days_are_not_hits() -> None:
    returns, labels = _frame()
    t = regime_stats(returns, labels, min_days=3)
    qe = _row(t, "QE", "strategy")
    # QE sessions: -0.01, 0.00 -> the zero day is neither a hit nor a miss
    assert (qe["days"], qe["episodes"]) == (2, 1)
    assert qe["hit_rate"] == 0.0
    assert "one episode" in str(qe["warning"]) and "2 sessions (< 3)" in str(qe["warning"])
    assert any(w.startswith("QE: 2 sessions in 1 episode(s)") for w in regime_warnings(t))
    everything = _row(t, "all", "strategy")
    assert (everything["days"], everything["episodes"], everything["warning"]) == (6, 3, "")


def test_point_estimates_equal_the_metrics_module_with_rf() -> None:
    returns, labels = _frame()
    rf = pd.Series(0.0001, index=IDX6)
    t = regime_stats(returns, labels, rf=rf)
    ref = by_regime(returns["strategy"], labels, rf)
    for regime in ("QT", "QE"):
        row = _row(t, regime, "strategy")
        for key in ("ann_return", "ann_vol", "sharpe", "max_drawdown", "hit_rate"):
            a, b = float(str(row[key])), float(ref[regime][key])
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-11)


def test_constant_returns_give_a_degenerate_return_interval_and_no_sharpe() -> None:
    idx = pd.bdate_range("2024-01-01", periods=60)
    returns = pd.DataFrame({"strategy": 0.001, "bench": 0.0005}, index=idx)
    t = regime_stats(returns, pd.Series("QT", index=idx))
    row = _row(t, "QT", "strategy")
    assert row["ann_return_lo"] == pytest.approx(0.252) and row["ann_return_hi"] == \
        pytest.approx(0.252)
    assert row["excess_bench_lo"] == pytest.approx(0.126)
    assert math.isnan(float(str(row["sharpe"]))) and math.isnan(float(str(row["sharpe_lo"])))


def test_same_inputs_same_bytes() -> None:
    returns, labels = _frame()
    a = regime_stats(returns, labels).to_csv()
    assert regime_stats(returns, labels).to_csv() == a


def test_episode_rows_by_hand() -> None:
    returns, labels = _frame()
    e = episode_stats(returns, labels)
    strat = e[e["series"] == "strategy"].reset_index(drop=True)
    assert strat["regime"].tolist() == ["QT", "QE", "QT"]
    assert strat["days"].tolist() == [2, 2, 2]
    assert strat.loc[0, "total_return"] == pytest.approx(1.01 * 1.02 - 1)
    assert strat.loc[2, "max_drawdown"] == pytest.approx(-0.02)
    assert strat.loc[1, "start"] == pd.Timestamp("2024-01-04")
    assert strat.loc[1, "hit_rate"] == 0.0
