"""Numba kernels of the bootstrap: the block layout, and the run report's joint statistic.

:func:`lay_out_blocks` turns each resample's block starts and uniforms into row
indices (integer arithmetic: the same indices as the numpy layout it replaced).

:func:`joint_replicates` computes, for every resample given as row indices,
exactly what :func:`backtest.report.stats._joint_stat` computes with numpy on
the gathered resample, without gathering it: the same floating-point
operations in the same order (sums over sessions in session order, the mean
as the sum over ``n``, the variance as numpy's two-pass ``var`` with
``ddof=1``), so the replicates are byte-identical. A test pins the two
together; the numpy statistic stays the reference.

It is a separate module so that importing :mod:`backtest.report.stats` does
not import numba (help, listings and bad input import neither numba nor
vectorbt); numba caches the compiled kernel on disk like the sweep kernel.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["joint_replicates", "lay_out_blocks"]


@njit(cache=True)
def lay_out_blocks(starts: np.ndarray, uniforms: np.ndarray,
                   p: float) -> np.ndarray:  # pragma: no cover - numba
    """Row indices of stationary-block resamples, written over ``starts``.

    Row ``i`` of a resample starts a new block at ``starts[r, i]`` when
    ``uniforms[r, i] <= p`` (always at ``i = 0``); otherwise it continues the
    block at the next row, wrapping from ``n - 1`` to 0.
    """
    reps, n = starts.shape
    for r in range(reps):
        cur = starts[r, 0]
        for i in range(1, n):
            if uniforms[r, i] <= p:
                cur = starts[r, i]
            else:
                cur += 1
                if cur == n:
                    cur = 0
            starts[r, i] = cur
    return starts


@njit(cache=True)
def joint_replicates(data: np.ndarray, idx: np.ndarray, k: int, periods: int,
                     flat_rtol: float) -> np.ndarray:  # pragma: no cover - numba
    """Means x ``periods`` and Sharpe ratios of ``k`` return columns over each resample.

    Parameters
    ----------
    data : ndarray
        ``(sessions, k + 1)``: ``k`` return columns, then the risk-free rate.
    idx : ndarray of int64
        ``(resamples, sessions)`` row indices of each resample.
    k : int
        Return columns.
    periods : int
        Periods a year (252).
    flat_rtol : float
        A column whose standard deviation is at most ``flat_rtol`` times its
        largest absolute excess return is flat: its Sharpe ratio is NaN.

    Returns
    -------
    ndarray
        ``(resamples, 2 k)``: the ``k`` annualised means, then the ``k`` Sharpe ratios.
    """
    reps, n = idx.shape
    out = np.empty((reps, 2 * k))
    root = math.sqrt(periods)
    for b in range(reps):
        rows = idx[b]
        for j in range(k):
            total = 0.0
            excess_total = 0.0
            scale = 0.0
            for i in range(n):
                x = data[rows[i], j]
                e = x - data[rows[i], k]
                total += x
                excess_total += e
                a = abs(e)
                if a > scale:
                    scale = a
            mean = excess_total / n
            squares = 0.0
            for i in range(n):
                d = (data[rows[i], j] - data[rows[i], k]) - mean
                squares += d * d
            sd = math.sqrt(squares / (n - 1))
            out[b, j] = total / n * periods
            if sd == 0.0 or sd <= flat_rtol * scale:
                out[b, k + j] = np.nan
            else:
                out[b, k + j] = mean / sd * root
    return out
