"""Drifting weights: the arithmetic of the ``drift`` schedule, compiled once for both engines.

Between fills a portfolio's weights move with prices. The ``drift`` schedule
(:func:`backtest.engine.schedule.drift_decision_days` for the vectorbt engine,
the loop of :func:`backtest.sweep.kernel.simulate_nb` for the sweep) tracks
the weights a costless portfolio would hold and rebalances when they stray
too far from target. The two loops differ in how they store targets; the
steps they share are these compiled functions, so both engines compute the
same weights bit for bit.

Weights are fractions of portfolio value; ``1 - sum(weights)`` is cash,
which earns nothing in this bookkeeping.

numba caches compiled code per file and does not notice when a function
it calls from another file changes: after editing this file, delete the
``*.nbi``/``*.nbc`` files in ``backtest/sweep/__pycache__`` (or touch
``backtest/sweep/kernel.py``) so the kernel recompiles against it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["drift_days_nb", "drift_to", "growth", "max_gap"]


@njit(cache=True)
def growth(new: float, old: float) -> float:  # pragma: no cover - compiled
    """Gross price relative ``new / old``; 1.0 where either price is missing."""
    g = new / old
    return g if math.isfinite(g) else 1.0


@njit(cache=True)
def drift_to(w: np.ndarray, base: np.ndarray, grow: np.ndarray,
             n: int) -> None:  # pragma: no cover - compiled
    """``w[:n] <- base[:n]`` after prices move by ``grow`` (``w`` may be ``base``).

    NaN weights everywhere when the portfolio value is no longer positive.
    """
    s_w = 0.0
    s_g = 0.0
    for k in range(n):
        s_w += base[k]
        w[k] = base[k] * grow[k]
        s_g += w[k]
    total = (1.0 - s_w) + s_g
    for k in range(n):
        w[k] = w[k] / total if total > 0 else np.nan


@njit(cache=True)
def max_gap(w: np.ndarray, target: np.ndarray, n: int) -> float:  # pragma: no cover
    """Largest ``|w[k] - target[k]|`` over the first ``n`` assets (NaN gaps ignored)."""
    gap = 0.0
    for k in range(n):
        d = abs(w[k] - target[k])
        if d > gap:
            gap = d
    return gap


@njit(cache=True)
def drift_days_nb(held: np.ndarray, has_new: np.ndarray, close: np.ndarray,
                  exec_px: np.ndarray, open_exec: bool,
                  threshold: float) -> np.ndarray:  # pragma: no cover - compiled
    """Decision sessions selected by the drift rule.

    Parameters
    ----------
    held : ndarray, shape (T, K)
        Target in force at each session (NaN rows before the first decision).
    has_new : ndarray of bool, shape (T,)
        Sessions with a new decision.
    close, exec_px : ndarray, shape (T, K)
        Closes and fill prices (the opens for ``open_exec``).
    open_exec : bool
        Orders fill at the open: weights drift from the open to the close
        of the fill session.
    threshold : float
        Gap above which (strictly) the decision is selected.

    Returns
    -------
    ndarray of bool, shape (T,)
    """
    n, k = held.shape
    out = np.zeros(n, dtype=np.bool_)
    w = np.zeros(k)
    grow = np.zeros(k)
    started = False
    for i in range(n):
        if i > 0:
            if out[i - 1] and not open_exec:  # the order decided at i-1 filled at this close
                w[:] = held[i - 1]
            else:
                prev = exec_px[i] if out[i - 1] else close[i - 1]
                for j in range(k):
                    grow[j] = growth(close[i, j], prev[j])
                drift_to(w, held[i - 1] if out[i - 1] else w, grow, k)
        if not started:
            started = has_new[i]
            out[i] = started
        elif max_gap(w, held[i], k) > threshold:
            out[i] = True
    return out
