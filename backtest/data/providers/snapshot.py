"""A local directory laid out like ``shared/data`` (FRED, Yahoo, Ken French CSVs)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import warnings
from pathlib import Path

from backtest.data.catalog import SeriesSpec
from backtest.data.checks import check_series
from backtest.data.csvio import read_observation_csv_lines
from backtest.data.providers.base import Fetched
from backtest.exceptions import (
    ChecksumMismatchWarning,
    DataFormatError,
    SeriesNotAvailableError,
    UnverifiedDataWarning,
)

__all__ = ["SnapshotProvider", "entry_mismatches", "file_sha256", "manifest_entry",
           "read_manifest"]

_FRENCH_FILES = {
    "FF3_DAILY": ("FF3_daily.csv", "%Y-%m-%d"),
    "FF5_DAILY": ("FF5_daily.csv", "%Y-%m-%d"),
    "FF3_MONTHLY": ("FF3_monthly.csv", "%Y-%m"),
}


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class SnapshotProvider:
    """Read series from a snapshot directory.

    Layout: ``fred/<ID>.csv`` (``observation_date,<ID>``),
    ``yahoo/<TICKER>.csv`` (``Date,Open,High,Low,Close,Adj Close,Volume``),
    ``french/FF3_daily.csv``, ``FF5_daily.csv``, ``FF3_monthly.csv``; each
    folder may hold a ``manifest.json`` of checksums.

    Parameters
    ----------
    root : Path
        The snapshot directory.
    """

    name = "snapshot"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, spec: SeriesSpec) -> Path:
        """Where the file of ``spec`` lives in the snapshot."""
        if spec.source == "fred":
            return self.root / "fred" / f"{spec.id}.csv"
        if spec.source == "yahoo":
            return self.root / "yahoo" / f"{spec.id}.csv"
        if spec.source == "french":
            return self.root / "french" / _FRENCH_FILES[spec.id][0]
        raise SeriesNotAvailableError(f"{spec.id} is derived; it has no file of its own.")

    def has(self, spec: SeriesSpec) -> bool:
        """Whether the snapshot holds a file for ``spec``."""
        return spec.source != "derived" and self.path_for(spec).is_file()

    def fetch(self, spec: SeriesSpec) -> Fetched:
        """Read the file of ``spec``: strict parsing, plausibility checks, manifest check.

        Errors name file and line; a file that differs from its manifest entry
        gives a :class:`ChecksumMismatchWarning`, one that no entry verifies
        an :class:`UnverifiedDataWarning`.
        """
        path = self.path_for(spec)
        if not path.is_file():
            raise SeriesNotAvailableError(
                f"{spec.id}: no file {path} in the snapshot directory {self.root}. "
                "Drop --data-dir (and unset QTBT_DATA_DIR) to download it, or add the file."
            )
        fmt = _FRENCH_FILES[spec.id][1] if spec.source == "french" else "%Y-%m-%d"
        if spec.source == "french":
            data, lines = read_observation_csv_lines(path, columns=spec.fields, date_format=fmt)
        elif spec.source == "yahoo":
            data, lines = read_observation_csv_lines(path, columns=spec.fields)
        else:
            data, lines = read_observation_csv_lines(path, columns=(spec.id,))
            data = data[[spec.id]]
        check_series(spec, data, str(path), lines)
        digest = file_sha256(path)
        entry, problem = manifest_entry(path)
        if entry is None:
            warnings.warn(
                f"{path} is not verified: {problem}. Results rest on it as it is; add it to "
                f"{path.parent / 'manifest.json'} or run `qtbt data verify`.",
                UnverifiedDataWarning, stacklevel=4,
            )
        else:
            found = {"sha256": digest, "rows": len(data),
                     "first": data.index[0].strftime(fmt), "last": data.index[-1].strftime(fmt)}
            diffs = entry_mismatches(entry, found)
            if diffs:
                what = "the sha256 in" if diffs[0].startswith("sha256") else "the entry in"
                warnings.warn(
                    f"{path} does not match {what} {path.parent / 'manifest.json'} "
                    f"({'; '.join(diffs)}); using it as it is. Run `qtbt data verify` and "
                    "restore the file if it was not changed on purpose.",
                    ChecksumMismatchWarning, stacklevel=4,
                )
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        return Fetched(
            data=data,
            source="snapshot",
            origin=str(path),
            sha256=digest,
            fetched_at=mtime.replace(microsecond=0).isoformat(),
        )

    def extent(self, spec: SeriesSpec, column: str) -> tuple[dt.date, dt.date, int] | None:
        """First and last date and count of the non-missing values of ``column``, quickly.

        Only for a file whose sha256 matches its manifest entry (the file the
        snapshot was published with): it is read with pyarrow's CSV reader
        (three times faster than pandas' on these small files), without
        :meth:`fetch`'s line-by-line checks. None otherwise (no entry, a
        different file, no such column, a value that is not a number): the
        caller loads the series through :meth:`fetch`, which checks and warns.
        """
        import numpy as np
        import pyarrow as pa
        import pyarrow.csv as pacsv

        path = self.path_for(spec)
        entry, _ = manifest_entry(path)
        if entry is None or entry.get("sha256") != file_sha256(path):
            return None
        fmt = _FRENCH_FILES[spec.id][1] if spec.source == "french" else "%Y-%m-%d"
        with path.open(encoding="utf-8") as fh:
            header = fh.readline().strip().split(",")
        if column not in header:
            return None
        try:
            table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                include_columns=[header[0], column],
                column_types={header[0]: pa.string(), column: pa.float64()},
                null_values=["", "."], strings_can_be_null=False))
        except pa.ArrowInvalid:
            return None
        # nulls ("" and ".") and literal NaN cells are both missing, as fetch() reads them
        values = table.column(column).to_numpy(zero_copy_only=False)
        known = np.flatnonzero(~np.isnan(values))
        if known.size == 0:
            return None
        dates = table.column(header[0])
        first, last = (dt.datetime.strptime(str(dates[int(i)]).strip(), fmt).date()
                       for i in (known[0], known[-1]))
        return first, last, int(known.size)

    def manifest(self) -> dict[str, dict[str, dict[str, object]]]:
        """The snapshot's manifests, by folder (``fred``, ``yahoo``, ``french``).

        Raises
        ------
        DataFormatError
            A manifest that is not valid JSON or not an object of entries.
        """
        out: dict[str, dict[str, dict[str, object]]] = {}
        for folder in ("fred", "yahoo", "french"):
            mpath = self.root / folder / "manifest.json"
            if mpath.is_file():
                out[folder] = read_manifest(mpath)
        return out


def read_manifest(mpath: Path) -> dict[str, dict[str, object]]:
    """A folder's ``manifest.json``: file stem or name -> entry (``sha256``, ``rows``, ...).

    Raises
    ------
    DataFormatError
        Not valid JSON, or not an object (naming the file and line).
    """
    try:
        raw = json.loads(mpath.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFormatError(
            f"{mpath}, line {exc.lineno}: not valid JSON ({exc.msg}). Restore the "
            "manifest or delete it to skip checksum checks."
        ) from None
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{mpath}: not UTF-8 text ({exc}). Restore the manifest.") from None
    if not isinstance(raw, dict):
        raise DataFormatError(
            f"{mpath}: expected an object of entries such as {{\"WALCL\": {{\"sha256\": ..., "
            f"\"rows\": ..., \"first\": ..., \"last\": ...}}}}, got a "
            f"{type(raw).__name__}. Restore the manifest."
        )
    return raw


def manifest_entry(path: Path) -> tuple[dict[str, object] | None, str]:
    """The manifest entry of ``path`` (keyed by stem or file name), or None and why not."""
    mpath = path.parent / "manifest.json"
    if not mpath.is_file():
        return None, f"its folder has no manifest.json ({mpath})"
    try:
        entries = read_manifest(mpath)
    except DataFormatError as exc:
        return None, f"the manifest is malformed ({exc})"
    entry = entries.get(path.stem, entries.get(path.name))
    if entry is None:
        return None, f"{mpath} has no entry {path.stem!r}"
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        return None, f"the entry {path.stem!r} in {mpath} has no sha256"
    return entry, ""


def entry_mismatches(entry: dict[str, object], found: dict[str, object]) -> list[str]:
    """``key manifest != file`` for each of sha256, rows, first, last the entry records."""
    out = []
    for key, have in found.items():
        if key not in entry:
            continue
        want = entry[key]
        if key == "sha256" and want != have:
            out.append(f"sha256 {str(have)[:12]} != {str(want)[:12]}")
        elif key != "sha256" and str(want) != str(have):
            out.append(f"{key} {have} != {want} in the manifest")
    return out
