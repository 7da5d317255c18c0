"""Statistics against a benchmark: does the best configuration beat it after data snooping.

The deflated Sharpe ratio of :mod:`backtest.sweep.stats` asks whether the
best Sharpe ratio beats *zero* (cash) after the selection. A sweep of
strategies that all hold equities clears that bar by holding equities; the
question a user asks is whether any configuration beats the benchmark it
would otherwise hold. This module answers it on the daily returns of every
configuration:

* :func:`active_returns` — each configuration's excess return (over cash)
  scaled to the benchmark's volatility, minus the benchmark's excess return:
  its mean is ``sigma_b (SR_i - SR_b)`` per day, positive exactly when the
  configuration has the higher Sharpe ratio (more risk alone does not count);
* :func:`effective_trials` — the number of independent trials the grid is
  worth, ``rho + (1 - rho) N`` with ``rho`` the average pairwise correlation
  (Bailey, Borwein, López de Prado and Zhu 2014, "Pseudo-Mathematics and
  Financial Charlatanism", Notices of the AMS 61(5));
* :func:`dsr_against` — the deflated Sharpe ratio of the best
  configuration's active return (against a benchmark, or against the grid's
  daily median);
* :func:`spa_stepm` — Hansen's (2005) test for superior predictive ability
  (SPA: "does *any* configuration beat the benchmark?") and Romano and Wolf's
  (2005) StepM ("*which* ones do?", family-wise error controlled), both from
  ``arch.bootstrap`` with a stationary bootstrap and a fixed seed.

Work is bounded before anything is allocated: :func:`bootstrap_work` is
``(resamples + sessions) x sessions x configurations`` and
:data:`MAX_BOOTSTRAP_WORK` caps it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from backtest.exceptions import ParameterError
from backtest.sweep.config import DEFAULT_SEED
from backtest.sweep.stats import deflated_sharpe_ratio

__all__ = ["MAX_BOOTSTRAP_WORK", "DSRAgainst", "SPAResult", "active_returns",
           "bootstrap_work", "dsr_against", "effective_trials", "spa_stepm"]

#: bound on :func:`bootstrap_work` of one SPA/StepM (about a minute on one core)
MAX_BOOTSTRAP_WORK = 20_000_000_000


def _daily_sharpe(x: np.ndarray) -> np.ndarray:
    """Per-column mean / sample sd (per observation); NaN where the sd is 0."""
    sd = x.std(axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sd > 0, x.mean(axis=0) / np.where(sd > 0, sd, 1.0), np.nan)


def active_returns(excess: np.ndarray, bench: np.ndarray) -> np.ndarray:
    """Risk-matched daily return of each configuration over a benchmark.

    Parameters
    ----------
    excess : ndarray, shape (T, N)
        Daily returns of the configurations in excess of cash.
    bench : ndarray, shape (T,)
        Daily return of the benchmark in excess of cash, same sessions.

    Returns
    -------
    ndarray, shape (T, N)
        ``excess_i * sd(bench) / sd(excess_i) - bench``: the configuration
        levered to the benchmark's volatility, minus the benchmark. Its mean
        is ``sd(bench) (SR_i - SR_b)``. A column with zero volatility is NaN.
    """
    x = np.asarray(excess, dtype="float64")
    b = np.asarray(bench, dtype="float64")
    if x.ndim != 2 or b.shape != (x.shape[0],):
        raise ParameterError(f"active_returns needs excess (T, N) and bench (T,); got "
                             f"{x.shape} and {b.shape}.")
    sd = x.std(axis=0, ddof=1)
    scale = np.where(sd > 0, b.std(ddof=1) / np.where(sd > 0, sd, 1.0), np.nan)
    return x * scale - b[:, None]


def effective_trials(excess: np.ndarray) -> tuple[float, float]:
    """Effective number of independent configurations and their average correlation.

    ``N_eff = rho + (1 - rho) N``, ``rho`` the mean of the ``N (N - 1)``
    pairwise correlations of the daily excess returns (clipped to [0, 1]),
    computed in ``O(T N)`` from the sum of the standardised columns (no N x N
    matrix). ``N_eff`` is 1 when every configuration moves together and
    ``N`` when none do.

    Parameters
    ----------
    excess : ndarray, shape (T, N)
        Daily returns in excess of cash; columns with zero variance are left out.

    Returns
    -------
    n_eff : float
        Effective number of independent trials (NaN with no usable column).
    rho : float
        Average pairwise correlation (NaN with fewer than two columns).
    """
    x = np.asarray(excess, dtype="float64")
    sd = x.std(axis=0, ddof=1)
    x = x[:, sd > 0]
    n = x.shape[1]
    if n < 2:
        return (float(n) if n else math.nan), math.nan
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    total = float(np.sum(z.sum(axis=1) ** 2) / (x.shape[0] - 1))  # sum of all correlations
    rho = min(max((total - n) / (n * (n - 1)), 0.0), 1.0)
    return rho + (1.0 - rho) * n, rho


@dataclass(frozen=True)
class DSRAgainst:
    """Deflated Sharpe ratio of the best configuration's return over a reference.

    Attributes
    ----------
    reference : str
        What it is measured against (a benchmark name, ``"grid median"``).
    sharpe : float
        Annualised Sharpe ratio of the best configuration's active return
        (its information ratio against the reference, risk-matched).
    dsr : float
        Probability that this Sharpe ratio beats the best of ``n_trials``
        lucky trials (:func:`~backtest.sweep.stats.deflated_sharpe_ratio`).
    dsr_effective : float
        The same with the effective number of independent trials.
    n_trials : int
        Configurations tried.
    n_effective : float
        Effective number of independent trials (:func:`effective_trials`).
    sessions : int
        Sessions the reference has returns on.
    """

    reference: str
    sharpe: float
    dsr: float
    dsr_effective: float
    n_trials: int
    n_effective: float
    sessions: int


def _moments(x: np.ndarray) -> tuple[float, float]:
    """Skewness and (non-excess) kurtosis, population moments as the sweep's."""
    e = x - x.mean()
    m2 = float(np.mean(e * e))
    if not m2 > 0:
        return math.nan, math.nan
    return float(np.mean(e ** 3) / m2 ** 1.5), float(np.mean(e ** 4) / m2 ** 2)


def dsr_against(excess: np.ndarray, reference: np.ndarray, best: int, name: str,
                n_effective: float) -> DSRAgainst:
    """DSR of configuration ``best``'s risk-matched return over ``reference``.

    Parameters
    ----------
    excess : ndarray, shape (T, N)
        Daily excess returns (over cash) of every configuration.
    reference : ndarray, shape (T,)
        Daily excess return of what it is measured against.
    best : int
        Column of the selected configuration.
    name : str
        Label of the reference.
    n_effective : float
        Effective number of independent trials.

    Notes
    -----
    The trials' Sharpe variance is that of every configuration's active
    return over the same reference, so the deflation reflects how far apart
    the configurations are *relative to the reference*.
    """
    act = active_returns(excess, reference)
    sr = _daily_sharpe(act)
    ok = np.isfinite(sr)
    n_trials = int(ok.sum())
    var = float(np.var(sr[ok], ddof=1)) if n_trials > 1 else 0.0
    skew, kurt = _moments(act[:, best])
    t = act.shape[0]
    dsr = deflated_sharpe_ratio(float(sr[best]), t, max(n_trials, 1), var, skew, kurt) \
        if ok[best] else math.nan
    n_eff = max(1, round(n_effective)) if math.isfinite(n_effective) else max(n_trials, 1)
    dsr_eff = deflated_sharpe_ratio(float(sr[best]), t, n_eff, var, skew, kurt) \
        if ok[best] else math.nan
    return DSRAgainst(name, float(sr[best]) * math.sqrt(252.0), dsr, dsr_eff, n_trials,
                      n_effective, t)


@dataclass(frozen=True)
class SPAResult:
    """Hansen's SPA and Romano-Wolf StepM of every configuration against one benchmark.

    Attributes
    ----------
    benchmark : str
        Benchmark name.
    pvalue : float
        SPA p-value (Hansen's consistent version): the probability of a best
        risk-matched mean return this far above the benchmark if *no*
        configuration truly beats it. Small (< 0.05) means at least one does.
    pvalue_lower, pvalue_upper : float
        The lower and upper SPA p-values (upper = White's reality check).
    superior : tuple of int
        Configurations StepM finds better than the benchmark at ``size``
        (family-wise error controlled), in grid order.
    size : float
        Family-wise error rate of StepM.
    reps : int
        Bootstrap resamples.
    block_size : int
        Mean block length of the stationary bootstrap, sessions.
    seed : int
        Bootstrap seed.
    sessions : int
        Sessions with returns of both.
    """

    benchmark: str
    pvalue: float
    pvalue_lower: float
    pvalue_upper: float
    superior: tuple[int, ...]
    size: float
    reps: int
    block_size: int
    seed: int
    sessions: int


def bootstrap_work(reps: int, sessions: int, configs: int) -> int:
    """Element operations of one SPA/StepM: ``(reps + sessions) x sessions x configs``.

    Each resample averages a ``sessions x configs`` matrix; the studentising
    variance (arch's stationary-bootstrap kernel) sums one such product per lag.
    """
    return (int(reps) + int(sessions)) * int(sessions) * int(configs)


def spa_stepm(excess: np.ndarray, bench: np.ndarray, name: str, *, reps: int = 1000,
              seed: int = DEFAULT_SEED, size: float = 0.05,
              block_size: int | None = None) -> SPAResult:
    """SPA p-values and the StepM set of configurations beating ``bench``.

    Losses are negated risk-matched returns (:func:`active_returns`), so a
    configuration "beats" the benchmark when its Sharpe ratio is higher.

    Parameters
    ----------
    excess : ndarray, shape (T, N)
        Daily excess returns (over cash) of the configurations.
    bench : ndarray, shape (T,)
        Daily excess return of the benchmark (no NaN).
    name : str
        Benchmark name.
    reps : int
        Bootstrap resamples (at least 10).
    seed : int
        Seed of the stationary bootstrap.
    size : float
        Family-wise error rate of StepM.
    block_size : int, optional
        Mean block length, sessions (default ``sqrt(T)``, arch's).

    Raises
    ------
    ParameterError
        Fewer than 10 resamples, or more work than :data:`MAX_BOOTSTRAP_WORK`.
    """
    from arch.bootstrap import StepM

    act = active_returns(excess, bench)
    finite = np.isfinite(act).all(axis=0)
    act = act[:, finite]
    t, n = act.shape
    if reps < 10:
        raise ParameterError(f"reps must be at least 10 for SPA/StepM p-values; got {reps}.")
    work = bootstrap_work(reps, t, n)
    if work > MAX_BOOTSTRAP_WORK:
        raise ParameterError(
            f"SPA/StepM over {n:,} configurations x {t:,} sessions x {reps:,} resamples = "
            f"{work:.2e} operations exceeds the bound {MAX_BOOTSTRAP_WORK:.0e}; lower --reps "
            "or narrow the grid (--reps 0 skips the tests)."
        )
    block = block_size if block_size is not None else int(math.sqrt(t))
    step = StepM(np.zeros(t), -act, size=size, block_size=block, reps=reps, seed=seed)
    step.compute()
    # StepM's first round is the SPA over every configuration; its bootstrap is cached, so
    # the p-values over the full set come without a second bootstrap
    step.spa.compute()
    pv = step.spa.pvalues
    keep = np.flatnonzero(finite)
    superior = tuple(int(i) for i in keep[np.asarray(step.superior_models, dtype=np.int64)])
    return SPAResult(name, float(pv["consistent"]), float(pv["lower"]), float(pv["upper"]),
                     superior, size, reps, block, seed, t)
