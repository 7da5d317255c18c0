"""Parquet cache: one file per series, with provenance, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from backtest.data.catalog import SeriesSpec
from backtest.data.providers.base import Fetched, content_sha256
from backtest.exceptions import CacheCorruptError

__all__ = ["SeriesCache", "atomic_write_bytes", "umask_mode"]

_META_KEY = b"qtbt"


def umask_mode(mode: int) -> int:
    """``mode`` as the process umask would leave it for a newly created file."""
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` via a temp file in the same folder and a rename.

    A failure at any point leaves ``path`` as it was (absent or the old
    content) and removes the temp file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, umask_mode(0o666))  # mkstemp creates 0600; files get the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SeriesCache:
    """Cache of downloaded series under ``root/<source>/<ID>.parquet``.

    Metadata stored in the parquet schema: source, origin, fetched_at,
    first/last observation date, rows, the provider's symbol (a user catalog
    may change it: a copy of another symbol is refused) and the sha256 of the
    content, which is checked on every read.

    Parameters
    ----------
    root : Path
        Cache directory (see :func:`backtest.data.paths.resolve_cache_dir`).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, spec: SeriesSpec) -> Path:
        """Cache file of ``spec``."""
        return self.root / spec.source / f"{spec.id}.parquet"

    def has(self, spec: SeriesSpec) -> bool:
        """Whether a cache file exists (it may still be corrupt)."""
        return self.path_for(spec).is_file()

    def write(self, spec: SeriesSpec, fetched: Fetched) -> Path:
        """Store ``fetched`` atomically; returns the path written."""
        data = fetched.data
        meta = {
            "id": spec.id,
            "source": fetched.source,
            "origin": fetched.origin,
            "fetched_at": fetched.fetched_at,
            "first": str(data.index[0].date()) if len(data) else None,
            "last": str(data.index[-1].date()) if len(data) else None,
            "rows": len(data),
            "sha256": content_sha256(data),
            "symbol": spec.provider_symbol,
        }
        table = pa.Table.from_pandas(data, preserve_index=True)
        existing = table.schema.metadata or {}
        table = table.replace_schema_metadata({**existing, _META_KEY: json.dumps(meta).encode()})
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        path = self.path_for(spec)
        atomic_write_bytes(path, sink.getvalue().to_pybytes())
        return path

    def read(self, spec: SeriesSpec) -> Fetched:
        """Read and verify the cached copy of ``spec``.

        Raises
        ------
        CacheCorruptError
            If the file cannot be read or its content does not match the
            checksum recorded when it was written.
        FileNotFoundError
            If there is no cache file.
        """
        path = self.path_for(spec)
        fix = f"Delete {path} or re-download with `qtbt data pull {spec.id} --refresh`."
        try:
            table = pq.read_table(path)
            meta = json.loads((table.schema.metadata or {})[_META_KEY])
            data = table.to_pandas()
        except FileNotFoundError:
            raise
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise CacheCorruptError(f"Cache file {path} is unreadable ({exc}). {fix}") from exc
        symbol = meta.get("symbol")
        if symbol is not None and symbol != spec.provider_symbol:
            raise CacheCorruptError(
                f"Cache file {path} holds {symbol!r}, but {spec.id} now names "
                f"{spec.provider_symbol!r} (its catalog entry changed). Re-download it with "
                f"`qtbt data pull {spec.id} --refresh`.")
        data.index = pd.DatetimeIndex(data.index, name="date").as_unit("ns")
        digest = content_sha256(data)
        if digest != meta.get("sha256"):
            raise CacheCorruptError(
                f"Cache file {path} does not match its recorded checksum "
                f"({digest[:12]} != {str(meta.get('sha256'))[:12]}). {fix}"
            )
        return Fetched(
            data=data,
            source=f"cache:{meta['source']}",
            origin=str(meta["origin"]),
            sha256=digest,
            fetched_at=str(meta["fetched_at"]),
        )
