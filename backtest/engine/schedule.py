"""Rebalancing schedules: which decision sessions lead to an order.

This module is the one place a schedule is defined. :data:`SCHEDULES` maps
each ``EngineConfig.rebalance`` name to a :class:`Schedule`: its selection
rule (one of the ``RULE_*`` codes, which the numba sweep kernel compares
against as compile-time constants) and, for calendar schedules, the period
key that groups sessions. The vectorbt engine (via :func:`decision_days`
and :func:`drift_decision_days`) and the sweep kernel (via
:meth:`Schedule.period_keys` in :class:`backtest.sweep.plan.KernelSettings`)
both read the table, so a new calendar schedule is one key function and one
row here.

Every function works on *decision* sessions: row *t* of ``targets`` holds
weights decided with information up to the close of session *t*. The engine
executes the selected decisions one session later (close or open of *t+1*).
All rules are causal: whether session *t* is selected depends only on rows up
to and including *t*, so truncating the inputs never changes an earlier
selection. Every rule also selects the first session with a target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeAlias, get_args

import numpy as np
import pandas as pd

from backtest.engine.prepare import open_prices_required
from backtest.exceptions import ParameterError
from backtest.metrics.regime import align_labels

__all__ = [
    "REBALANCES",
    "RULE_EVERY_DECISION",
    "RULE_FIRST_IN_PERIOD",
    "RULE_ON_DRIFT",
    "RULE_ON_REGIME_CHANGE",
    "SCHEDULES",
    "Rebalance",
    "Schedule",
    "carry_targets",
    "decision_days",
    "drift_decision_days",
    "get_schedule",
    "label_changes",
    "run_starts",
]

# Selection rules. The sweep kernel compares against these module-level ints (numba
# freezes globals at compile time; never renumber them, add new codes instead).
RULE_EVERY_DECISION = 0
"""Every session with a new target."""
RULE_FIRST_IN_PERIOD = 1
"""The first session with a new target in each period (see :attr:`Schedule.period_key`)."""
RULE_ON_REGIME_CHANGE = 2
"""Every session whose regime label differs from the previous session's."""
RULE_ON_DRIFT = 3
"""Every session at which held weights stray more than ``drift_threshold`` from target."""


def _iso_week(index: pd.DatetimeIndex) -> np.ndarray:
    iso = index.isocalendar()
    return iso["year"].to_numpy().astype(np.int64) * 100 + iso["week"].to_numpy()


def _month(index: pd.DatetimeIndex) -> np.ndarray:
    return index.year.to_numpy().astype(np.int64) * 100 + index.month.to_numpy()


def _quarter(index: pd.DatetimeIndex) -> np.ndarray:
    return index.year.to_numpy().astype(np.int64) * 100 + index.quarter.to_numpy()


@dataclass(frozen=True)
class Schedule:
    """One rebalancing schedule.

    Attributes
    ----------
    name : str
        The ``EngineConfig.rebalance`` value.
    rule : int
        Selection rule, one of the ``RULE_*`` codes of this module.
    period_key : callable, optional
        For ``RULE_FIRST_IN_PERIOD``: sessions -> int64 key per session,
        non-decreasing in time, equal within a period (e.g. ISO
        ``year * 100 + week``).
    """

    name: str
    rule: int
    period_key: Callable[[pd.DatetimeIndex], np.ndarray] | None = None

    def period_keys(self, index: pd.DatetimeIndex) -> np.ndarray:
        """Period key per session (int64, C-contiguous); zeros for non-calendar rules."""
        if self.period_key is None:
            return np.zeros(len(index), dtype=np.int64)
        return np.ascontiguousarray(self.period_key(index), dtype=np.int64)

    @property
    def needs_labels(self) -> bool:
        """Whether the rule reads regime labels."""
        return self.rule == RULE_ON_REGIME_CHANGE

    def missing_labels(self, fix: str) -> ParameterError:
        """The error for a schedule that needs regime labels run without them.

        Parameters
        ----------
        fix : str
            How the caller's API takes labels (ends the message).
        """
        return ParameterError(f"rebalance={self.name!r} needs regime labels; {fix}.")


Rebalance: TypeAlias = Literal[
    "daily", "weekly", "monthly", "quarterly", "regime_change", "drift"
]
"""The names of :data:`SCHEDULES` (kept in this module, checked equal at import)."""

SCHEDULES: dict[str, Schedule] = {
    s.name: s
    for s in (
        Schedule("daily", RULE_EVERY_DECISION),
        Schedule("weekly", RULE_FIRST_IN_PERIOD, _iso_week),
        Schedule("monthly", RULE_FIRST_IN_PERIOD, _month),
        Schedule("quarterly", RULE_FIRST_IN_PERIOD, _quarter),
        Schedule("regime_change", RULE_ON_REGIME_CHANGE),
        Schedule("drift", RULE_ON_DRIFT),
    )
}
"""Every rebalancing schedule by name, in the order the documentation lists them."""

REBALANCES: tuple[str, ...] = tuple(SCHEDULES)
if REBALANCES != get_args(Rebalance):  # pragma: no cover - guards edits of this module
    raise ImportError(f"Rebalance {get_args(Rebalance)} and SCHEDULES {REBALANCES} disagree.")


def get_schedule(name: object) -> Schedule:
    """The schedule called ``name``.

    Raises
    ------
    ParameterError
        For an unknown name, listing the known ones.
    """
    if not isinstance(name, str) or name not in SCHEDULES:
        choices = ", ".join(repr(a) for a in REBALANCES)
        raise ParameterError(f"rebalance must be one of {choices}; got {name!r}.")
    return SCHEDULES[name]


def run_starts(keys: np.ndarray) -> np.ndarray:
    """True where ``keys[t]`` differs from ``keys[t-1]`` (and at the first position)."""
    out = np.ones(len(keys), dtype=bool)
    out[1:] = keys[1:] != keys[:-1]
    return out


def label_changes(labels: pd.Series) -> np.ndarray:
    """True where the regime label differs from the previous session's (first = True).

    NaN labels compare equal to each other.
    """
    return run_starts(pd.factorize(labels.astype(object), use_na_sentinel=False)[0])


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


def _first_in_period(keys: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Mark the first candidate session of each period (keys never decrease)."""
    out = np.zeros(len(keys), dtype=bool)
    picks = np.flatnonzero(candidates)
    out[picks[run_starts(keys[picks])]] = True
    return out


def decision_days(
    targets: pd.DataFrame,
    rebalance: Rebalance,
    *,
    labels: pd.Series | None = None,
) -> pd.Series:
    """Decision sessions selected by a calendar or regime rule.

    Parameters
    ----------
    targets : DataFrame
        Decision-time target weights (index: NYSE sessions; NaN row = no new
        decision).
    rebalance : str
        A name of :data:`SCHEDULES` other than ``"drift"``. ``daily``: every
        session with a new target. ``weekly`` / ``monthly`` /
        ``quarterly``: the first session of each ISO week / calendar month /
        calendar quarter among sessions with a new target.
        ``regime_change``: every session whose label differs from the
        previous session's (the first session counts as a change), provided
        some target is known by then (the latest one is used). Every rule
        also selects the first session with a target.
    labels : Series of str, optional
        Regime label per session, required for ``regime_change``; aligned
        with :func:`backtest.metrics.regime.align_labels`. NaN labels compare equal.

    Returns
    -------
    Series of bool
        Index: ``targets.index``; True where a decision leads to an order.
    """
    schedule = get_schedule(rebalance)
    _, has_new = carry_targets(targets)
    index = pd.DatetimeIndex(targets.index)
    if schedule.rule == RULE_EVERY_DECISION:
        out = has_new.copy()
    elif schedule.rule == RULE_FIRST_IN_PERIOD:
        out = _first_in_period(schedule.period_keys(index), has_new)
    elif schedule.rule == RULE_ON_REGIME_CHANGE:
        if labels is None:
            raise schedule.missing_labels(
                "pass regimes=<Series of labels indexed by session> to run_backtest")
        out = label_changes(align_labels(labels, index)) & (np.cumsum(has_new) > 0)
    else:
        raise ParameterError(
            f"decision_days handles every schedule but 'drift'; got {rebalance!r} (use "
            "drift_decision_days for 'drift')."
        )
    if has_new.any():
        out[int(np.argmax(has_new))] = True
    return pd.Series(out, index=targets.index, name="rebalance")


def drift_decision_days(
    targets: pd.DataFrame,
    close: pd.DataFrame,
    threshold: float,
    *,
    execution: Literal["close", "open"] = "close",
    open_: pd.DataFrame | None = None,
) -> pd.Series:
    """Decision sessions at which held weights have drifted too far from target.

    A loop over sessions (:func:`backtest.engine.drift.drift_days_nb`,
    shared with the sweep kernel) tracks the weights the portfolio would
    hold without costs: they drift with prices, and are reset to the target
    at each execution (the close, or the open, of the session after a
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
    from backtest.engine.drift import drift_days_nb  # numba compiles on first use

    held, has_new = carry_targets(targets)
    px_close = close.reindex(index=targets.index, columns=targets.columns).to_numpy("float64")
    px_exec = px_close
    if execution == "open":
        if open_ is None:
            raise open_prices_required("pass open_=<DataFrame of adjusted opens>")
        px_exec = open_.reindex(index=targets.index, columns=targets.columns).to_numpy("float64")
    out = drift_days_nb(
        np.ascontiguousarray(held.to_numpy(dtype="float64")), np.ascontiguousarray(has_new),
        np.ascontiguousarray(px_close), np.ascontiguousarray(px_exec), execution == "open",
        float(threshold),
    )
    return pd.Series(out, index=targets.index, name="rebalance")
