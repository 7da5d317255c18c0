"""Write sweep and walk-forward run directories atomically.

``DIR/<run_id>/`` holds:

* sweep: ``sweep.parquet`` (one row per configuration), ``summary.json``
  (best configurations with their deflated Sharpe ratio, PBO, and the tests
  against the benchmarks: DSR over the benchmark and the grid median,
  effective trials, SPA p-values, StepM sets), and ``manifest.json``;
* walk-forward: additionally ``walkforward.parquet`` (rolling and expanding
  windows), ``leave_one_out.parquet`` (episodes) and the side-by-side
  summary in ``summary.json``;
* ``sweep.html`` (and ``walkforward.html``): offline pages of the same
  results (:mod:`backtest.report.sweep_report`).

``sweep.parquet`` and ``summary.json`` carry no timestamps: the same
configuration and data give the same values. The manifest records the
command, configuration, data checksums, package versions, git revision and
timing, like ``qtbt run``'s (same helpers).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.metrics import to_jsonable
from backtest.metrics.fields import sweep_regime_column
from backtest.provenance import git_revision, package_versions
from backtest.runner.rundir import publish_run_dir, reserve_run_dir
from backtest.sweep.grid import format_params
from backtest.sweep.sweep import SweepResult
from backtest.sweep.walkforward import WalkForwardResult

__all__ = ["against_summary", "default_sweep_id", "sweep_summary", "write_sweep"]



def default_sweep_id(result: SweepResult, kind: str, now: dt.datetime) -> str:
    """``<strategy>-<kind>_<UTC yyyymmdd-HHMMSS>_<config hash 8>``."""
    return f"{result.strategy}-{kind}_{now:%Y%m%d-%H%M%S}_{result.digest()[:8]}"


def against_summary(result: SweepResult) -> dict[str, Any] | None:
    """JSON-ready benchmark tests: DSRs, effective trials, SPA p-values, StepM sets."""
    tests = result.against
    if tests is None:
        return None
    dsr0 = result.deflated_sharpe()[tests.best]
    return {
        "benchmark": tests.benchmark,
        "best": format_params(result.params[tests.best], result.varying),
        "dsr_vs_zero": dsr0,
        "n_trials": tests.n_trials, "effective_trials": tests.n_effective,
        "mean_correlation": tests.mean_correlation,
        "benchmark_sharpe": tests.benchmark_sharpe,
        "dsr": [dataclasses.asdict(d) for d in tests.dsr],
        "spa": [{**{k: v for k, v in dataclasses.asdict(x).items() if k != "superior"},
                 "stepm": [format_params(result.params[i], result.varying)
                           for i in x.superior]} for x in tests.spa],
        "notes": list(tests.notes),
    }


def sweep_summary(result: SweepResult, top: int = 5) -> dict[str, Any]:
    """JSON-ready summary: range, grid size, the best configurations with DSR, and PBO."""
    best = result.best(top)
    keep = [*result.config_columns, "dsr", "sharpe", "total_return", "max_drawdown",
            "turnover", *(sweep_regime_column("sharpe", r) for r in ("QT", "QE"))]
    rows = [{k: (json.loads(v) if isinstance(v, str) and v.startswith("{") else v)
             for k, v in r.items()} for r in best[keep].to_dict(orient="records")]
    pbo = result.pbo
    return to_jsonable({
        "strategy": result.strategy,
        "start": result.sessions[0], "end": result.sessions[-1],
        "sessions": len(result.sessions),
        "configurations": len(result.params),
        "grid": {k: list(v) for k, v in result.grid.items()},
        "best": rows,
        "pbo": {"pbo": pbo.pbo, "splits": pbo.n_splits, "combinations": pbo.n_combinations,
                "prob_oos_loss": pbo.prob_oos_loss,
                "degradation_daily_sharpe": pbo.degradation},
        "against": against_summary(result),
    })


def _manifest(result: SweepResult, rid: str, command: list[str] | None,
              started: dt.datetime, files: dict[str, bytes]) -> dict[str, Any]:
    return {
        "run_id": rid,
        "strategy": result.strategy,
        "grid": {k: list(v) for k, v in result.grid.items()},
        "configurations": len(result.params),
        "config": result.config.to_dict(),
        "config_sha256": result.digest(),
        "strategy_code": result.config.strategy_code(),
        "engine": result.engine.to_dict(),
        "range": {"start": f"{result.sessions[0]:%Y-%m-%d}",
                  "end": f"{result.sessions[-1]:%Y-%m-%d}", "sessions": len(result.sessions)},
        "chunks": {"count": len(result.chunks.chunks),
                   "estimated_peak_bytes": result.chunks.peak},
        "command": command if command is not None else sys.argv,
        "data": result.provenance,
        "versions": package_versions(),
        "git": git_revision(),
        "notes": result.notes,
        "started_at": started.replace(microsecond=0).isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }


def _json_bytes(doc: Any) -> bytes:
    return (json.dumps(doc, sort_keys=True, indent=2, allow_nan=False) + "\n").encode()


def _parquet_bytes(frame: pd.DataFrame, path: Path) -> bytes:
    frame.to_parquet(path, index=False)
    return path.read_bytes()


def _dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d")
        elif out[c].dtype == object and out[c].map(lambda v: isinstance(v, pd.Timestamp)).any():
            out[c] = out[c].map(lambda v: f"{v:%Y-%m-%d}" if isinstance(v, pd.Timestamp) else v)
    return out


def _pages(result: SweepResult, walkforward: WalkForwardResult | None,
           folder: Path) -> dict[str, bytes]:
    """``sweep.html`` (and ``walkforward.html``) written into ``folder``; name -> bytes."""
    from backtest.report.sweep_report import sweep_html, walkforward_html

    pages = {"sweep.html": sweep_html(result).encode()}
    if walkforward is not None:
        pages["walkforward.html"] = walkforward_html(result, walkforward).encode()
    for name, data in pages.items():
        (folder / name).write_bytes(data)
    return pages


def write_sweep(result: SweepResult, root: str | Path = "results", run_id: str | None = None,
                command: list[str] | None = None, started_at: dt.datetime | None = None,
                top: int = 5, walkforward: WalkForwardResult | None = None) -> Path:
    """Write ``root/<run_id>/`` for a sweep (and its walk-forward, if given).

    Everything is written into a temporary folder next to the target and
    renamed into place at the end; an existing run is never overwritten.

    Raises
    ------
    ParameterError
        If ``run_id`` is not a plain name or the directory already exists.
    """
    started = started_at or dt.datetime.now(dt.UTC)
    kind = "walkforward" if walkforward is not None else "sweep"
    rid = run_id or default_sweep_id(result, kind, started)
    final, tmp = reserve_run_dir(root, rid)
    try:
        files = {"sweep.parquet": _parquet_bytes(result.table, tmp / "sweep.parquet")}
        summary = sweep_summary(result, top)
        if walkforward is not None:
            files["walkforward.parquet"] = _parquet_bytes(
                _dates_as_text(walkforward.windows), tmp / "walkforward.parquet")
            files["leave_one_out.parquet"] = _parquet_bytes(
                walkforward.episodes, tmp / "leave_one_out.parquet")
            summary["walkforward"] = to_jsonable(walkforward.schemes.to_dict(orient="records"))
        files["summary.json"] = _json_bytes(summary)
        (tmp / "summary.json").write_bytes(files["summary.json"])
        files.update(_pages(result, walkforward, tmp))
        manifest = _manifest(result, rid, command, started, files)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        publish_run_dir(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final
