"""Small builders for hand-checkable engine tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from backtest.data.calendar import sessions_between


def sessions(start: str, n: int) -> pd.DatetimeIndex:
    """The first ``n`` NYSE sessions on or after ``start``."""
    out = sessions_between(start, None)[:n]
    assert len(out) == n
    return out


def prices(index: pd.DatetimeIndex, cols: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    return pd.DataFrame({k: np.asarray(v, dtype="float64") for k, v in cols.items()}, index=index)


def no_targets(close: pd.DataFrame) -> pd.DataFrame:
    """All-NaN targets (no decision anywhere) shaped like ``close``."""
    return pd.DataFrame(np.nan, index=close.index, columns=close.columns)
