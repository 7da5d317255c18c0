"""Hand-made run directories for report tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

IDX6 = pd.DatetimeIndex(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08",
                         "2024-01-09"], name="date")
# strategy and benchmark returns for the six sessions, labelled QT QT QE QE QT QT
STRATEGY6 = [0.01, 0.02, -0.01, 0.00, 0.03, -0.02]
BENCH6 = [0.00, 0.01, 0.01, -0.01, 0.02, 0.00]
LABELS6 = ["QT", "QT", "QE", "QE", "QT", "QT"]
SHA = {"SPY": "a" * 64, "IEF": "b" * 64}


def make_run_dir(root: Path, name: str, *, strategy: str = "demo",
                 returns: pd.DataFrame | None = None, labels: list[str] | None = None,
                 params: dict[str, Any] | None = None, data: dict[str, str] | None = None,
                 cash: pd.Series | None = None, legacy: bool = False) -> Path:
    """Write a minimal but complete run directory (what `write_run` writes).

    ``legacy=True`` names the targets ``weights.parquet``, as run folders written
    before targets and positions were named apart did.
    """
    ret = returns if returns is not None else pd.DataFrame(
        {"strategy": STRATEGY6, "buy_and_hold": BENCH6}, index=IDX6)
    ret.index.name = "date"
    lab = labels if labels is not None else LABELS6
    d = root / name
    d.mkdir(parents=True)
    ret.to_parquet(d / "returns.parquet")
    w = pd.DataFrame({"SPY": 0.6, "IEF": 0.4}, index=ret.index)
    w.to_parquet(d / ("weights.parquet" if legacy else "targets.parquet"))
    w.assign(cash=0.0).to_parquet(d / "positions.parquet")
    pd.DataFrame({"regime": lab}, index=ret.index).to_parquet(d / "regimes.parquet")
    if cash is not None:
        cash.rename("cash_rate").to_frame().rename_axis("date").to_parquet(d / "cash.parquet")
    metrics = {"overall": {"cagr": 0.1, "sharpe": 1.0, "sortino": 1.5, "turnover": 2.0,
                           "costs": 0.0001, "trades": 7},
               "by_regime": {},
               "benchmarks": {"buy_and_hold": {"overall": {"cagr": 0.05, "trades": 1}}}}
    (d / "metrics.json").write_text(json.dumps(metrics))
    manifest = {
        "run_id": name, "strategy": strategy, "parameters": params or {"lookback": 63},
        "config": {"strategy": strategy, "params": params or {}, "classifier": "calendar",
                   "anchor": "effective", "end_of_qt_days": None, "cash_yield": "DGS3MO"},
        "engine": {"rebalance": "monthly", "execution": "close", "costs_bps": 2.0},
        "range": {"start": f"{ret.index[0]:%Y-%m-%d}", "end": f"{ret.index[-1]:%Y-%m-%d}",
                  "sessions": len(ret)},
        "command": ["qtbt", "run", strategy],
        "data": {k: {"source": "snapshot", "origin": f"/data/{k}.csv", "sha256": v}
                 for k, v in (data if data is not None else SHA).items()},
        "versions": {"qtbt": "0.1.0", "pandas": "x"}, "git": {"commit": "abc", "dirty": False},
        "notes": [], "started_at": "2024-01-10T00:00:00+00:00",
        "finished_at": "2024-01-10T00:00:05+00:00", "metrics_sha256": "0" * 64,
    }
    (d / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return d
