"""Your own regimes file from the command line: run, sweep, walkforward and now."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from backtest.cli import main
from backtest.regimes.userfile import FileClassifier

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
REGIMES = EXAMPLES / "data" / "my_regimes.csv"
RANGE = ["--start", "2018-01-02", "--end", "2019-12-31"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def _manifest(folder: Path) -> dict[str, object]:
    return json.loads((folder / "manifest.json").read_text())


def test_run_with_a_regimes_file_records_it(snapshot_dir: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["run", str(EXAMPLES / "regime_table.py"), "--regimes", str(REGIMES),
                          *RANGE, "--data-dir", str(snapshot_dir), "--out", str(tmp_path),
                          "--run-id", "r"], capsys)
    assert code == 0, err
    sha = hashlib.sha256(REGIMES.read_bytes()).hexdigest()
    assert f"note: regimes from {REGIMES} (sha256 {sha[:12]}, " in out
    m = _manifest(tmp_path / "r")
    assert m["config"]["classifier"] == "file"  # type: ignore[index]
    assert m["config"]["classifier_params"] == {"path": str(REGIMES)}  # type: ignore[index]
    assert m["data"]["regimes_file"] == {  # type: ignore[index]
        "source": "regimes file", "origin": str(REGIMES), "sha256": sha,
        "fetched_at": m["data"]["regimes_file"]["fetched_at"]}  # type: ignore[index]
    assert any("taken as known at the close of each row's date" in n
               for n in m["notes"])  # type: ignore[union-attr]
    labels = pd.read_parquet(tmp_path / "r" / "regimes.parquet")["regime"]
    expected = FileClassifier(REGIMES).predict(pd.DatetimeIndex(labels.index))
    assert labels.tolist() == expected.tolist()
    assert labels.loc["2019-05-01"] == "end_of_qt" and labels.loc["2019-08-01"] == "neutral"


@pytest.mark.parametrize(("extra", "message"), [
    (["--regimes", str(REGIMES), "--classifier", "rules"],
     "--classifier rules computes them; pass one of the two"),
    (["--regimes", str(REGIMES), "--anchor", "announce"], "Drop --anchor"),
    (["--regimes", str(REGIMES), "--end-of-qt-days", "30"], "drop end_of_qt_days"),
    (["--regimes", "nope.csv"], "nope.csv does not exist"),
])
def test_bad_regimes_options_are_one_error_line(
        extra: list[str], message: str, snapshot_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["run", "playbook", *extra, *RANGE, "--data-dir", str(snapshot_dir),
                          "--out", str(tmp_path)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err


def test_unknown_label_in_the_file_names_line_and_closest(
        snapshot_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("date,label\n2003-01-02,neutral\n2022-06-01,EndOfQT\n", encoding="utf-8")
    code, _, err = run(["run", "playbook", "--regimes", str(bad), *RANGE, "--data-dir",
                        str(snapshot_dir), "--out", str(tmp_path)], capsys)
    assert code == 2
    assert err == (f"error: {bad}, line 3: unknown regime label 'EndOfQT'. Did you mean "
                   "'end_of_qt'? Labels: QE, taper, QT, end_of_qt, neutral.\n")


def test_sweep_and_walkforward_read_the_regimes_file(
        snapshot_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["sweep", str(EXAMPLES / "trend_under_qt.py"), "--regimes",
                          str(REGIMES), "--grid", "window=50,200", *RANGE, "--splits", "4",
                          "--data-dir", str(snapshot_dir), "--out", str(tmp_path),
                          "--run-id", "sw"], capsys)
    assert code == 0, err
    assert out.startswith("trend_under_qt sweep: 2 configurations")
    m = _manifest(tmp_path / "sw")
    assert m["data"]["regimes_file"]["origin"] == str(REGIMES)  # type: ignore[index]
    code, _, err = run(["walkforward", str(EXAMPLES / "trend_under_qt.py"), "--regime-file",
                        str(REGIMES), "--grid", "window=50,200", "--start", "2012-01-03",
                        "--end", "2019-12-31", "--train-months", "36", "--test-months", "12",
                        "--regimes", "QT", "--splits", "4", "--data-dir", str(snapshot_dir),
                        "--out", str(tmp_path), "--run-id", "wf"], capsys)
    assert code == 0, err
    m = _manifest(tmp_path / "wf")
    assert m["data"]["regimes_file"]["sha256"] == \
        hashlib.sha256(REGIMES.read_bytes()).hexdigest()  # type: ignore[index]


def test_now_shows_the_file_regime_and_strategies_read_it(
        snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["now", "playbook", "--classifier", "calendar", "--regimes",
                          str(REGIMES), "--format", "json", "--data-dir", str(snapshot_dir)],
                         capsys)
    assert code == 0, err
    doc = json.loads(out)
    as_of = pd.Timestamp(doc["as_of"])
    expected = FileClassifier(REGIMES).predict(pd.DatetimeIndex([as_of])).iloc[0]
    assert set(doc["regimes"]) == {"calendar", "file"}
    assert doc["regimes"]["file"]["label"] == expected
    assert doc["strategies"]["playbook"]["classifier"] == "file"
    assert any(n.startswith(f"regimes (file) from {REGIMES}") for n in doc["notes"])


def test_regimes_command_shows_and_compares_the_file(snapshot_dir: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["regimes", "--regimes", str(REGIMES), "--format", "csv",
                          "--data-dir", str(snapshot_dir)], capsys)
    assert code == 0, err
    rows = pd.read_csv(io.StringIO(out))
    # the file's QT2 row (2022-06-01) is its episode start
    assert "2022-06-01" in set(rows.loc[rows["label"] == "QT", "start"])
    code, out, err = run(["regimes", "--regimes", str(REGIMES), "--compare", "calendar,file",
                          "--data-dir", str(snapshot_dir)], capsys)
    assert code == 0, err
    assert out.startswith("calendar vs file: ")
    # the file without --regimes, a classifier with it, validate with it: teaching errors
    for argv, needle in ((["--compare", "calendar,file"], "add --regimes FILE"),
                         (["--regimes", str(REGIMES), "--classifier", "rules"],
                          "drop --classifier"),
                         (["--regimes", str(REGIMES), "--validate"], "--compare calendar,file")):
        code, _, err = run(["regimes", *argv, "--data-dir", str(snapshot_dir)], capsys)
        assert code == 2 and err.startswith("error: ") and needle in err, err


def test_scorecard_with_a_regimes_file(snapshot_dir: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["scorecard", "--regimes", str(REGIMES), "--reps", "100", "--format",
                          "json", "--data-dir", str(snapshot_dir)], capsys)
    assert code == 0, err
    card = json.loads(out)
    assert card["classifier"] == "file"
    assert card["data"]["regimes_file"]["sha256"] == hashlib.sha256(
        REGIMES.read_bytes()).hexdigest()
    # the file's QT days, by hand: NYSE sessions 2017-10-02..2019-04-30 and 2022-06-01..2024-05-31
    from backtest.data.calendar import sessions_between

    qt_days = (len(sessions_between("2017-10-02", "2019-04-30"))
               + len(sessions_between("2022-06-01", "2024-05-31")))
    vix = next(r for r in card["rows"] if r["claim"] == "vix_elevated_qt" and r["role"] == "test")
    assert vix["days"] == qt_days
    late = tmp_path / "late.csv"
    late.write_text("date,label\n2010-01-04,QE\n")
    code, _, err = run(["scorecard", "--regimes", str(late), "--data-dir", str(snapshot_dir)],
                       capsys)
    assert code == 2 and "--start 2010-01-04" in err
