"""`qtbt events ...` end to end through the CLI entry point."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pandas as pd
import pytest

from backtest.cli import main
from backtest.data.calendar import sessions_between
from backtest.eventstudy import EventSkippedWarning
from backtest.regimes.events import default_events_path
from tests.conftest import MakeSnapshot


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["events", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def root(make_snapshot: MakeSnapshot) -> Path:
    days = sessions_between("2022-02-22", "2022-04-08")
    dgs10 = pd.Series(2.00, index=days)
    dgs10[pd.Timestamp("2022-03-16")] = 1.80
    spy = pd.Series(100.0, index=days)
    spy[pd.Timestamp("2022-03-16")] = 103.0
    return make_snapshot({"DGS10": dgs10, "SPY": spy})


def test_csv_moves_then_summary(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["--series", "DGS10,SPY", "--dates", "2022-03-16,2022-03-13",
                          "--format", "csv", "--data-dir", str(root)], capsys)
    assert code == 0, err
    moves_txt, summary_txt = out.split("\n\n")
    assert moves_txt.startswith("date,series,")
    moves = pd.read_csv(io.StringIO(moves_txt))
    assert len(moves) == 4
    row = moves[(moves["date"] == "2022-03-16") & (moves["series"] == "DGS10")].iloc[0]
    assert row["change_bp"] == -20.0
    assert row["start_close_date"] == "2022-03-15"
    sun = moves[(moves["date"] == "2022-03-13") & (moves["series"] == "SPY")].iloc[0]
    assert sun["event_session"] == "2022-03-14" and sun["return"] == 0.0
    summary = pd.read_csv(io.StringIO(summary_txt))
    assert list(summary.columns[:3]) == ["series", "measure", "n"]
    assert summary.set_index("series").loc["SPY", "total"] == pytest.approx(0.03)


def test_csv_show_moves_is_one_table(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--series", "SPY", "--dates", "2022-03-16", "--format", "csv",
                        "--show", "moves", "--data-dir", str(root)], capsys)
    assert code == 0
    assert "\n\n" not in out
    assert out.startswith("date,series,event,label,kind,event_session,")
    assert pd.read_csv(io.StringIO(out))["return"].iloc[0] == pytest.approx(0.03)


def test_table_output(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--series", "DGS10", "--dates", "2022-03-16",
                        "--data-dir", str(root)], capsys)
    assert code == 0
    assert "change_bp" in out and "-20" in out
    assert "summary: window 1 session(s), anchor announce, timing intraday" in out
    assert "return" not in out.splitlines()[0]  # all-NaN columns are dropped from the table


@pytest.mark.parametrize(("argv", "message"), [
    (["--series", "DGS1O", "--dates", "2022-03-16"], "Unknown series 'DGS1O'. Did you mean"),
    (["--series", "DGS10", "--set", "qee"], "Unknown event set 'qee'; known sets: qe,"),
    (["--series", "DGS10", "--dates", "2022-03-16", "--window", "0"], "at least 1"),
    (["--series", "DGS10", "--dates", "2022-04-05", "--window", "5"],
     "past the last DGS10 data (2022-04-08)"),
    (["--series", "DGS10", "--dates", "2021-03-17"], "first observation is 2022-02-22"),
    (["--series", "DGS10", "--dates", "2022-03-32"], "'2022-03-32' does not parse"),
    (["--series", "SPY.Volume", "--dates", "2022-03-16"], "trading volume"),
    (["--series", "DGS10", "--dates", "2022-03-16", "--window", "5,x"],
     "--window takes whole numbers of sessions"),
    (["--series", "DGS10", "--event", "2022-03-17"], "no event of the events file"),
    (["--series", "DGS10", "--event", "2022-03-16", "--set", "qe"], "cannot be combined"),
    (["--series", "DGS10"], "Say which events: --set NAME"),
    (["--series", "DGS10", "--dates", "2022-03-16", "--set", "qe"], "cannot be combined"),
    (["--series", "DGS10", "--events", "no/such/file.csv"], "does not exist"),
])
def test_bad_input_one_error_line(root: Path, capsys: pytest.CaptureFixture[str],
                                  argv: list[str], message: str) -> None:
    code, out, err = run([*argv, "--data-dir", str(root)], capsys)
    assert code == 2
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err and out == ""


def test_skip_missing_warns(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with warnings.catch_warnings():  # pytest turns qtbt warnings into errors; the CLI prints
        warnings.simplefilter("always", EventSkippedWarning)
        code, out, err = run(["--series", "DGS10", "--dates", "2021-03-17,2022-03-16",
                              "--skip-missing", "--format", "csv", "--show", "summary",
                              "--data-dir", str(root)], capsys)
    assert code == 0
    assert "warning: DGS10: 1 event(s) left out for lack of data (2021-03-17)" in err
    assert pd.read_csv(io.StringIO(out))["n"].iloc[0] == 1


def test_user_events_file_with_set(root: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    header = default_events_path().read_text().splitlines()[0]
    path = tmp_path / "my_events.csv"
    path.write_text(header + "\n"
                    "2022-03-16,2022-04-01,QT,qt_start,made-up QT start,\n"
                    "2022-03-13,2022-03-14,QE,qe,made-up Sunday QE,\n")
    code, out, err = run(["--series", "DGS10", "--events", str(path), "--set", "qt_start",
                          "--format", "csv", "--show", "moves", "--data-dir", str(root)],
                         capsys)
    assert code == 0, err
    moves = pd.read_csv(io.StringIO(out))
    assert list(moves["kind"]) == ["qt_start"] and list(moves["label"]) == ["QT"]
    assert moves["event"].iloc[0] == "made-up QT start"
    code, out, _ = run(["--series", "DGS10", "--events", str(path), "--anchor", "effective",
                        "--format", "csv", "--show", "moves", "--data-dir", str(root)], capsys)
    assert list(pd.read_csv(io.StringIO(out))["date"]) == ["2022-03-14", "2022-04-01"]


def test_several_windows_and_one_episode(root: Path, capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text(default_events_path().read_text().splitlines()[0] + "\n"
                      '2022-03-16,2022-03-16,QE,qe,"made up",x\n'
                      '2022-03-21,2022-03-21,QE,qe,"another",x\n')
    code, out, err = run(["--series", "DGS10,SPY", "--events", str(events), "--event",
                          "2022-03-16", "--window", "1,3", "--format", "csv",
                          "--data-dir", str(root)], capsys)
    assert code == 0, err
    moves, stats = (pd.read_csv(io.StringIO(b)) for b in out.split("\n\n"))
    assert moves["window"].tolist() == [1, 1, 3, 3]
    assert set(moves["date"]) == {"2022-03-16"}  # one episode only
    assert moves["change_bp"].tolist()[0] == pytest.approx(-20.0)
    assert stats[["window", "series", "n"]].values.tolist() == [
        [1, "DGS10", 1], [1, "SPY", 1], [3, "DGS10", 1], [3, "SPY", 1]]
    code, out, _ = run(["--series", "DGS10", "--event", "2022-03-16", "--events", str(events),
                        "--window", "1,3", "--data-dir", str(root)], capsys)
    assert code == 0 and "== window 1 session(s) ==" in out and "== window 3 session(s) ==" in out
