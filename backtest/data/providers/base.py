"""The provider interface shared by every data source."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import pandas as pd

from backtest.data.catalog import SeriesSpec

__all__ = ["Fetched", "Provider", "content_sha256", "utc_now_iso"]


@dataclass(frozen=True)
class Fetched:
    """Observations of one series with their provenance.

    Attributes
    ----------
    data : DataFrame
        Float columns indexed by observation date (``DatetimeIndex`` named
        ``date``, strictly increasing). FRED series have one column named by
        the id; Yahoo has ``Open, High, Low, Close, Adj Close, Volume``;
        Fama-French has the factor columns (percent).
    source : str
        ``snapshot``, ``fredapi``, ``fred-csv``, ``yfinance``, ``kenfrench``
        or ``cache:<original source>``.
    origin : str
        File path or URL the data came from.
    sha256 : str
        Checksum: of the file bytes for snapshot files, else of
        :func:`content_sha256` of ``data``.
    fetched_at : str
        ISO-8601 UTC time of the download (file mtime for snapshot files).
    """

    data: pd.DataFrame
    source: str
    origin: str
    sha256: str
    fetched_at: str


@runtime_checkable
class Provider(Protocol):
    """Something that returns the full observation history of a series."""

    name: str

    def fetch(self, spec: SeriesSpec) -> Fetched:
        """Return every available observation of ``spec``."""
        ...


def content_sha256(data: pd.DataFrame) -> str:
    """Deterministic checksum of a frame's dates, columns and values."""
    text = data.to_csv(date_format="%Y-%m-%d", float_format="%.17g", lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_now_iso() -> str:
    """Current UTC time, ISO-8601 with seconds."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
