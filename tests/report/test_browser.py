"""Reports load in a real browser: headless Debian chromium, no console errors, charts drawn.

Skipped (with the reason) only when /usr/bin/chromium is missing outside CI; with
CI=true a missing chromium fails the test (`.ci/run` installs it with apt).
Screenshots land in the test's tmp folder, or in $QTBT_SCREENSHOT_DIR when set.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from backtest.data.store import DataStore
from backtest.report.compare import compare_runs
from backtest.report.compare_report import comparison_html
from backtest.report.save import write_html, write_report
from backtest.report.scorecard import Scorecard
from backtest.report.scorecard_report import scorecard_html
from backtest.runner import RunConfig
from backtest.sweep import SweepConfig, WalkForwardConfig, run_walkforward, write_sweep
from tests.report.cdp import CHROMIUM, PageReport, open_page
from tests.report.helpers import make_run_dir

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {CHROMIUM} is missing; `.ci/run` installs it with "
                    "`apt-get install -y chromium`.")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); required when CI=true.")


def _check(page: Path, expected_charts: int, shot: str) -> PageReport:
    rep = open_page(page)
    keep = os.environ.get("QTBT_SCREENSHOT_DIR")
    target = Path(keep) if keep else page.parent
    target.mkdir(parents=True, exist_ok=True)
    (target / f"{shot}.png").write_bytes(rep.screenshot)
    assert rep.errors == [], rep.errors
    assert rep.figures == expected_charts
    assert rep.plots == expected_charts and rep.drawn == expected_charts
    assert all(n > 0 for n in rep.traces)
    offline = [u for u in rep.requests if not u.startswith(("file:", "data:", "blob:"))]
    assert offline == [], f"the page asked the network for {offline}"
    assert len(rep.screenshot) > 10_000
    return rep


def test_run_report_loads(real_runs: tuple[Path, Path], tmp_path: Path) -> None:
    """A run folder copied with its results folder's one plotly.js (loaded by relative path)."""
    shared = sorted(real_runs[0].parent.glob("plotly-*.min.js"))
    assert len(shared) == 1  # one copy for both runs of the folder
    folder = tmp_path / "results" / "run"
    shutil.copytree(real_runs[0], folder)
    shutil.copy(shared[0], folder.parent)
    _check(folder / "report.html", 5, "report")  # equity, regimes, factors, liquidity, weights


def test_comparison_loads(real_runs: tuple[Path, Path], tmp_path: Path) -> None:
    page = write_html(tmp_path / "compare.html", comparison_html(compare_runs(list(real_runs))))
    _check(page, 2, "compare")


def test_scorecard_loads(real_scorecard: Scorecard, tmp_path: Path) -> None:
    page = write_html(tmp_path / "scorecard.html", scorecard_html(real_scorecard))
    _check(page, 2, "scorecard")  # tests by claim, net-liquidity decomposition


def test_hostile_names_do_not_run(tmp_path: Path) -> None:
    evil = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    d = make_run_dir(tmp_path, "evil", strategy=evil, params={"p": evil})
    rep = _check(write_report(d), 3, "evil")
    assert rep.dialogs == []


@pytest.fixture(scope="module")
def sweep_dir(snapshot_store: DataStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cfg = RunConfig("value_tilt", start="2016-01-04", end="2023-12-29")
    grid = {"qt_tilt": (0.2, 0.6, 1.0), "qt_cash": (0.0, 0.3), "qe_tilt": (-0.4, 0.0)}
    res, wf = run_walkforward(cfg, grid, snapshot_store, settings=SweepConfig(
        n_splits=8, reps=200, walkforward=WalkForwardConfig(24, 12)))
    return write_sweep(res, tmp_path_factory.mktemp("sweep"), "sw", walkforward=wf)


def test_sweep_page_loads(sweep_dir: Path) -> None:
    # heatmap, every configuration, PBO logits
    _check(sweep_dir / "sweep.html", 3, "sweep")


def test_walkforward_page_loads(sweep_dir: Path) -> None:
    # IS vs OOS per window, the IS/OOS scatter
    _check(sweep_dir / "walkforward.html", 2, "walkforward")
