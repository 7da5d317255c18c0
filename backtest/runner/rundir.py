"""Write a run folder atomically: manifest, metrics, returns, targets, positions, regimes.

The file names are those of :mod:`backtest.runner.layout`. This module
writes data only; the report page is rendered by the report layer, which
passes its renderer in (see :func:`backtest.report.save_run`), so the runner
never imports the report layer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.data.cache import umask_mode
from backtest.exceptions import ParameterError, WriteError
from backtest.provenance import bytes_sha256, file_sha256, git_revision, package_versions
from backtest.regimes.events import default_events_path
from backtest.runner import layout
from backtest.runner.run import RunOutput

__all__ = [
    "STALE_AFTER_MINUTES",
    "Renderer",
    "check_run_target",
    "default_run_id",
    "publish_run_dir",
    "remove_stale_temp",
    "reserve_run_dir",
    "share_run_dir",
    "write_run",
]

#: a hidden temp folder of a run is removed when its writer is gone and it is this old
STALE_AFTER_MINUTES = 30
#: called with the finished temp folder before it is renamed into place (e.g. the report)
Renderer = Callable[[Path], object]

_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_TEMP = re.compile(r"^\.[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\.[a-z0-9_]{8}$")


def default_run_id(out: RunOutput, now: dt.datetime) -> str:
    """``<strategy>_<UTC yyyymmdd-HHMMSS>_<config and code hash 8>``."""
    return f"{out.config.strategy}_{now:%Y%m%d-%H%M%S}_{out.config.code_digest()[:8]}"


def _metrics_bytes(metrics: dict[str, Any]) -> bytes:
    return (json.dumps(metrics, sort_keys=True, indent=2, allow_nan=False) + "\n").encode()


def _writer_alive(marker: Path) -> bool:
    """Whether the process that wrote ``marker`` may still run (True when unsure)."""
    try:
        owner = json.loads(marker.read_text(encoding="utf-8"))
        pid, host = int(owner["pid"]), str(owner["host"])
    except (OSError, ValueError, KeyError, TypeError):
        return True
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_stale_temp(root: str | Path, older_than_minutes: float = STALE_AFTER_MINUTES
                      ) -> list[Path]:
    """Remove hidden run temp folders left behind by killed writers; return them.

    A folder is removed only when all hold: its name is that of a run temp
    folder (``.<run_id>.<8 random>``), it holds qtbt's :data:`~layout.WRITING`
    marker, the marker is older than ``older_than_minutes``, and the process
    named in it (on this host) no longer exists. Anything else is left alone.

    Parameters
    ----------
    root : path
        The output folder (``--out``).
    older_than_minutes : float
        Minimum age of the marker, in minutes.
    """
    root_path = Path(root)
    removed: list[Path] = []
    if not root_path.is_dir():
        return removed
    cutoff = time.time() - 60.0 * older_than_minutes
    for entry in root_path.iterdir():
        marker = entry / layout.WRITING
        if not _TEMP.match(entry.name) or not entry.is_dir() or entry.is_symlink():
            continue
        try:
            fresh = marker.stat().st_mtime > cutoff
        except OSError:  # no marker: not ours
            continue
        if fresh or _writer_alive(marker):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        if not entry.exists():
            removed.append(entry)
    return removed


def share_run_dir(folder: Path) -> None:
    """Give a finished run the usual permissions (mkdtemp/mkstemp create them private).

    Also removes the "being written" marker, so only the run's files remain.
    """
    (folder / layout.WRITING).unlink(missing_ok=True)
    folder.chmod(umask_mode(0o777))
    for f in folder.iterdir():
        f.chmod(umask_mode(0o666))


def reserve_run_dir(root: str | Path, run_id: str) -> tuple[Path, Path]:
    """Validate ``run_id`` and create a temp folder next to ``root/run_id``.

    Returns ``(final, tmp)``: write into ``tmp`` and publish it with
    :func:`publish_run_dir`. Stale temp folders of killed writers under
    ``root`` are removed first (see :func:`remove_stale_temp`).

    Raises
    ------
    ParameterError
        A run id that is not a plain name, or a run directory that exists.
    WriteError
        ``root`` cannot be created (names it and the reason).
    """
    check_run_target(root, run_id)
    root_path = Path(root)
    try:
        root_path.mkdir(parents=True, exist_ok=True)
        remove_stale_temp(root_path)
        tmp = Path(tempfile.mkdtemp(prefix=layout.temp_prefix(run_id), dir=root_path))
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "run_id": run_id}
        (tmp / layout.WRITING).write_text(json.dumps(owner), encoding="utf-8")
    except OSError as exc:
        raise WriteError(f"Cannot create run directory {root_path / run_id}: "
                         f"{exc.strerror or exc}. Choose another --out or free space.") from None
    return root_path / run_id, tmp


def publish_run_dir(tmp: Path, final: Path) -> Path:
    """Rename the finished temp folder ``tmp`` to ``final`` (atomic on one filesystem).

    Raises
    ------
    ParameterError
        ``final`` appeared while the run was being computed (another writer
        with the same run id finished first); names ``final``, not ``tmp``.
    """
    share_run_dir(tmp)
    if final.exists() or final.is_symlink():
        raise _exists(final)
    try:
        os.rename(tmp, final)  # fails if a non-empty final appeared meanwhile
    except OSError as exc:
        if final.exists():
            raise _exists(final) from None
        raise WriteError(f"Cannot create run directory {final}: {exc.strerror or exc}.") from None
    return final


def _exists(final: Path) -> ParameterError:
    return ParameterError(
        f"Run directory {final} already exists (another run with this id finished first); "
        "runs are never overwritten. Pick another --run-id or omit it."
    )


def check_run_target(root: str | Path, run_id: str | None) -> None:
    """Fail early (before any computing) on a run id or output folder that cannot work.

    Raises
    ------
    ParameterError
        An empty output folder name, a run id that is not a plain name or
        already exists, or an output folder that is a file or not writable.
    """
    if isinstance(root, str) and not root.strip():
        raise ParameterError("--out is empty; give a folder for run directories, e.g. "
                             "--out results (use --out . for the current folder).")
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
    if not _can_create_in(probe):
        raise ParameterError(f"Cannot write run directories under {str(root_path)!r}: "
                             f"{str(probe)!r} is not writable.")


def _can_create_in(folder: Path) -> bool:
    """Whether a folder can really be created in ``folder`` (tried and removed at once).

    ``os.access`` says yes to root everywhere, even in ``/proc``; trying is
    the only sure test, and it leaves nothing behind.
    """
    try:
        Path(tempfile.mkdtemp(prefix=".qtbt-probe-", dir=folder)).rmdir()
    except OSError:
        return False
    return True


def _write_frames(out: RunOutput, tmp: Path) -> None:
    res = out.result
    returns = pd.DataFrame({layout.STRATEGY_COLUMN: res.returns,
                            **{n: b.returns for n, b in out.benchmarks.items()}})
    returns.rename_axis(layout.INDEX_NAME).to_parquet(tmp / layout.RETURNS)
    targets = res.targets.ffill().fillna(0.0)
    targets.rename_axis(layout.INDEX_NAME).to_parquet(tmp / layout.TARGETS)
    res.positions.rename_axis(layout.INDEX_NAME).to_parquet(tmp / layout.POSITIONS)
    out.regimes.to_frame(layout.REGIME_COLUMN).rename_axis(layout.INDEX_NAME).to_parquet(
        tmp / layout.REGIMES)
    if out.cash_rate is not None:
        out.cash_rate.rename(layout.CASH_COLUMN).to_frame().rename_axis(
            layout.INDEX_NAME).to_parquet(tmp / layout.CASH)


def _manifest(out: RunOutput, rid: str, command: list[str] | None,
              started: dt.datetime) -> dict[str, Any]:
    idx = out.result.returns.index
    code = out.config.strategy_code()
    return {
        "run_id": rid,
        "strategy": out.config.strategy,
        "parameters": out.params,
        "config": out.config.to_dict(),
        "config_sha256": out.config.code_digest(code),
        "strategy_code": code,
        "engine": out.engine.to_dict(),
        "range": {"start": f"{idx[0]:%Y-%m-%d}", "end": f"{idx[-1]:%Y-%m-%d}",
                  "sessions": len(idx)},
        "command": command if command is not None else sys.argv,
        "data": out.provenance,
        "events": {"path": str(default_events_path()),
                   "sha256": file_sha256(default_events_path())},
        "versions": package_versions(),
        "git": git_revision(),
        "notes": out.notes,
        "started_at": started.replace(microsecond=0).isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "metrics_sha256": bytes_sha256(_metrics_bytes(out.metrics)),
    }


def write_run(out: RunOutput, root: str | Path = "results", run_id: str | None = None,
              command: list[str] | None = None, started_at: dt.datetime | None = None,
              render: Renderer | None = None) -> Path:
    """Write the data files of ``root/<run_id>/`` and return its path.

    Files (names in :mod:`backtest.runner.layout`): ``manifest.json``
    (config, parameters, engine, command, data checksums, the module, file
    and sha256 of the strategy's and benchmarks' code (``strategy_code``), a
    ``config_sha256`` over the config and that code, package versions, git
    revision, timestamps, notes), ``metrics.json`` (no timestamps:
    byte-identical for the same config and data), ``returns.parquet``
    (daily returns of the strategy and benchmarks), ``targets.parquet``
    (daily target weights, decided at each close), ``positions.parquet``
    (weights actually held at each close, with cash), ``regimes.parquet``
    (daily labels) and, when the run earned a cash yield, ``cash.parquet``.

    Everything is written into a temporary folder next to the target and
    renamed into place at the end, so a failure leaves no partial run, and an
    existing run is never overwritten. ``report.html`` is not written here:
    :func:`backtest.report.save_run` passes the report renderer as
    ``render``.

    Parameters
    ----------
    render : callable, optional
        ``render(folder)``, called on the finished temp folder before it is
        renamed (so its output is part of the atomic write).

    Raises
    ------
    ParameterError
        If ``run_id`` is not a plain name or the run directory already exists.
    WriteError
        A file could not be written (disk full, permissions): names the run
        directory and the file.
    """
    started = started_at or dt.datetime.now(dt.UTC)
    rid = run_id or default_run_id(out, started)
    final, tmp = reserve_run_dir(root, rid)
    try:
        _write_frames(out, tmp)
        (tmp / layout.METRICS).write_bytes(_metrics_bytes(out.metrics))
        manifest = _manifest(out, rid, command, started)
        (tmp / layout.MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        if render is not None:
            render(tmp)
        publish_run_dir(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, WriteError) and exc.filename is None:
            raise  # already names the run directory
        name = Path(exc.filename).name if exc.filename else "its files"
        raise WriteError(f"cannot use: {exc.strerror or exc} while writing run directory "
                         f"{final} ({name}); nothing was written. Free space or choose "
                         "another --out.") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final
