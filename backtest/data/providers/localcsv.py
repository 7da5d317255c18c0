"""A user's own series from a local CSV file: ``date,value`` rows, strictly checked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from backtest.data.catalog import SeriesSpec
from backtest.data.checks import check_series
from backtest.data.csvio import read_observation_csv_lines
from backtest.data.providers.base import Fetched
from backtest.data.providers.snapshot import file_sha256
from backtest.exceptions import DataFormatError, SeriesNotAvailableError

__all__ = ["DATE_COLUMNS", "LocalCsvProvider", "read_user_csv"]

#: accepted names of the date column (the first column of the file)
DATE_COLUMNS = ("date", "observation_date")


def read_user_csv(path: Path, column: str = "value", sid: str = "value",
                  catalog: str = "") -> tuple[pd.DataFrame, np.ndarray]:
    """Read a user CSV: a date column then ``column``; one float column named ``sid``.

    Dates are ``YYYY-MM-DD``, strictly increasing (no duplicates); values
    are numbers with ``.`` as decimal point, empty when missing. Returns the
    frame and each row's 1-based file line.

    Raises
    ------
    SeriesNotAvailableError
        The file does not exist.
    DataFormatError
        A header without a ``date`` first column or without ``column``, an
        unparseable date or number, dates out of order or repeated, a file
        with no row or no value; each names the file and line.
    """
    if not path.is_file():
        named = f" named in {catalog}" if catalog else ""
        raise SeriesNotAvailableError(
            f"{sid}: the CSV file {path}{named} does not exist. Fix path in its "
            f"[series.{sid}] entry (relative paths start at the catalog's folder) or restore "
            "the file.")
    frame, lines = read_observation_csv_lines(path)
    header = _header(path)
    if header[0].lower() not in DATE_COLUMNS:
        raise DataFormatError(
            f"{path}, line 1: the first column is {header[0]!r}; a user series file starts "
            f"with a date column named 'date' (header: date,{column}). Rename that column.")
    if column not in frame.columns:
        raise DataFormatError(
            f"{path}, line 1: no column {column!r} in the header {','.join(header)}. Name the "
            f"value column {column!r}, or set column = \"NAME\" in the [series.{sid}] entry.")
    if frame[column].notna().sum() == 0:
        raise DataFormatError(f"{path}: column {column!r} has no value on any row. Fill it in.")
    return frame[[column]].rename(columns={column: sid}), lines


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig") as fh:
        for line in fh:
            if line.strip():
                return [h.strip() for h in line.rstrip("\r\n").split(",")]
    return [""]  # pragma: no cover - an empty file is refused by the parser first


class LocalCsvProvider:
    """Serve ``csv`` series of a user catalog from their files (never the network).

    The sha256 is that of the file's bytes, as for snapshot files, so a run
    manifest names exactly the file it read.
    """

    name = "csv"

    def fetch(self, spec: SeriesSpec) -> Fetched:
        """Read, check (:func:`~backtest.data.checks.check_series`) and checksum the file."""
        path = Path(spec.path)
        data, lines = read_user_csv(path, spec.column or "value", spec.id, spec.catalog)
        check_series(spec, data, str(path), lines)
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        return Fetched(data=data, source="csv", origin=str(path), sha256=file_sha256(path),
                       fetched_at=mtime.replace(microsecond=0).isoformat())
