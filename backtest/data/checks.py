"""Plausibility checks on loaded series: no silent wrong result from bad data.

Every series read from a snapshot, the network or a download is checked once,
when loaded. What is refused (a :class:`~backtest.exceptions.DataFormatError`
naming the file, the line or date, the value and the fix):

* **Prices** (Yahoo ``Open, High, Low, Close, Adj Close``): infinite or
  non-positive values; a move of ``Close`` or ``Adj Close`` from one row to
  the next beyond a factor of :data:`MAX_DAILY_FACTOR` (x4 up or /4 down: a
  300 % rise or a 75 % fall in one session); an ``Open``, ``High`` or ``Low``
  more than that factor away from the same row's ``Close``. The largest real
  move in the snapshot is VIX's +116 % on 2018-02-05 (x2.16); among ETFs
  EEM's -20 % on 2008-10-13. ``Volume`` must be finite and not negative.
* **Adjusted against raw prices**: ``Adj Close / Close`` is at most 1 (past
  prices are lowered by later dividends) and grows towards 1 over time. A file
  where ``Adj Close`` exceeds ``Close`` (by more than :data:`ADJ_TOLERANCE`)
  on most rows, or where the ratio falls from the first row to the last, has
  its columns swapped. Funds that pay nothing (FXE, FXY, UUP, GLD) have
  ``Adj Close == Close``, which passes.
* **FRED values** and values of a user's CSV series: infinite, or beyond
  :data:`MAX_FRED_ABS` in absolute value (no catalogued unit comes near: the
  largest real value is WALCL's 8.97e6 millions of USD).
* **Fama-French factors** (percent): infinite, or beyond
  :data:`MAX_FACTOR_PERCENT` in absolute value.

What is only warned about (a :class:`~backtest.exceptions.DataGapWarning`):
a gap between consecutive observations longer than the series' frequency
allows (:data:`MAX_GAP_DAYS`): holidays and the 9/11 closure fit, a two-year
hole in a weekly series does not. Known real gaps are exempt
(:data:`KNOWN_GAPS`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from backtest.data.catalog import SeriesSpec
from backtest.exceptions import DataFormatError, DataGapWarning

__all__ = [
    "ADJ_TOLERANCE",
    "KNOWN_GAPS",
    "MAX_DAILY_FACTOR",
    "MAX_FACTOR_PERCENT",
    "MAX_FRED_ABS",
    "MAX_GAP_DAYS",
    "check_series",
    "find_gaps",
]

MAX_DAILY_FACTOR = 4.0
MAX_FRED_ABS = 1e12
MAX_FACTOR_PERCENT = 100.0
ADJ_TOLERANCE = 1e-3
MAX_GAP_DAYS = {"daily": 14, "weekly": 21, "monthly": 93, "quarterly": 185}
"""Longest allowed calendar-day gap between observations, by declared frequency.

Daily: the longest real market closure is 12 days (March 1933; 9/11 closed
NYSE for 7). Weekly: one missed week. Monthly: two missed months (the 2025
shutdown skipped October 2025). Quarterly: one missed quarter.
"""
KNOWN_GAPS = {
    "RRPONTSYD": ("2013-09-23", "reverse repos were occasional operations before the ON RRP "
                  "facility's daily testing began on 2013-09-23; days without one are absent"),
    "MMMFFAQ027S": ("1952-01-01", "the Financial Accounts are annual before 1952"),
}
"""Series id -> (date before which gaps are real, why)."""

_PRICES = ("Open", "High", "Low", "Close", "Adj Close")
_FIX_FILE = "Fix or delete that line, or restore the file (`qtbt data verify` checks it)"
_FIX_DOWNLOAD = ("The source sent it; retry later (`qtbt data pull ID --refresh`) or pass "
                 "--data-dir to a snapshot")


def _fix(lines: np.ndarray | None) -> str:
    return _FIX_FILE if lines is not None else _FIX_DOWNLOAD


def _where(data: pd.DataFrame, i: int, origin: str, lines: np.ndarray | None) -> str:
    day = f"{data.index[i]:%Y-%m-%d}"
    return f"{origin}, line {int(lines[i])} ({day})" if lines is not None \
        else f"{origin}, row dated {day}"


def check_series(spec: SeriesSpec, data: pd.DataFrame, origin: str,
                 lines: np.ndarray | None = None) -> None:
    """Refuse implausible values and warn about gaps (see the module notes).

    Parameters
    ----------
    spec : SeriesSpec
        Catalog entry (source and frequency decide the checks).
    data : DataFrame
        Observations as loaded (float columns indexed by date).
    origin : str
        File or URL, named in messages.
    lines : ndarray, optional
        1-based file line of each row; messages name the line when given,
        else the row's date.

    Raises
    ------
    DataFormatError
        Naming file, line (or date), column, value and the fix.
    """
    if spec.source == "yahoo":
        _check_prices(data, origin, lines)
        _check_adjustment(data, origin)
    elif spec.source in ("fred", "csv"):
        what = "a FRED value" if spec.source == "fred" else "a series value"
        _check_bounded(data, origin, lines, MAX_FRED_ABS, what)
    elif spec.source == "french":
        _check_bounded(data, origin, lines, MAX_FACTOR_PERCENT, "a factor return in percent")
    col = spec.default_field or spec.id
    if col in data.columns:
        gaps = find_gaps(data[col], spec)
        if gaps:
            shown = "; ".join(f"{a:%Y-%m-%d} to {b:%Y-%m-%d} ({(b - a).days} days)"
                              for a, b in gaps[:3])
            more = f" and {len(gaps) - 3} more" if len(gaps) > 3 else ""
            warnings.warn(
                f"{spec.id} ({origin}): {len(gaps)} gap(s) longer than a {spec.frequency} series "
                f"allows ({MAX_GAP_DAYS[spec.frequency]} days): {shown}{more}. The last value "
                "before each gap is carried forward across it; check the file is complete.",
                DataGapWarning, stacklevel=4,
            )


def find_gaps(values: pd.Series, spec: SeriesSpec) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Pairs of consecutive observation dates further apart than the frequency allows."""
    idx = pd.DatetimeIndex(values.dropna().index).as_unit("ns")
    known = KNOWN_GAPS.get(spec.id)
    if known is not None:
        idx = idx[idx >= pd.Timestamp(known[0])]
    if len(idx) < 2:
        return []
    days = np.diff(idx.asi8) // (86_400 * 10**9)
    big = np.flatnonzero(days > MAX_GAP_DAYS[spec.frequency])
    return [(pd.Timestamp(idx[int(i)]), pd.Timestamp(idx[int(i) + 1])) for i in big]


def _first_bad(mask: np.ndarray) -> int | None:
    hit = np.flatnonzero(mask)
    return int(hit[0]) if hit.size else None


def _check_prices(data: pd.DataFrame, origin: str, lines: np.ndarray | None) -> None:
    for col in [c for c in (*_PRICES, "Volume") if c in data.columns]:
        v = data[col].to_numpy(dtype="float64")
        bad = np.isinf(v) | ((v <= 0) if col != "Volume" else (v < 0))
        i = _first_bad(bad)
        if i is not None:
            need = "finite and not negative" if col == "Volume" else "finite and positive"
            raise DataFormatError(f"{_where(data, i, origin, lines)}: {col} {float(v[i])!r} is "
                                  f"not a plausible value; it must be {need}. {_fix(lines)}.")
    for col in ("Close", "Adj Close"):
        if col in data.columns:
            _check_jumps(data, col, origin, lines)
    if "Close" in data.columns:
        close = data["Close"].to_numpy(dtype="float64")
        for col in ("Open", "High", "Low"):
            if col not in data.columns:
                continue
            with np.errstate(all="ignore"):
                ratio = data[col].to_numpy(dtype="float64") / close
            i = _first_bad((ratio > MAX_DAILY_FACTOR) | (ratio < 1 / MAX_DAILY_FACTOR))
            if i is not None:
                raise DataFormatError(
                    f"{_where(data, i, origin, lines)}: {col} {float(data[col].iloc[i])!r} is "
                    f"{ratio[i]:.3g} times that row's Close {float(close[i])!r}; more than a "
                    f"factor of {MAX_DAILY_FACTOR:g} apart is not a plausible price. {_fix(lines)}."
                )


def _check_jumps(data: pd.DataFrame, col: str, origin: str, lines: np.ndarray | None) -> None:
    s = data[col]
    ok = np.flatnonzero(s.notna().to_numpy())
    if ok.size < 2:
        return
    v = s.to_numpy(dtype="float64")[ok]
    ratio = v[1:] / v[:-1]
    k = _first_bad((ratio > MAX_DAILY_FACTOR) | (ratio < 1 / MAX_DAILY_FACTOR))
    if k is None:
        return
    i, prev = int(ok[k + 1]), int(ok[k])
    raise DataFormatError(
        f"{_where(data, i, origin, lines)}: {col} {float(v[k + 1])!r} is {ratio[k]:.3g} times "
        f"the previous value {float(v[k])!r} ({data.index[prev]:%Y-%m-%d}); a move beyond x"
        f"{MAX_DAILY_FACTOR:g} (or 1/{MAX_DAILY_FACTOR:g}) from one row to the next is not a "
        f"plausible price. {_fix(lines)}."
    )


def _check_adjustment(data: pd.DataFrame, origin: str) -> None:
    if "Close" not in data.columns or "Adj Close" not in data.columns:
        return
    both = data[["Close", "Adj Close"]].dropna()
    if len(both) < 2:
        return
    ratio = (both["Adj Close"] / both["Close"]).to_numpy()
    above = float(np.mean(ratio > 1 + ADJ_TOLERANCE))
    falls = ratio[0] > ratio[-1] * (1 + ADJ_TOLERANCE)
    if above > 0.5 or falls:
        raise DataFormatError(
            f"{origin}: 'Adj Close' looks like the raw close and 'Close' like the adjusted one "
            f"(Adj Close exceeds Close on {above:.0%} of rows; Adj Close / Close goes from "
            f"{ratio[0]:.4f} on {both.index[0]:%Y-%m-%d} to {ratio[-1]:.4f} on "
            f"{both.index[-1]:%Y-%m-%d}, where dividends make it rise towards 1). Are the "
            "headers swapped? The layout is Date,Open,High,Low,Close,Adj Close,Volume; "
            "re-download the file or fix its header."
        )


def _check_bounded(data: pd.DataFrame, origin: str, lines: np.ndarray | None,
                   bound: float, what: str) -> None:
    for col in data.columns:
        v = data[col].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore"):
            i = _first_bad(np.isinf(v) | (np.abs(v) > bound))
        if i is not None:
            raise DataFormatError(
                f"{_where(data, i, origin, lines)}: {col} {float(v[i])!r} is not plausible for "
                f"{what} (allowed: finite, at most {bound:g} in absolute value). {_fix(lines)}."
            )
