"""Stationary block bootstrap: degenerate cases, reproducibility, verdicts, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backtest.exceptions import ParameterError
from backtest.report.bootstrap import BootstrapSpec, percentile_interval, replicates, verdict


def _mean(a: np.ndarray) -> np.ndarray:
    return np.atleast_1d(np.mean(a, axis=0) * 252)


def test_constant_series_gives_a_degenerate_interval() -> None:
    x = np.full(300, 0.001)
    reps = replicates(x, _mean, BootstrapSpec(), "const")
    lo, hi = percentile_interval(reps, 0.95)
    assert lo[0] == pytest.approx(0.252, abs=1e-12)
    assert hi[0] == pytest.approx(0.252, abs=1e-12)


def test_fewer_than_two_observations_give_no_interval() -> None:
    reps = replicates(np.array([0.01]), _mean, BootstrapSpec(), "one")
    lo, hi = percentile_interval(reps, 0.95)
    assert math.isnan(lo[0]) and math.isnan(hi[0])


def test_same_key_same_bytes_other_key_other_draws() -> None:
    x = np.random.default_rng(0).normal(0.0, 0.01, 500)
    a = replicates(x, _mean, BootstrapSpec(), "regime/QT")
    b = replicates(x, _mean, BootstrapSpec(), "regime/QT")
    c = replicates(x, _mean, BootstrapSpec(), "regime/QE")
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != c.tobytes()
    assert a.shape == (1000, 1)


def test_interval_width_of_iid_mean_is_about_the_textbook_one() -> None:
    # iid N(0, 1%): the 95 % interval of the annualised mean is about +-1.96 * 0.01/sqrt(n) * 252
    x = np.random.default_rng(1).normal(0.0, 0.01, 2000)
    lo, hi = percentile_interval(replicates(x, _mean, BootstrapSpec(), "iid"), 0.95)
    textbook = 2 * 1.96 * 0.01 / math.sqrt(2000) * 252
    assert 0.75 * textbook < hi[0] - lo[0] < 1.3 * textbook


def test_undefined_statistic_in_most_resamples_has_no_interval() -> None:
    reps = np.array([np.nan] * 60 + [1.0] * 940)
    lo, _ = percentile_interval(reps, 0.95)
    assert math.isnan(lo[0])
    lo, hi = percentile_interval(np.array([np.nan] * 10 + list(np.linspace(0, 1, 990))), 0.9)
    assert 0.0 < lo[0] < hi[0] < 1.0


@pytest.mark.parametrize(("lo", "hi", "direction", "expected"), [
    (0.1, 0.3, 1, "supported"), (-0.3, -0.1, 1, "contradicted"), (-0.1, 0.3, 1, "inconclusive"),
    (-0.3, -0.1, -1, "supported"), (0.1, 0.3, -1, "contradicted"),
    (0.0, 0.3, 1, "inconclusive"), (math.nan, 0.3, 1, "inconclusive"),
])
def test_verdict_rule(lo: float, hi: float, direction: int, expected: str) -> None:
    assert verdict(lo, hi, direction) == expected


@pytest.mark.parametrize(("kw", "match"), [
    ({"block": 0}, "block must be a whole number"), ({"reps": 10}, "reps must be"),
    ({"level": 1.0}, "interval level must be in"),
])
def test_spec_errors_name_the_setting(kw: dict[str, float], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        BootstrapSpec(**kw)  # type: ignore[arg-type]
