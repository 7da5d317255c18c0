"""Real runs on the snapshot, made once per session and shared by the report tests."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from backtest.data.store import DataStore
from backtest.exceptions import QtbtWarning
from backtest.report import save_run
from backtest.report.scorecard import Scorecard, scorecard
from backtest.runner import RunConfig, run


@pytest.fixture(scope="session")
def real_runs(snapshot_dir: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Path, Path]:
    """The default playbook over the whole snapshot, and a shorter, costlier variant.

    ``save_run`` renders each run's report.html before the run directory appears.
    A fresh store: a run's manifest lists every series its store has loaded.
    """
    root = tmp_path_factory.mktemp("runs")
    store = DataStore(data_dir=snapshot_dir, cache_dir=root / "cache")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QtbtWarning)
        full = save_run(run(RunConfig("playbook"), store), root, "playbook_full",
                         command=["qtbt", "run", "playbook"])
        short = save_run(run(RunConfig("playbook", start="2015-01-02",
                                        engine={"costs_bps": 10.0}), store),
                          root, "playbook_costs10", command=["qtbt", "run", "playbook"])
    return full, short


@pytest.fixture(scope="session")
def real_scorecard(snapshot_store: DataStore) -> Scorecard:
    """The scorecard on the snapshot with default settings (calendar classifier)."""
    return scorecard(snapshot_store)
