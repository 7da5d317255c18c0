"""Engine rules that do not depend on the simulated path, written once.

Both engines call these: the vectorbt engine (:func:`backtest.engine.run_backtest`)
and the numba sweep kernel (:class:`backtest.sweep.plan.Market`,
:class:`backtest.sweep.plan.TargetPlan`). What is here is checked or computed
before any fill: the shape and content of target and price frames, the
leverage cap, the net-long limit, the cash yield on the sessions, and the
messages for inputs the engines reject. The rules that do depend on the path
(fills, cash, drifting weights) live in each engine's simulation loop.

Index convention: row *t* of every array is NYSE session *t*; a target
decided at the close of *t* trades at *t+1*.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from backtest.exceptions import ParameterError

__all__ = [
    "MIN_SHARES",
    "TOL",
    "cap_targets",
    "cash_rates",
    "check_frame",
    "check_net_long",
    "check_priced",
    "check_prices",
    "check_same_sessions",
    "check_targets",
    "fmt_date",
    "no_price_error",
    "open_prices_required",
    "scale_to_cap",
]

TOL = 1e-9
"""Relative tolerance for "above the leverage cap" and "net long above 1" (vectorbt's own)."""
MIN_SHARES = 1e-8
"""Smallest order either engine fills, in shares (vectorbt's default ``min_size``)."""


def fmt_date(ts: object) -> str:
    """A session as ``YYYY-MM-DD`` for messages."""
    return f"{pd.Timestamp(ts):%Y-%m-%d}"  # type: ignore[arg-type]


def _prefix(who: str | None) -> str:
    """``"who: "`` in front of a message about one configuration of a sweep."""
    return f"{who}: " if who else ""


def check_frame(name: str, frame: object, *, who: str | None = None) -> np.ndarray:
    """Validate a session-by-asset frame; return its values as float64.

    Parameters
    ----------
    name : str
        Argument name used in messages (``"targets"``, ``"close"``, ...).
    frame : object
        Should be a DataFrame indexed by increasing, unique sessions
        (DatetimeIndex) with unique asset columns and numbers only.
    who : str, optional
        Configuration label put in front of every message (sweeps).

    Returns
    -------
    ndarray of float64, shape (sessions, assets)
        The frame's values.

    Raises
    ------
    ParameterError
        Naming the first problem found.
    """
    problem = _frame_problem(frame)
    if problem is None:
        try:
            return frame.to_numpy(dtype="float64")  # type: ignore[attr-defined]
        except (TypeError, ValueError) as exc:
            problem = f"must hold numbers only: {exc}"
    raise ParameterError(f"{_prefix(who)}{name} {problem}")


def _frame_problem(frame: object) -> str | None:
    """What is wrong with a session-by-asset frame (message tail), or None."""
    if not isinstance(frame, pd.DataFrame):
        return ("must be a pandas DataFrame (index: sessions, columns: assets); got "
                f"{type(frame).__name__}.")
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex):
        return f"must be indexed by session (DatetimeIndex); got {type(index).__name__}."
    if len(frame) == 0 or frame.shape[1] == 0:
        return f"is empty ({frame.shape[0]} rows, {frame.shape[1]} columns)."
    if index.has_duplicates:
        return f"has duplicate session {fmt_date(index[index.duplicated()][0])}; one row per " \
               "session."
    if not index.is_monotonic_increasing:
        return "index must be increasing; sort it (frame.sort_index())."
    if frame.columns.has_duplicates:
        col = frame.columns[frame.columns.duplicated()][0]
        return f"has duplicate column {col!r}; one column per asset."
    return None


def check_targets(targets: object, *, who: str | None = None) -> np.ndarray:
    """Validate decision-time target weights; return them as float64.

    Parameters
    ----------
    targets : DataFrame
        Target weights (fraction of portfolio value) checked as by
        :func:`check_frame`; no ``cash`` column (cash is ``1 - sum``), no
        infinite weight. NaN is allowed (no decision, or 0 inside a row).
    who : str, optional
        Configuration label put in front of every message.

    Returns
    -------
    ndarray of float64, shape (sessions, assets)
    """
    values = check_frame("targets", targets, who=who)
    frame: pd.DataFrame = targets  # type: ignore[assignment]  # checked just above
    pre = _prefix(who)
    if "cash" in frame.columns:
        raise ParameterError(
            f"{pre}targets has a column named 'cash'; cash is implicit (1 - sum of weights), "
            "drop it."
        )
    inf = np.isinf(values)
    if inf.any():
        i, j = np.argwhere(inf)[0]
        raise ParameterError(
            f"{pre}targets for {frame.columns[j]!r} on {fmt_date(frame.index[i])} is infinite; "
            "weights must be finite numbers (or NaN for no decision)."
        )
    return values


def check_prices(name: str, px: np.ndarray, frame: pd.DataFrame, *, gaps: bool = True) -> None:
    """Prices must be > 0 where present and, with ``gaps``, present from an asset's first price.

    Parameters
    ----------
    name : str
        Argument name for messages (``"close"``, ``"open_"``).
    px : ndarray, shape (sessions, assets)
        Prices, currency per share; NaN = no price.
    frame : DataFrame
        The frame ``px`` came from (its index and columns name the culprit).
    gaps : bool
        Also reject a missing price after an asset's first one (closes);
        opens are checked only where orders fill.
    """
    bad = ~np.isnan(px) & ~(px > 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ParameterError(
            f"{name} for {frame.columns[j]!r} on {fmt_date(frame.index[i])} is "
            f"{float(px[i, j])!r}; prices must be finite and > 0."
        )
    if not gaps:
        return
    gap = np.maximum.accumulate(~np.isnan(px), axis=0) & np.isnan(px)
    if gap.any():
        i, j = np.argwhere(gap)[0]
        raise ParameterError(
            f"{name} for {frame.columns[j]!r} is missing on {fmt_date(frame.index[i])} after its "
            "first price; fill or trim the gap (build_panel carries prices forward)."
        )


def check_same_sessions(name: str, index: pd.Index, targets: pd.Index, *,
                        who: str | None = None) -> None:
    """``index`` (of ``name``) must hold exactly the sessions of the targets."""
    if not index.equals(targets):
        diff = index.symmetric_difference(targets)
        first = f"; first difference {fmt_date(diff[0])}" if len(diff) else ""
        raise ParameterError(
            f"{_prefix(who)}{name} and targets must have the same sessions ({len(index)} vs "
            f"{len(targets)} rows{first})."
        )


def check_priced(name: str, assets: Sequence[object], priced: Sequence[object], *,
                 who: str | None = None) -> None:
    """Every target asset needs a price column in ``name``."""
    have = set(priced)
    missing = [a for a in assets if a not in have]
    if missing:
        raise ParameterError(
            f"{_prefix(who)}{name} has no column for target asset(s) {missing}; give a price "
            "for every asset that has a target."
        )


def scale_to_cap(rows: np.ndarray, cap: float) -> tuple[np.ndarray, np.ndarray]:
    """Scale rows whose gross weight exceeds the leverage cap down to it.

    Parameters
    ----------
    rows : ndarray, shape (rows, assets)
        Target weights; NaN counts as 0 in the gross and stays NaN.
    cap : float
        ``max_gross_leverage``: largest allowed ``sum(|weights|)``; a row
        is scaled only above ``cap * (1 + TOL)``.

    Returns
    -------
    scaled : ndarray
        A scaled copy of ``rows``.
    over : ndarray of bool, shape (rows,)
        Rows that were scaled.
    """
    gross = np.nansum(np.abs(rows), axis=1)
    over = gross > cap * (1.0 + TOL)
    out = rows.copy()
    out[over] *= (cap / gross[over])[:, None]
    return out, over


def check_net_long(rows: np.ndarray, dates: pd.Index | None = None, *,
                   who: str | None = None) -> None:
    """The engine does not borrow cash: ``sum(weights)`` may not exceed 1 (+ ``TOL``).

    Parameters
    ----------
    rows : ndarray, shape (rows, assets)
        Target weights after the leverage cap (NaN counts as 0).
    dates : Index, optional
        Decision session of each row, named in the message.
    who : str, optional
        Configuration label put in front of the message.
    """
    net = np.nansum(rows, axis=1)
    if (net > 1.0 + TOL).any():
        i = int(np.argmax(net > 1.0 + TOL))
        when = f" on {fmt_date(dates[i])}" if dates is not None else ""
        raise ParameterError(
            f"{_prefix(who)}targets{when} are net long {net[i]:.6g} (sum of weights > 1); the "
            "engine does not borrow cash. Keep sum(weights) <= 1 (shorts may fund longs)."
        )


def cap_targets(rows: np.ndarray, cap: float, dates: pd.Index | None = None, *,
                who: str | None = None) -> tuple[np.ndarray, int]:
    """Leverage cap, then the net-long check: what both engines do to decision rows.

    Parameters
    ----------
    rows : ndarray, shape (rows, assets)
        Target weights (NaN row = no decision).
    cap : float
        ``max_gross_leverage``.
    dates, who
        As in :func:`check_net_long`.

    Returns
    -------
    scaled : ndarray
        Rows after the cap.
    n_scaled : int
        Rows scaled down.
    """
    scaled, over = scale_to_cap(rows, cap)
    check_net_long(scaled, dates, who=who)
    return scaled, int(over.sum())


def cash_rates(cash_rate: pd.Series | None, index: pd.DatetimeIndex) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    """Daily cash return on ``index``, as given and as the return overlay uses it.

    Parameters
    ----------
    cash_rate : Series, optional
        Daily simple return of uninvested cash (index: sessions; duplicates
        keep the last). Every session after the first needs a finite value.
        None: cash earns nothing.
    index : DatetimeIndex
        The backtest's sessions.

    Returns
    -------
    given : ndarray, shape (sessions,)
        The rate on ``index`` (the first value as given, possibly NaN).
    overlay : ndarray, shape (sessions,)
        The same with the first session at 0: the portfolio is funded in
        cash at that close, so no yield accrues before it.
    """
    if cash_rate is None:
        return np.zeros(len(index)), np.zeros(len(index))
    if not isinstance(cash_rate, pd.Series) or not isinstance(cash_rate.index, pd.DatetimeIndex):
        raise ParameterError(
            "cash_rate must be a pandas Series of daily simple returns indexed by session; got "
            f"{type(cash_rate).__name__}."
        )
    rate = cash_rate[~cash_rate.index.duplicated(keep="last")].reindex(index)
    given = np.array(rate.to_numpy(dtype="float64"), copy=True)
    missing = ~np.isfinite(given[1:])
    if missing.any():
        i = int(np.argmax(missing)) + 1
        raise ParameterError(
            f"cash_rate has no finite value on {fmt_date(index[i])} ({int(missing.sum())} "
            "session(s) missing); give a daily return for every session after the first."
        )
    overlay = given.copy()
    overlay[:1] = 0.0
    return given, overlay


def open_prices_required(fix: str) -> ParameterError:
    """The error for ``execution="open"`` without open prices; ``fix`` says how to pass them."""
    return ParameterError(f"execution='open' needs open prices: {fix}.")


def no_price_error(asset: object, weight: float, decided: object, executes: object,
                   price: str, *, who: str | None = None) -> ParameterError:
    """The error for a target on an asset with no price where its order would fill.

    Parameters
    ----------
    asset : object
        The asset's column label.
    weight : float
        The target weight (fraction of portfolio value).
    decided, executes : Timestamp
        Decision session and the session of the fill (the next one).
    price : {"close", "open"}
        Which price is missing.
    who : str, optional
        Configuration label put in front of the message.
    """
    return ParameterError(
        f"{_prefix(who)}target {weight:.6g} on {asset!r} decided on {fmt_date(decided)} "
        f"executes on {fmt_date(executes)}, where {asset!r} has no {price} price; set its "
        "weight to 0 (or NaN) until it has prices."
    )
