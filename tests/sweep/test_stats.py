"""Deflated Sharpe ratio and PBO (CSCV) on inputs with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from backtest.exceptions import ParameterError
from backtest.sweep.stats import (
    block_sums,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    pbo_cscv,
    probabilistic_sharpe_ratio,
)


def test_dsr_worked_example_of_the_paper() -> None:
    # Bailey & Lopez de Prado (2014), section 4: annualised SR 2.5 over 5 years of daily data
    # (T = 1250, 250 days a year), N = 100 trials with variance 0.5 of their annualised SRs,
    # skewness -3, kurtosis 10 -> SR_0 = 0.1132 (daily), DSR = 0.9004.
    sr0 = expected_max_sharpe(100, 0.5 / 250)
    assert sr0 == pytest.approx(0.1132, abs=1e-4)
    dsr = deflated_sharpe_ratio(2.5 / math.sqrt(250), 1250, 100, 0.5 / 250, skew=-3.0,
                                kurtosis=10.0)
    assert dsr == pytest.approx(0.9004, abs=5e-4)


def test_psr_by_hand() -> None:
    # normal returns: z = (SR - SR*) sqrt(T - 1) / sqrt(1 + SR^2 / 2)
    sr, t = 0.1, 101
    z = 0.1 * 10 / math.sqrt(1 + 0.01 / 2)
    assert probabilistic_sharpe_ratio(sr, 0.0, t) == pytest.approx(norm.cdf(z), rel=1e-12)
    assert probabilistic_sharpe_ratio(0.05, 0.05, t) == pytest.approx(0.5)
    assert math.isnan(probabilistic_sharpe_ratio(0.1, 0.0, 1))


def test_single_trial_is_not_deflated() -> None:
    assert expected_max_sharpe(1, 0.3) == 0.0
    assert deflated_sharpe_ratio(0.1, 101, 1, 0.3) == probabilistic_sharpe_ratio(0.1, 0.0, 101)
    with pytest.raises(ParameterError, match="n_trials"):
        expected_max_sharpe(0, 0.1)


def test_more_trials_deflate_more() -> None:
    dsr = [deflated_sharpe_ratio(0.08, 1000, n, 0.001) for n in (2, 10, 100, 1000)]
    assert dsr == sorted(dsr, reverse=True)


def test_pbo_is_zero_when_one_configuration_dominates_every_split() -> None:
    rng = np.random.default_rng(0)
    r = rng.normal(0, 0.01, size=(800, 20))
    r[:, 7] += 0.01  # Sharpe ~1 per day: best in every block, in and out of sample
    res = pbo_cscv(r, n_splits=8)
    assert res.n_combinations == 70
    assert res.pbo == 0.0
    # the in-sample best is configuration 7 everywhere: its OOS rank is N -> logit log(20)
    np.testing.assert_allclose(res.logits, math.log(20 / 21 / (1 - 20 / 21)))
    assert res.prob_oos_loss == 0.0


def test_pbo_of_pure_noise_is_one_half_in_expectation() -> None:
    pbos = [pbo_cscv(np.random.default_rng(s).normal(0, 0.01, size=(400, 40)), 8).pbo
            for s in range(20)]
    assert np.mean(pbos) == pytest.approx(0.5, abs=0.08)


def test_pbo_is_high_when_in_sample_winners_reverse() -> None:
    # each configuration is good in some blocks and equally bad in the others: picking the
    # in-sample best selects one that is bad out of sample
    rng = np.random.default_rng(3)
    n_blocks, per, n_cfg = 8, 50, 16
    r = rng.normal(0, 0.01, size=(n_blocks * per, n_cfg))
    for c in range(n_cfg):
        signs = np.where((np.arange(n_blocks) + c) % 2 == 0, 1.0, -1.0) * (1 + c % 4)
        r[:, c] += np.repeat(signs, per) * 0.004
    assert pbo_cscv(r, n_blocks).pbo > 0.8


def test_block_sums_and_errors() -> None:
    x = np.arange(10.0).reshape(5, 2)
    b = block_sums(x, 2)  # rows 0-2 and 3-4
    np.testing.assert_array_equal(b[:, 0, 0], [3, 3])
    np.testing.assert_array_equal(b[0, :, 1], [0 + 2 + 4, 6 + 8])
    np.testing.assert_array_equal(b[1, :, 2], [1 + 9 + 25, 49 + 81])
    with pytest.raises(ParameterError, match="even number"):
        pbo_cscv(x, 3)
    assert math.isnan(pbo_cscv(np.ones((10, 1)), 2).pbo)
