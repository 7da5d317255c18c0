"""Factor attribution: OLS with HAC errors, checked against statsmodels and known betas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from backtest.exceptions import ParameterError
from backtest.metrics.factors import (
    FF5,
    factor_attribution,
    factor_columns,
    factor_premium,
    factor_regression,
    newey_west_lags,
)

N = 1500
BETAS = {"Mkt-RF": 0.9, "SMB": -0.3, "HML": 0.5, "RMW": 0.2, "CMA": -0.1}
ALPHA_DAILY = 0.0002  # 5.04% a year


def _factors(seed: int = 7, n: int = N, momentum: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2015-01-01", periods=n)
    cols = [*FF5, "Mom"] if momentum else list(FF5)
    f = pd.DataFrame(rng.normal(0.0, 0.01, size=(n, len(cols))), index=idx, columns=cols)
    f["RF"] = 0.0001
    return f


def _returns(f: pd.DataFrame, noise: float = 0.002, seed: int = 11) -> pd.Series:
    rng = np.random.default_rng(seed)
    excess = ALPHA_DAILY + sum(b * f[k] for k, b in BETAS.items())
    return excess + f["RF"] + rng.normal(0.0, noise, len(f))


def test_known_betas_are_recovered() -> None:
    f = _factors()
    out = factor_regression(_returns(f) - f["RF"], f[list(FF5)])
    for k, b in BETAS.items():
        assert out["beta"][k] == pytest.approx(b, abs=0.02)
        lo, hi = out["beta_ci95"][k]
        assert lo < b < hi
    assert out["alpha_ann"] == pytest.approx(ALPHA_DAILY * 252, abs=0.02)
    assert out["r2"] > 0.9 and out["days"] == N


def test_regression_equals_statsmodels_hac() -> None:
    f = _factors(seed=3)
    y = _returns(f, noise=0.01, seed=5) - f["RF"]
    out = factor_regression(y, f[list(FF5)], lags=4)
    ref = sm.OLS(y.to_numpy(), sm.add_constant(f[list(FF5)].to_numpy())).fit(
        cov_type="HAC", cov_kwds={"maxlags": 4})
    assert out["alpha_ann"] == pytest.approx(ref.params[0] * 252, rel=1e-12)
    assert out["alpha_t"] == pytest.approx(ref.tvalues[0], rel=1e-12)
    assert out["r2"] == pytest.approx(ref.rsquared, rel=1e-12)
    for i, k in enumerate(FF5, start=1):
        assert out["beta"][k] == pytest.approx(ref.params[i], rel=1e-12)
        assert out["beta_se"][k] == pytest.approx(ref.bse[i], rel=1e-12)
        assert out["beta_t"][k] == pytest.approx(ref.tvalues[i], rel=1e-12)
    # HAC errors differ from plain OLS errors on autocorrelated data
    plain = sm.OLS(y.to_numpy(), sm.add_constant(f[list(FF5)].to_numpy())).fit()
    assert out["beta_se"]["HML"] != pytest.approx(plain.bse[3], rel=1e-6)


def test_newey_west_rule_of_thumb() -> None:
    assert newey_west_lags(100) == 4
    assert newey_west_lags(5000) == 9  # 4 * 50^(2/9) = 9.54


def test_attribution_per_regime_recovers_regime_betas() -> None:
    f = _factors(seed=21)
    idx = f.index
    labels = pd.Series(np.where(np.arange(N) < 900, "QT", "QE"), index=idx)
    hml = np.where(labels == "QT", 0.8, -0.4)  # value under QT, growth under QE
    rng = np.random.default_rng(2)
    r = f["RF"] + 0.9 * f["Mkt-RF"] + hml * f["HML"] + rng.normal(0, 0.002, N)
    labels.iloc[895:905] = "taper"  # ten sessions: too few to regress
    out = factor_attribution(r, f, labels)
    assert out["factors"] == list(FF5) and out["model"] == "FF5"
    assert out["by_regime"]["QT"]["beta"]["HML"] == pytest.approx(0.8, abs=0.03)
    assert out["by_regime"]["QE"]["beta"]["HML"] == pytest.approx(-0.4, abs=0.03)
    assert out["skipped"] == {"taper": 10}
    assert out["overall"]["days"] == N
    assert set(out["premia"]) == {"overall", "QT", "QE"}
    assert out["start"] == idx[0] and out["end"] == idx[-1]


def test_attribution_uses_only_dates_with_both_returns_and_factors() -> None:
    f = _factors(seed=4)
    r = _returns(f)
    later = r.copy()
    later.index = later.index + pd.Timedelta(days=1000)  # partly beyond the factor file
    out = factor_attribution(later, f)
    assert out["end"] == f.index[-1] and out["overall"]["days"] == int(f.index.isin(
        later.index).sum())


def test_momentum_is_used_when_present() -> None:
    assert factor_columns(_factors(momentum=True)) == (*FF5, "Mom")
    assert factor_columns(_factors()) == FF5


def test_premium_is_the_mean_with_an_interval() -> None:
    f = _factors(seed=9)
    mean, lo, hi = factor_premium(f["HML"])
    assert mean == pytest.approx(f["HML"].mean() * 252, rel=1e-12)
    assert lo < mean < hi


def test_errors_name_what_is_missing() -> None:
    f = _factors().drop(columns=["CMA"])
    with pytest.raises(ParameterError, match=r"factors lacks column\(s\) \['CMA'\]"):
        factor_attribution(pd.Series(0.0, index=f.index), f)
    g = _factors(n=20)
    with pytest.raises(ParameterError, match=r"at least 63 sessions .* got 20"):
        factor_attribution(pd.Series(0.001, index=g.index), g)
