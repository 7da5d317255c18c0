"""Overfitting statistics: deflated Sharpe ratio and probability of backtest overfitting.

* :func:`deflated_sharpe_ratio` — Bailey and López de Prado (2014), "The
  Deflated Sharpe Ratio: Correcting for Selection Bias, Backtest
  Overfitting and Non-Normality", Journal of Portfolio Management 40(5).
  The probability that a strategy's true Sharpe ratio exceeds the best
  Sharpe ratio that ``n_trials`` unskilled trials would show by luck.
* :func:`pbo_cscv` — Bailey, Borwein, López de Prado and Zhu (2015), "The
  Probability of Backtest Overfitting", Journal of Computational Finance
  20(4): combinatorially symmetric cross-validation (CSCV). The share of
  in-sample/out-of-sample splits in which the configuration that is best
  in-sample ranks at or below the median out-of-sample.

Sharpe ratios within :func:`sharpe_tolerance` of each other are ties,
wherever they are ranked or compared (CSCV here, the walk-forward choice and
percentile in :mod:`backtest.sweep.walkforward`).

Sharpe ratios here are per observation (daily, not annualised) unless
named otherwise; divide an annualised ratio by ``sqrt(252)`` first.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from numba import njit
from scipy import stats as sps

from backtest.exceptions import ParameterError

__all__ = [
    "EULER_GAMMA",
    "SHARPE_ATOL",
    "SHARPE_RTOL",
    "PBOResult",
    "block_sums",
    "deflated_sharpe_ratio",
    "expected_max_sharpe",
    "pbo_cscv",
    "pbo_from_blocks",
    "probabilistic_sharpe_ratio",
    "sharpe_tolerance",
]

EULER_GAMMA = 0.5772156649015329
#: Two Sharpe ratios tie when ``|a - ref| <= SHARPE_ATOL + SHARPE_RTOL * |ref|``: configurations
#: that hold the same weights on the sessions compared have bit-identical returns there, yet
#: their Sharpe ratios, summed over differently cut segments, differ by ~1e-15 relative. A
#: relative 1e-9 treats those as the ties they are and is far below any reported digit.
SHARPE_RTOL = 1e-9
SHARPE_ATOL = 1e-12


def sharpe_tolerance(ref: float | np.ndarray) -> float | np.ndarray:
    """Largest distance from ``ref`` at which another Sharpe ratio ties it (same units)."""
    return SHARPE_ATOL + SHARPE_RTOL * np.abs(ref)


def probabilistic_sharpe_ratio(sharpe: float, benchmark: float, n_obs: int, skew: float = 0.0,
                               kurtosis: float = 3.0) -> float:
    """Probability that the true Sharpe ratio exceeds ``benchmark`` (PSR).

    Parameters
    ----------
    sharpe : float
        Observed Sharpe ratio, per observation (e.g. daily).
    benchmark : float
        Threshold Sharpe ratio, same frequency.
    n_obs : int
        Number of return observations.
    skew : float
        Skewness of the returns (0 for normal).
    kurtosis : float
        Kurtosis of the returns, *not* excess (3 for normal).

    Returns
    -------
    float
        ``Phi((SR - SR*) sqrt(T - 1) / sqrt(1 - skew SR + (kurt - 1) / 4 SR^2))``;
        NaN when undefined.
    """
    var = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2
    if not (n_obs > 1 and math.isfinite(sharpe) and math.isfinite(var) and var > 0):
        return math.nan
    z = (sharpe - benchmark) * math.sqrt(n_obs - 1) / math.sqrt(var)
    return float(sps.norm.cdf(z))


def expected_max_sharpe(n_trials: int, sharpe_variance: float) -> float:
    """Expected maximum Sharpe ratio of ``n_trials`` unskilled trials (``SR_0``).

    ``sqrt(V) ((1 - g) Phi^-1(1 - 1/N) + g Phi^-1(1 - 1/(N e)))``, with ``V``
    the variance of the trials' Sharpe ratios and ``g`` the Euler-Mascheroni
    constant. 0 for a single trial.
    """
    if n_trials < 1:
        raise ParameterError(f"n_trials must be at least 1, got {n_trials}.")
    if n_trials == 1 or not sharpe_variance > 0:
        return 0.0
    z = ((1.0 - EULER_GAMMA) * sps.norm.ppf(1.0 - 1.0 / n_trials)
         + EULER_GAMMA * sps.norm.ppf(1.0 - 1.0 / (n_trials * math.e)))
    return float(math.sqrt(sharpe_variance) * z)


def deflated_sharpe_ratio(sharpe: float, n_obs: int, n_trials: int, sharpe_variance: float,
                          skew: float = 0.0, kurtosis: float = 3.0) -> float:
    """Deflated Sharpe ratio: PSR against the expected best of ``n_trials`` lucky trials.

    Parameters
    ----------
    sharpe : float
        Observed Sharpe ratio of the selected strategy, per observation.
    n_obs : int
        Number of return observations behind it.
    n_trials : int
        Number of (independent) configurations tried.
    sharpe_variance : float
        Variance of the per-observation Sharpe ratios across the trials.
    skew, kurtosis : float
        Skewness and kurtosis (not excess) of the selected strategy's returns.

    Returns
    -------
    float
        A probability in [0, 1]; above 0.95 the Sharpe ratio survives the
        selection at the 5 % level. NaN when undefined.
    """
    sr0 = expected_max_sharpe(n_trials, sharpe_variance)
    return probabilistic_sharpe_ratio(sharpe, sr0, n_obs, skew, kurtosis)


@dataclass(frozen=True)
class PBOResult:
    """Outcome of CSCV.

    Attributes
    ----------
    pbo : float
        Probability of backtest overfitting: share of splits in which the
        in-sample best ranks at or below the out-of-sample median (logit
        <= 0). When several configurations tie for the in-sample best (see
        :func:`sharpe_tolerance`), each is an equally likely selection and the
        split counts the share of them that rank at or below the median.
    logits : ndarray
        ``log(w / (1 - w))`` per split, ``w`` the out-of-sample relative rank
        (rank / (N + 1)) of the in-sample best configuration (mean over tied
        selections; tied out-of-sample Sharpe ratios share the mid-rank).
    is_sharpe : ndarray
        In-sample Sharpe ratio (per observation) of the selection per split.
    oos_sharpe : ndarray
        Its out-of-sample Sharpe ratio per split (mean over tied selections).
    n_splits : int
        Number of blocks ``S`` the sessions were cut into.
    n_configs : int
        Configurations compared ``N``.
    overfit : ndarray
        Per split, the share of the (tied) in-sample best selections whose
        logit is <= 0 (0 or 1 without ties); ``pbo`` is its mean.
    """

    pbo: float
    logits: np.ndarray
    is_sharpe: np.ndarray
    oos_sharpe: np.ndarray
    n_splits: int
    n_configs: int
    overfit: np.ndarray = dataclasses.field(default_factory=lambda: np.array([]))

    @property
    def n_combinations(self) -> int:
        """Number of in-sample/out-of-sample splits evaluated."""
        return len(self.logits)

    @property
    def prob_oos_loss(self) -> float:
        """Share of splits in which the selected configuration loses out of sample."""
        ok = np.isfinite(self.oos_sharpe)
        return float(np.mean(self.oos_sharpe[ok] < 0)) if ok.any() else math.nan

    @property
    def degradation(self) -> float:
        """Mean out-of-sample minus in-sample Sharpe (per observation) of the selection."""
        ok = np.isfinite(self.oos_sharpe) & np.isfinite(self.is_sharpe)
        return float(np.mean(self.oos_sharpe[ok] - self.is_sharpe[ok])) if ok.any() else math.nan


def block_sums(returns: np.ndarray, n_splits: int) -> np.ndarray:
    """Per-block ``[n, sum, sum of squares]`` of returns (T, N) cut into ``n_splits`` blocks.

    Blocks are contiguous and as equal as possible (``numpy.array_split``).
    Returns an array of shape (N, n_splits, 3).
    """
    x = np.asarray(returns, dtype="float64")
    if x.ndim != 2:
        raise ParameterError(f"returns must be a (sessions, configurations) matrix; got {x.shape}.")
    out = np.zeros((x.shape[1], n_splits, 3))
    for b, part in enumerate(np.array_split(x, n_splits, axis=0)):
        out[:, b, 0] = part.shape[0]
        out[:, b, 1] = part.sum(axis=0)
        out[:, b, 2] = (part * part).sum(axis=0)
    return out


@njit(cache=True)
def _sharpe_nb(n: float, s: float, q: float) -> float:  # pragma: no cover - compiled
    if n < 2:
        return np.nan
    mean = s / n
    var = (q - n * mean * mean) / (n - 1)
    if not var > 0:
        return np.nan
    return mean / math.sqrt(var)


@njit(cache=True)
def _tol_nb(ref: float) -> float:  # pragma: no cover - compiled
    return SHARPE_ATOL + SHARPE_RTOL * abs(ref)


@njit(cache=True)
def _split_nb(ins: np.ndarray, oos: np.ndarray, out: np.ndarray,
              at: int) -> None:  # pragma: no cover - compiled
    """Select the in-sample best (ties kept), rank it out of sample, write 4 values at ``at``.

    ``out[at:at + 4]``: mean logit, share of the tied selections whose logit
    is <= 0, in-sample Sharpe, mean out-of-sample Sharpe of the selections.
    """
    n_cfg = ins.shape[0]
    top = -np.inf
    for v in range(n_cfg):
        if not math.isnan(ins[v]) and ins[v] > top:
            top = ins[v]
    out[at:at + 4] = np.nan
    if top == -np.inf:
        return
    out[at + 2] = top
    fin = np.sort(oos[~np.isnan(oos)])
    tol_top = _tol_nb(top)
    n_sel = 0.0
    logit_sum = 0.0
    low = 0.0
    oos_sum = 0.0
    for v in range(n_cfg):
        if math.isnan(ins[v]) or top - ins[v] > tol_top or math.isnan(oos[v]):
            continue
        tol = _tol_nb(oos[v])
        below = np.searchsorted(fin, oos[v] - tol, side="left")
        tied = np.searchsorted(fin, oos[v] + tol, side="right") - below - 1
        w = (1.0 + below + 0.5 * tied) / (n_cfg + 1.0)
        logit = math.log(w / (1.0 - w))
        n_sel += 1.0
        logit_sum += logit
        low += 1.0 if logit <= 0.0 else 0.0
        oos_sum += oos[v]
    if n_sel > 0:
        out[at] = logit_sum / n_sel
        out[at + 1] = low / n_sel
        out[at + 3] = oos_sum / n_sel


@njit(cache=True)
def _cscv_nb(blocks: np.ndarray, halves: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """For each half (and its complement) pick the in-sample best and rank it out of sample.

    ``out[c, 0:4]`` with ``halves[c]`` in sample, ``out[c, 4:8]`` with the
    complement in sample (see :func:`_split_nb`).
    """
    n_cfg, n_blk, _ = blocks.shape
    tot = np.zeros((n_cfg, 3))
    for v in range(n_cfg):
        for b in range(n_blk):
            for f in range(3):
                tot[v, f] += blocks[v, b, f]
    sr_a = np.zeros(n_cfg)
    sr_b = np.zeros(n_cfg)
    for c in range(halves.shape[0]):
        for v in range(n_cfg):
            n = 0.0
            s = 0.0
            q = 0.0
            for j in range(halves.shape[1]):
                b = halves[c, j]
                n += blocks[v, b, 0]
                s += blocks[v, b, 1]
                q += blocks[v, b, 2]
            sr_a[v] = _sharpe_nb(n, s, q)
            sr_b[v] = _sharpe_nb(tot[v, 0] - n, tot[v, 1] - s, tot[v, 2] - q)
        _split_nb(sr_a, sr_b, out[c], 0)
        _split_nb(sr_b, sr_a, out[c], 4)


def pbo_from_blocks(blocks: np.ndarray) -> PBOResult:
    """PBO by CSCV from per-block ``[n, sum, sum of squares]`` of excess returns.

    Parameters
    ----------
    blocks : ndarray, shape (N, S, 3)
        For each of ``N`` configurations and ``S`` (even) contiguous blocks
        of sessions: observations, sum and sum of squares of the returns
        (see :func:`block_sums`).

    Returns
    -------
    PBOResult
        Over all ``C(S, S/2)`` splits (each half is in-sample once and
        out-of-sample once). With fewer than two configurations the PBO is NaN.
    """
    arr = np.ascontiguousarray(blocks, dtype="float64")
    n_cfg, n_blk = arr.shape[0], arr.shape[1]
    if n_blk < 2 or n_blk % 2:
        raise ParameterError(f"CSCV needs an even number of blocks >= 2; got {n_blk}.")
    if n_cfg < 2:
        empty = np.array([])
        return PBOResult(math.nan, empty, empty, empty, n_blk, n_cfg)
    # halves containing block 0; their complements are the other half of the splits
    halves = np.array([c for c in combinations(range(n_blk), n_blk // 2) if c[0] == 0],
                      dtype=np.int64)
    out = np.zeros((len(halves), 8))
    _cscv_nb(arr, halves, out)
    logits, overfit, is_sr, oos_sr = (np.concatenate([out[:, f], out[:, f + 4]])
                                      for f in range(4))
    ok = np.isfinite(overfit)
    pbo = float(np.mean(overfit[ok])) if ok.any() else math.nan
    return PBOResult(pbo, logits, is_sr, oos_sr, n_blk, n_cfg, overfit)


def pbo_cscv(returns: np.ndarray, n_splits: int = 16) -> PBOResult:
    """PBO by CSCV on a (sessions, configurations) matrix of returns.

    Parameters
    ----------
    returns : ndarray, shape (T, N)
        Daily (excess) returns, one column per configuration.
    n_splits : int
        Even number of contiguous blocks ``S``; ``C(S, S/2)`` splits are
        evaluated (12,870 for the default 16).
    """
    if n_splits < 2 or n_splits % 2 or n_splits > 20:
        raise ParameterError(
            f"n_splits must be an even number from 2 to 20; got {n_splits} (C(S, S/2) splits "
            "grow fast: 20 blocks already give 184,756)."
        )
    return pbo_from_blocks(block_sums(returns, n_splits))
