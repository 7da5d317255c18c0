"""Your own regime labels: a ``date,label`` CSV file as a classifier.

The third kind of classifier, next to the calendar (Fed events) and the data
classifiers (balance-sheet rules): labels a user wrote. Each row says that
from the NYSE session of its date on (the next session when the date is not
one) the regime is ``label``, until the next row. A row per session and a row
per change are both fine. Sessions before the first row are ``neutral``, like
the calendar's before 2008; a run refuses a range that starts before it.

Checked when the file is read (a :class:`~backtest.exceptions.DataFormatError`
naming the file and line): the header ``date,label``; dates as ``YYYY-MM-DD``
inside the NYSE calendar, strictly increasing, no two on the same session;
labels among :data:`~backtest.regimes.labels.LABELS` (with the closest one
suggested: ``EndOfQT`` -> ``end_of_qt``).

Labels are taken as known at the close of each row's session: qtbt cannot
check that they were knowable then, and a file written with hindsight looks
ahead. Runs say so in their notes and record the file's sha256.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd

from backtest.data.calendar import next_session_on_or_after, nyse_sessions
from backtest.data.catalog import suggest
from backtest.data.providers.base import Fetched
from backtest.data.providers.snapshot import file_sha256
from backtest.data.store import DataStore
from backtest.exceptions import DataFormatError, EmptyRangeError, ParameterError
from backtest.regimes.base import check_sessions
from backtest.regimes.labels import LABELS

__all__ = ["PROVENANCE_KEY", "FileClassifier", "read_regime_file"]

#: key of the regimes file in a store's (and a run manifest's) data provenance
PROVENANCE_KEY = "regimes_file"
_HEADER = ("date", "label")


def _bad(path: Path, line: int, problem: str, fix: str) -> DataFormatError:
    return DataFormatError(f"{path}, line {line}: {problem}. {fix}.")


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    """Non-blank CSV rows with their 1-based line numbers."""
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise ParameterError(f"regimes file {path} {what}. Pass a CSV file of date,label rows "
                             "(--regimes FILE).")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{path}: not UTF-8 text ({exc}). Save it as a CSV file.") from None
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    return [(reader.line_num, [f.strip() for f in row]) for row in reader
            if any(f.strip() for f in row)]


def _label(path: Path, line: int, raw: str) -> str:
    if raw in LABELS:
        return raw
    close = suggest(raw, LABELS, n=1)
    hint = f"Did you mean {close[0]!r}? " if close else ""
    raise _bad(path, line, f"unknown regime label {raw!r}",
               f"{hint}Labels: {', '.join(LABELS)}")


def _date(path: Path, line: int, raw: str) -> pd.Timestamp:
    try:
        day = pd.Timestamp(dt.datetime.strptime(raw, "%Y-%m-%d"))
    except ValueError:
        raise _bad(path, line, f"date {raw!r} is not YYYY-MM-DD", "Fix the date") from None
    sessions = nyse_sessions()
    if not sessions[0] <= day <= sessions[-1]:
        raise _bad(path, line, f"date {raw} is outside the NYSE calendar "
                   f"({sessions[0]:%Y-%m-%d} to {sessions[-1]:%Y-%m-%d})",
                   "Fix the date or delete the row")
    return day


def read_regime_file(path: str | Path) -> pd.DataFrame:
    """Rows of a regimes file: ``date``, ``session`` (the NYSE session it starts), ``label``.

    Raises
    ------
    ParameterError
        The file does not exist.
    DataFormatError
        A wrong header, a malformed or out-of-calendar date, dates unsorted,
        repeated or falling on the same session, an unknown label, or no rows.
    """
    p = Path(path)
    rows = _rows(p)
    if not rows or tuple(h.lower() for h in rows[0][1]) != _HEADER:
        got = ",".join(rows[0][1]) if rows else "an empty file"
        raise _bad(p, rows[0][0] if rows else 1, f"the header is {got!r}",
                   "The first line must be date,label")
    if len(rows) < 2:
        raise DataFormatError(f"{p}: a header but no rows. Add date,label rows such as "
                              "2022-06-01,QT.")
    out: list[tuple[pd.Timestamp, str]] = []
    for line, fields in rows[1:]:
        if len(fields) != 2:
            raise _bad(p, line, f"{len(fields)} field(s) {','.join(fields)!r}",
                       "Each row is date,label")
        out.append((_date(p, line, fields[0]), _label(p, line, fields[1])))
    frame = pd.DataFrame(out, columns=["date", "label"])
    frame["line"] = [line for line, _ in rows[1:]]
    frame["session"] = next_session_on_or_after(pd.DatetimeIndex(frame["date"]))
    _check_order(p, frame)
    return frame[["date", "session", "label"]]


def _check_order(path: Path, frame: pd.DataFrame) -> None:
    for i in range(1, len(frame)):
        prev, row = frame.iloc[i - 1], frame.iloc[i]
        if row["date"] <= prev["date"]:
            same = row["date"] == prev["date"]
            raise _bad(path, int(row["line"]),
                       f"date {row['date']:%Y-%m-%d} {'repeats' if same else 'comes before'} "
                       f"line {int(prev['line'])} ({prev['date']:%Y-%m-%d})",
                       "Keep one row per date" if same else "Sort the rows by date")
        if row["session"] == prev["session"]:
            raise _bad(path, int(row["line"]),
                       f"date {row['date']:%Y-%m-%d} and line {int(prev['line'])} "
                       f"({prev['date']:%Y-%m-%d}) both start on session "
                       f"{row['session']:%Y-%m-%d} (not a trading day)",
                       "Keep one of the two rows")


class FileClassifier:
    """Regime labels read from a user's ``date,label`` CSV file.

    Parameters
    ----------
    path : str or Path
        The file (see the module notes for its layout and checks).

    Attributes
    ----------
    changes_ : DataFrame
        ``date``, ``session``, ``label`` per row (set by ``fit``).
    sha256_ : str
        Checksum of the file's bytes (set by ``fit``).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = path

    def fit(self, X: object = None) -> FileClassifier:
        """Read and check the file; ``X`` is ignored (sklearn-style)."""
        path = Path(self.path).expanduser()
        self.changes_ = read_regime_file(path)
        self.sha256_ = file_sha256(path)
        self.path_ = path.resolve()
        return self

    def fit_store(self, store: DataStore) -> FileClassifier:
        """``fit``, and list the file with its sha256 in ``store``'s provenance."""
        self.fit()
        mtime = dt.datetime.fromtimestamp(self.path_.stat().st_mtime, dt.UTC)
        store.record(PROVENANCE_KEY, Fetched(
            data=pd.DataFrame(), source="regimes file", origin=str(self.path_),
            sha256=self.sha256_, fetched_at=mtime.replace(microsecond=0).isoformat()))
        return self

    def predict(self, sessions: pd.DatetimeIndex) -> pd.Series:
        """Daily labels on ``sessions``: each row's label carried to the next row.

        Sessions before the first row are ``neutral``.
        """
        idx = check_sessions(sessions, "FileClassifier.predict")
        if not hasattr(self, "changes_"):
            self.fit()
        lab = pd.Series(self.changes_["label"].to_numpy(),
                        index=pd.DatetimeIndex(self.changes_["session"]))
        out = lab.reindex(idx, method="ffill").fillna("neutral")
        out.index = pd.DatetimeIndex(idx, name="date")
        return out.astype(object).rename("regime")

    def coverage_note(self, start: pd.Timestamp, end: pd.Timestamp) -> str:
        """What a run from ``start`` to ``end`` takes from the file; an error when it starts first.

        Raises
        ------
        EmptyRangeError
            ``start`` is before the file's first session (those sessions have no label).
        """
        if not hasattr(self, "changes_"):
            self.fit()
        first = pd.Timestamp(self.changes_["session"].iloc[0])
        last = self.changes_.iloc[-1]
        if start < first:
            raise EmptyRangeError(
                f"regimes file {self.path_} labels sessions from {first:%Y-%m-%d}, but the "
                f"backtest starts {start:%Y-%m-%d}. Pass --start {first:%Y-%m-%d} or later, "
                f"or add a row dated on or before {start:%Y-%m-%d}.")
        held = (f"; its last label {last['label']} (from {last['session']:%Y-%m-%d}) holds to "
                f"{end:%Y-%m-%d}" if last["session"] < end else "")
        later = self.changes_[self.changes_["session"] > end]
        unused = (f"; {len(later)} row(s) from {later['date'].iloc[0]:%Y-%m-%d} are after the "
                  "backtest and unused" if len(later) else "")
        return (f"regimes from {self.path_} (sha256 {self.sha256_[:12]}, "
                f"{len(self.changes_)} rows{held}{unused}), taken as known at the close of each "
                "row's date: qtbt cannot check they were knowable then.")
