"""`qtbt sweep` and `qtbt walkforward` end to end on the snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from backtest.cli import main
from backtest.regimes.labels import LABELS

RANGE = ["--start", "2018-01-02", "--end", "2021-12-31"]


def test_sweep_writes_parquet_summary_and_manifest(
        tmp_path: Path, snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", "sixty_forty", *RANGE, "--data-dir", str(snapshot_dir), "--out",
                 str(tmp_path), "--run-id", "s1", "--splits", "8", "--top", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert "sixty_forty sweep: 4 configurations (equity_weight), 2018-01-02 to 2021-12-31" in out
    assert "dsr" in out and "Probability of backtest overfitting (CSCV, 8 blocks, 70 splits)" \
        in out
    table = pd.read_parquet(tmp_path / "s1" / "sweep.parquet")
    assert list(table.columns) == [
        "equity_weight", "total_return", "cagr", "ann_vol", "sharpe", "sortino",
        "max_drawdown", "turnover", *[f"{m}_{r}" for r in LABELS for m in ("sharpe",
                                                                           "ann_return")]]
    assert table["equity_weight"].tolist() == [0.4, 0.5, 0.6, 0.7]
    summary = json.loads((tmp_path / "s1" / "summary.json").read_text())
    assert summary["configurations"] == 4 and len(summary["best"]) == 3
    assert 0.0 <= summary["pbo"]["pbo"] <= 1.0
    manifest = json.loads((tmp_path / "s1" / "manifest.json").read_text())
    assert manifest["grid"] == {"equity_weight": [0.4, 0.5, 0.6, 0.7]}
    assert {"versions", "git", "data", "sha256"} <= set(manifest)

    # same inputs, same values
    assert main(["sweep", "sixty_forty", *RANGE, "--data-dir", str(snapshot_dir), "--out",
                 str(tmp_path), "--run-id", "s2", "--splits", "8"]) == 0
    pd.testing.assert_frame_equal(table, pd.read_parquet(tmp_path / "s2" / "sweep.parquet"),
                                  check_exact=True)


@pytest.mark.parametrize(("args", "message"), [
    (["--grid", "equity_weight=0.5,1.5"],
     "sixty_forty: parameter equity_weight = 1.5 is out of range; allowed: 0.0 to 1.0."),
    (["--grid", "equity=0.5"], "Did you mean equity_weight?"),
    (["--max-memory", "1KB"], "--max-memory 1000 B is too small"),
    (["--splits", "3"], "--splits must be an even number >= 2, got 3."),
    (["--splits", "30"], "n_splits (--splits) must be a whole number from 2 to 20; got 30."),
    (["--top", "0"], "--top 0 is out of range; allowed: 1 to 1000."),
    (["--top", "100000"], "--top 100000 is out of range"),
    (["--chunk-size", "0"], "chunk_size (--chunk-size) must be a whole number from 1 to"),
    (["--workers", "0"], "workers (--workers) must be a whole number from 1 to 1,024"),
    (["--scheduler-timeout", "0"], "seconds above 0 and at most 3600"),
    (["--end-of-qt-days", "99999999999"], "--end-of-qt-days 99999999999 is out of range"),
])
def test_bad_input_is_one_clear_error(args: list[str], message: str, tmp_path: Path,
                                      snapshot_dir: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", "sixty_forty", *RANGE, "--data-dir", str(snapshot_dir), "--out",
                 str(tmp_path), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "message"), [
    (["--train-months", "0"], "train_months (--train-months) must be a whole number from 1 "
                              "to 600; got 0."),
    (["--test-months", "9999"], "test_months (--test-months) must be"),
    (["--min-sessions", "0"], "min_sessions (--min-sessions) must be"),
    (["--regimes", "QT,QTT"], "--regimes ['QTT'] unknown"),
])
def test_bad_walkforward_input_is_one_clear_error(
        args: list[str], message: str, tmp_path: Path, snapshot_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["walkforward", "sixty_forty", *RANGE, "--data-dir", str(snapshot_dir),
                 "--out", str(tmp_path), *args])
    err = capsys.readouterr().err
    assert code == 2 and err == f"error: {err[7:]}" and message in err
    assert err.count("\n") == 1 and list(tmp_path.iterdir()) == []


def test_walkforward_shows_in_and_out_of_sample_side_by_side(
        tmp_path: Path, snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["walkforward", "value_tilt", "--grid", "qt_tilt=0.2,1.0",
                 "--grid", "qt_cash=0,0.3", "--start", "2016-01-04", "--end", "2025-12-31",
                 "--train-months", "24", "--test-months", "12", "--regimes", "QT",
                 "--data-dir", str(snapshot_dir), "--out", str(tmp_path), "--run-id", "wf"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Walk-forward windows" in out and "Leave one episode out" in out
    assert "QT#1 2017-10-02..2019-04-30" in out and "QT#2 2022-06-01..2024-05-31" in out
    wf = pd.read_parquet(tmp_path / "wf" / "walkforward.parquet")
    assert set(wf["scheme"]) == {"rolling", "expanding"}
    assert len(wf) == 2 * 8  # test years 2018 .. 2025
    assert {"is_sharpe", "oos_sharpe", "chosen", "param_qt_tilt"} <= set(wf.columns)
    loo = pd.read_parquet(tmp_path / "wf" / "leave_one_out.parquet")
    assert loo["train_episodes"].tolist() == ["QT#2", "QT#1"]
    summary = json.loads((tmp_path / "wf" / "summary.json").read_text())
    schemes = [row["scheme"] for row in summary["walkforward"]]
    assert schemes == ["rolling", "expanding", "leave-one-out QT"]
