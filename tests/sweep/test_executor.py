"""Chunking against a memory budget, and the same sweep on a two-worker Dask cluster."""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import pytest

from backtest.data.store import DataStore
from backtest.exceptions import ParameterError
from backtest.runner import RunConfig
from backtest.sweep import (
    DaskExecutor,
    SchedulerUnreachableError,
    make_executor,
    parse_bytes,
    plan_chunks,
    run_sweep,
)


def test_parse_bytes() -> None:
    assert parse_bytes("4GiB") == 4 * 1024**3
    assert parse_bytes("512MB") == 512_000_000
    assert parse_bytes("1e9") == 10**9
    with pytest.raises(ParameterError, match=r"not a size; use e\.g\. 4GiB"):
        parse_bytes("lots")


def test_plan_chunks_sizes_chunks_to_the_budget() -> None:
    plan = plan_chunks(1000, per_variant=1_000_000, kept_per_variant=1000,
                       max_memory=101_000_000)
    assert [len(c) for c in plan.chunks] == [100] * 10
    assert plan.peak == 1000 * 1000 + 100 * 1_000_000
    assert [len(c) for c in plan_chunks(10, 1, 1, 10**9, min_chunks=3).chunks] == [4, 4, 2]


def test_a_budget_too_small_reports_the_estimate() -> None:
    with pytest.raises(ParameterError, match=r"1,000,000 configurations needs about 953.7 MiB"
                                             r" for its results .* too small"):
        plan_chunks(1_000_000, per_variant=10_000, kept_per_variant=1000,
                    max_memory=500_000_000)
    with pytest.raises(ParameterError, match=r"--chunk-size 50 needs about .* allows 10"):
        plan_chunks(100, per_variant=1000, kept_per_variant=0, max_memory=10_000,
                    chunk_size=50)


def test_unreachable_scheduler_names_the_address() -> None:
    ex = make_executor("dask", "tcp://127.0.0.1:1", timeout=1.0)
    with pytest.raises(SchedulerUnreachableError,
                       match=r"tcp://127.0.0.1:1 within 1 s .* --executor local"), ex:
        pass
    with pytest.raises(ParameterError, match="--scheduler needs --executor dask"):
        make_executor("local", "tcp://127.0.0.1:1")


@pytest.mark.slow
def test_dask_two_workers_give_identical_results(snapshot_store: DataStore) -> None:
    cfg = RunConfig(strategy="net_liquidity", start="2019-01-02", end="2021-12-31",
                    engine={"costs_bps": 5.0}, benchmarks=())
    grid = {"lookback": (21, 63), "threshold_pct": (-1.0, 0.0, 1.0)}
    local = run_sweep(cfg, grid, snapshot_store, n_splits=4)
    from distributed import Client, LocalCluster, get_task_stream

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        address = client.scheduler.address
        with get_task_stream(client) as stream, DaskExecutor(address, timeout=10) as ex:
            assert ex.n_workers == 2
            remote = run_sweep(cfg, grid, snapshot_store, executor=ex, chunk_size=2,
                               n_splits=4)
    assert len(remote.chunks.chunks) == 3
    ran = [t for t in stream.data if str(t["key"]).startswith("evaluate_params")]
    assert len(ran) == 3  # one task per chunk, on the cluster
    pd.testing.assert_frame_equal(local.table, remote.table, check_exact=True)
    np.testing.assert_array_equal(local.measures.segments, remote.measures.segments)
    assert local.pbo.pbo == remote.pbo.pbo


def _slow_square(delay: float, x: int) -> int:
    import time
    time.sleep(delay)
    return x * x


def test_progress_bar_shown_for_long_work(capsys: pytest.CaptureFixture[str]) -> None:
    from backtest.sweep.executor import LocalExecutor
    ex = LocalExecutor(progress=True, progress_after=0.05)
    assert ex.map(_slow_square, 0.03, list(range(8))) == [x * x for x in range(8)]
    err = capsys.readouterr().err
    assert "chunks" in err and "ETA" in err and "8/8" in err


def test_no_progress_bar_for_short_work_or_when_off(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from backtest.sweep.executor import ChunkProgress, LocalExecutor
    assert LocalExecutor(progress=True).map(_slow_square, 0.0, [1, 2, 3]) == [1, 4, 9]
    assert LocalExecutor(progress=False, progress_after=0.0).map(
        _slow_square, 0.01, [1, 2, 3]) == [1, 4, 9]
    assert capsys.readouterr().err == ""
    # automatic: stderr is not a terminal under pytest, unless QTBT_PROGRESS says so
    monkeypatch.delenv("QTBT_PROGRESS", raising=False)
    assert ChunkProgress(3).enabled is False
    monkeypatch.setenv("QTBT_PROGRESS", "1")
    assert ChunkProgress(3).enabled is True
    monkeypatch.setenv("QTBT_PROGRESS", "0")
    assert ChunkProgress(3, stream=_Tty()).enabled is False
    monkeypatch.delenv("QTBT_PROGRESS")
    assert ChunkProgress(3, stream=_Tty()).enabled is True


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_worker_memory_limit_is_checked() -> None:
    for bad in (0, 1024, 2.5e9, True, "2GiB"):
        with pytest.raises(ParameterError, match="memory_limit must be a number of bytes"):
            DaskExecutor(memory_limit=bad)  # type: ignore[arg-type]
    assert DaskExecutor(memory_limit=2**30).memory_limit == 2**30


def _square_after(_shared: None, item: tuple[float, int]) -> int:
    import time
    time.sleep(item[0])
    return item[1] * item[1]


@pytest.mark.slow
def test_local_cluster_bounds_worker_memory_and_keeps_item_order() -> None:
    """Results are fetched as they finish (first the quick ones) but returned in item order."""
    with DaskExecutor(n_workers=2, memory_limit=2**30, progress=False) as ex:
        limits = [w["memory_limit"] for w in ex._client.scheduler_info()["workers"].values()]
        items = [(0.6, 1), (0.0, 2), (0.3, 3), (0.0, 4), (0.0, 5)]
        assert ex.map(_square_after, None, items) == [1, 4, 9, 16, 25]
        deadline = time.monotonic() + 10.0  # releases reach the scheduler asynchronously
        while any(str(k).startswith("_square_after") for k in ex._client.who_has()) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        held = [k for k in ex._client.who_has() if str(k).startswith("_square_after")]
        assert held == []  # every result released on the cluster once fetched
    assert limits == [2**30] * 2
