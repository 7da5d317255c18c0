"""Strict readers for the CSV layouts qtbt understands.

Every error names the file and the (1-based) line so a user can fix it.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from backtest.exceptions import DataFormatError

__all__ = ["parse_observation_csv", "read_observation_csv"]

_MISSING = {"", ".", "NA", "NaN", "nan", "null"}


def _bad(origin: str, line: int, problem: str, fix: str) -> DataFormatError:
    return DataFormatError(f"{origin}, line {line}: {problem}. {fix}")


def parse_observation_csv(
    text: str,
    origin: str,
    date_column: str | None = None,
    columns: tuple[str, ...] | None = None,
    date_format: str = "%Y-%m-%d",
) -> pd.DataFrame:
    """Parse a dated CSV into a float frame indexed by date.

    Parameters
    ----------
    text : str
        CSV content. The first column is the date unless ``date_column``
        names another.
    origin : str
        File name or URL, quoted in error messages.
    date_column : str, optional
        Name of the date column (default: the first column).
    columns : tuple of str, optional
        Columns that must be present; others are kept too.
    date_format : str
        ``strftime`` format of the dates (``%Y-%m`` for monthly files).

    Returns
    -------
    DataFrame
        Float columns; empty fields and FRED's ``.`` become NaN. Index is a
        strictly increasing ``DatetimeIndex`` named ``date``.

    Raises
    ------
    DataFormatError
        Empty file, missing columns, an unparseable date or number, or dates
        that are duplicated or out of order; the message names file and line.
    """
    if not text.strip():
        raise DataFormatError(f"{origin}: the file is empty. Re-download it or restore it.")
    try:
        raw = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataFormatError(
            f"{origin}: not a valid CSV ({exc}). Check the line numbers above for a stray "
            "comma or quote."
        ) from exc
    if raw.shape[1] < 2:
        raise _bad(origin, 1, f"header {list(raw.columns)} has fewer than 2 columns",
                   "Expected a date column followed by value columns")
    raw.columns = [str(c).strip() for c in raw.columns]
    dcol = date_column or raw.columns[0]
    if dcol not in raw.columns:
        raise _bad(origin, 1, f"no date column {dcol!r} in header {list(raw.columns)}",
                   "The first line must name the columns")
    missing = [c for c in (columns or ()) if c not in raw.columns]
    if missing:
        raise _bad(origin, 1, f"missing column(s) {missing}; header is {list(raw.columns)}",
                   "Check the file matches the expected layout")
    dates = pd.to_datetime(raw[dcol].str.strip(), format=date_format, errors="coerce")
    bad = np.flatnonzero(dates.isna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise _bad(origin, i + 2, f"date {raw[dcol].iloc[i]!r} is not {date_format}",
                   "Fix or delete that line")
    values = {}
    for col in [c for c in raw.columns if c != dcol]:
        s = raw[col].str.strip()
        is_missing = s.isin(_MISSING)
        num = pd.to_numeric(s.where(~is_missing), errors="coerce")
        wrong = np.flatnonzero((num.isna() & ~is_missing).to_numpy())
        if wrong.size:
            i = int(wrong[0])
            raise _bad(origin, i + 2, f"value {s.iloc[i]!r} in column {col!r} is not a number",
                       "Numbers use '.' as decimal point; leave the field empty if missing")
        values[col] = num.astype("float64").to_numpy()
    idx = pd.DatetimeIndex(dates, name="date").as_unit("ns")
    diffs = np.flatnonzero(np.diff(idx.asi8) <= 0)
    if diffs.size:
        i = int(diffs[0]) + 1
        raise _bad(origin, i + 2, f"date {idx[i].date()} repeats or goes backwards",
                   "Rows must be in strictly increasing date order")
    return pd.DataFrame(values, index=idx)


def read_observation_csv(
    path: Path,
    columns: tuple[str, ...] | None = None,
    date_format: str = "%Y-%m-%d",
) -> pd.DataFrame:
    """Read a CSV file with :func:`parse_observation_csv`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{path}: not UTF-8 text ({exc}). Is it a CSV file?") from exc
    return parse_observation_csv(text, str(path), columns=columns, date_format=date_format)
