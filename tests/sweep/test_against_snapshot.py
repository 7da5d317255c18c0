"""On the snapshot: one PBO for sweep and walk-forward, and the tests against benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtest.cli import main
from backtest.data.store import DataStore
from backtest.runner import RunConfig
from backtest.sweep import SweepConfig, WalkForwardConfig, run_sweep, run_walkforward

RANGE = ["--start", "2016-01-04", "--end", "2023-12-29"]
# qt_tilt and qt_cash act only in QT: the configurations' returns are bit-identical elsewhere,
# so many CSCV splits have tied in-sample bests
GRID = {"qt_tilt": (0.2, 0.6, 1.0), "qt_cash": (0.0, 0.3)}


def test_sweep_and_walkforward_print_the_same_pbo(snapshot_store: DataStore) -> None:
    cfg = RunConfig("value_tilt", start="2016-01-04", end="2023-12-29", benchmarks=())
    swept = run_sweep(cfg, GRID, snapshot_store, n_splits=16)
    walked, _ = run_walkforward(cfg, GRID, snapshot_store, settings=SweepConfig(
        n_splits=16, walkforward=WalkForwardConfig(24, 12, ("QT",))))
    assert swept.segments.n_seg < walked.segments.n_seg  # cut differently ...
    assert swept.pbo.pbo == walked.pbo.pbo  # ... one PBO
    assert ((swept.pbo.overfit > 0) & (swept.pbo.overfit < 1)).any()  # ties were there
    line = [x for x in swept.to_text().splitlines() if x.startswith("Probability")]
    assert line == [x for x in walked.to_text().splitlines() if x.startswith("Probability")]
    assert swept.against is None and "Against benchmarks: none" in swept.to_text()


def _sweep(snapshot_dir: Path, out: Path, rid: str, *extra: str) -> int:
    return main(["sweep", "value_tilt", "--grid", "qt_tilt=0.2,1.0", "--grid", "qt_cash=0,0.3",
                 *RANGE, "--splits", "8", "--reps", "200", "--data-dir", str(snapshot_dir),
                 "--out", str(out), "--run-id", rid, *extra])


def test_sweep_says_whether_any_configuration_beats_the_benchmarks(
        tmp_path: Path, snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _sweep(snapshot_dir, tmp_path, "a") == 0
    out = capsys.readouterr().out
    assert "DSR of the best over buy_and_hold:" in out  # the run's first benchmark
    assert "DSR of the best over grid median:" in out
    assert "SPA against buy_and_hold: p = " in out and "SPA against sixty_forty: p = " in out
    assert "Effective independent trials:" in out
    verdict = [x for x in out.splitlines() if x.startswith("Verdict:")]
    assert len(verdict) == 1 and "buy_and_hold" in verdict[0] and "sixty_forty" in verdict[0]
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    against = summary["against"]
    assert against["benchmark"] == "buy_and_hold" and against["n_trials"] == 4
    assert 1.0 <= against["effective_trials"] <= 4.0
    assert [d["reference"] for d in against["dsr"]] == ["buy_and_hold", "grid median"]
    assert [s["benchmark"] for s in against["spa"]] == ["buy_and_hold", "sixty_forty"]
    for s in against["spa"]:
        assert 0.0 <= s["pvalue"] <= 1.0 and s["reps"] == 200
        assert all(isinstance(c, str) for c in s["stepm"])
    # a fixed seed: the same command writes the same bytes
    assert _sweep(snapshot_dir, tmp_path, "b") == 0
    capsys.readouterr()
    assert (tmp_path / "a" / "summary.json").read_bytes() == \
        (tmp_path / "b" / "summary.json").read_bytes()


def test_benchmark_option_chooses_the_dsr_reference(
        tmp_path: Path, snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _sweep(snapshot_dir, tmp_path, "c", "--benchmark", "sixty_forty") == 0
    out = capsys.readouterr().out
    assert "DSR of the best over sixty_forty:" in out
    against = json.loads((tmp_path / "c" / "summary.json").read_text())["against"]
    assert against["benchmark"] == "sixty_forty"
    assert [s["benchmark"] for s in against["spa"]] == ["sixty_forty", "buy_and_hold"]


@pytest.mark.parametrize(("args", "message"), [
    (["--reps", "5"], "reps (--reps) must be a whole number from 100 to 100,000; got 5."),
    (["--seed", "-1"], "seed (--seed) must be a whole number from 0"),
    (["--benchmark", "sixty_fourty"], "sixty_fourty"),
])
def test_bad_test_options_are_one_clear_error(args: list[str], message: str, tmp_path: Path,
                                              snapshot_dir: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code = _sweep(snapshot_dir, tmp_path, "x", *args)
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.startswith("error: ")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_reps_zero_skips_the_bootstrap_and_says_so(snapshot_store: DataStore) -> None:
    cfg = RunConfig("sixty_forty", start="2018-01-02", end="2021-12-31")
    res = run_sweep(cfg, {"equity_weight": (0.4, 0.6)}, snapshot_store, n_splits=4, reps=0)
    assert res.against is not None and res.against.spa == ()
    assert [d.reference for d in res.against.dsr] == ["buy_and_hold", "grid median"]
    text = res.to_text()
    assert "Verdict: SPA/StepM not computed (see the notes)." in text
    assert "note: SPA/StepM skipped (--reps 0)." in text
    assert res.measures.returns is None  # kept for the tests only, not handed back
