"""sweep.html and walkforward.html: in the run folder, offline, escaped, byte-stable."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest.data.store import DataStore
from backtest.report.sweep_charts import heatmap_figure, pbo_figure, windows_figure
from backtest.report.sweep_report import sweep_html, walkforward_html
from backtest.runner import RunConfig
from backtest.sweep import SweepConfig, WalkForwardConfig, run_sweep, run_walkforward, write_sweep

CFG = RunConfig("value_tilt", start="2016-01-04", end="2023-12-29")
GRID = {"qt_tilt": (0.2, 1.0), "qt_cash": (0.0, 0.3), "qe_tilt": (-0.4, 0.0)}


@pytest.fixture(scope="module")
def walked(snapshot_store: DataStore) -> tuple:
    return run_walkforward(CFG, GRID, snapshot_store, settings=SweepConfig(
        n_splits=8, reps=200, walkforward=WalkForwardConfig(24, 12, ("QT",))))


def test_heatmap_holds_the_other_parameters_at_the_best() -> None:
    table = pd.DataFrame({"a": [1, 1, 2, 2, 1, 1, 2, 2], "b": [10, 20] * 4,
                          "c": [0] * 4 + [5] * 4,
                          "sharpe": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.9]})
    fig = heatmap_figure(table, ["a", "b", "c"], best=7)  # the best has c = 5
    first = fig.data[0]
    assert first.x == ("1", "2") and first.y == ("10", "20")
    assert [list(r) for r in first.z] == [[0.5, 0.7], [0.6, 0.9]]  # rows b, columns a, c = 5
    assert len(fig.data) == 3 and [t.visible for t in fig.data] == [True, False, False]
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["a x b", "a x c", "b x c"]
    # a x c with b at 20 (the best's)
    assert [list(r) for r in fig.data[1].z] == [[0.2, 0.4], [0.6, 0.9]]


def test_pbo_and_window_figures() -> None:
    fig = pbo_figure(np.array([-1.0, 0.5, np.nan, 2.0]), 1 / 3)
    assert list(fig.data[0].x) == [-1.0, 0.5, 2.0] and "0.333" in fig.layout.title.text
    windows = pd.DataFrame({"scheme": ["rolling", "rolling", "expanding"],
                            "test_start": pd.to_datetime(["2018-01-02", "2019-01-02",
                                                          "2018-01-02"]),
                            "is_sharpe": [1.0, 2.0, 1.5], "oos_sharpe": [0.1, math.nan, 0.2]})
    fig = windows_figure(windows)
    assert [t.name for t in fig.data] == ["rolling: in sample", "rolling: out of sample",
                                          "expanding: in sample", "expanding: out of sample"]
    assert list(fig.data[1].y) == [0.1, None] and fig.data[0].x == ("2018-01-02", "2019-01-02")


def test_pages_are_in_the_run_folder_and_byte_stable(walked: tuple, tmp_path: Path) -> None:
    sweep, wf = walked
    a = write_sweep(sweep, tmp_path, "a", walkforward=wf)
    b = write_sweep(sweep, tmp_path, "b", walkforward=wf)
    manifest = json.loads((a / "manifest.json").read_text())
    for name in ("sweep.html", "walkforward.html"):
        data = (a / name).read_bytes()
        assert data == (b / name).read_bytes()
        assert manifest["sha256"][name] == hashlib.sha256(data).hexdigest()
        assert b"https://" not in data.split(b"<script>", 2)[0]  # no remote stylesheet or font
    page = (a / "sweep.html").read_text()
    for anchor in ("tests", "heatmap", "configurations", "pbo", "best", "settings"):
        assert f'<section id="{anchor}">' in page
    assert "Does the best configuration beat the benchmark?" in page
    assert "Verdict: " in page and "Hansen&#x27;s SPA p-value" in page
    assert "beats sixty_forty (StepM)" in page
    wpage = (a / "walkforward.html").read_text()
    assert "Rolling and expanding windows" in wpage and "QT#1 2017-10-02..2019-04-30" in wpage
    assert f"PBO of the sweep: {sweep.pbo.pbo:.3f}" in wpage


def test_a_sweep_alone_writes_no_walkforward_page(snapshot_store: DataStore,
                                                  tmp_path: Path) -> None:
    cfg = RunConfig("sixty_forty", start="2018-01-02", end="2021-12-31", benchmarks=())
    res = run_sweep(cfg, {"equity_weight": (0.4, 0.6)}, snapshot_store, n_splits=4)
    out = write_sweep(res, tmp_path, "s")
    assert (out / "sweep.html").is_file() and not (out / "walkforward.html").exists()
    page = sweep_html(res)
    assert "A heatmap needs two varying parameters; this grid varies 1." in page
    assert "No benchmark in this run" in page


def test_hostile_parameter_text_is_escaped(walked: tuple) -> None:
    sweep, wf = walked
    evil = "<script>alert(1)</script>"
    params = [{**p, "qt_tilt": evil} for p in sweep.params]
    table = sweep.table.assign(qt_tilt=[f"{evil}{i}" for i in range(len(sweep.table))])
    import dataclasses

    hostile = dataclasses.replace(sweep, params=params, table=table)
    page = sweep_html(hostile) + walkforward_html(hostile, wf)
    assert evil not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
