"""Shared type aliases."""

from __future__ import annotations

import datetime as _dt
from typing import Literal, TypeAlias

import pandas as pd

DateLike: TypeAlias = str | _dt.date | pd.Timestamp
AsOf: TypeAlias = Literal["release", "observation"]
Frequency: TypeAlias = Literal["daily", "weekly", "monthly", "quarterly"]
Source: TypeAlias = Literal["fred", "yahoo", "french", "derived"]

__all__ = ["AsOf", "DateLike", "Frequency", "Source"]

