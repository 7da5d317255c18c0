"""The files of a run folder, named once for the writer and every reader.

A run folder ``<out>/<run_id>/`` holds:

=================  ==========================================================
``manifest.json``  config, parameters, engine, command, data checksums,
                   versions, git state, timestamps, notes
``metrics.json``   overall and per-regime metrics (no timestamps: the same
                   config and data give the same bytes)
``returns.parquet``  daily returns: column ``strategy``, one per benchmark
``targets.parquet``  target weights decided at each close (carried forward
                     between decisions; they trade at the next session)
``positions.parquet``  weights held at each close, with ``cash``
``regimes.parquet``  column ``regime``: the label of each session
``cash.parquet``   column ``cash_rate``: daily cash yield (optional)
``report.html``    the rendered report (optional; ``qtbt report`` re-renders it)
=================  ==========================================================

Every parquet file is indexed by session dates (index name ``date``).
Run folders written before targets and positions were named apart hold
the targets in ``weights.parquet``; :func:`targets_file` finds either.
While a run is written it lives in a hidden sibling folder named
``.<run_id>.<random>`` (see :func:`temp_prefix`) holding :data:`WRITING`.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CASH",
    "CASH_COLUMN",
    "INDEX_NAME",
    "LEGACY_TARGETS",
    "MANIFEST",
    "METRICS",
    "POSITIONS",
    "REGIMES",
    "REGIME_COLUMN",
    "REPORT",
    "REQUIRED",
    "RETURNS",
    "STRATEGY_COLUMN",
    "TARGETS",
    "WRITING",
    "missing_files",
    "targets_file",
    "temp_prefix",
]

MANIFEST = "manifest.json"
METRICS = "metrics.json"
RETURNS = "returns.parquet"
TARGETS = "targets.parquet"
POSITIONS = "positions.parquet"
REGIMES = "regimes.parquet"
CASH = "cash.parquet"
REPORT = "report.html"
#: where run folders written before the rename kept their targets
LEGACY_TARGETS = "weights.parquet"
#: marker inside a run folder that is still being written (removed before it is published)
WRITING = ".qtbt-writing"

#: files every run folder has (``targets.parquet`` or, in old folders, ``weights.parquet``)
REQUIRED = (MANIFEST, METRICS, RETURNS, TARGETS, POSITIONS, REGIMES)

INDEX_NAME = "date"
STRATEGY_COLUMN = "strategy"
REGIME_COLUMN = "regime"
CASH_COLUMN = "cash_rate"


def targets_file(folder: Path) -> Path:
    """Path of the targets in ``folder``: ``targets.parquet``, else the legacy ``weights.parquet``.

    Returns ``folder / "targets.parquet"`` when neither exists (so a message
    names the current file name).
    """
    new, old = folder / TARGETS, folder / LEGACY_TARGETS
    return old if not new.is_file() and old.is_file() else new


def missing_files(folder: Path) -> list[str]:
    """Required files ``folder`` lacks (the legacy targets name counts as targets)."""
    return [f for f in REQUIRED
            if not (targets_file(folder) if f == TARGETS else folder / f).is_file()]


def temp_prefix(run_id: str) -> str:
    """Name prefix of the hidden folder a run is written into before it is renamed."""
    return f".{run_id}."
