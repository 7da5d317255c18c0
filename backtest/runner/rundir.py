"""Write a run directory atomically: manifest, metrics, returns, weights."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.data.cache import umask_mode
from backtest.data.providers.snapshot import file_sha256
from backtest.exceptions import ParameterError
from backtest.regimes.events import default_events_path
from backtest.report import write_report
from backtest.runner.run import RunOutput

__all__ = [
    "check_run_target",
    "default_run_id",
    "git_revision",
    "package_versions",
    "reserve_run_dir",
    "share_run_dir",
    "write_run",
]

_PACKAGES = ("qtbt", "pandas", "numpy", "vectorbt", "numba", "pyarrow", "exchange_calendars",
             "yfinance", "fredapi", "scipy", "arch", "plotly", "matplotlib", "dask")
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def package_versions(names: tuple[str, ...] = _PACKAGES) -> dict[str, str]:
    """Versions of Python and the packages that shape results."""
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_revision(path: Path | None = None) -> dict[str, Any]:
    """Git commit of the qtbt checkout (and whether it had uncommitted changes)."""
    where = path or Path(__file__).resolve().parents[2]
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=where, capture_output=True, text=True, timeout=10,
                               check=True).stdout.strip() != ""
        return {"commit": rev, "dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def default_run_id(out: RunOutput, now: dt.datetime) -> str:
    """``<strategy>_<UTC yyyymmdd-HHMMSS>_<config hash 8>``."""
    return f"{out.config.strategy}_{now:%Y%m%d-%H%M%S}_{out.config.digest()[:8]}"


def _metrics_bytes(metrics: dict[str, Any]) -> bytes:
    return (json.dumps(metrics, sort_keys=True, indent=2, allow_nan=False) + "\n").encode()


def share_run_dir(folder: Path) -> None:
    """Give a finished run the usual permissions (mkdtemp/mkstemp create them private)."""
    folder.chmod(umask_mode(0o777))
    for f in folder.iterdir():
        f.chmod(umask_mode(0o666))


def reserve_run_dir(root: str | Path, run_id: str) -> tuple[Path, Path]:
    """Validate ``run_id`` and create a temp folder next to ``root/run_id``.

    Returns ``(final, tmp)``: write into ``tmp`` and rename it to ``final``
    at the end (see :func:`write_run`).

    Raises
    ------
    ParameterError
        A run id that is not a plain name, or a run directory that exists.
    """
    check_run_target(root, run_id)
    root_path = Path(root)
    root_path.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{run_id}.", dir=root_path))
    return root_path / run_id, tmp


def check_run_target(root: str | Path, run_id: str | None) -> None:
    """Fail early (before any computing) on a run id or output folder that cannot work.

    Raises
    ------
    ParameterError
        A run id that is not a plain name or already exists, or an output
        folder that is a file or is not writable.
    """
    root_path = Path(root)
    if run_id is not None:
        if not _RUN_ID.match(run_id):
            raise ParameterError(
                f"--run-id {run_id!r} is not a plain name; use letters, digits, '_', '-' or '.'."
            )
        if (root_path / run_id).exists():
            raise ParameterError(
                f"Run directory {root_path / run_id} already exists; runs are never "
                "overwritten. Pick another --run-id or omit it."
            )
    if root_path.exists() and not root_path.is_dir():
        raise ParameterError(f"--out {str(root_path)!r} is a file; give a folder.")
    probe = root_path if root_path.exists() else next(
        (p for p in root_path.parents if p.exists()), Path("."))
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ParameterError(f"Cannot write run directories under {str(root_path)!r}: "
                             f"{str(probe)!r} is not writable.")


def write_run(out: RunOutput, root: str | Path = "results", run_id: str | None = None,
              command: list[str] | None = None, started_at: dt.datetime | None = None) -> Path:
    """Write ``root/<run_id>/`` and return its path.

    Files: ``manifest.json`` (config, parameters, engine, command, data
    checksums, package versions, git revision, timestamps, notes),
    ``metrics.json`` (no timestamps: byte-identical for the same config and
    data), ``returns.parquet`` (daily returns of the strategy and
    benchmarks), ``weights.parquet`` (daily target weights, decided at each
    close), ``positions.parquet`` (weights actually held at each close, with
    cash), ``regimes.parquet`` (daily labels).

    Everything is written into a temporary folder next to the target and
    renamed into place at the end, so a failure leaves no partial run, and an
    existing run is never overwritten.

    Raises
    ------
    ParameterError
        If ``run_id`` is not a plain name or the run directory already exists.
    """
    started = started_at or dt.datetime.now(dt.UTC)
    rid = run_id or default_run_id(out, started)
    final, tmp = reserve_run_dir(root, rid)
    try:
        res = out.result
        returns = pd.DataFrame({"strategy": res.returns,
                                **{n: b.returns for n, b in out.benchmarks.items()}})
        returns.index.name = "date"
        returns.to_parquet(tmp / "returns.parquet")
        targets = res.targets.ffill().fillna(0.0)
        targets.index.name = "date"
        targets.to_parquet(tmp / "weights.parquet")
        res.positions.rename_axis("date").to_parquet(tmp / "positions.parquet")
        out.regimes.to_frame("regime").rename_axis("date").to_parquet(tmp / "regimes.parquet")
        if out.cash_rate is not None:
            out.cash_rate.rename("cash_rate").to_frame().rename_axis("date").to_parquet(
                tmp / "cash.parquet")
        (tmp / "metrics.json").write_bytes(_metrics_bytes(out.metrics))
        manifest = {
            "run_id": rid,
            "strategy": out.config.strategy,
            "parameters": out.params,
            "config": out.config.to_dict(),
            "config_sha256": out.config.digest(),
            "engine": out.engine.to_dict(),
            "range": {"start": f"{res.returns.index[0]:%Y-%m-%d}",
                      "end": f"{res.returns.index[-1]:%Y-%m-%d}",
                      "sessions": len(res.returns)},
            "command": command if command is not None else sys.argv,
            "data": out.provenance,
            "events": {"path": str(default_events_path()),
                       "sha256": file_sha256(default_events_path())},
            "versions": package_versions(),
            "git": git_revision(),
            "notes": out.notes,
            "started_at": started.replace(microsecond=0).isoformat(),
            "finished_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "metrics_sha256": hashlib.sha256(_metrics_bytes(out.metrics)).hexdigest(),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        write_report(tmp)  # report.html from the files just written, before the rename
        share_run_dir(tmp)
        os.rename(tmp, final)  # atomic on one filesystem; fails if final appeared meanwhile
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final
