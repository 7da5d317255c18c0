"""Dask scale-out benchmark: a 1,000,000-configuration sweep on a cluster of two workers.

The problem is ``sweep_bench.py``'s (the snapshot, a monthly regime-tilt
rebalance, the QT weight of IWD swept from 0 to 0.8), with 1,000,000 variants
instead of 1,000. The sweep runs through :func:`backtest.sweep.sweep_targets`
twice: on a :class:`~backtest.sweep.DaskExecutor` (a ``LocalCluster`` of
``--workers`` single-threaded worker processes, each with a ``--worker-memory``
limit; or the cluster at ``--scheduler``), and in this process
(:class:`~backtest.sweep.LocalExecutor`). Every metric of every variant must be
bit-identical. Chunks are sized to ``--max-memory`` per process.

Reported: wall time of each, the chunk plan, and the peak resident memory
(``VmHWM``) of every worker and of this process.

Usage::

    QTBT_DATA_DIR=../shared/data python benchmarks/dask_bench.py [--json] [--variants N]
    # a real cluster: `dask scheduler` on one machine, `dask worker tcp://HOST:8786
    # --nthreads 1 --memory-limit 2GiB` on each worker (same qtbt version), then
    QTBT_DATA_DIR=../shared/data python benchmarks/dask_bench.py --scheduler tcp://HOST:8786
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sweep_bench import (
    ASSETS,
    ENGINE,
    decisions,
    load_prices,
    peak_rss_bytes,
    tables,
)

from backtest.sweep import (
    DaskExecutor,
    KernelSettings,
    LocalExecutor,
    Market,
    TargetPlan,
    parse_bytes,
    sweep_targets,
)

MIB = 1024**2


def sweep(px: Any, tab: np.ndarray, executor: Any, budget: int) -> tuple[Any, Any, float]:
    """All variants through qtbt's sweep path on ``executor``: measures, chunks, seconds."""
    codes, _ = decisions(px.index)
    market = Market.build(px)
    settings = KernelSettings.build(ENGINE, market)
    plan = TargetPlan.from_tables(codes, tab, ASSETS, market, ENGINE.max_gross_leverage)
    t0 = time.perf_counter()
    measures, chunks = sweep_targets(market, settings, plan, executor=executor,
                                     max_memory=budget)
    return measures, chunks, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="Print one JSON line.")
    ap.add_argument("--variants", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=2, help="Workers of the local cluster.")
    ap.add_argument("--worker-memory", default="2GiB",
                    help="Memory limit per worker of the local cluster.")
    ap.add_argument("--max-memory", default="512MiB",
                    help="Working-set budget per process; chunks are sized to it.")
    ap.add_argument("--scheduler", default=None,
                    help="Address of a running Dask scheduler (default: a local cluster).")
    ap.add_argument("--no-local", action="store_true",
                    help="Skip the in-process run (and the identity check).")
    ap.add_argument("--data-dir", default=os.environ.get("QTBT_DATA_DIR"))
    args = ap.parse_args(argv)
    budget = parse_bytes(args.max_memory)
    root = str(Path(__file__).resolve().parents[1])  # worker processes import this checkout
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [root, *filter(None, [os.environ.get("PYTHONPATH")])])
    px = load_prices(args.data_dir)
    tab = tables(args.variants)
    sweep(px, tab[:4], LocalExecutor(), budget)  # numba compile (or cache load), excluded
    dask = DaskExecutor(args.scheduler, timeout=30.0, n_workers=args.workers, progress=False,
                        memory_limit=None if args.scheduler else
                        parse_bytes(args.worker_memory))
    with dask as ex:  # workers load the kernel from numba's on-disk cache
        m_dask, chunks, t_dask = sweep(px, tab, ex, budget)
        workers = ex._client.run(peak_rss_bytes)
    out: dict[str, Any] = {
        "variants": args.variants, "sessions": len(px), "assets": len(ASSETS),
        "workers": len(workers), "scheduler": args.scheduler or "LocalCluster",
        "worker_memory_limit_mib": None if args.scheduler else
        parse_bytes(args.worker_memory) / MIB,
        "max_memory_mib": budget / MIB, "chunks": len(chunks.chunks),
        "estimated_chunk_peak_mib": chunks.peak / MIB,
        "dask_s": t_dask, "dask_ms_per_variant": t_dask / args.variants * 1e3,
        "peak_rss_mib_per_worker": sorted(v / MIB for v in workers.values()),
    }
    if not args.no_local:
        m_local, _, t_local = sweep(px, tab, LocalExecutor(progress=False), budget)
        out["local_s"] = t_local
        out["identical"] = bool(np.array_equal(m_dask.metrics, m_local.metrics,
                                               equal_nan=True))
    out["client_peak_rss_mib"] = peak_rss_bytes() / MIB
    if args.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key}: {value}")
    return 0 if out.get("identical", True) else 1


if __name__ == "__main__":
    sys.exit(main())
