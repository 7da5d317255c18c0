"""The benchmark script's arithmetic (its timings are printed, never asserted)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _cli_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cli_bench", ROOT / "benchmarks" / "cli_bench.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["cli_bench"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_ratios_and_speedups_by_hand() -> None:
    bench = _cli_bench()
    times = {"import_vectorbt": [2.0, 4.0, 3.0], "run_playbook": [6.0, 6.6, 7.0],
             "run_playbook@before": [9.0, 9.9, 8.1]}
    out = bench.summarize(times)
    assert out["median_s"] == {"import_vectorbt": 3.0, "run_playbook": 6.6,
                               "run_playbook@before": 9.0}
    assert out["ratio_to_import_vectorbt"]["run_playbook"] == pytest.approx(2.2)
    assert out["ratio_to_import_vectorbt"]["run_playbook@before"] == pytest.approx(3.0)
    assert out["before_over_after"] == {"run_playbook": pytest.approx(9.0 / 6.6)}
    assert "before_over_after" not in bench.summarize({"import_vectorbt": [1.0]})


def test_against_must_be_a_checkout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        _cli_bench().main(["--quick", "--against", str(tmp_path)])
    assert exc.value.code == 2
    assert "not a qtbt checkout" in capsys.readouterr().err
