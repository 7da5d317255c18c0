"""Performance per regime, with each regime's sample size.

Labels are a Series of strings (``QE``, ``taper``, ``QT``, ...) indexed by
NYSE session. They are aligned to a return series with :func:`align_labels`:
reindexed on the returns' index with forward fill, so a label holds from its
session until the next label; sessions before the first label are unlabelled
(NaN) and belong to no regime. The return of session *t* (close *t-1* to
close *t*) is attributed to the label of session *t*.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from backtest.exceptions import ParameterError
from backtest.metrics.performance import (
    ann_return,
    ann_vol,
    hit_rate,
    max_drawdown,
    round_sig,
    sharpe,
    total_return,
)

__all__ = ["align_labels", "by_regime", "episodes"]


def align_labels(labels: pd.Series, index: pd.Index) -> pd.Series:
    """Labels on ``index``: the latest label on or before each session.

    Parameters
    ----------
    labels : Series
        Regime label per session (index: DatetimeIndex; duplicates keep the
        last label).
    index : DatetimeIndex
        Sessions to label.

    Returns
    -------
    Series
        Index: ``index``; NaN before the first label.
    """
    if not isinstance(labels, pd.Series):
        raise ParameterError(
            f"regime labels must be a pandas Series indexed by session; got "
            f"{type(labels).__name__}."
        )
    if not isinstance(labels.index, pd.DatetimeIndex):
        raise ParameterError(
            "regime labels must be indexed by session (DatetimeIndex); got a "
            f"{type(labels.index).__name__}."
        )
    lab = labels[~labels.index.duplicated(keep="last")].sort_index()
    return lab.reindex(index, method="ffill")


def _runs(values: np.ndarray) -> list[tuple[object, int, int]]:
    """Contiguous runs of equal, non-missing labels as ``(label, first, last)`` positions."""
    out: list[tuple[object, int, int]] = []
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start] or pd.isna(values[i]):
            if not pd.isna(values[start]):
                out.append((values[start], start, i - 1))
            start = i
    return out


def episodes(labels: pd.Series) -> pd.DataFrame:
    """Contiguous runs of one label.

    Parameters
    ----------
    labels : Series of str
        Label per session (index: sessions, increasing). Missing labels
        (NaN) end a run and belong to none.

    Returns
    -------
    DataFrame
        One row per run, in time order, with columns ``label``, ``start``
        and ``end`` (first and last session of the run, inclusive) and
        ``days`` (sessions in the run).
    """
    values = labels.to_numpy(dtype=object)
    rows = [
        {"label": lab, "start": labels.index[a], "end": labels.index[b], "days": b - a + 1}
        for lab, a, b in _runs(values)
    ]
    return pd.DataFrame(rows, columns=["label", "start", "end", "days"])


def by_regime(
    returns: pd.Series, labels: pd.Series, rf: pd.Series | float | None = None
) -> dict[str, dict[str, float | int]]:
    """Metrics of the returns earned under each regime label.

    Parameters
    ----------
    returns : Series
        Daily simple returns (index: NYSE sessions).
    labels : Series of str
        Regime label per session, aligned with :func:`align_labels`.
    rf : Series or float, optional
        Daily risk-free return for the Sharpe ratio.

    Returns
    -------
    dict
        ``{label: metrics}`` in order of each label's first appearance.
        Metrics: ``days`` (non-NaN returns under the label), ``episodes``
        (contiguous runs of the label within the returns' index),
        ``total_return``, ``ann_return``, ``ann_vol``, ``sharpe``,
        ``max_drawdown`` (of the equity path through the label's days
        concatenated, gaps between episodes removed) and ``hit_rate``;
        floats rounded to 12 significant digits, NaN when undefined.
    """
    if not isinstance(returns, pd.Series):
        raise ParameterError(f"returns must be a pandas Series; got {type(returns).__name__}.")
    lab = align_labels(labels, returns.index)
    values = lab.to_numpy(dtype=object)
    runs = _runs(values)
    counts: dict[str, int] = {}
    for label, _, _ in runs:
        counts[str(label)] = counts.get(str(label), 0) + 1
    r = returns.astype("float64")
    keys = np.array([None if pd.isna(v) else str(v) for v in values], dtype=object)
    out: dict[str, dict[str, float | int]] = {}
    for label, n_ep in counts.items():
        sub = r[keys == label]
        out[label] = {
            "days": int(sub.notna().sum()),
            "episodes": n_ep,
            "total_return": round_sig(total_return(sub)),
            "ann_return": round_sig(ann_return(sub)),
            "ann_vol": round_sig(ann_vol(sub)),
            "sharpe": round_sig(sharpe(sub, rf)),
            "max_drawdown": round_sig(max_drawdown(sub)),
            "hit_rate": round_sig(hit_rate(sub)),
        }
    return out
