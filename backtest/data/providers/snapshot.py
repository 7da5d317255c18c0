"""A local directory laid out like ``shared/data`` (FRED, Yahoo, Ken French CSVs)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import warnings
from pathlib import Path

from backtest.data.catalog import SeriesSpec
from backtest.data.csvio import read_observation_csv
from backtest.data.providers.base import Fetched
from backtest.exceptions import ChecksumMismatchWarning, DataFormatError, SeriesNotAvailableError

__all__ = ["SnapshotProvider", "file_sha256"]

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
        """Read the file of ``spec`` (strict parsing, errors name file and line)."""
        path = self.path_for(spec)
        if not path.is_file():
            raise SeriesNotAvailableError(
                f"{spec.id}: no file {path} in the snapshot directory {self.root}. "
                "Drop --data-dir (and unset QTBT_DATA_DIR) to download it, or add the file."
            )
        if spec.source == "french":
            data = read_observation_csv(path, columns=spec.fields,
                                        date_format=_FRENCH_FILES[spec.id][1])
        elif spec.source == "yahoo":
            data = read_observation_csv(path, columns=spec.fields)
        else:
            data = read_observation_csv(path, columns=(spec.id,))[[spec.id]]
        digest = file_sha256(path)
        expected = self._expected_sha256(path)
        if expected is not None and expected != digest:
            warnings.warn(
                f"{path} does not match the sha256 in {path.parent / 'manifest.json'} "
                f"({digest[:12]} != {expected[:12]}); using it as it is. Run `qtbt data "
                "verify` and restore the file if it was not changed on purpose.",
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

    def _expected_sha256(self, path: Path) -> str | None:
        """The manifest's sha256 of ``path``, if its folder has a manifest naming it."""
        mpath = path.parent / "manifest.json"
        if not mpath.is_file():
            return None
        try:
            entry = json.loads(mpath.read_text()).get(path.stem)
        except (json.JSONDecodeError, AttributeError):
            return None
        return str(entry["sha256"]) if isinstance(entry, dict) and "sha256" in entry else None

    def manifest(self) -> dict[str, dict[str, dict[str, object]]]:
        """The snapshot's manifests, by folder (``fred``, ``yahoo``, ``french``)."""
        out: dict[str, dict[str, dict[str, object]]] = {}
        for folder in ("fred", "yahoo", "french"):
            mpath = self.root / folder / "manifest.json"
            if mpath.is_file():
                try:
                    out[folder] = json.loads(mpath.read_text())
                except json.JSONDecodeError as exc:
                    raise DataFormatError(
                        f"{mpath}, line {exc.lineno}: not valid JSON ({exc.msg}). Restore the "
                        "manifest or delete it to skip checksum checks."
                    ) from None
        return out
