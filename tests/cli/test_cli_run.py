"""`qtbt run` and `qtbt strategies` end to end, including bad input."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest.cli import main
from backtest.data.store import DataStore
from backtest.exceptions import StaleSeriesWarning
from backtest.runner import RunConfig
from backtest.runner import run as run_lib
from tests.conftest import MakeSnapshot


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_strategies_lists_names_and_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["strategies"], capsys)
    assert code == 0
    assert "playbook" in out and "net_liquidity" in out
    assert "lookback=63 (int in [5, 260])" in out


def test_run_writes_a_run_directory(snapshot_dir: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["run", "dollar", "--start", "2016-01-04", "--end", "2020-12-31",
                        "--param", "end_of_qt_position=short", "--costs-bps", "5",
                        "--out", str(tmp_path), "--run-id", "usd", "--data-dir",
                        str(snapshot_dir)], capsys)
    assert code == 0
    assert "Sharpe by regime" in out and "wrote" in out
    files = {p.name for p in (tmp_path / "usd").iterdir()}
    assert {"manifest.json", "metrics.json", "returns.parquet", "targets.parquet"} <= files
    # never overwrite an existing run
    code, _, err = run(["run", "dollar", "--out", str(tmp_path), "--run-id", "usd",
                        "--data-dir", str(snapshot_dir)], capsys)
    assert code == 2 and "already exists" in err


def test_config_file(snapshot_dir: Path, tmp_path: Path,
                     capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "pb.toml"
    cfg.write_text('strategy = "playbook"\nstart = 2019-01-02\nend = 2021-12-31\n'
                   "[params.table.QT]\nSPY = 0.5\n[params.table.neutral]\nIEF = 1.0\n"
                   '[engine]\ncosts_bps = 1.0\nrebalance = "regime_change"\n'
                   '[regimes]\nclassifier = "data"\n')
    code, out, err = run(["run", "--config", str(cfg), "--out", str(tmp_path), "--run-id", "c",
                          "--data-dir", str(snapshot_dir)], capsys)
    assert code == 0, err
    w = pd.read_parquet(tmp_path / "c" / "targets.parquet")
    # the given regimes replace their rows; QE, taper and end_of_qt keep the default rows
    assert set(w.columns) == {"SPY", "IEF", "IWF", "TLT", "GLD", "SHY", "EEM"}
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text())
    table = manifest["parameters"]["table"]
    assert table["QT"] == {"SPY": 0.5} and table["neutral"] == {"IEF": 1.0}
    assert table["QE"] == {"IWF": 0.4, "TLT": 0.4, "GLD": 0.2}
    assert "rebalance regime_change" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "playbok"], "Unknown strategy 'playbok'. Did you mean: playbook"),
        (["run", "value_tilt", "--param", "tilt=0.3"], "no parameter 'tilt'"),
        (["run", "value_tilt", "--param", "qt_tilt=big"], "qt_tilt must be a number"),
        (["run", "curve", "--param", "size=3"], "size = 3.0 is out of range"),
        (["run", "dollar", "--start", "2001-01-02"],
         "before the first price of UUP (from 2007-03-01); pass --start 2007-03-01"),
        (["run", "dollar", "--start", "2020-01-02", "--end", "2019-01-02"], "swap them"),
        (["run", "dollar", "--start", "2020-13-01"], "start '2020-13-01' is not a date"),
        (["run", "dollar", "--start", "2020-03-14", "--end", "2020-03-15"],
         "fewer than two NYSE sessions"),
        (["run", "dollar", "--param", "x=1", "--param", "x=2"], "given twice"),
        (["run", "value_tilt", "--param", "qt_tilt=nan"], "finite number"),
        (["run", "dollar", "--costs-bps", "1e9"], "allowed: 0 to 1000 bps"),
        (["run", "dollar", "--rebalance", "hourly"], "rebalance"),
        (["run", "dollar", "--cash-yield", "gold"], "cash_yield must be one of"),
        (["run", "dollar", "--run-id", "../escape"], "not a plain name"),
        (["run", "dollar", "--end-of-qt-days", "99999999999"],
         "--end-of-qt-days 99999999999 is out of range; allowed: 1 to 3650."),
        (["run", "dollar", "--end-of-qt-days", "0"], "allowed: 1 to 3650"),
    ],
)
def test_bad_input_exits_2_without_traceback_or_leftovers(
    argv: list[str], message: str, snapshot_dir: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run([*argv, "--out", str(tmp_path), "--data-dir", str(snapshot_dir)],
                       capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_missing_asset_and_early_ending_series(make_snapshot: MakeSnapshot, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    days = pd.bdate_range("2019-01-02", "2021-06-30")
    px = pd.Series(np.linspace(100, 120, len(days)), index=days)
    root = make_snapshot({"SPY": px, "IEF": px.loc[:"2021-03-31"], "DGS3MO": px * 0 + 1.0,
                          "WSHOSHO": px.resample("W-WED").last()})
    code, _, err = run(["run", "dollar", "--out", str(tmp_path / "r"), "--data-dir", str(root)],
                       capsys)
    assert code == 2 and "UUP: no file" in err and not (tmp_path / "r").exists()
    with warnings.catch_warnings():
        warnings.simplefilter("always", StaleSeriesWarning)  # the CLI prints it as a warning
        code, _, err = run(["run", "sixty_forty", "--end", "2021-06-30", "--out",
                            str(tmp_path / "r"), "--run-id", "x", "--data-dir", str(root)], capsys)
    assert code == 0
    assert "warning: Prices end before --end 2021-06-30: IEF (last 2021-03-31); the backtest " \
           "ends on 2021-03-31 instead." in err
    manifest = (tmp_path / "r" / "x" / "manifest.json").read_text()
    assert "the backtest ends on 2021-03-31" in manifest


def test_failure_while_writing_leaves_no_run_dir(snapshot_dir: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full (injected)")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    code, _, err = run(["run", "dollar", "--start", "2018-01-02", "--end", "2019-12-31", "--out",
                        str(tmp_path), "--run-id", "z", "--data-dir", str(snapshot_dir)], capsys)
    assert code == 2
    assert err.startswith("error: cannot use: disk full (injected)")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_or_file_out_fails_before_computing(
    snapshot_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "afile"
    target.write_text("x")
    code, _, err = run(["run", "dollar", "--out", str(target), "--data-dir", str(snapshot_dir)],
                       capsys)
    assert code == 2 and "is a file; give a folder" in err


def test_cli_prints_the_results_to_text(snapshot_dir: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["run", "dollar", "--start", "2016-01-04", "--end", "2019-12-31",
                        "--costs-bps", "5", "--out", str(tmp_path), "--run-id", "d",
                        "--data-dir", str(snapshot_dir)], capsys)
    assert code == 0
    cfg = RunConfig("dollar", start="2016-01-04", end="2019-12-31", engine={"costs_bps": 5.0})
    text = run_lib(cfg, DataStore(snapshot_dir)).to_text()
    assert out == f"{text}\n\nwrote {tmp_path / 'd'}\n"


def test_toml_strategy_must_match_the_argument(snapshot_dir: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "vt.toml"
    cfg.write_text('strategy = "value_tilt"\n[regimes]\nend_of_qt_days = 99999999999\n')
    code, _, err = run(["run", "playbook", "--config", str(cfg), "--out", str(tmp_path / "r"),
                        "--data-dir", str(snapshot_dir)], capsys)
    assert code == 2 and "sets strategy = 'value_tilt' but 'playbook' was named too" in err
    code, _, err = run(["run", "--config", str(cfg), "--out", str(tmp_path / "r"),
                        "--data-dir", str(snapshot_dir)], capsys)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "end_of_qt_days must be a whole number of calendar days from 1 to 3650" in err
    assert not (tmp_path / "r").exists()


def test_run_a_strategy_file_and_spec_option(snapshot_dir: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from tests.strategy.test_resolve import write_spec

    path = write_spec(tmp_path, "two.py", ("alpha", "beta"))
    common = ["--start", "2016-01-04", "--end", "2016-12-30", "--data-dir", str(snapshot_dir),
              "--out", str(tmp_path / "out")]
    code, _, err = run(["run", str(path), *common], capsys)
    assert code == 2 and "--spec NAME" in err and err.count("\n") == 1
    code, out, _ = run(["run", str(path), "--spec", "beta", "--run-id", "b", *common], capsys)
    assert code == 0 and out.startswith("beta: 2016-01-04")
    code, out, _ = run(["run", f"{path}:alpha", "--run-id", "a", *common], capsys)
    assert code == 0 and out.startswith("alpha: ")


def test_traceback_flag_shows_the_full_traceback(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("x = 1\ny = 1 / 0\n", encoding="utf-8")
    code, _, err = run(["run", str(bad)], capsys)
    assert code == 2 and err.startswith("error: Strategy file") and "Traceback" not in err
    assert "line 2" in err
    code, _, err = run(["run", str(bad), "--traceback"], capsys)
    assert code == 2 and "Traceback (most recent call last)" in err
    assert err.rstrip().splitlines()[-1].startswith("error: Strategy file")


def test_strategies_describes_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.strategy.test_resolve import write_spec

    path = write_spec(tmp_path, "two.py", ("alpha", "beta"))
    code, out, _ = run(["strategies", str(path)], capsys)
    assert code == 0 and out.startswith("alpha") and "\nbeta" in out and "playbook" not in out
    code, _, err = run(["strategies", str(tmp_path / "twoo.py")], capsys)
    assert code == 2 and "Did you mean" in err and "two.py" in err


def _metrics(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / "metrics.json").read_text())


def test_benchmark_option_takes_names_files_and_none(
        snapshot_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "trend_under_qt.py"
    common = ["--start", "2019-01-02", "--end", "2019-12-31", "--out", str(tmp_path),
              "--data-dir", str(snapshot_dir)]
    code, _, err = run(["run", "dollar", "--benchmark", "buy_and_hold", "--benchmark",
                          str(example), "--run-id", "two", *common], capsys)
    assert code == 0, err
    assert set(_metrics(tmp_path / "two")["benchmarks"]) == {"buy_and_hold", str(example)}
    returns = pd.read_parquet(tmp_path / "two" / "returns.parquet")
    assert list(returns.columns) == ["strategy", "buy_and_hold", str(example)]
    code, _, err = run(["run", "dollar", "--benchmark", "none", "--run-id", "none", *common],
                       capsys)
    assert code == 0, err
    assert _metrics(tmp_path / "none")["benchmarks"] == {}
    assert list(pd.read_parquet(tmp_path / "none" / "returns.parquet").columns) == ["strategy"]


@pytest.mark.parametrize(("names", "message"), [
    (["sixty_fourty"], "sixty_forty"),
    (["none", "buy_and_hold"], "mixes 'none' with benchmarks"),
])
def test_bad_benchmarks_are_one_error_line(names: list[str], message: str, snapshot_dir: Path,
                                           tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", "dollar", "--out", str(tmp_path), "--data-dir", str(snapshot_dir)]
    for n in names:
        argv += ["--benchmark", n]
    code, _, err = run(argv, capsys)
    assert code == 2 and message in err and err.startswith("error:")
    assert not any(tmp_path.iterdir())


def test_dollar_runs_to_uups_last_price_with_sixty_forty_cut(
        snapshot_dir: Path, snapshot_store: DataStore, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from backtest.data.catalog import get_spec

    def last(t: str) -> pd.Timestamp:
        return snapshot_store.load(get_spec(t)).data["Adj Close"].dropna().index[-1]

    uup, bench_end = last("UUP"), min(last("SPY"), last("IEF"))
    code, _, err = run(["run", "dollar", "--start", "2024-01-02", "--out", str(tmp_path),
                        "--run-id", "usd", "--data-dir", str(snapshot_dir)], capsys)
    assert code == 0, err
    returns = pd.read_parquet(tmp_path / "usd" / "returns.parquet")
    assert returns.index[-1] == uup and returns["strategy"].notna().all()
    assert returns["sixty_forty"].loc[:bench_end].notna().all()
    assert returns["sixty_forty"].loc[bench_end:].iloc[1:].isna().all()
    sixty = _metrics(tmp_path / "usd")["benchmarks"]["sixty_forty"]
    if bench_end < uup:  # the snapshot's IEF ends before UUP today; it may catch up
        assert sixty["end"] == f"{bench_end:%Y-%m-%d}"
        notes = json.loads((tmp_path / "usd" / "manifest.json").read_text())["notes"]
        assert any(n.startswith("benchmark sixty_forty:") for n in notes)
        assert "benchmark sixty_forty:" in (tmp_path / "usd" / "report.html").read_text()
