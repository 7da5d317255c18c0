"""Shared type aliases: every ``Literal`` the package uses, each under one distinct name.

Two aliases never share a name: the release rule's timing (before or after the close) is
:data:`ReleaseTiming`, an event's session timing (intraday, after the close, before the open)
is :data:`EventTiming`; the anchor of a release lag (observation date or period end) is
:data:`ReleaseAnchor`, the anchor of a Fed event (announcement or effective date) is
:data:`EventAnchor`.
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal, TypeAlias

import pandas as pd

DateLike: TypeAlias = str | _dt.date | pd.Timestamp

# data
AsOf: TypeAlias = Literal["release", "observation"]
Frequency: TypeAlias = Literal["daily", "weekly", "monthly", "quarterly"]
Source: TypeAlias = Literal["fred", "yahoo", "french", "derived", "csv"]
SeriesKind: TypeAlias = Literal["series", "ohlcv", "factors"]
ReleaseTiming: TypeAlias = Literal["before_close", "after_close"]
ReleaseAnchor: TypeAlias = Literal["observation", "period_end"]
HolidayCalendar: TypeAlias = Literal["federal", "reserve_banks"]

# regimes and Fed events
Label: TypeAlias = Literal["QE", "taper", "QT", "end_of_qt", "neutral"]
ClassifierName: TypeAlias = Literal["calendar", "data", "rules", "markov", "hybrid"]
EventAnchor: TypeAlias = Literal["announce", "effective"]
EventTiming: TypeAlias = Literal["intraday", "after_close", "before_open"]
EventMeasure: TypeAlias = Literal["change_bp", "return", "change"]
AbnormalModel: TypeAlias = Literal["ols", "market"]
OnMissing: TypeAlias = Literal["raise", "skip"]

# strategies and output
ParamKind: TypeAlias = Literal["float", "int", "str", "bool", "table"]
ScorecardFormat: TypeAlias = Literal["table", "csv", "json", "markdown"]
EventFormat: TypeAlias = Literal["table", "csv"]
EventShow: TypeAlias = Literal["both", "moves", "summary"]

__all__ = [
    "AbnormalModel", "AsOf", "ClassifierName", "DateLike", "EventAnchor", "EventFormat",
    "EventMeasure", "EventShow", "EventTiming", "Frequency", "HolidayCalendar", "Label",
    "OnMissing", "ParamKind", "ReleaseAnchor", "ReleaseTiming", "ScorecardFormat", "SeriesKind",
    "Source",
]
