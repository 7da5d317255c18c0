"""Rebalancing schedules: which decision sessions lead to an order.

Every function here works on *decision* sessions: row *t* of ``targets``
holds weights decided with information up to the close of session *t*. The
engine executes the selected decisions one session later (close or open of
*t+1*). All rules are causal: whether session *t* is selected depends only on
rows up to and including *t*, so truncating the inputs never changes an
earlier selection.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from backtest.exceptions import ParameterError
from backtest.metrics.regime import align_labels

__all__ = [
    "carry_targets",
    "decision_days",
    "drift_decision_days",
]


def carry_targets(targets: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Targets in force at each session, and where a new decision was made.

    Parameters
    ----------
    targets : DataFrame
        Index: decision sessions; columns: assets; values: target weights
        (fraction of portfolio value). A row that is entirely NaN means "no
        new decision"; inside a row with at least one number, NaN means 0.

    Returns
    -------
    held : DataFrame
        Same shape; each row is the latest decision made at or before that
        session (NaN rows before the first decision).
    has_new : ndarray of bool
        True at sessions where ``targets`` holds a new decision.
    """
    has_new = targets.notna().any(axis=1).to_numpy()
    new = targets.where(~targets.isna() | ~has_new[:, None], 0.0)
    return new.ffill(), has_new


def _first_of_period(index: pd.DatetimeIndex, candidates: np.ndarray, period: str) -> np.ndarray:
    """Mark the first candidate session of each ISO week or calendar month."""
    if period == "weekly":
        iso = index.isocalendar()
        key = iso["year"].to_numpy().astype(np.int64) * 100 + iso["week"].to_numpy()
    else:
        key = index.year.to_numpy().astype(np.int64) * 100 + index.month.to_numpy()
    out = np.zeros(len(index), dtype=bool)
    seen: set[int] = set()
    for i in np.flatnonzero(candidates):
        k = int(key[i])
        if k not in seen:
            seen.add(k)
            out[i] = True
    return out


def decision_days(
    targets: pd.DataFrame,
    rebalance: Literal["daily", "weekly", "monthly", "regime_change"],
    *,
    labels: pd.Series | None = None,
) -> pd.Series:
    """Decision sessions selected by a calendar or regime rule.

    Parameters
    ----------
    targets : DataFrame
        Decision-time target weights (index: NYSE sessions; NaN row = no new
        decision).
    rebalance : {"daily", "weekly", "monthly", "regime_change"}
        ``daily``: every session with a new target. ``weekly`` /
        ``monthly``: the first session of each ISO week / calendar month
        among sessions with a new target. ``regime_change``: every session
        whose label differs from the previous session's (the first session
        counts as a change), provided some target is known by then (the
        latest one is used). Every rule also selects the first session with
        a target.
    labels : Series of str, optional
        Regime label per session, required for ``regime_change``; aligned
        with :func:`backtest.metrics.regime.align_labels`. NaN labels compare equal.

    Returns
    -------
    Series of bool
        Index: ``targets.index``; True where a decision leads to an order.
    """
    _, has_new = carry_targets(targets)
    n = len(targets)
    if rebalance == "daily":
        out = has_new.copy()
    elif rebalance in ("weekly", "monthly"):
        out = _first_of_period(pd.DatetimeIndex(targets.index), has_new, rebalance)
    elif rebalance == "regime_change":
        if labels is None:
            raise ParameterError(
                "rebalance='regime_change' needs regime labels; pass regimes=<Series of labels "
                "indexed by session> to run_backtest."
            )
        lab = align_labels(labels, pd.DatetimeIndex(targets.index))
        codes = pd.factorize(lab.astype(object), use_na_sentinel=False)[0]
        change = np.ones(n, dtype=bool)
        change[1:] = codes[1:] != codes[:-1]
        known = np.cumsum(has_new) > 0
        out = change & known
    else:
        raise ParameterError(
            f"decision_days handles 'daily', 'weekly', 'monthly' and 'regime_change'; got "
            f"{rebalance!r} (use drift_decision_days for 'drift')."
        )
    if has_new.any():
        out[int(np.argmax(has_new))] = True
    return pd.Series(out, index=targets.index, name="rebalance")


def _growth(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Gross price relative ``new / old``, 1.0 where either price is missing."""
    with np.errstate(invalid="ignore", divide="ignore"):
        g = new / old
    return np.where(np.isfinite(g), g, 1.0)


def _drift(w: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Weights after prices move by ``g`` (cash, ``1 - sum(w)``, earns nothing)."""
    grown = w * g
    total = (1.0 - w.sum()) + grown.sum()
    return grown / total if total > 0 else np.full_like(w, np.nan)


def drift_decision_days(
    targets: pd.DataFrame,
    close: pd.DataFrame,
    threshold: float,
    *,
    execution: Literal["close", "open"] = "close",
    open_: pd.DataFrame | None = None,
) -> pd.Series:
    """Decision sessions at which held weights have drifted too far from target.

    A simple loop over sessions tracks the weights the portfolio would hold
    without costs: they drift with prices, and are reset to the target at
    each execution (the close, or the open, of the session after a
    selected decision). At the close of session *t* the decision is selected
    when ``max_j |held_j - target_j| > threshold`` (strictly), with
    ``target`` the latest target known at *t*; the first session with a
    target is always selected.

    Parameters
    ----------
    targets : DataFrame
        Decision-time target weights (index: NYSE sessions; NaN row = no new
        decision; the latest decision stays in force).
    close : DataFrame
        Adjusted closes on the same index and columns (NaN before an asset
        exists).
    threshold : float
        Largest tolerated weight gap (fraction of portfolio value).
    execution : {"close", "open"}
        Where orders fill; with ``"open"``, ``open_`` prices (same index and
        columns) are required.
    open_ : DataFrame, optional
        Adjusted opens, for ``execution="open"``.

    Returns
    -------
    Series of bool
        Index: ``targets.index``; True where a decision leads to an order.
    """
    held, has_new = carry_targets(targets)
    tgt = held.to_numpy(dtype="float64")
    px_close = close.reindex(index=targets.index, columns=targets.columns).to_numpy("float64")
    px_open = px_close
    if execution == "open":
        if open_ is None:
            raise ParameterError("execution='open' needs open_ prices; pass open_=<DataFrame>.")
        px_open = open_.reindex(index=targets.index, columns=targets.columns).to_numpy("float64")
    n, k = tgt.shape
    out = np.zeros(n, dtype=bool)
    w = np.zeros(k)
    started = False
    for i in range(n):
        if i > 0:
            if out[i - 1]:  # an order decided at i-1 fills today
                if execution == "close":
                    w = tgt[i - 1].copy()
                else:
                    w = _drift(tgt[i - 1], _growth(px_close[i], px_open[i]))
            else:
                w = _drift(w, _growth(px_close[i], px_close[i - 1]))
        if not started:
            out[i] = started = bool(has_new[i])
        elif np.max(np.abs(w - tgt[i])) > threshold:
            out[i] = True
    return pd.Series(out, index=targets.index, name="rebalance")
