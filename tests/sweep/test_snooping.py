"""Statistics against a benchmark on synthetic cases with a known answer."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backtest.exceptions import ParameterError
from backtest.sweep.snooping import (
    MAX_BOOTSTRAP_WORK,
    active_returns,
    bootstrap_work,
    dsr_against,
    effective_trials,
    spa_stepm,
)

T, N = 1500, 12


def _grid(seed: int, edge: float = 0.0, at: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """N configurations and a benchmark sharing a market factor; ``edge`` a day added to one."""
    rng = np.random.default_rng(seed)
    market = rng.normal(0.0003, 0.01, T)
    x = market[:, None] + rng.normal(0, 0.003, (T, N))
    bench = market + rng.normal(0, 0.003, T)
    x[:, at] += edge
    return x, bench


def test_active_return_is_the_sharpe_gap_at_the_benchmarks_risk() -> None:
    x, b = _grid(0)
    act = active_returns(x * 3.0, b)  # three times the risk: the same Sharpe, the same answer
    np.testing.assert_allclose(act, active_returns(x, b), atol=1e-15)
    sr = x.mean(axis=0) / x.std(axis=0, ddof=1)
    srb = b.mean() / b.std(ddof=1)
    np.testing.assert_allclose(act.mean(axis=0), b.std(ddof=1) * (sr - srb), rtol=1e-10)
    with pytest.raises(ParameterError, match="excess"):
        active_returns(x, b[:-1])


def test_effective_trials_by_hand() -> None:
    rng = np.random.default_rng(1)
    same = np.tile(rng.normal(0, 0.01, (500, 1)), (1, 5))
    n_eff, rho = effective_trials(same)
    assert rho == pytest.approx(1.0) and n_eff == pytest.approx(1.0)
    indep = rng.normal(0, 0.01, (20000, 5))
    n_eff, rho = effective_trials(indep)
    assert abs(rho) < 0.02 and n_eff == pytest.approx(5.0, abs=0.1)
    # two pairs, each perfectly correlated, pairs independent: 4 of the 4 x 3 ordered pairs
    # have correlation 1, the rest 0: rho = 1/3, N_eff = 1/3 + 2/3 * 4 = 3
    a, c = rng.normal(0, 0.01, (2, 20000))
    n_eff, rho = effective_trials(np.column_stack([a, a, c, c]))
    assert rho == pytest.approx(1 / 3, abs=0.01)
    assert n_eff == pytest.approx(3.0, abs=0.05)
    # a full correlation matrix agrees
    x, _ = _grid(2)
    c = np.corrcoef(x, rowvar=False)
    assert effective_trials(x)[1] == pytest.approx(c[~np.eye(N, dtype=bool)].mean(), rel=1e-9)


def test_one_real_edge_is_found_and_named() -> None:
    x, b = _grid(3, edge=0.0006)  # Sharpe about 3 a year above the benchmark's
    res = spa_stepm(x, b, "bench", reps=300, seed=7)
    assert res.pvalue < 0.01 and res.pvalue_lower <= res.pvalue <= res.pvalue_upper
    assert res.superior == (4,)
    assert (res.reps, res.seed, res.sessions, res.block_size) == (300, 7, T, int(math.sqrt(T)))


def test_pure_noise_beats_nothing() -> None:
    pvals = []
    for seed in range(4):
        x, b = _grid(10 + seed)
        res = spa_stepm(x, b, "bench", reps=200, seed=seed)
        assert res.superior == ()
        pvals.append(res.pvalue)
    # no rejection at 5 %, and p-values spread over the unit interval (mean near 1/2 or above:
    # the consistent SPA is conservative when configurations are worse than the benchmark)
    assert min(pvals) > 0.05 and np.mean(pvals) > 0.3


def test_a_fixed_seed_gives_identical_results() -> None:
    x, b = _grid(5, edge=0.0002)
    assert spa_stepm(x, b, "b", reps=150, seed=1) == spa_stepm(x, b, "b", reps=150, seed=1)


def test_work_is_bounded_before_the_bootstrap() -> None:
    assert bootstrap_work(1000, 6000, 80) == 7000 * 6000 * 80
    x = np.zeros((10, 2))
    with pytest.raises(ParameterError, match="at least 10"):
        spa_stepm(x, np.zeros(10), "b", reps=5)
    reps = MAX_BOOTSTRAP_WORK // (10 * 2) + 1
    with pytest.raises(ParameterError, match="exceeds the bound"):
        spa_stepm(np.random.default_rng(0).normal(size=(10, 2)), np.zeros(10) + 0.1 *
                  np.arange(10), "b", reps=reps)


def test_dsr_against_a_benchmark_and_the_median() -> None:
    x, b = _grid(6, edge=0.0006)
    n_eff, _ = effective_trials(x)
    strong = dsr_against(x, b, 4, "bench", n_eff)
    assert strong.dsr > 0.99 and strong.n_trials == N and strong.sessions == T
    assert strong.dsr_effective >= strong.dsr  # fewer effective trials deflate less
    y, _ = _grid(6)
    weak = dsr_against(y, np.median(y, axis=1), 4, "grid median", effective_trials(y)[0])
    assert weak.dsr < 0.5 and weak.reference == "grid median"
