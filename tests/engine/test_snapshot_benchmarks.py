"""Benchmarks on the real snapshot against independent pandas arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest.data.panel import build_panel
from backtest.data.store import DataStore
from backtest.engine import EngineConfig, run_backtest

pytestmark = pytest.mark.snapshot


@pytest.fixture(scope="module")
def spy_ief(snapshot_store: DataStore) -> pd.DataFrame:
    return build_panel(["SPY", "IEF"], start="2010-01-01", end="2020-12-31", store=snapshot_store)


def test_buy_and_hold_spy_is_the_adjusted_close_ratio(spy_ief: pd.DataFrame) -> None:
    close = spy_ief[["SPY"]]
    targets = pd.DataFrame(np.nan, index=close.index, columns=["SPY"])
    targets.iloc[0] = 1.0  # decided at the close of 2010-01-04, bought at the close of 01-05
    res = run_backtest(targets, close, EngineConfig(costs_bps=0.0))
    spy = close["SPY"]
    assert res.rebalance_days[0] == spy.index[1]
    assert res.equity.iloc[-1] == pytest.approx(spy.iloc[-1] / spy.iloc[1], abs=1e-9)
    np.testing.assert_allclose(
        res.returns.iloc[2:].to_numpy(), spy.pct_change().iloc[2:].to_numpy(), rtol=0, atol=1e-9
    )
    assert res.returns.iloc[:2].tolist() == [0.0, 0.0]
    assert res.trades == 1


def _independent_sixty_forty(close: pd.DataFrame,
                             months: int = 1) -> tuple[pd.Series, pd.DataFrame]:
    """Drifting 60/40 weights, reset at the session after each period's first session.

    A period is a calendar month (``months=1``) or quarter (``months=3``).
    """
    asset_ret = close.pct_change().to_numpy()
    dates = pd.DatetimeIndex(close.index)
    month = dates.year * 12 + (dates.month - 1) // months
    first_of_month = np.r_[True, month[1:] != month[:-1]]
    reset = np.r_[False, first_of_month[:-1]]  # one-session lag
    target = np.array([0.6, 0.4])
    w = np.zeros(2)
    rets, held = [], []
    for t in range(len(close)):
        r = float(w @ asset_ret[t]) if t > 0 else 0.0
        if t > 0:
            w = w * (1.0 + asset_ret[t]) / (1.0 + r)
        if reset[t]:
            w = target.copy()
        rets.append(r)
        held.append(w.copy())
    return (
        pd.Series(rets, index=close.index),
        pd.DataFrame(held, index=close.index, columns=close.columns),
    )


def test_monthly_sixty_forty_matches_pandas(spy_ief: pd.DataFrame) -> None:
    targets = pd.DataFrame({"SPY": 0.6, "IEF": 0.4}, index=spy_ief.index)
    res = run_backtest(targets, spy_ief, EngineConfig(costs_bps=0.0, rebalance="monthly"))
    exp_ret, exp_w = _independent_sixty_forty(spy_ief)
    np.testing.assert_allclose(res.returns.to_numpy(), exp_ret.to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        res.positions[["SPY", "IEF"]].to_numpy(), exp_w.to_numpy(), rtol=0, atol=1e-9
    )
    assert len(res.rebalance_days) == 132  # 11 years x 12 months
    assert all(d.day <= 5 for d in res.rebalance_days)


def test_quarterly_sixty_forty_matches_pandas(spy_ief: pd.DataFrame) -> None:
    targets = pd.DataFrame({"SPY": 0.6, "IEF": 0.4}, index=spy_ief.index)
    res = run_backtest(targets, spy_ief, EngineConfig(costs_bps=0.0, rebalance="quarterly"))
    exp_ret, exp_w = _independent_sixty_forty(spy_ief, months=3)
    np.testing.assert_allclose(res.returns.to_numpy(), exp_ret.to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        res.positions[["SPY", "IEF"]].to_numpy(), exp_w.to_numpy(), rtol=0, atol=1e-9
    )
    assert len(res.rebalance_days) == 44  # 11 years x 4 quarters
    assert {d.month for d in res.rebalance_days} == {1, 4, 7, 10}


def test_sixty_forty_costs_are_reported_and_reduce_returns(spy_ief: pd.DataFrame) -> None:
    targets = pd.DataFrame({"SPY": 0.6, "IEF": 0.4}, index=spy_ief.index)
    free = run_backtest(targets, spy_ief, EngineConfig(costs_bps=0.0))
    paid = run_backtest(targets, spy_ief, EngineConfig(costs_bps=5.0))
    np.testing.assert_allclose(
        paid.cost_breakdown["fees"].to_numpy(), paid.turnover.to_numpy() * 5e-4, atol=1e-15
    )
    assert 0 < paid.costs.sum() < 0.01
    assert paid.equity.iloc[-1] < free.equity.iloc[-1]
    s1, s2 = paid.metrics(), paid.metrics()
    assert s1 == s2
