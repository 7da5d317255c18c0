"""Shared type aliases."""

from __future__ import annotations

import datetime as _dt
from typing import Literal, TypeAlias

import pandas as pd

DateLike: TypeAlias = str | _dt.date | pd.Timestamp
AsOf: TypeAlias = Literal["release", "observation"]
Frequency: TypeAlias = Literal["daily", "weekly", "monthly", "quarterly"]
Source: TypeAlias = Literal["fred", "yahoo", "french", "derived"]

__all__ = ["AsOf", "DateLike", "Frequency", "Source", "parse_date"]


def parse_date(value: DateLike, name: str) -> pd.Timestamp:
    """``value`` as a Timestamp; a ParameterError naming ``name`` if it is not a date."""
    from backtest.exceptions import ParameterError

    if isinstance(value, pd.Timestamp):
        return value
    text = str(value).strip()
    try:
        return pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d"))
    except (ValueError, TypeError):
        raise ParameterError(f"{name} {text!r} is not a date; use YYYY-MM-DD.") from None
