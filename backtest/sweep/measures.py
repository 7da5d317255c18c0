"""Metrics of many return series at once, and moments per segment of sessions.

The definitions are those of :mod:`backtest.metrics.performance` (daily
simple returns, 252 sessions a year, sample standard deviation, the same
"flat" rule and NaN conventions), computed by a numba loop per
configuration so that a configuration's numbers never depend on which other
configurations share its chunk. Results agree with the pandas functions to
about 1e-12 relative (summation order differs).

Segments partition the sessions into contiguous blocks (regime runs, CSCV
blocks, calendar months). Each segment keeps the moments a Sharpe ratio
needs, so the Sharpe ratio of *any union* of segments (a regime, a
walk-forward window, an episode) follows exactly, without keeping the
returns: see :func:`combine` and :func:`sharpe_from`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numba import njit

from backtest.metrics.fields import KERNEL_METRICS
from backtest.metrics.performance import TRADING_DAYS

__all__ = ["METRICS", "SEG_FIELDS", "Measures", "combine", "measure", "segment_ids",
           "sharpe_from"]

METRICS = KERNEL_METRICS  # the kernel's output columns, in order
#: per segment: sessions, sum of raw returns, mean and M2 (sum of squared deviations) of
#: excess returns, largest absolute excess return
SEG_FIELDS = ("n", "sum", "mean_ex", "m2_ex", "maxabs_ex")
_FLAT = 1e-10  # backtest.metrics.performance._FLAT_RTOL


@njit(cache=True)
def measure_nb(returns: np.ndarray, rf: np.ndarray, seg: np.ndarray, n_seg: int,
               out_metrics: np.ndarray, out_moments: np.ndarray,
               out_seg: np.ndarray) -> None:  # pragma: no cover - compiled
    """Fill metrics (V, 6), skewness/kurtosis (V, 2) and segment moments (V, n_seg, 5)."""
    n_var, n = returns.shape
    ann = math.sqrt(252.0)
    for v in range(n_var):
        r = returns[v]
        s_raw = 0.0
        s_ex = 0.0
        growth = 1.0
        peak = 1.0
        mdd = 0.0
        max_raw = 0.0
        max_ex = 0.0
        down = 0.0
        for s in range(n_seg):
            for f in range(5):
                out_seg[v, s, f] = 0.0
        for i in range(n):
            x = r[i] - rf[i]
            s_raw += r[i]
            s_ex += x
            growth *= 1.0 + r[i]
            peak = max(peak, growth)
            mdd = min(mdd, growth / peak - 1.0)
            max_raw = max(max_raw, abs(r[i]))
            max_ex = max(max_ex, abs(x))
            if x < 0:
                down += x * x
            g = seg[i]
            out_seg[v, g, 0] += 1.0
            out_seg[v, g, 1] += r[i]
            out_seg[v, g, 2] += x
            out_seg[v, g, 4] = max(out_seg[v, g, 4], abs(x))
        for s in range(n_seg):
            if out_seg[v, s, 0] > 0:
                out_seg[v, s, 2] /= out_seg[v, s, 0]
        m_raw = s_raw / n
        m_ex = s_ex / n
        q_raw = 0.0
        q2 = 0.0
        q3 = 0.0
        q4 = 0.0
        for i in range(n):
            d = r[i] - m_raw
            q_raw += d * d
            x = r[i] - rf[i]
            e = x - m_ex
            q2 += e * e
            q3 += e * e * e
            q4 += e * e * e * e
            g = seg[i]
            dg = x - out_seg[v, g, 2]
            out_seg[v, g, 3] += dg * dg
        out_metrics[v, 0] = growth - 1.0
        out_metrics[v, 1] = growth ** (252.0 / n) - 1.0 if growth >= 0 else np.nan
        sd_raw = math.sqrt(q_raw / (n - 1)) if n > 1 else np.nan
        out_metrics[v, 2] = (0.0 if sd_raw <= _FLAT * max_raw else sd_raw * ann) if n > 1 \
            else np.nan
        sd_ex = math.sqrt(q2 / (n - 1)) if n > 1 else np.nan
        if n > 1 and sd_ex != 0.0 and sd_ex > _FLAT * max_ex:
            out_metrics[v, 3] = m_ex / sd_ex * ann
        else:
            out_metrics[v, 3] = np.nan
        dd = math.sqrt(down / n)
        out_metrics[v, 4] = m_ex / dd * ann if dd != 0.0 and dd > _FLAT * max_ex else np.nan
        out_metrics[v, 5] = mdd
        m2 = q2 / n
        out_moments[v, 0] = (q3 / n) / m2 ** 1.5 if m2 > 0 else np.nan
        out_moments[v, 1] = (q4 / n) / (m2 * m2) if m2 > 0 else np.nan


@dataclass(frozen=True, eq=False)
class Measures:
    """What a sweep keeps per configuration (no daily returns needed afterwards).

    Attributes
    ----------
    metrics : ndarray, shape (V, 6)
        :data:`METRICS` in order (fractions; ratios annualised).
    turnover : ndarray, shape (V,)
        Annualised one-sided turnover.
    moments : ndarray, shape (V, 2)
        Skewness and (non-excess) kurtosis of daily excess returns, for the
        deflated Sharpe ratio.
    segments : ndarray, shape (V, n_seg, 5)
        :data:`SEG_FIELDS` per segment.
    returns : ndarray or None, shape (V, T)
        Daily returns, kept only when asked for.
    """

    metrics: np.ndarray
    turnover: np.ndarray
    moments: np.ndarray
    segments: np.ndarray
    returns: np.ndarray | None = None

    @staticmethod
    def concat(parts: list[Measures]) -> Measures:
        """Stack the measures of consecutive chunks."""
        rets = [p.returns for p in parts if p.returns is not None]
        kept = np.concatenate(rets) if rets and len(rets) == len(parts) else None
        return Measures(np.concatenate([p.metrics for p in parts]),
                        np.concatenate([p.turnover for p in parts]),
                        np.concatenate([p.moments for p in parts]),
                        np.concatenate([p.segments for p in parts]), kept)


def measure(returns: np.ndarray, turnover: np.ndarray, rf: np.ndarray, seg: np.ndarray,
            n_seg: int, keep_returns: bool = False) -> Measures:
    """Metrics and segment moments of ``returns`` (V, T) against risk-free ``rf`` (T,)."""
    v = returns.shape[0]
    metrics = np.zeros((v, len(METRICS)))
    moments = np.zeros((v, 2))
    segs = np.zeros((v, n_seg, len(SEG_FIELDS)))
    if returns.shape[1]:
        measure_nb(np.ascontiguousarray(returns), np.ascontiguousarray(rf, dtype="float64"),
                   np.ascontiguousarray(seg, dtype=np.int64), n_seg, metrics, moments, segs)
    return Measures(metrics, turnover, moments, segs, returns if keep_returns else None)


def segment_ids(sessions: pd.DatetimeIndex, *boundaries: np.ndarray) -> tuple[np.ndarray, int]:
    """Partition sessions into contiguous segments cut at every boundary.

    Parameters
    ----------
    sessions : DatetimeIndex
        The sessions (length ``T``).
    *boundaries : ndarray of bool, shape (T,)
        True where a new segment must start.

    Returns
    -------
    seg : ndarray of int64, shape (T,)
        Segment number per session (0, 1, ... in time order).
    n_seg : int
        Number of segments.
    """
    start = np.zeros(len(sessions), dtype=bool)
    if len(sessions):
        start[0] = True
    for b in boundaries:
        start |= np.asarray(b, dtype=bool)
    seg = np.cumsum(start) - 1
    return seg.astype(np.int64), int(start.sum())


def combine(segs: np.ndarray, which: np.ndarray) -> np.ndarray:
    """Moments of the union of the segments selected by ``which``.

    Parameters
    ----------
    segs : ndarray, shape (V, n_seg, 5)
        Segment moments (:data:`SEG_FIELDS`).
    which : ndarray of bool or int, shape (n_seg,) or (k,)
        Segments to merge (mask or positions).

    Returns
    -------
    ndarray, shape (V, 5)
        The same fields for the union (parallel-variance formula of Chan,
        Golub and LeVeque).
    """
    part = segs[:, which, :]
    n = part[..., 0].sum(axis=1)
    total = part[..., 0] * part[..., 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total.sum(axis=1) / np.where(n > 0, n, 1.0), 0.0)
    m2 = part[..., 3].sum(axis=1) + (part[..., 0] * (part[..., 2] - mean[:, None]) ** 2).sum(
        axis=1)
    maxabs = part[..., 4].max(axis=1) if part.shape[1] else np.zeros(len(n))
    return np.stack([n, part[..., 1].sum(axis=1), mean, m2, maxabs], axis=1)


def sharpe_from(stats: np.ndarray) -> np.ndarray:
    """Annualised Sharpe ratio from combined moments (V, 5); NaN when undefined."""
    n, mean, m2, maxabs = stats[:, 0], stats[:, 2], stats[:, 3], stats[:, 4]
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(m2 / (n - 1))
        out = mean / sd * math.sqrt(TRADING_DAYS)
    bad = (n < 2) | (sd == 0.0) | (sd <= _FLAT * maxabs)
    return np.where(bad, np.nan, out)


def ann_return_from(stats: np.ndarray) -> np.ndarray:
    """Arithmetic annualised return (mean daily return times 252) from combined moments."""
    n = stats[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, stats[:, 1] / n * TRADING_DAYS, np.nan)
