"""The sweep kernel against the vectorbt engine on synthetic, randomised problems (1e-9)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest.engine import EngineConfig, run_backtest
from backtest.exceptions import ParameterError
from backtest.sweep import KernelSettings, Market, TargetPlan, simulate
from tests.engine.helpers import sessions

IDX = sessions("2021-01-04", 160)
LABELS = pd.Series(np.where(np.arange(160) < 50, "QT", np.where(np.arange(160) < 110, "QE",
                                                                 "QT")), index=IDX)


def _prices(rng: np.random.Generator, k: int, late: bool = False) -> pd.DataFrame:
    steps = rng.normal(0.0005, 0.02, size=(len(IDX), k))
    px = 50.0 * np.exp(np.cumsum(steps, axis=0))
    frame = pd.DataFrame(px, index=IDX, columns=[f"A{j}" for j in range(k)])
    if late:  # the last asset starts trading on session 30
        frame.iloc[:30, -1] = np.nan
    return frame


def _targets(rng: np.random.Generator, close: pd.DataFrame, shorts: bool) -> pd.DataFrame:
    n, k = close.shape
    w = rng.dirichlet(np.ones(k + 1), size=n)[:, :k] * rng.uniform(0.6, 1.3, size=(n, 1))
    if shorts:
        w[:, 0] = -rng.uniform(0.0, 0.5, size=n)
    t = pd.DataFrame(w, index=close.index, columns=close.columns)
    t[rng.uniform(size=n) < 0.6] = np.nan  # no new decision on most sessions
    late = close.isna()
    t[late & t.notna()] = 0.0  # nothing on an asset before it trades
    t.iloc[rng.integers(0, n, size=5), 1] = np.nan  # NaN inside a decision row = 0
    return t


CASES = [
    dict(rebalance="daily", costs_bps=25.0),
    dict(rebalance="weekly", costs_bps=100.0, slippage_bps=10.0),
    dict(rebalance="monthly", costs_bps=5.0, borrow_bps=80.0),
    dict(rebalance="regime_change", costs_bps=3.0),
    dict(rebalance="drift", drift_threshold=0.03, costs_bps=10.0),
    dict(rebalance="daily", execution="open", costs_bps=7.0, slippage_bps=4.0),
    dict(rebalance="drift", drift_threshold=0.02, execution="open", costs_bps=2.0),
    dict(rebalance="daily", costs_bps=50.0, max_gross_leverage=0.8),
    dict(rebalance="quarterly", costs_bps=20.0, borrow_bps=40.0),
    dict(rebalance="quarterly", execution="open", costs_bps=5.0, slippage_bps=3.0),
]


@pytest.mark.parametrize("seed", range(len(CASES)))
def test_kernel_matches_vectorbt_engine(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cfg = EngineConfig(**CASES[seed])  # type: ignore[arg-type]
    close = _prices(rng, 4, late=seed % 2 == 0)
    open_ = close * np.exp(rng.normal(0, 0.005, size=close.shape)) if cfg.execution == "open" \
        else None
    cash = pd.Series(rng.uniform(0, 2e-4, len(IDX)), index=IDX)
    frames = [_targets(rng, close, shorts=seed % 3 == 0) for _ in range(3)]
    market = Market.build(close, open_=open_, cash_rate=cash, regimes=LABELS)
    settings = KernelSettings.build(cfg, market)
    plan = TargetPlan.from_frames(frames, market, cfg.max_gross_leverage)
    out = simulate(market, settings, plan)
    for k, frame in enumerate(frames):
        ref = run_backtest(frame, close, cfg, open_=open_, regimes=LABELS, cash_rate=cash)
        np.testing.assert_allclose(out.returns[k], ref.returns.to_numpy(), rtol=0, atol=1e-9)
        assert out.trades[k] == ref.trades
        assert out.turnover[k] == pytest.approx(ref.turnover.mean() * 252, rel=1e-9)


def test_buys_limited_by_cash_pay_fees_from_it() -> None:
    # all-in at 100 bps: the buy is cut so that shares * price * (1 + fee) = cash
    close = pd.DataFrame({"A": np.linspace(10, 12, 6)}, index=IDX[:6])
    t = pd.DataFrame({"A": [1.0, np.nan, np.nan, np.nan, np.nan, np.nan]}, index=IDX[:6])
    cfg = EngineConfig(costs_bps=100.0, rebalance="daily")
    market = Market.build(close)
    out = simulate(market, KernelSettings.build(cfg, market),
                   TargetPlan.from_frames([t], market))
    ref = run_backtest(t, close, cfg)
    np.testing.assert_allclose(out.returns[0], ref.returns.to_numpy(), atol=1e-12)
    # day 2: 1e6 / 1.01 invested at 10.4, the rest paid as fee, valued at the close 10.4
    assert out.returns[0][1] == pytest.approx(1 / 1.01 - 1, rel=1e-12)


def test_target_on_asset_without_price_is_an_error() -> None:
    close = pd.DataFrame({"A": [np.nan, np.nan, 10.0, 11.0]}, index=IDX[:4])
    t = pd.DataFrame({"A": [1.0, np.nan, np.nan, np.nan]}, index=IDX[:4])
    market = Market.build(close)
    settings = KernelSettings.build(EngineConfig(rebalance="daily"), market)
    with pytest.raises(ParameterError, match=r"cfg: target 1 on 'A' decided on 2021-01-04 "
                                             r"executes on 2021-01-05, where 'A' has no close "
                                             r"price"):
        simulate(market, settings, TargetPlan.from_frames([t], market), names=["cfg"])


def test_net_long_above_one_is_an_error() -> None:
    close = pd.DataFrame({"A": [10.0, 11.0], "B": [5.0, 5.0]}, index=IDX[:2])
    t = pd.DataFrame({"A": [0.8, np.nan], "B": [0.7, np.nan]}, index=IDX[:2])
    with pytest.raises(ParameterError, match=r"net long 1\.5"):
        TargetPlan.from_frames([t], Market.build(close), max_gross=2.0, names=["x=1"])


def test_shared_codes_are_stored_once() -> None:
    close = _prices(np.random.default_rng(1), 2)
    t = pd.DataFrame({"A0": 0.5, "A1": 0.5}, index=IDX)
    plan = TargetPlan.from_frames([t, t * 0.5], Market.build(close))
    assert plan.codes.shape == (1, len(IDX))
    assert plan.tables.shape == (2, 1, 2)


def _both_paths(close: pd.DataFrame, targets: pd.DataFrame, cfg: EngineConfig,
                **kw: object) -> tuple[str, str]:
    """The error message of the vectorbt engine and of the sweep path for the same input."""
    msgs = []
    for path in ("engine", "sweep"):
        with pytest.raises(ParameterError) as info:
            if path == "engine":
                run_backtest(targets, close, cfg, **kw)  # type: ignore[arg-type]
            else:
                market = Market.build(close, **kw)  # type: ignore[arg-type]
                plan = TargetPlan.from_frames([targets], market, cfg.max_gross_leverage,
                                              names=["cfg"])
                simulate(market, KernelSettings.build(cfg, market), plan, names=["cfg"])
        msgs.append(str(info.value))
    return msgs[0], msgs[1]


def test_both_engines_reject_bad_input_with_the_same_words() -> None:
    idx = IDX[:5]
    close = pd.DataFrame({"A": [10.0, 11.0, 12.0, 13.0, 14.0], "B": 5.0}, index=idx)
    t = pd.DataFrame({"A": [0.5, np.nan, np.nan, np.nan, np.nan], "B": 0.5}, index=idx)
    t.iloc[1:] = np.nan
    cfg = EngineConfig(rebalance="daily")
    bad = close.copy()
    bad.iloc[2, 1] = -1.0
    eng, swp = _both_paths(bad, t, cfg)
    assert eng == swp == "close for 'B' on 2021-01-06 is -1.0; prices must be finite and > 0."
    gap = close.copy()
    gap.iloc[3, 0] = np.nan
    eng, swp = _both_paths(gap, t, cfg)
    assert eng == swp and "close for 'A' is missing on 2021-01-07 after its first price" in eng
    rate = pd.Series(1e-4, index=idx).drop(idx[2])
    eng, swp = _both_paths(close, t, cfg, cash_rate=rate)
    assert eng == swp and eng.startswith("cash_rate has no finite value on 2021-01-06 (1 ")
    eng, swp = _both_paths(close, t * 1.5, EngineConfig(max_gross_leverage=2.0))
    assert swp == f"cfg: {eng}" and "targets on 2021-01-04 are net long 1.5" in eng
    inf = t.copy()
    inf.iloc[0, 0] = np.inf
    eng, swp = _both_paths(close, inf, cfg)
    assert swp == f"cfg: {eng}" and "targets for 'A' on 2021-01-04 is infinite" in eng
    late = close.copy()
    late.iloc[:2, 1] = np.nan  # B first priced on day 3; its target fills on day 2
    eng, swp = _both_paths(late, t, cfg)
    assert swp == f"cfg: {eng}"
    assert "target 0.5 on 'B' decided on 2021-01-04 executes on 2021-01-05" in eng


def test_regime_change_and_open_execution_need_their_inputs() -> None:
    close = pd.DataFrame({"A": [10.0, 11.0]}, index=IDX[:2])
    market = Market.build(close)
    with pytest.raises(ParameterError, match=r"rebalance='regime_change' needs regime labels; "
                                             r"build the Market with regimes="):
        KernelSettings.build(EngineConfig(rebalance="regime_change"), market)
    with pytest.raises(ParameterError, match=r"execution='open' needs open prices: Market"):
        KernelSettings.build(EngineConfig(execution="open"), market)


def test_settings_carry_the_schedule_rule_and_period_keys() -> None:
    from backtest.engine.schedule import RULE_FIRST_IN_PERIOD, SCHEDULES

    close = pd.DataFrame({"A": 10.0}, index=IDX)
    market = Market.build(close, regimes=LABELS)
    s = KernelSettings.build(EngineConfig(rebalance="quarterly"), market)
    assert s.rule == RULE_FIRST_IN_PERIOD
    np.testing.assert_array_equal(s.period_key, SCHEDULES["quarterly"].period_keys(IDX))
    assert s.change.sum() == 3  # QT, QE, QT
