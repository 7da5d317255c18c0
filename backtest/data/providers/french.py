"""Fama-French factors from Kenneth French's data library (zipped CSV files).

Layout of the CSV inside each zip (lines end in CRLF)::

    This file was created by CMPT_ME_BEME_RETS using the 202511 CRSP database.
    The 1-month TBill return is from Ibbotson and Associates, Inc.

    ,Mkt-RF,SMB,HML,RF
    192607,    2.89,   -2.55,   -2.39,    0.22
    ...

     Annual Factors: January-December
    ,Mkt-RF,SMB,HML,RF
      1927,   29.47,   -2.46,   -3.75,    3.12
    ...

    Copyright 2025 Kenneth R. French

Daily files date rows ``YYYYMMDD`` and have no annual section. Values are
percent. Only the first block (daily or monthly rows) is kept.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass

import pandas as pd
import requests

from backtest.data.catalog import SeriesSpec
from backtest.data.providers.base import Fetched, content_sha256, utc_now_iso
from backtest.data.providers.http import get_with_retries
from backtest.exceptions import DataFormatError

__all__ = ["FRENCH_URL", "FrenchProvider", "french_url", "parse_french_csv", "unzip_single_csv"]

FRENCH_URL = "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/{symbol}_CSV.zip"

_MISSING_CODES = (-99.99, -999.0)  # French's markers of a missing value
_END_WORDS = ("annual", "copyright")


def french_url(symbol: str) -> str:
    """Download URL of the dataset ``symbol`` (e.g. ``F-F_Research_Data_Factors_daily``)."""
    return FRENCH_URL.format(symbol=symbol)


def unzip_single_csv(payload: bytes, origin: str) -> tuple[str, str]:
    """Extract the one CSV file of a Ken French zip.

    Parameters
    ----------
    payload : bytes
        The zip archive.
    origin : str
        URL, quoted in error messages.

    Returns
    -------
    tuple of str
        ``(text, member_name)``; the text is decoded as UTF-8, else Latin-1.

    Raises
    ------
    DataFormatError
        Not a zip archive, or not exactly one CSV member.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
    except zipfile.BadZipFile as exc:
        raise DataFormatError(
            f"{origin}: the answer is not a zip archive (starts with {payload[:40]!r}). The "
            "site may be down or the dataset renamed; open the URL in a browser, or pass "
            "--data-dir to a snapshot with french/FF3_daily.csv etc."
        ) from exc
    with archive:
        members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        if len(members) != 1:
            raise DataFormatError(
                f"{origin}: expected exactly one .csv file in the zip, found {members or 'none'} "
                f"among {archive.namelist()}. Ken French may have changed the archive; pass "
                "--data-dir to a snapshot instead."
            )
        raw = archive.read(members[0])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # older files carry a Latin-1 copyright sign
    return text, members[0]


def _bad(origin: str, line: int, problem: str, fix: str) -> DataFormatError:
    return DataFormatError(f"{origin}, line {line}: {problem}. {fix}")


def _number(field: str) -> float:
    """Value of one field in percent; empty and French's -99.99/-999 codes are NaN."""
    if field == "":
        return math.nan
    value = float(field)
    return math.nan if value in _MISSING_CODES else value


@dataclass(frozen=True)
class _Layout:
    """How the rows of a daily or monthly file are dated."""

    width: int
    shape: str
    fmt: str
    monthly: bool

    @classmethod
    def of(cls, monthly: bool) -> _Layout:
        if monthly:
            return cls(6, "YYYYMM", "%Y%m", True)
        return cls(8, "YYYYMMDD", "%Y%m%d", False)


def _header(lines: list[str], origin: str, fields: tuple[str, ...]) -> tuple[int, list[str]]:
    """Line index of the header (it starts with ``,``) and its column names, checked."""
    header_at = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith(",")), None)
    if header_at is None:
        first = lines[0][:80] if lines else ""
        raise DataFormatError(
            f"{origin}: no header line starting with ',' (like ',Mkt-RF,SMB,HML,RF'); the first "
            f"line is {first!r}. This is not a Ken French factor CSV; check the dataset name "
            "or pass --data-dir to a snapshot."
        )
    columns = [c.strip() for c in lines[header_at].split(",")[1:]]
    while columns and columns[-1] == "":
        columns.pop()  # a trailing comma
    missing = [f for f in fields if f not in columns]
    if missing or "" in columns or len(set(columns)) != len(columns):
        raise _bad(
            origin,
            header_at + 1,
            f"header {columns} lacks {missing} or has empty/duplicate names",
            f"Expected the columns {list(fields)}; Ken French may have changed the file",
        )
    return header_at, columns


def _row_values(parts: list[str], columns: list[str], origin: str, number: int) -> list[float]:
    """The numbers of one data row (after its date), checked against the header."""
    while len(parts) > len(columns) + 1 and parts[-1] == "":
        parts.pop()
    if len(parts) != len(columns) + 1:
        raise _bad(
            origin,
            number,
            f"{len(parts) - 1} values for the {len(columns)} columns {columns}",
            "Every row needs a date and one value per column",
        )
    values: list[float] = []
    for col, field in zip(columns, parts[1:], strict=True):
        try:
            values.append(_number(field))
        except ValueError:
            raise _bad(
                origin,
                number,
                f"value {field!r} in column {col!r} is not a number",
                "Values are percent with '.' as decimal point",
            ) from None
    return values


def _data_block(lines: list[str], header_at: int, columns: list[str], origin: str,
                layout: _Layout) -> tuple[list[str], list[list[float]], list[int], int | None]:
    """Date keys, values and file line of every row of the first data block.

    Also returns the index of the blank line that ended the block (None when
    the block ran to the end or to an annual/copyright line).
    """
    keys: list[str] = []
    numbers: list[list[float]] = []
    line_of: list[int] = []
    blank_at: int | None = None
    for i in range(header_at + 1, len(lines)):
        number = i + 1
        row = lines[i].strip()
        if not row:
            if numbers:
                blank_at = i
                break
            continue
        parts = [p.strip() for p in row.split(",")]
        key = parts[0]
        if numbers and (
            any(w in row.lower() for w in _END_WORDS) or (key.isdigit() and len(key) == 4)
        ):
            break  # annual section or copyright without a blank line before it
        if not key.isdigit() or len(key) != layout.width:
            raise _bad(
                origin,
                number,
                f"expected a row starting with a {layout.shape} date, got {row[:60]!r}",
                f"Rows of this {'monthly' if layout.monthly else 'daily'} file must look like "
                f"'{'192607' if layout.monthly else '19260701'},    0.09,   -0.25, ...'",
            )
        numbers.append(_row_values(parts, columns, origin, number))
        keys.append(key)
        line_of.append(number)
    if not numbers:
        raise _bad(
            origin,
            header_at + 1,
            "the header is followed by no data rows",
            "The download is truncated; retry, or pass --data-dir to a snapshot",
        )
    return keys, numbers, line_of, blank_at


def _check_tail(lines: list[str], blank_at: int, last_line: int, origin: str) -> None:
    """After the data block only an annual section or the copyright line may follow."""
    rest = next(
        ((j, lines[j].strip()) for j in range(blank_at, len(lines)) if lines[j].strip()),
        None,
    )
    if rest is not None and not any(w in rest[1].lower() for w in _END_WORDS):
        raise _bad(
            origin,
            rest[0] + 1,
            f"unexpected line {rest[1][:60]!r} after the data block ended on line "
            f"{last_line}",
            "Only an 'Annual Factors' section or the copyright line may follow the data",
        )


def _dates(keys: list[str], line_of: list[int], origin: str, layout: _Layout
           ) -> pd.DatetimeIndex:
    """The rows' dates: valid and strictly increasing (errors name the line)."""
    dates = pd.to_datetime(pd.Series(keys), format=layout.fmt, errors="coerce")
    bad = dates.isna().to_numpy().nonzero()[0]
    if bad.size:
        k = int(bad[0])
        raise _bad(origin, line_of[k], f"date {keys[k]!r} is not a valid {layout.shape} date",
                   "Fix or delete that line")
    idx = pd.DatetimeIndex(dates, name="date").as_unit("ns")
    back = (idx[1:] <= idx[:-1]).nonzero()[0]
    if back.size:
        k = int(back[0]) + 1
        raise _bad(origin, line_of[k], f"date {keys[k]} repeats or goes backwards",
                   "Rows must be in strictly increasing date order")
    return idx


def parse_french_csv(
    text: str, origin: str, fields: tuple[str, ...], monthly: bool
) -> pd.DataFrame:
    """Parse the first data block of a Ken French CSV.

    Parameters
    ----------
    text : str
        The CSV text: description lines, a header starting with ``,``,
        dated rows, then optionally a blank line, an annual section and a
        copyright line (all dropped).
    origin : str
        URL (and member name), quoted in error messages.
    fields : tuple of str
        Columns that must be in the header; the result has exactly these.
    monthly : bool
        Rows are dated ``YYYYMM`` (indexed by the first day of the month)
        rather than ``YYYYMMDD``.

    Returns
    -------
    DataFrame
        ``fields`` as float columns, in percent as published; -99.99/-999
        are NaN. Index: strictly increasing ``DatetimeIndex`` named ``date``.

    Raises
    ------
    DataFormatError
        No header, missing factor columns, a bad date or number, a wrong
        number of fields, or dates out of order; names the origin and line.
    """
    lines = text.splitlines()
    header_at, columns = _header(lines, origin, fields)
    layout = _Layout.of(monthly)
    keys, numbers, line_of, blank_at = _data_block(lines, header_at, columns, origin, layout)
    if blank_at is not None:
        _check_tail(lines, blank_at, line_of[-1], origin)
    idx = _dates(keys, line_of, origin, layout)
    frame = pd.DataFrame(numbers, columns=columns, index=idx, dtype="float64")
    return frame.loc[:, list(fields)]


class FrenchProvider:
    """Download Fama-French factor files from Kenneth French's data library.

    Parameters
    ----------
    timeout : float
        Seconds to connect and between received bytes.
    retries : int
        Retries after the first attempt (``retries + 1`` attempts at most).
    session : requests.Session, optional
        Session to use.
    backoff : float
        Seconds before the first retry, doubled each time; ``0`` in tests.
    """

    name = "french"

    def __init__(
        self,
        timeout: float = 15.0,
        retries: int = 3,
        session: requests.Session | None = None,
        backoff: float = 0.5,
    ) -> None:
        self.timeout = timeout
        self.retries = retries
        self.session = session
        self.backoff = backoff

    def fetch(self, spec: SeriesSpec) -> Fetched:
        """Download and parse the factor file of ``spec``.

        Parameters
        ----------
        spec : SeriesSpec
            A catalog entry whose source is ``french`` (``spec.provider_symbol``
            is the file name without ``_CSV.zip``).

        Returns
        -------
        Fetched
            Columns ``spec.fields`` in percent; monthly files are indexed by
            the first day of each month. Source ``kenfrench``, origin the URL.

        Raises
        ------
        NetworkError
            The download failed after the retries.
        SeriesNotAvailableError
            The URL does not exist (HTTP 404).
        DataFormatError
            The archive or CSV is malformed (names the URL and line).
        """
        url = french_url(spec.provider_symbol)
        payload = get_with_retries(
            url,
            timeout=self.timeout,
            retries=self.retries,
            backoff=self.backoff,
            session=self.session,
            what=f"Ken French dataset {spec.provider_symbol} ({spec.id})",
        )
        text, member = unzip_single_csv(payload, url)
        data = parse_french_csv(
            text, f"{url} ({member})", spec.fields, monthly=spec.frequency == "monthly"
        )
        return Fetched(
            data=data,
            source="kenfrench",
            origin=url,
            sha256=content_sha256(data),
            fetched_at=utc_now_iso(),
        )
