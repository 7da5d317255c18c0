"""Strict readers for the CSV layouts qtbt understands.

Every error names the file and the (1-based) line so a user can fix it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtest.exceptions import DataFormatError

__all__ = ["data_line_numbers", "parse_observation_csv", "parse_with_lines",
           "read_observation_csv", "read_observation_csv_lines"]

_MISSING = {"", ".", "NA", "NaN", "nan", "null"}
# observation dates qtbt accepts (inside pandas' nanosecond range, 1677-2262)
_FIRST_DATE = pd.Timestamp("1800-01-01")
_LAST_DATE = pd.Timestamp("2200-12-31")


def _bad(origin: str, line: int, problem: str, fix: str) -> DataFormatError:
    return DataFormatError(f"{origin}, line {line}: {problem}. {fix}")


def data_line_numbers(text: str, origin: str, allow_empty: bool = False) -> np.ndarray:
    """1-based file line of every data row, checking each has the header's field count.

    Blank lines are skipped (as the parser skips them).

    Raises
    ------
    DataFormatError
        A row with more or fewer fields than the header (a truncated last
        line such as ``2018-06-01,272.``, or a stray comma), naming the line;
        or a header with no data rows (unless ``allow_empty``).
    """
    if '"' in text:  # quoted fields: let the csv module split them
        rows = _csv_rows(text)
        header = rows[0][1] if rows else []
        body = np.asarray([n for n, _ in rows[1:]], dtype=np.int64)
        wrong = [n for n, f in rows[1:] if len(f) != len(header)]
    else:  # fast path: count commas per line
        raw = text.splitlines()
        counts = np.fromiter((-1 if not x or x.isspace() else x.count(",") for x in raw),
                             dtype=np.int64, count=len(raw))
        nonblank = np.flatnonzero(counts >= 0)
        header = raw[nonblank[0]].split(",") if nonblank.size else []
        body = nonblank[1:] + 1
        wrong = list(body[counts[nonblank[1:]] != len(header) - 1])
    if wrong:
        n = int(wrong[0])
        shown = next(csv.reader([text.splitlines()[n - 1]], skipinitialspace=True), [])
        text_shown = ",".join(shown)
        text_shown = text_shown if len(text_shown) <= 80 else text_shown[:77] + "..."
        raise _bad(origin, n,
                   f"{len(shown)} field(s) {text_shown!r} where the header has {len(header)} "
                   f"({','.join(header)})",
                   "The line is truncated or has a stray comma: complete it, delete it, "
                   "or re-download the file")
    lines = body
    if not lines.size and not allow_empty:
        raise DataFormatError(
            f"{origin}: the file has a header ({','.join(header)[:80]}) but no data rows. "
            "Re-download it or restore it."
        )
    return lines


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    return [(reader.line_num, row) for row in reader
            if row and not (len(row) == 1 and not row[0].strip())]


def parse_observation_csv(text: str, origin: str, **layout: Any) -> pd.DataFrame:
    """Parse a dated CSV into a float frame indexed by date.

    ``layout`` takes the keywords of :func:`parse_with_lines` (``date_column``,
    ``columns``, ``date_format``, ``allow_empty``); this returns only its frame.
    """
    return parse_with_lines(text, origin, **layout)[0]


def parse_with_lines(
    text: str,
    origin: str,
    date_column: str | None = None,
    columns: tuple[str, ...] | None = None,
    date_format: str = "%Y-%m-%d",
    allow_empty: bool = False,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse a dated CSV into a float frame indexed by date, with each row's file line.

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
    allow_empty : bool
        Return an empty frame for a header without rows (a download that
        found nothing) instead of refusing it as a damaged file.

    Returns
    -------
    DataFrame
        Float columns; empty fields and FRED's ``.`` become NaN. Index is a
        strictly increasing ``DatetimeIndex`` named ``date``.
    ndarray
        1-based file line of each row (for messages naming the line).

    Raises
    ------
    DataFormatError
        Empty file, a header without rows, a row with the wrong number of
        fields, missing columns, an unparseable date or number, or dates
        that are duplicated or out of order; the message names file and line.
    """
    if not text.strip():
        raise DataFormatError(f"{origin}: the file is empty. Re-download it or restore it.")
    lines = data_line_numbers(text, origin, allow_empty)
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
        raise _bad(origin, int(lines[i]), f"date {raw[dcol].iloc[i]!r} is not {date_format}",
                   "Fix or delete that line")
    far = np.flatnonzero(((dates < _FIRST_DATE) | (dates > _LAST_DATE)).to_numpy())
    if far.size:
        i = int(far[0])
        raise _bad(origin, int(lines[i]), f"date {raw[dcol].iloc[i]!r} is outside "
                   f"{_FIRST_DATE.date()}..{_LAST_DATE.date()}", "Fix or delete that line")
    values = {}
    for col in [c for c in raw.columns if c != dcol]:
        s = raw[col].str.strip()
        is_missing = s.isin(_MISSING)
        num = pd.to_numeric(s.where(~is_missing), errors="coerce")
        wrong = np.flatnonzero((num.isna() & ~is_missing).to_numpy())
        if wrong.size:
            i = int(wrong[0])
            raise _bad(origin, int(lines[i]),
                       f"value {s.iloc[i]!r} in column {col!r} is not a number",
                       "Numbers use '.' as decimal point; leave the field empty if missing")
        values[col] = num.astype("float64").to_numpy()
    idx = pd.DatetimeIndex(dates, name="date").as_unit("ns")
    diffs = np.flatnonzero(np.diff(idx.asi8) <= 0)
    if diffs.size:
        i = int(diffs[0]) + 1
        raise _bad(origin, int(lines[i]), f"date {idx[i].date()} repeats or goes backwards",
                   "Rows must be in strictly increasing date order")
    if len(lines) != len(idx):  # pragma: no cover - both skip the same blank lines
        raise DataFormatError(f"{origin}: {len(idx)} rows parsed but {len(lines)} lines counted.")
    return pd.DataFrame(values, index=idx), lines


def read_observation_csv(
    path: Path,
    columns: tuple[str, ...] | None = None,
    date_format: str = "%Y-%m-%d",
) -> pd.DataFrame:
    """Read a CSV file with :func:`parse_observation_csv`."""
    return read_observation_csv_lines(path, columns, date_format)[0]


def read_observation_csv_lines(
    path: Path,
    columns: tuple[str, ...] | None = None,
    date_format: str = "%Y-%m-%d",
) -> tuple[pd.DataFrame, np.ndarray]:
    """Read a CSV file with :func:`parse_with_lines`: the frame and each row's file line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{path}: not UTF-8 text ({exc}). Is it a CSV file?") from exc
    return parse_with_lines(text, str(path), columns=columns, date_format=date_format)
