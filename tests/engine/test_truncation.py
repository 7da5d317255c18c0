"""Property: cutting the inputs after session t changes nothing up to t."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backtest.engine import EngineConfig, run_backtest
from tests.engine.helpers import sessions

N = 40
IDX = sessions("2023-10-02", N)
_rng = np.random.default_rng(20240101)
CLOSE = pd.DataFrame(
    100.0 * np.cumprod(1.0 + _rng.normal(0.0, 0.02, size=(N, 3)), axis=0),
    index=IDX,
    columns=["A", "B", "C"],
)
OPEN = CLOSE * (1.0 + _rng.normal(0.0, 0.005, size=(N, 3)))
LABELS = pd.Series(np.where(np.arange(N) % 11 < 6, "QE", "QT"), index=IDX)

weight = st.floats(min_value=-0.6, max_value=1.0, allow_nan=False, allow_infinity=False)
row = st.one_of(st.none(), st.tuples(weight, weight, weight))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(row, min_size=N, max_size=N),
    cut=st.integers(min_value=1, max_value=N - 2),
    rebalance=st.sampled_from(["daily", "weekly", "monthly", "regime_change", "drift"]),
    execution=st.sampled_from(["close", "open"]),
    costs=st.sampled_from([0.0, 2.0, 25.0]),
    borrow=st.sampled_from([0.0, 50.0]),
)
def test_truncation_never_changes_the_past(
    rows: list[tuple[float, float, float] | None],
    cut: int,
    rebalance: str,
    execution: str,
    costs: float,
    borrow: float,
) -> None:
    targets = pd.DataFrame(
        [[np.nan] * 3 if r is None else list(r) for r in rows], index=IDX, columns=CLOSE.columns
    )
    cfg = EngineConfig(
        execution=execution,  # type: ignore[arg-type]
        rebalance=rebalance,  # type: ignore[arg-type]
        costs_bps=costs,
        borrow_bps=borrow,
        slippage_bps=1.0,
        drift_threshold=0.03,
    )
    rate = pd.Series(0.0001, index=IDX)
    full = run_backtest(targets, CLOSE, cfg, open_=OPEN, regimes=LABELS, cash_rate=rate)
    k = cut + 1
    part = run_backtest(
        targets.iloc[:k], CLOSE.iloc[:k], cfg, open_=OPEN.iloc[:k], regimes=LABELS.iloc[:k],
        cash_rate=rate.iloc[:k],
    )
    pd.testing.assert_series_equal(part.returns, full.returns.iloc[:k], check_exact=True)
    pd.testing.assert_frame_equal(part.positions, full.positions.iloc[:k], check_exact=True)
    pd.testing.assert_series_equal(part.costs, full.costs.iloc[:k], check_exact=True)
    pd.testing.assert_frame_equal(part.targets, full.targets.iloc[:k], check_exact=True)
    assert list(part.rebalance_days) == [d for d in full.rebalance_days if d <= IDX[cut]]
    # weights always sum to one and gross exposure respects the cap (up to fill rounding)
    assert np.allclose(full.positions.sum(axis=1), 1.0, atol=1e-9)
    gross = full.targets.abs().sum(axis=1)
    assert (gross <= cfg.max_gross_leverage * (1 + 1e-9)).all()
