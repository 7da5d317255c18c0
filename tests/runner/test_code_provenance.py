"""Runs record their strategy's code; an edit changes the config hash and compare says so."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from backtest.cli import main
from backtest.report.compare import compare_runs
from backtest.runner import RunConfig
from tests.strategy.test_resolve import write_spec


def _run(path: Path, out: Path, rid: str, data: Path) -> dict:
    code = main(["run", str(path), "--start", "2016-01-04", "--end", "2016-06-30",
                 "--data-dir", str(data), "--out", str(out), "--run-id", rid])
    assert code == 0
    return json.loads((out / rid / "manifest.json").read_text())


def test_manifest_records_code_and_an_edit_changes_the_hash(
        snapshot_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, "user_strat.py", w=0.5)
    first = _run(path, tmp_path / "out", "a", snapshot_dir)
    code = first["strategy_code"]
    assert set(code) == {"alpha", "buy_and_hold", "sixty_forty"}
    assert code["alpha"]["file"] == str(path.resolve())
    assert code["alpha"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    bench = Path(code["sixty_forty"]["file"])
    assert bench.name == "benchmarks.py"
    assert code["sixty_forty"]["sha256"] == hashlib.sha256(bench.read_bytes()).hexdigest()
    assert first["config"]["strategy"] == "alpha"
    assert first["config"]["strategy_origin"]["file"] == str(path.resolve())

    write_spec(tmp_path, "user_strat.py", w=0.7)  # the user edits the weights
    second = _run(path, tmp_path / "out", "b", snapshot_dir)
    assert second["config"] == first["config"]  # same settings ...
    assert second["config_sha256"] != first["config_sha256"]  # ... different code
    assert second["strategy_code"]["alpha"]["sha256"] != code["alpha"]["sha256"]

    comp = compare_runs([tmp_path / "out" / "a", tmp_path / "out" / "b"])
    assert any(w.startswith("strategy 'alpha' ran different code") for w in comp.warnings)
    diff = comp.parameters[comp.parameters["differs"]]["key"].tolist()
    assert "strategy_code.alpha.sha256" in diff
    capsys.readouterr()
    assert main(["compare", str(tmp_path / "out" / "a"), str(tmp_path / "out" / "b")]) == 0
    assert "warning: strategy 'alpha' ran different code" in capsys.readouterr().err


def test_code_digest_of_a_built_in_strategy_is_stable() -> None:
    cfg = RunConfig("playbook")
    assert cfg.code_digest() == cfg.code_digest() != cfg.digest()
    assert set(cfg.strategy_code()) == {"playbook", "buy_and_hold", "sixty_forty"}
