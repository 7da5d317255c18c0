"""Performance metrics by hand, including degenerate inputs."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from backtest.exceptions import ParameterError
from backtest.metrics import (
    ann_return,
    ann_vol,
    cagr,
    drawdown,
    hit_rate,
    max_drawdown,
    performance_summary,
    round_sig,
    sharpe,
    sortino,
    to_jsonable,
    total_return,
    turnover,
)

ALL = [total_return, cagr, ann_return, ann_vol, sharpe, sortino, max_drawdown, hit_rate, turnover]


def test_up_ten_down_ten() -> None:
    r = [0.1, -0.1]
    assert total_return(r) == pytest.approx(-0.01, abs=1e-15)
    assert max_drawdown(r) == pytest.approx(-0.1, abs=1e-15)
    assert hit_rate(r) == 0.5


def test_first_day_loss_is_a_drawdown() -> None:
    assert max_drawdown([-0.2, 0.1]) == pytest.approx(-0.2, abs=1e-15)
    assert max_drawdown([0.01, 0.02]) == 0.0
    dd = drawdown(pd.Series([0.1, -0.5, 1.0], index=pd.RangeIndex(3)))
    np.testing.assert_allclose(dd.to_numpy(), [0.0, -0.5, 0.0], atol=1e-15)


def test_annualisation() -> None:
    r = [0.001] * 252
    assert cagr(r) == pytest.approx(total_return(r), abs=1e-14)
    assert total_return(r) == pytest.approx(1.001**252 - 1, abs=1e-14)
    assert ann_return([0.01, 0.03]) == pytest.approx(0.02 * 252, abs=1e-14)
    # sample std of [0.01, -0.01] is sqrt(2) * 0.01
    assert ann_vol([0.01, -0.01]) == pytest.approx(math.sqrt(2) * 0.01 * math.sqrt(252), abs=1e-15)
    # two years of growth 1.21 -> 10 % a year
    two_years = [1.21 ** (1 / 504) - 1] * 504
    assert cagr(two_years) == pytest.approx(0.1, abs=1e-12)


def test_sharpe_and_sortino_by_hand() -> None:
    # mean 0.02, sd sqrt(2) * 0.01 -> sqrt(2) * sqrt(252) = sqrt(504)
    assert sharpe([0.01, 0.03]) == pytest.approx(math.sqrt(504), rel=1e-12)
    # mean 0.005, downside sqrt((0 + 0.0001) / 2) -> sqrt(0.5) * sqrt(252) = sqrt(126)
    assert sortino([0.02, -0.01]) == pytest.approx(math.sqrt(126), rel=1e-12)
    idx = pd.RangeIndex(3)
    r = pd.Series([0.02, 0.01, 0.03], index=idx)
    rf = pd.Series([0.01, 0.0, 0.02], index=idx)  # excess = 0.01 each day: zero vol
    assert math.isnan(sharpe(r, rf))
    assert sharpe(r, 0.005) == pytest.approx(sharpe(r - 0.005), rel=1e-12)


def test_zero_vol_is_nan_not_an_error() -> None:
    r = [0.01] * 10
    assert ann_vol(r) == 0.0
    assert math.isnan(sharpe(r))
    assert math.isnan(sortino(r))  # no negative day


@pytest.mark.parametrize("data", [[], [np.nan, np.nan]])
def test_empty_and_all_nan(data: list[float]) -> None:
    for f in ALL:
        assert math.isnan(f(data)), f.__name__


def test_single_observation() -> None:
    assert math.isnan(ann_vol([0.01]))
    assert math.isnan(sharpe([0.01]))
    assert total_return([0.01]) == pytest.approx(0.01)


def test_nan_days_are_dropped() -> None:
    assert total_return([0.1, np.nan, -0.1]) == total_return([0.1, -0.1])


def test_hit_rate_ignores_flat_days() -> None:
    assert hit_rate([0.01, 0.0, -0.01, 0.02]) == pytest.approx(2 / 3)
    assert math.isnan(hit_rate([0.0, 0.0]))


def test_turnover_is_annualised_mean() -> None:
    assert turnover([0.1, 0.0, 0.0]) == pytest.approx(0.1 / 3 * 252, abs=1e-12)


def test_wipeout() -> None:
    assert cagr([-1.0, 0.1]) == -1.0
    assert math.isnan(cagr([-1.5]))  # equity below zero


def test_rf_series_must_cover_returns() -> None:
    r = pd.Series([0.01, 0.02], index=pd.DatetimeIndex(["2024-01-02", "2024-01-03"]))
    rf = pd.Series([0.0], index=pd.DatetimeIndex(["2024-01-02"]))
    with pytest.raises(ParameterError, match="rf has no value for 1 return day"):
        sharpe(r, rf)


def test_round_sig_and_json() -> None:
    assert round_sig(0.1 + 0.2) == 0.3
    assert round_sig(123456789.123456789) == 123456789.123
    assert math.isnan(round_sig(math.nan))
    obj = {
        "a": np.float64(1 / 3),
        "b": math.nan,
        "c": [np.int64(3), np.inf, None, "x"],
        "d": pd.Timestamp("2024-01-02"),
        "e": pd.NaT,
        "f": np.bool_(True),
        1: -0.0,
    }
    out = to_jsonable(obj)
    assert out == {
        "a": 0.333333333333, "b": None, "c": [3, None, None, "x"], "d": "2024-01-02",
        "e": None, "f": True, "1": -0.0,
    }
    assert json.dumps(out, sort_keys=True) == json.dumps(to_jsonable(obj), sort_keys=True)
    with pytest.raises(TypeError, match="got DataFrame"):
        to_jsonable(pd.DataFrame())


def test_performance_summary_is_rounded_and_deterministic() -> None:
    r = pd.Series(np.random.default_rng(7).normal(0.0005, 0.01, 500))
    s = performance_summary(r)
    assert s["days"] == 500
    assert all(v == round_sig(v) for v in s.values())
    assert json.dumps(to_jsonable(s)) == json.dumps(to_jsonable(performance_summary(r.copy())))
    assert to_jsonable(performance_summary(pd.Series([], dtype=float)))["sharpe"] is None
