"""Hand-checked execution: the one-session lag, costs, leverage, overlays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest.engine import EngineConfig, run_backtest
from backtest.exceptions import ParameterError
from tests.engine.helpers import no_targets, prices, sessions

# five sessions: Tue 2024-01-02 .. Mon 2024-01-08
IDX = sessions("2024-01-02", 5)
CLOSE = prices(IDX, {"A": [10.0, 11.0, 12.0, 13.2, 13.2], "B": [20.0, 20.0, 25.0, 25.0, 30.0]})
FREE = EngineConfig(costs_bps=0.0, rebalance="daily")


def _decide_on_day2(weights: list[float]) -> pd.DataFrame:
    t = no_targets(CLOSE)
    t.iloc[1] = weights  # decided at the close of day 2 (2024-01-03)
    return t


def test_target_at_day2_close_trades_at_day3_close() -> None:
    res = run_backtest(_decide_on_day2([1.0, 0.0]), CLOSE, FREE)
    # day 3 (2024-01-04): bought A at 12 at the close -> no return yet;
    # day 4: A 12 -> 13.2 = +10 %; day 5: A flat
    np.testing.assert_allclose(res.returns.to_numpy(), [0.0, 0.0, 0.0, 0.1, 0.0], atol=1e-12)
    assert list(res.orders["date"]) == [pd.Timestamp("2024-01-04")]
    assert res.orders["price"].tolist() == [12.0]
    assert res.rebalance_days.tolist() == [pd.Timestamp("2024-01-04")]
    # nothing held at day 2's close (the decision day): never trade at t
    assert res.positions.iloc[1].tolist() == [0.0, 0.0, 1.0]
    np.testing.assert_allclose(res.positions.iloc[2].to_numpy(), [1.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(res.equity.to_numpy(), [1.0, 1.0, 1.0, 1.1, 1.1], atol=1e-12)
    assert res.trades == 1


def test_fifty_fifty_then_drift() -> None:
    res = run_backtest(_decide_on_day2([0.5, 0.5]), CLOSE, FREE)
    # day 4: 0.5 * 10 % + 0.5 * 0 % = 5 %; weights drift to A 0.55/1.05, B 0.50/1.05;
    # day 5: (0.55 * 1.0 + 0.50 * 1.2) / 1.05 - 1 = 1.15 / 1.05 - 1 = 2/21
    np.testing.assert_allclose(
        res.returns.to_numpy(), [0.0, 0.0, 0.0, 0.05, 2.0 / 21.0], atol=1e-12
    )
    np.testing.assert_allclose(
        res.positions.iloc[3].to_numpy(), [0.55 / 1.05, 0.50 / 1.05, 0.0], atol=1e-12
    )
    np.testing.assert_allclose(res.positions.sum(axis=1).to_numpy(), 1.0, atol=1e-12)


def test_open_execution_fills_at_day3_open() -> None:
    open_ = CLOSE.copy()
    open_.iloc[2, 0] = 11.5  # A opens at 11.5 on day 3
    cfg = EngineConfig(costs_bps=0.0, rebalance="daily", execution="open")
    res = run_backtest(_decide_on_day2([1.0, 0.0]), CLOSE, cfg, open_=open_)
    assert list(res.orders["date"]) == [pd.Timestamp("2024-01-04")]
    assert res.orders["price"].tolist() == [11.5]
    # day 3: bought at the open at 11.5, closed at 12 -> 12 / 11.5 - 1 = 1/23; day 4 +10 %
    np.testing.assert_allclose(
        res.returns.to_numpy(), [0.0, 0.0, 1.0 / 23.0, 0.1, 0.0], atol=1e-12
    )


def test_commission_is_turnover_times_bps() -> None:
    idx = sessions("2024-01-02", 4)
    close = prices(idx, {"A": [100.0, 100.0, 110.0, 110.0]})
    t = no_targets(close)
    t.iloc[0] = [1.0]
    res = run_backtest(t, close, EngineConfig(costs_bps=10.0, rebalance="daily"))
    f = 0.001
    # the buy and its commission share one cash balance: traded value x with x + f x = 1
    assert res.turnover.iloc[1] == pytest.approx(1.0 / (1.0 + f), abs=1e-12)
    assert res.costs.iloc[1] == pytest.approx(res.turnover.iloc[1] * f, abs=1e-12)
    assert res.equity.iloc[1] == pytest.approx(1.0 - f * res.turnover.iloc[1], abs=1e-12)
    assert res.equity.iloc[1] == pytest.approx(1.0 / (1.0 + f), abs=1e-12)
    # ~1e-6 away from the back-of-envelope 1 - f
    assert abs(res.equity.iloc[1] - (1.0 - f)) < 1.001e-6
    assert res.orders["fees"].sum() == pytest.approx(1e6 * f / (1.0 + f), rel=1e-12)


def test_half_buy_costs_exactly_bps_of_traded_value() -> None:
    idx = sessions("2024-01-02", 3)
    close = prices(idx, {"A": [100.0, 100.0, 100.0]})
    t = no_targets(close)
    t.iloc[0] = [0.5]
    res = run_backtest(t, close, EngineConfig(costs_bps=10.0, rebalance="daily"))
    assert res.turnover.iloc[1] == pytest.approx(0.5, abs=1e-12)
    assert res.costs.iloc[1] == pytest.approx(0.0005, abs=1e-12)
    assert res.equity.iloc[1] == pytest.approx(1.0 - 0.0005, abs=1e-12)
    np.testing.assert_allclose(res.cost_breakdown.iloc[1].to_numpy(), [5e-4, 0.0, 0.0], atol=1e-15)


def test_slippage_is_reported_and_charged() -> None:
    idx = sessions("2024-01-02", 3)
    close = prices(idx, {"A": [100.0, 100.0, 100.0]})
    t = no_targets(close)
    t.iloc[0] = [0.5]
    cfg = EngineConfig(costs_bps=0.0, slippage_bps=10.0, rebalance="daily")
    res = run_backtest(t, close, cfg)
    # 5,000 shares sized at 100, filled at 100.1: pays 0.5 * 0.001 of equity
    assert res.orders["price"].iloc[0] == pytest.approx(100.1, abs=1e-12)
    assert res.equity.iloc[1] == pytest.approx(1.0 - 0.0005, abs=1e-12)
    assert res.cost_breakdown["slippage"].iloc[1] == pytest.approx(0.0005, abs=1e-12)
    assert res.costs.iloc[1] == pytest.approx(0.0005, abs=1e-12)


def test_leverage_is_scaled_down_and_counted() -> None:
    t = _decide_on_day2([0.8, 0.6])  # gross 1.4 > 1.0
    t.iloc[3] = [0.5, 0.5]  # at the cap: not scaled
    res = run_backtest(t, CLOSE, FREE)
    assert res.leverage_scaled_days == 1
    np.testing.assert_allclose(res.targets.iloc[1].to_numpy(), [0.8 / 1.4, 0.6 / 1.4], atol=1e-15)
    assert res.targets.iloc[0].isna().all()  # no-decision rows stay NaN
    np.testing.assert_allclose(
        res.positions.iloc[2].to_numpy(), [4.0 / 7.0, 3.0 / 7.0, 0.0], atol=1e-12
    )


def test_long_short_leverage() -> None:
    cfg = EngineConfig(costs_bps=0.0, rebalance="daily", max_gross_leverage=2.0)
    res = run_backtest(_decide_on_day2([1.5, -1.0]), CLOSE, cfg)  # gross 2.5 -> x 0.8
    assert res.leverage_scaled_days == 1
    np.testing.assert_allclose(
        res.positions.iloc[2].to_numpy(), [1.2, -0.8, 0.6], atol=1e-12
    )
    # day 4: A +10 % on 1.2, B flat -> +12 %
    assert res.returns.iloc[3] == pytest.approx(0.12, abs=1e-12)


def test_net_long_above_one_is_refused() -> None:
    cfg = EngineConfig(rebalance="daily", max_gross_leverage=2.0)
    with pytest.raises(ParameterError, match=r"2024-01-03 are net long 1\.3 "):
        run_backtest(_decide_on_day2([1.5, -0.2]), CLOSE, cfg)


def test_cash_rate_overlay_by_hand() -> None:
    idx = sessions("2024-01-02", 5)
    close = prices(idx, {"A": [100.0, 100.0, 100.0, 110.0, 110.0]})
    t = no_targets(close)
    t.iloc[0] = [0.5]
    rate = pd.Series(0.0001, index=idx)
    res = run_backtest(t, close, FREE, cash_rate=rate)
    expected = [
        0.0,  # first session: funded at the close, nothing accrues
        0.0001 * 1.0,  # all cash at day 1's previous close
        0.0001 * 0.5,  # half cash since day 1's close
        0.5 * 0.1 + 0.0001 * 0.5,  # A +10 % on half, cash yield on half
        0.0001 * 0.5 / 1.05,  # cash weight drifted to 0.5 / 1.05
    ]
    np.testing.assert_allclose(res.returns.to_numpy(), expected, atol=1e-15)


def test_borrow_overlay_by_hand() -> None:
    idx = sessions("2024-01-02", 5)
    close = prices(idx, {"A": [100.0, 100.0, 100.0, 110.0, 110.0]})
    t = no_targets(close)
    t.iloc[0] = [-0.5]
    cfg = EngineConfig(costs_bps=0.0, rebalance="daily", borrow_bps=252.0)  # 1 bp a day
    res = run_backtest(t, close, cfg, cash_rate=pd.Series(0.0001, index=idx))
    fee = 0.0001
    expected = [
        0.0,
        0.0001 * 1.0,
        0.0001 * 1.5 - fee * 0.5,  # cash 150 % (short proceeds), short 50 %
        -0.5 * 0.1 + 0.0001 * 1.5 - fee * 0.5,
        0.0001 * 1.5 / 0.95 - fee * 0.55 / 0.95,  # short grew to 0.55 of equity 0.95
    ]
    np.testing.assert_allclose(res.returns.to_numpy(), expected, atol=1e-15)
    np.testing.assert_allclose(
        res.cost_breakdown["borrow"].to_numpy(),
        [0.0, 0.0, fee * 0.5, fee * 0.5, fee * 0.55 / 0.95],
        atol=1e-15,
    )
    np.testing.assert_allclose(
        res.positions.iloc[3].to_numpy(), [-0.55 / 0.95, 1.5 / 0.95], atol=1e-12
    )


def test_nan_inside_a_decision_row_means_zero() -> None:
    res = run_backtest(_decide_on_day2([1.0, np.nan]), CLOSE, FREE)
    np.testing.assert_allclose(res.positions.iloc[2].to_numpy(), [1.0, 0.0, 0.0], atol=1e-12)


def test_asset_listed_later_can_be_traded_once_priced() -> None:
    close = CLOSE.copy()
    close.iloc[:2, 1] = np.nan  # B exists from day 3
    t = no_targets(close)
    t.iloc[0] = [1.0, 0.0]  # zero weight on the unpriced B: fine
    t.iloc[2] = [0.5, 0.5]  # B priced at day 3, trades at day 4
    res = run_backtest(t, close, FREE)
    assert res.orders["asset"].tolist() == ["A", "A", "B"]
    np.testing.assert_allclose(res.positions.iloc[3].to_numpy(), [0.5, 0.5, 0.0], atol=1e-12)


def test_metrics_keys_and_values() -> None:
    res = run_backtest(_decide_on_day2([1.0, 0.0]), CLOSE, FREE)
    s = res.metrics()
    assert s["start"] == "2024-01-02" and s["end"] == "2024-01-08"
    assert s["days"] == 5 and s["trades"] == 1 and s["rebalances"] == 1
    assert s["total_return"] == pytest.approx(0.1, abs=1e-12)
    assert s["hit_rate"] == 1.0  # one non-zero day, positive
    assert s["turnover"] == pytest.approx(252.0 / 5.0, abs=1e-9)
    assert s["costs"] == 0.0
