"""Factor attribution: daily excess returns regressed on Fama-French factors.

Pure functions. A strategy's daily excess return (its simple return minus
the factor file's risk-free rate ``RF``) is regressed by OLS on the factor
returns (Fama-French five: ``Mkt-RF``, ``SMB``, ``HML``, ``RMW``, ``CMA``,
plus ``Mom`` when the factor frame has it), overall and within each regime,
with HAC (Newey-West) standard errors. Sessions of a regime are pooled
across its episodes (the HAC window runs across the seams, a small
approximation). The question it answers: is a strategy's edge more than its
factor exposure (alpha), and what does it load on (betas)?

Units: returns and factors as decimals per session; ``alpha_ann`` is the
daily intercept times 252 (decimal per year); betas are unitless.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from backtest.exceptions import ParameterError
from backtest.metrics.performance import TRADING_DAYS

__all__ = [
    "FF5",
    "MIN_DAYS",
    "MOMENTUM",
    "factor_attribution",
    "factor_columns",
    "factor_premium",
    "factor_regression",
    "newey_west_lags",
]

#: the Fama-French five factors, in their file's order
FF5: tuple[str, ...] = ("Mkt-RF", "SMB", "HML", "RMW", "CMA")
#: momentum's column name in Ken French's files, used when present
MOMENTUM = "Mom"
#: fewest sessions a regression is run on (a quarter of sessions)
MIN_DAYS = 63


def newey_west_lags(n: int) -> int:
    """Newey-West (1994) rule of thumb for the HAC window: floor(4 (n/100)^(2/9))."""
    return math.floor(4.0 * (max(n, 1) / 100.0) ** (2.0 / 9.0))


def factor_columns(factors: pd.DataFrame) -> tuple[str, ...]:
    """The regressors found in ``factors``: the five, plus momentum if present.

    Raises
    ------
    ParameterError
        A Fama-French five column or ``RF`` is missing.
    """
    missing = [c for c in (*FF5, "RF") if c not in factors.columns]
    if missing:
        raise ParameterError(
            f"factors lacks column(s) {missing}; it needs {', '.join((*FF5, 'RF'))} (Ken "
            "French's five-factor daily file, as decimals), e.g. the FF5_DAILY series.")
    return (*FF5, MOMENTUM) if MOMENTUM in factors.columns else FF5


def factor_regression(excess: pd.Series, factors: pd.DataFrame,
                      lags: int | None = None) -> dict[str, Any]:
    """OLS of ``excess`` on ``factors`` with HAC (Newey-West) standard errors.

    Parameters
    ----------
    excess : Series
        Daily excess returns (decimal), indexed by session.
    factors : DataFrame
        Regressors (decimal per session), same index; one column per factor.
    lags : int, optional
        HAC window; default :func:`newey_west_lags` of the sample size.

    Returns
    -------
    dict
        ``days``, ``hac_lags``, ``alpha_ann`` (intercept x 252), ``alpha_t``,
        ``alpha_ci95`` ([low, high], annualised), ``r2``, and per factor
        ``beta``, ``beta_se``, ``beta_t``, ``beta_ci95`` ([low, high], normal
        95% interval from the HAC standard error).

    Raises
    ------
    ParameterError
        Fewer sessions than regressors + 2 after dropping missing rows.
    """
    # the module, not statsmodels.api (which imports all of statsmodels: 0.5 s more per run)
    from statsmodels.regression.linear_model import OLS  # type: ignore[import-untyped]

    data = pd.concat([excess.rename("_y"), factors], axis=1, join="inner").dropna()
    names = [str(c) for c in factors.columns]
    if len(data) < len(names) + 2:
        raise ParameterError(
            f"factor_regression needs at least {len(names) + 2} sessions with returns and "
            f"factors, got {len(data)}; widen the range or check the factor data's dates.")
    n_lags = newey_west_lags(len(data)) if lags is None else int(lags)
    x = np.column_stack([np.ones(len(data)), data[names].to_numpy(dtype=float)])
    fit = OLS(data["_y"].to_numpy(dtype=float), x).fit(
        cov_type="HAC", cov_kwds={"maxlags": n_lags})
    params, se, t = np.asarray(fit.params), np.asarray(fit.bse), np.asarray(fit.tvalues)
    ci = np.asarray(fit.conf_int(0.05))
    return {
        "days": len(data), "hac_lags": n_lags,
        "alpha_ann": params[0] * TRADING_DAYS, "alpha_t": t[0],
        "alpha_ci95": [ci[0, 0] * TRADING_DAYS, ci[0, 1] * TRADING_DAYS],
        "r2": float(fit.rsquared),
        "beta": dict(zip(names, params[1:], strict=True)),
        "beta_se": dict(zip(names, se[1:], strict=True)),
        "beta_t": dict(zip(names, t[1:], strict=True)),
        "beta_ci95": {n: [ci[i + 1, 0], ci[i + 1, 1]] for i, n in enumerate(names)},
    }


def factor_premium(factor: pd.Series, lags: int | None = None) -> list[float]:
    """Mean return of one factor, annualised (x 252), with its HAC 95% interval.

    Returns ``[mean, low, high]`` (decimal per year): the intercept of an
    OLS of the daily factor returns on a constant, Newey-West standard error.
    """
    from statsmodels.regression.linear_model import OLS

    y = factor.dropna().to_numpy(dtype=float)
    if len(y) < 3:
        raise ParameterError(f"factor_premium needs at least 3 sessions, got {len(y)}.")
    n_lags = newey_west_lags(len(y)) if lags is None else int(lags)
    fit = OLS(y, np.ones((len(y), 1))).fit(cov_type="HAC", cov_kwds={"maxlags": n_lags})
    lo, hi = np.asarray(fit.conf_int(0.05))[0]
    return [float(fit.params[0]) * TRADING_DAYS, lo * TRADING_DAYS, hi * TRADING_DAYS]


def _premia(factors: pd.DataFrame) -> dict[str, list[float]]:
    return {str(c): factor_premium(factors[c]) for c in factors.columns}


def factor_attribution(returns: pd.Series, factors: pd.DataFrame,
                       labels: pd.Series | None = None, model: str = "FF5",
                       min_days: int = MIN_DAYS,
                       regimes: Sequence[str] | None = None) -> dict[str, Any]:
    """Factor regression of a strategy's returns, overall and per regime.

    Parameters
    ----------
    returns : Series
        Daily simple returns (decimal) of the strategy, indexed by session.
    factors : DataFrame
        Factor returns as decimals per session with ``RF`` (the Fama-French
        five, optionally ``Mom``); rows on dates without returns are ignored.
    labels : Series, optional
        Regime label per session; each regime with at least ``min_days``
        sessions of returns and factors gets its own regression.
    model : str
        Name recorded with the result.
    min_days : int
        Fewest sessions a regression is run on; shorter regimes are listed
        under ``skipped`` with their number of sessions.
    regimes : sequence of str, optional
        Order of the regimes (default: as first met in ``labels``).

    Returns
    -------
    dict
        ``model``, ``factors`` (regressors), ``start`` / ``end`` (sessions
        regressed), ``overall`` (see :func:`factor_regression`),
        ``by_regime``, ``skipped`` (regime -> sessions, too few to regress)
        and ``premia`` (``overall`` and each regressed regime -> factor ->
        ``[mean, low, high]`` annualised return of the factor itself with its
        HAC 95% interval: the factor view of a claim, e.g. HML under QT).
    """
    cols = factor_columns(factors)
    data = pd.concat([returns.rename("_r"), factors[[*cols, "RF"]]], axis=1,
                     join="inner").dropna()
    if len(data) < max(min_days, len(cols) + 2):
        raise ParameterError(
            f"factor attribution needs at least {max(min_days, len(cols) + 2)} sessions where "
            f"both returns and factors are known; got {len(data)} (returns "
            f"{_span(returns)}, factors {_span(factors)}).")
    excess = data["_r"] - data["RF"]
    out: dict[str, Any] = {
        "model": model, "factors": list(cols),
        "start": data.index[0], "end": data.index[-1],
        "overall": factor_regression(excess, data[list(cols)]),
        "by_regime": {}, "skipped": {},
        "premia": {"overall": _premia(data[list(cols)])},
    }
    if labels is not None:
        lab = labels.reindex(data.index)
        order = list(regimes) if regimes is not None else list(dict.fromkeys(lab.dropna()))
        for label in order:
            mask = (lab == label).to_numpy()
            if mask.sum() < max(min_days, len(cols) + 2):
                out["skipped"][str(label)] = int(mask.sum())
                continue
            out["by_regime"][str(label)] = factor_regression(excess[mask],
                                                             data.loc[mask, list(cols)])
            out["premia"][str(label)] = _premia(data.loc[mask, list(cols)])
    return out


def _span(frame: pd.Series | pd.DataFrame) -> str:
    if len(frame.index) == 0:
        return "empty"
    return f"{pd.Timestamp(frame.index[0]):%Y-%m-%d} to {pd.Timestamp(frame.index[-1]):%Y-%m-%d}"
