"""Reports of real runs on the snapshot: written by `save_run`, reproducible, comparable."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from backtest.cli import main
from backtest.report import RunResult, write_report
from backtest.report.compare import compare_runs
from backtest.report.html import share_plotly


def test_save_run_renders_the_report(real_runs: tuple[Path, Path]) -> None:
    for d in real_runs:
        assert (d / "report.html").is_file()
        assert not list(d.parent.glob(".*"))  # no temp folders left behind
        manifest = json.loads((d / "manifest.json").read_text())
        # the report leaves metrics.json alone
        assert hashlib.sha256((d / "metrics.json").read_bytes()).hexdigest() == \
            manifest["metrics_sha256"]


def test_rerender_gives_the_same_bytes_quickly(real_runs: tuple[Path, Path],
                                               tmp_path: Path) -> None:
    full = real_runs[0]
    t0 = time.perf_counter()
    out = write_report(full, tmp_path / "again.html")
    elapsed = time.perf_counter() - t0
    # the run folder's page is the same page loading the results folder's plotly.js
    assert share_plotly(out.read_text(encoding="utf-8"), full).encode("utf-8") == \
        (full / "report.html").read_bytes()
    assert elapsed < 20.0, f"rendering a 20-year report took {elapsed:.1f} s"


def test_summary_of_a_real_run(real_runs: tuple[Path, Path]) -> None:
    res = RunResult.load(real_runs[0])
    s = res.summary()
    regimes = list(dict.fromkeys(s.index.get_level_values("regime")))
    assert regimes == ["all", "QE", "taper", "QT", "end_of_qt", "neutral"]
    qt = s.loc[("QT", "strategy")]
    assert qt["episodes"] == 2 and qt["warning"] == "two episodes only"
    assert qt["sharpe_lo"] < qt["sharpe"] < qt["sharpe_hi"]
    assert int(s.loc[("all", "strategy"), "days"]) == res.manifest["range"]["sessions"]


def test_compare_two_real_runs(real_runs: tuple[Path, Path], tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    c = compare_runs(list(real_runs))
    assert not c.different_data
    diff = set(c.parameters.loc[c.parameters["differs"], "key"])
    assert {"engine.costs_bps", "range.start", "config.start"} <= diff
    assert any("different date ranges" in w for w in c.warnings)
    code = main(["compare", *map(str, real_runs), "--out", str(tmp_path / "cmp.html")])
    out = capsys.readouterr().out
    assert code == 0
    assert "| engine.costs_bps | 2.0 | 10.0 |" in out
    assert (tmp_path / "cmp.html").is_file()


def test_report_sharpe_matches_metrics_json_and_manifest_lists_run_series(
    real_runs: tuple[Path, Path],
) -> None:
    res = RunResult.load(real_runs[0])
    assert res.cash_rate is not None  # cash.parquet is written by qtbt run
    metrics = json.loads((real_runs[0] / "metrics.json").read_text())
    s = res.summary()
    assert s.loc[("all", "strategy"), "sharpe"] == pytest.approx(
        metrics["overall"]["sharpe"], rel=1e-9)
    assert s.loc[("QT", "sixty_forty"), "sharpe"] == pytest.approx(
        metrics["benchmarks"]["sixty_forty"]["by_regime"]["QT"]["sharpe"], rel=1e-9)
    # the second run reused the store: its manifest still lists only what it read
    short = json.loads((real_runs[1] / "manifest.json").read_text())
    full = json.loads((real_runs[0] / "manifest.json").read_text())
    assert set(short["data"]) == set(full["data"])
    assert "WSHOSHO" not in short["data"]  # calendar classifier: no balance-sheet series read
    assert short["events"]["sha256"] == full["events"]["sha256"]
