"""Performance metrics as pure functions of a daily return series.

Conventions, shared by every function here:

* ``returns`` are daily simple returns (0.01 = +1 %), one per NYSE session;
  a year has :data:`TRADING_DAYS` = 252 sessions.
* NaN returns are dropped before computing (a missing day, not a zero day).
* Degenerate inputs never raise: an empty or all-NaN series, a zero-variance
  series or a missing denominator gives NaN. Zero variance means a standard
  deviation below 1e-10 times the largest absolute return, so that returns
  equal up to rounding (``0.03 - 0.02`` vs ``0.01``) count as constant.
* Functions return plain Python ``float`` at full precision;
  :func:`round_sig` (12 significant digits) and :func:`to_jsonable` make
  summaries byte-stable in JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from backtest.exceptions import ParameterError

__all__ = [
    "SIGNIFICANT_DIGITS",
    "TRADING_DAYS",
    "ReturnsLike",
    "ann_return",
    "ann_vol",
    "cagr",
    "drawdown",
    "hit_rate",
    "max_drawdown",
    "performance_summary",
    "round_sig",
    "sharpe",
    "sortino",
    "to_jsonable",
    "total_return",
    "turnover",
]

TRADING_DAYS = 252
SIGNIFICANT_DIGITS = 12
# a standard deviation below this fraction of max |return| is rounding noise: zero volatility
_FLAT_RTOL = 1e-10

ReturnsLike: TypeAlias = "pd.Series | np.ndarray | Sequence[float]"


def _values(returns: ReturnsLike) -> np.ndarray:
    """Float array of the non-NaN values."""
    arr = np.asarray(returns, dtype="float64").ravel()
    return arr[~np.isnan(arr)]


def _excess(returns: ReturnsLike, rf: pd.Series | float | None) -> np.ndarray:
    """Returns minus a daily risk-free return, NaN returns dropped."""
    if rf is None:
        return _values(returns)
    if isinstance(rf, pd.Series):
        if not isinstance(returns, pd.Series):
            raise ParameterError(
                "rf given as a Series needs returns as a Series too (they are aligned by index); "
                f"got returns of type {type(returns).__name__}."
            )
        r = returns.astype("float64")
        rate = rf.reindex(r.index).astype("float64")
        missing = r.notna() & rate.isna()
        if missing.any():
            first = r.index[int(np.argmax(missing.to_numpy()))]
            raise ParameterError(
                f"rf has no value for {int(missing.sum())} return day(s), first {first}; "
                "pass a daily risk-free return for every return day (or a constant)."
            )
        return _values(r - rate)
    return _values(returns) - float(rf)


def _is_flat(x: np.ndarray, spread: float) -> bool:
    """True when ``spread`` (a std) is floating-point noise relative to the values' size."""
    return spread <= _FLAT_RTOL * float(np.max(np.abs(x)))


def total_return(returns: ReturnsLike) -> float:
    """Compounded return over the whole series: ``prod(1 + r) - 1``.

    NaN for an empty (or all-NaN) series.
    """
    x = _values(returns)
    if len(x) == 0:
        return math.nan
    return float(np.prod(1.0 + x) - 1.0)


def cagr(returns: ReturnsLike) -> float:
    """Compound annual growth rate: ``(1 + total_return) ** (252 / n) - 1``.

    ``n`` is the number of (non-NaN) daily returns. NaN for an empty series;
    -1.0 when the equity reaches zero; NaN when it goes below zero.
    """
    x = _values(returns)
    if len(x) == 0:
        return math.nan
    growth = float(np.prod(1.0 + x))
    if growth < 0:
        return math.nan
    return float(growth ** (TRADING_DAYS / len(x)) - 1.0)


def ann_return(returns: ReturnsLike) -> float:
    """Arithmetic annualised return: mean daily return times 252. NaN if empty."""
    x = _values(returns)
    return float(np.mean(x) * TRADING_DAYS) if len(x) else math.nan


def ann_vol(returns: ReturnsLike) -> float:
    """Annualised volatility: sample standard deviation (ddof=1) times sqrt(252).

    NaN with fewer than two returns; 0.0 for a constant series (up to
    rounding, see the module notes).
    """
    x = _values(returns)
    if len(x) < 2:
        return math.nan
    sd = float(np.std(x, ddof=1))
    return 0.0 if _is_flat(x, sd) else sd * math.sqrt(TRADING_DAYS)


def sharpe(returns: ReturnsLike, rf: pd.Series | float | None = None) -> float:
    """Annualised Sharpe ratio: ``mean(r - rf) / std(r - rf) * sqrt(252)``.

    Parameters
    ----------
    returns : Series or array-like
        Daily simple returns.
    rf : Series or float, optional
        Daily risk-free simple return (a Series is aligned on ``returns``'
        index and must cover every return day; a float is a constant).
        Default: no risk-free rate (ratio of raw returns).

    Returns
    -------
    float
        NaN with fewer than two returns or zero volatility (excess returns
        constant up to rounding).
    """
    x = _excess(returns, rf)
    if len(x) < 2:
        return math.nan
    sd = float(np.std(x, ddof=1))
    if sd == 0.0 or _is_flat(x, sd):
        return math.nan
    return float(np.mean(x) / sd * math.sqrt(TRADING_DAYS))


def sortino(returns: ReturnsLike, rf: pd.Series | float | None = None) -> float:
    """Annualised Sortino ratio: ``mean(x) / sqrt(mean(min(x, 0)**2)) * sqrt(252)``.

    ``x`` is the excess return over ``rf`` (see :func:`sharpe`); the
    downside deviation is taken over all days against a target of zero. NaN
    when empty or when no day is negative (zero downside deviation).
    """
    x = _excess(returns, rf)
    if len(x) == 0:
        return math.nan
    dd = float(np.sqrt(np.mean(np.minimum(x, 0.0) ** 2)))
    if dd == 0.0 or _is_flat(x, dd):
        return math.nan
    return float(np.mean(x) / dd * math.sqrt(TRADING_DAYS))


def drawdown(returns: pd.Series) -> pd.Series:
    """Drawdown path: equity over its running peak, minus one (0 at a peak, <= 0).

    The equity path starts at 1.0 *before* the first return, so a loss on
    the first day is a drawdown. Index: that of ``returns`` with NaN
    returns dropped.
    """
    r = returns.astype("float64").dropna()
    equity = (1.0 + r).cumprod()
    peak = equity.cummax().clip(lower=1.0)
    return equity / peak - 1.0


def max_drawdown(returns: ReturnsLike) -> float:
    """Largest peak-to-trough loss of the equity path, as a negative fraction.

    The equity path is ``cumprod(1 + r)`` starting from 1.0 before the first
    return (returns ``[0.1, -0.1]`` give -0.1). 0.0 if the equity never
    falls; NaN for an empty series.
    """
    x = _values(returns)
    if len(x) == 0:
        return math.nan
    equity = np.cumprod(1.0 + x)
    peak = np.maximum(np.maximum.accumulate(equity), 1.0)
    return float(np.min(equity / peak - 1.0))


def hit_rate(returns: ReturnsLike) -> float:
    """Share of positive days among days with a non-zero return.

    Zero-return days (flat, all in cash, no position) are excluded: they are
    neither hits nor misses. NaN when no day has a non-zero return.
    """
    x = _values(returns)
    x = x[x != 0.0]
    return float(np.mean(x > 0.0)) if len(x) else math.nan


def turnover(daily_turnover: ReturnsLike) -> float:
    """Annualised turnover: mean daily one-sided turnover times 252.

    ``daily_turnover`` is traded value over portfolio value per session
    (1.0 = the whole portfolio traded once, counting buys and sells). NaN if
    empty.
    """
    x = _values(daily_turnover)
    return float(np.mean(x) * TRADING_DAYS) if len(x) else math.nan


def round_sig(x: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``x`` rounded to ``digits`` significant digits (NaN and inf unchanged)."""
    x = float(x)
    if not math.isfinite(x) or x == 0.0:
        return x
    return float(f"{x:.{digits}g}")


def performance_summary(
    returns: pd.Series, rf: pd.Series | float | None = None
) -> dict[str, float | int]:
    """Headline metrics of one return series, rounded with :func:`round_sig`.

    Keys: ``days`` (non-NaN returns), ``total_return``, ``cagr``,
    ``ann_return``, ``ann_vol``, ``sharpe``, ``sortino``, ``max_drawdown``,
    ``hit_rate``.
    """
    return {
        "days": len(_values(returns)),
        "total_return": round_sig(total_return(returns)),
        "cagr": round_sig(cagr(returns)),
        "ann_return": round_sig(ann_return(returns)),
        "ann_vol": round_sig(ann_vol(returns)),
        "sharpe": round_sig(sharpe(returns, rf)),
        "sortino": round_sig(sortino(returns, rf)),
        "max_drawdown": round_sig(max_drawdown(returns)),
        "hit_rate": round_sig(hit_rate(returns)),
    }


def to_jsonable(obj: Any) -> Any:
    """A JSON-ready copy of nested metrics: floats rounded, NaN and inf as None.

    Handles dicts (keys become ``str``), lists and tuples, Python and numpy
    scalars, ``pd.Timestamp`` (``YYYY-MM-DD`` at midnight, else ISO 8601)
    and None. Floats are rounded to 12 significant digits so the same run
    gives the same bytes.

    Raises
    ------
    TypeError
        For any other type (a DataFrame, say), naming it.
    """
    if obj is None or obj is pd.NaT:
        return None
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return round_sig(v) if math.isfinite(v) else None
    if isinstance(obj, str):
        return obj
    if isinstance(obj, pd.Timestamp):
        return obj.strftime("%Y-%m-%d") if obj == obj.normalize() else obj.isoformat()
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    raise TypeError(
        f"to_jsonable handles dicts, lists, numbers, strings, Timestamps and None; got "
        f"{type(obj).__name__}. Convert it first (e.g. a Series with .to_dict())."
    )
