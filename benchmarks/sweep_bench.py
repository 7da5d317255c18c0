"""Sweep benchmark: qtbt's sweep path vs vectorbt, bt and a plain numpy floor.

The problem (issue #6): on the data snapshot, 2007-03-01 to 2026-05-01,
adjusted closes, a monthly regime-tilt rebalance -- first session of each
month, at the close, with the regime known the session before, no costs,
fractional shares:

* QT (2017-10-01..2019-07-31, 2022-06-01..2025-11-30): IWD 0.4, SHY 0.3, UUP 0.2, GLD 0.1
* QE (2008-11-25..2014-10-29, 2020-03-15..2022-03-09): IWF 0.4, TLT 0.4, GLD 0.2
* otherwise: SPY 0.6, IEF 0.4

1,000 variants scale the QT weight of IWD from 0 to 0.8, the remainder from
SHY (so SHY runs from 0.7 down to -0.1: the last variants short it).
Regime periods are these literal date ranges, not the classifier.

Timed per variant, in one process: qtbt's sweep path
(:func:`backtest.sweep.sweep_targets`, numba kernel + metrics), vectorbt
``Portfolio.from_orders`` with all 1,000 variants as columns (one cash-sharing
group per variant), ``bt`` on 20 variants (extrapolated), and a numpy floor
(daily equity of every variant, one matmul per holding period). All must
agree on final equity. A child process then runs a 100,000-variant sweep
under a 4 GiB budget and reports its peak resident memory.

Usage::

    QTBT_DATA_DIR=../shared/data python benchmarks/sweep_bench.py [--json] [--no-memory]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backtest.data.calendar import sessions_between
from backtest.data.panel import build_panel
from backtest.data.store import DataStore
from backtest.engine.config import EngineConfig
from backtest.sweep import KernelSettings, Market, TargetPlan, sweep_targets

ASSETS = ["IWD", "SHY", "UUP", "GLD", "IWF", "TLT", "SPY", "IEF"]
QT = [("2017-10-01", "2019-07-31"), ("2022-06-01", "2025-11-30")]
QE = [("2008-11-25", "2014-10-29"), ("2020-03-15", "2022-03-09")]
START, END = "2007-03-01", "2026-05-01"
N_VARIANTS, N_BT, N_BIG = 1000, 20, 100_000
REPEATS = 3  # qtbt and numpy are timed best-of-3; vectorbt and bt once (they take seconds)
STATE_OTHER, STATE_QE, STATE_QT = 0, 1, 2


def load_prices(data_dir: str | None) -> pd.DataFrame:
    """Adjusted closes from the session before START (a funding session) to END."""
    store = DataStore(data_dir=data_dir)
    sessions = sessions_between(pd.Timestamp(START) - pd.Timedelta(days=10), END)
    first = int(sessions.searchsorted(pd.Timestamp(START))) - 1
    sessions = sessions[first:]
    px = build_panel(ASSETS, start=sessions[0], end=sessions[-1], store=store,
                     on_stale="ignore")
    return px.reindex(sessions)[ASSETS]


def states(index: pd.DatetimeIndex) -> np.ndarray:
    """Regime state per session from the literal date ranges."""
    out = np.full(len(index), STATE_OTHER, dtype=np.int32)
    for code, ranges in ((STATE_QE, QE), (STATE_QT, QT)):
        for a, b in ranges:
            out[(index >= pd.Timestamp(a)) & (index <= pd.Timestamp(b))] = code
    return out


def tables(n: int) -> np.ndarray:
    """(n, 3 states, 8 assets) target weights; QT's IWD weight from 0 to 0.8, rest from SHY."""
    iwd = np.linspace(0.0, 0.8, n)
    t = np.zeros((n, 3, len(ASSETS)))
    col = {a: i for i, a in enumerate(ASSETS)}
    t[:, STATE_OTHER, col["SPY"]], t[:, STATE_OTHER, col["IEF"]] = 0.6, 0.4
    t[:, STATE_QE, col["IWF"]], t[:, STATE_QE, col["TLT"]], t[:, STATE_QE, col["GLD"]] = \
        0.4, 0.4, 0.2
    t[:, STATE_QT, col["IWD"]] = iwd
    t[:, STATE_QT, col["SHY"]] = 0.7 - iwd
    t[:, STATE_QT, col["UUP"]], t[:, STATE_QT, col["GLD"]] = 0.2, 0.1
    return t


def decisions(index: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Decision codes (state known at the last session of each month, -1 elsewhere)."""
    month = index.year * 12 + index.month
    last = np.r_[month[1:] != month[:-1], False]
    st = states(index)
    codes = np.where(last, st, -1).astype(np.int32)
    return codes, last


ENGINE = EngineConfig(rebalance="daily", costs_bps=0.0, max_gross_leverage=2.0)


def run_qtbt(px: pd.DataFrame, tab: np.ndarray, **kw: Any) -> tuple[np.ndarray, Any]:
    """Final equity per variant through qtbt's sweep path."""
    codes, _ = decisions(pd.DatetimeIndex(px.index))
    market = Market.build(px)
    settings = KernelSettings.build(ENGINE, market)
    plan = TargetPlan.from_tables(codes, tab, ASSETS, market, ENGINE.max_gross_leverage)
    measures, chunks = sweep_targets(market, settings, plan, **kw)
    return 1.0 + measures.metrics[:, 0], chunks


def run_vectorbt(px: pd.DataFrame, tab: np.ndarray) -> np.ndarray:
    """Final equity per variant with vectorbt from_orders, variants as column groups."""
    import vectorbt as vbt

    n, a = tab.shape[0], len(ASSETS)
    codes, last = decisions(pd.DatetimeIndex(px.index))
    exec_rows = np.flatnonzero(last[:-1]) + 1
    size = np.full((len(px), n * a), np.nan)
    size[exec_rows] = tab[:, codes[exec_rows - 1], :].transpose(1, 0, 2).reshape(
        len(exec_rows), n * a)
    close = np.tile(px.to_numpy(), (1, n))
    cols = pd.MultiIndex.from_product([range(n), ASSETS], names=["variant", "asset"])
    pf = vbt.Portfolio.from_orders(
        pd.DataFrame(close, index=px.index, columns=cols),
        size=pd.DataFrame(size, index=px.index, columns=cols), size_type="targetpercent",
        direction="both", val_price=np.inf, fees=0.0, min_size=1e-8,
        init_cash=ENGINE.init_cash,
        cash_sharing=True, group_by="variant", call_seq="auto", freq="1D")
    value = pf.value().to_numpy()
    return value[-1] / value[0]


def run_bt(px: pd.DataFrame, tab: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """Final equity with bt (RunMonthly, WeighTarget, Rebalance), fractional shares."""
    import bt

    idx = pd.DatetimeIndex(px.index)
    st = states(idx)
    prices = px.iloc[1:]  # bt starts at START and trades its first session's close
    runs = []
    for k in picks:
        w = pd.DataFrame(tab[k, st[:-1], :], index=idx[1:], columns=ASSETS)  # known day before
        strat = bt.Strategy(f"v{k}", [bt.algos.RunMonthly(run_on_first_date=True),
                                      bt.algos.SelectAll(), bt.algos.WeighTarget(w),
                                      bt.algos.Rebalance()])
        runs.append(bt.Backtest(strat, prices, integer_positions=False,
                                initial_capital=1_000_000.0, progress_bar=False))
    res = bt.run(*runs)
    return np.array([float(res[f"v{k}"].prices.iloc[-1] / res[f"v{k}"].prices.iloc[0])
                     for k in picks])


def run_numpy(px: pd.DataFrame, tab: np.ndarray) -> np.ndarray:
    """Numpy floor: daily equity of every variant, one (V, A) @ (A, days) per holding period."""
    p = px.to_numpy()
    codes, last = decisions(pd.DatetimeIndex(px.index))
    exec_rows = np.flatnonzero(last[:-1]) + 1
    p = np.nan_to_num(p)
    n = tab.shape[0]
    equity = np.ones((n, len(p)))
    value = np.ones(n)
    bounds = [*exec_rows.tolist(), len(p)]
    for e, nxt in itertools.pairwise(bounds):
        w = tab[:, codes[e - 1], :]
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = np.where(w != 0, w * value[:, None] / p[e], 0.0)
        cash = value * (1.0 - w.sum(axis=1))
        equity[:, e:nxt] = shares @ p[e:nxt].T + cash[:, None]
        if nxt < len(p):
            value = shares @ p[nxt] + cash  # value at the next fill, before rebalancing
    return equity[:, -1]


def timed(fn: Any, *args: Any, **kw: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def peak_rss_bytes() -> int:
    """Peak resident memory of this process (VmHWM; unlike ru_maxrss, not inherited at exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def memory_run(n: int, data_dir: str | None, budget: int) -> None:
    """Child process: a sweep of ``n`` variants; print its JSON result."""
    px = load_prices(data_dir)
    tab = tables(n)
    (eq, chunks), secs = timed(run_qtbt, px, tab, max_memory=budget)
    peak = peak_rss_bytes()
    print(json.dumps({"variants": n, "seconds": secs, "chunks": len(chunks.chunks),
                      "estimated_peak_bytes": chunks.peak, "peak_rss_bytes": peak,
                      "final_equity_range": [float(eq.min()), float(eq.max())]}))


def best_of(n: int, fn: Any, *args: Any) -> tuple[Any, float]:
    """Result and the fastest of ``n`` timings (less noise on a shared machine)."""
    runs = [timed(fn, *args) for _ in range(n)]
    return runs[0][0], min(t for _, t in runs)


def run_memory_child(data_dir: str | None, budget: str) -> dict[str, Any]:
    """Run the 100,000-variant sweep in a fresh process and return its report."""
    child = subprocess.run([sys.executable, __file__, "--memory-run", str(N_BIG), "--budget",
                            budget, *(["--data-dir", data_dir] if data_dir else [])],
                           capture_output=True, text=True, check=True)
    return dict(json.loads(child.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="Print one JSON line.")
    ap.add_argument("--no-memory", action="store_true", help="Skip the 100,000-variant run.")
    ap.add_argument("--data-dir", default=os.environ.get("QTBT_DATA_DIR"))
    ap.add_argument("--memory-run", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--budget", default=str(4 * 1024**3), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.memory_run:
        memory_run(args.memory_run, args.data_dir, int(args.budget))
        return 0
    px = load_prices(args.data_dir)
    tab = tables(N_VARIANTS)
    picks = np.unique(np.linspace(0, N_VARIANTS - 1, N_BT).round().astype(int))

    big = None if args.no_memory else run_memory_child(args.data_dir, args.budget)
    _, compile_s = timed(run_qtbt, px, tables(2))  # numba compile (or cache load), excluded
    (eq_q, _), t_q = best_of(REPEATS, run_qtbt, px, tab)
    eq_n, t_n = best_of(REPEATS, run_numpy, px, tab)
    run_vectorbt(px, tab[:2])  # vectorbt's own numba compile, excluded
    eq_v, t_v = timed(run_vectorbt, px, tab)
    try:
        eq_b, t_b = timed(run_bt, px, tab, picks)
        bt_ms: float | None = t_b / len(picks) * 1e3
        bt_err: float | None = float(np.max(np.abs(eq_b / eq_q[picks] - 1)))
    except ImportError as exc:  # pragma: no cover - bt is in the bench extra
        bt_ms, bt_err, eq_b = None, None, None
        print(f"bt unavailable: {exc}", file=sys.stderr)
    per = {"qtbt": t_q / N_VARIANTS * 1e3, "vectorbt": t_v / N_VARIANTS * 1e3, "bt": bt_ms,
           "numpy": t_n / N_VARIANTS * 1e3}
    agree = {"vectorbt": float(np.max(np.abs(eq_v / eq_q - 1))),
             "numpy": float(np.max(np.abs(eq_n / eq_q - 1))), "bt": bt_err}
    out: dict[str, Any] = {
        "per_variant_ms": per,
        "variants": N_VARIANTS, "bt_variants": len(picks), "sessions": len(px),
        "assets": len(ASSETS), "final_equity": {"min": float(eq_q.min()),
                                                "max": float(eq_q.max())},
        "max_rel_diff_vs_qtbt": agree,
        "qtbt_over_numpy": per["qtbt"] / per["numpy"],
        "bt_over_qtbt": (bt_ms / per["qtbt"]) if bt_ms else None,
        "qtbt_compile_s": compile_s,
    }
    if big is not None:
        out["sweep_100k"] = {"seconds": big["seconds"], "chunks": big["chunks"],
                             "peak_rss_mib": big["peak_rss_bytes"] / 1024**2,
                             "estimated_peak_mib": big["estimated_peak_bytes"] / 1024**2,
                             "budget_mib": int(args.budget) / 1024**2}
    ok = all(v is None or v < 1e-9 for v in agree.values())
    out["agree_1e-9"] = ok
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
