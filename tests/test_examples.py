"""Every script in examples/ runs as the README says, on a short range of the real snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from backtest.cli import main
from backtest.data.store import DataStore
from backtest.runner import RunConfig, run
from backtest.strategy import resolve_strategy

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))
RANGE = ["--start", "2018-01-02", "--end", "2020-12-31"]
CATALOG = ["--catalog", str(EXAMPLES / "qtbt.toml")]  # the series examples declare


def test_there_are_at_least_three_examples() -> None:
    assert len(SCRIPTS) >= 3


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs_from_the_command_line(script: str, snapshot_dir: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(EXAMPLES / script), *RANGE, *CATALOG, "--data-dir",
                 str(snapshot_dir), "--out", str(tmp_path), "--run-id", "ex"])
    out, err = capsys.readouterr()
    assert code == 0, err
    name = resolve_strategy(str(EXAMPLES / script)).name
    assert out.startswith(f"{name}: 2018-01-02 to 2020-12-31")
    manifest = json.loads((tmp_path / "ex" / "manifest.json").read_text())
    assert manifest["strategy_code"][name]["file"] == str(EXAMPLES / script)
    targets = pd.read_parquet(tmp_path / "ex" / "targets.parquet")
    assert targets.abs().sum(axis=1).max() > 0.5  # it invests, not a strategy stuck in cash


def test_regime_table_override_from_its_docstring(snapshot_dir: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    toml = tmp_path / "qt.toml"
    toml.write_text(f'strategy = "{EXAMPLES / "regime_table.py"}"\n'
                    "[params.table.QT]\nSHY = 0.6\nGLD = 0.4\n", encoding="utf-8")
    code = main(["run", "--config", str(toml), *RANGE, "--data-dir", str(snapshot_dir),
                 "--out", str(tmp_path), "--run-id", "qt"])
    assert code == 0, capsys.readouterr().err
    table = json.loads((tmp_path / "qt" / "manifest.json").read_text())["parameters"]["table"]
    assert table["QT"] == {"SHY": 0.6, "GLD": 0.4}
    assert table["QE"] == {"QQQ": 0.6, "TLT": 0.4}  # not given: the default row


def test_example_runs_from_python(snapshot_store: DataStore) -> None:
    spec = resolve_strategy(str(EXAMPLES / "netliq_signal.py"))
    out = run(RunConfig(spec, params={"lookback": 21}, start="2019-01-02", end="2019-12-31"),
              snapshot_store)
    assert out.config.strategy == "netliq_signal" and out.params == {"lookback": 21}
    assert set(out.summary().columns) == {"strategy", "buy_and_hold", "sixty_forty"}


def test_example_sweeps_from_the_command_line(snapshot_dir: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = EXAMPLES / "netliq_signal.py"
    code = main(["sweep", str(path), "--grid", "lookback=21,63", "--splits", "4", *RANGE,
                 "--data-dir", str(snapshot_dir), "--out", str(tmp_path), "--run-id", "sw"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("netliq_signal sweep: 2 configurations")
    manifest = json.loads((tmp_path / "sw" / "manifest.json").read_text())
    assert manifest["strategy_code"]["netliq_signal"]["file"] == str(path)


def test_run_given_a_spec_says_how_to_wrap_it(snapshot_store: DataStore) -> None:
    from backtest.exceptions import ParameterError

    spec = resolve_strategy(str(EXAMPLES / "netliq_signal.py"))
    with pytest.raises(ParameterError, match=r"run takes a RunConfig, not a StrategySpec; pass "
                                             r"RunConfig\(spec\)"):
        run(spec, snapshot_store)  # type: ignore[arg-type]


def test_user_series_example_finds_the_project_file(snapshot_dir: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(EXAMPLES)  # examples/qtbt.toml declares RUNOFF_CAP
    code = main(["run", "runoff_duration.py", *RANGE, "--data-dir", str(snapshot_dir),
                 "--out", str(tmp_path), "--run-id", "own"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err.startswith(f"using series catalog {EXAMPLES / 'qtbt.toml'}: RUNOFF_CAP (csv) "
                          "(found in the working directory)")
    assert "note: RUNOFF_CAP is your series from " in out
    data = json.loads((tmp_path / "own" / "manifest.json").read_text())["data"]["RUNOFF_CAP"]
    assert data["origin"] == str(EXAMPLES / "data" / "ust_runoff_cap.csv")
    assert data["catalog"] == str(EXAMPLES / "qtbt.toml") and len(data["catalog_sha256"]) == 64
    targets = pd.read_parquet(tmp_path / "own" / "targets.parquet")
    # Treasury runoff cap 30 through April 2019, 15 from May: the bonds leave SHY for TLT
    assert targets.loc["2019-04-30", "SHY"] == pytest.approx(0.4)
    assert targets.loc["2019-05-01", "TLT"] == pytest.approx(0.4)


def test_user_series_example_needs_its_catalog(snapshot_dir: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(EXAMPLES / "runoff_duration.py"), *RANGE, "--data-dir",
                 str(snapshot_dir), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "Unknown series 'RUNOFF_CAP'" in err and "qtbt data add" in err


def test_user_series_example_from_python(snapshot_dir: Path) -> None:
    from backtest.data.usercat import using_catalog

    with using_catalog(EXAMPLES / "qtbt.toml"):
        out = run(RunConfig(str(EXAMPLES / "runoff_duration.py"), start="2022-01-03",
                            end="2022-12-30", benchmarks=()), DataStore(data_dir=snapshot_dir))
    shy = out.result.targets["SHY"]
    # 30 (>= 20) from June 2022: the bond sleeve is in SHY from the first session of June
    assert shy.loc["2022-05-31"] == 0.0 and shy.loc["2022-06-01"] == pytest.approx(0.4)
