"""qtbt: backtest strategies across Federal Reserve balance-sheet regimes.

The public API is curated here; importing it opens no window, touches no
network and writes nothing.
"""

from __future__ import annotations

from backtest.data.catalog import CATALOG, ReleaseRule, SeriesSpec, get_spec
from backtest.data.panel import build_panel, known_observations
from backtest.data.store import DataStore
from backtest.exceptions import (
    CacheCorruptError,
    DataFormatError,
    EmptyRangeError,
    NetworkError,
    ParameterError,
    QtbtError,
    QtbtWarning,
    SeriesNotAvailableError,
    StaleCacheWarning,
    StaleSeriesWarning,
    UnknownSeriesError,
)

__version__ = "0.1.0"

__all__ = [
    "CATALOG",
    "CacheCorruptError",
    "DataFormatError",
    "DataStore",
    "EmptyRangeError",
    "NetworkError",
    "ParameterError",
    "QtbtError",
    "QtbtWarning",
    "ReleaseRule",
    "SeriesNotAvailableError",
    "SeriesSpec",
    "StaleCacheWarning",
    "StaleSeriesWarning",
    "UnknownSeriesError",
    "__version__",
    "build_panel",
    "get_spec",
    "known_observations",
]
