"""Parquet cache: round trip, corruption detection, atomic writes under injected failure."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from backtest.data.cache import SeriesCache, atomic_write_bytes
from backtest.data.catalog import get_spec
from backtest.data.paths import resolve_cache_dir
from backtest.data.providers.base import Fetched, content_sha256
from backtest.exceptions import CacheCorruptError


def fetched(values: list[float]) -> Fetched:
    data = pd.DataFrame({"WALCL": values},
                        index=pd.DatetimeIndex(pd.date_range("2022-01-05", periods=len(values),
                                                             freq="W-WED"), name="date"))
    return Fetched(data, "fred-csv", "https://example/x", content_sha256(data),
                   "2026-01-01T00:00:00+00:00")


def test_round_trip_keeps_values_and_provenance(tmp_path: Path) -> None:
    cache = SeriesCache(tmp_path)
    spec = get_spec("WALCL")
    path = cache.write(spec, fetched([1.0, 2.0, float("nan")]))
    assert path == tmp_path / "fred" / "WALCL.parquet"
    got = cache.read(spec)
    assert got.source == "cache:fred-csv"
    assert got.fetched_at == "2026-01-01T00:00:00+00:00"
    assert got.data["WALCL"].iloc[:2].tolist() == [1.0, 2.0]
    assert got.data["WALCL"].isna().iloc[2]


def test_garbage_file_is_reported_not_used(tmp_path: Path) -> None:
    cache = SeriesCache(tmp_path)
    spec = get_spec("WALCL")
    cache.path_for(spec).parent.mkdir(parents=True)
    cache.path_for(spec).write_bytes(b"not parquet at all")
    with pytest.raises(CacheCorruptError, match=r"unreadable.*qtbt data pull WALCL --refresh"):
        cache.read(spec)


def test_tampered_content_fails_checksum(tmp_path: Path) -> None:
    cache = SeriesCache(tmp_path)
    spec = get_spec("WALCL")
    path = cache.write(spec, fetched([1.0, 2.0, 3.0]))
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    df = table.to_pandas()
    df.iloc[1, 0] = 99.0
    import pyarrow as pa

    pq.write_table(pa.Table.from_pandas(df).replace_schema_metadata(table.schema.metadata), path)
    with pytest.raises(CacheCorruptError, match="does not match its recorded checksum"):
        cache.read(spec)


def test_failure_mid_write_leaves_old_file_and_no_temp(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cache = SeriesCache(tmp_path)
    spec = get_spec("WALCL")
    path = cache.write(spec, fetched([1.0, 2.0]))
    before = path.read_bytes()

    def boom(fd: int) -> None:
        raise OSError("disk full (injected)")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="injected"):
        cache.write(spec, fetched([5.0, 6.0, 7.0]))
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["WALCL.parquet"]
    assert cache.read(spec).data["WALCL"].tolist() == [1.0, 2.0]


def test_failure_on_first_write_leaves_nothing(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(src: str, dst: str) -> None:
        raise OSError("rename failed (injected)")

    monkeypatch.setattr(os, "replace", boom)
    target = tmp_path / "a" / "b.parquet"
    with pytest.raises(OSError, match="injected"):
        atomic_write_bytes(target, b"payload")
    assert list(target.parent.iterdir()) == []


def test_cache_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_cache_dir(tmp_path / "x") == tmp_path / "x"
    monkeypatch.setenv("QTBT_CACHE_DIR", str(tmp_path / "env"))
    assert resolve_cache_dir() == tmp_path / "env"
    monkeypatch.delenv("QTBT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert resolve_cache_dir() == tmp_path / "xdg" / "qtbt"
