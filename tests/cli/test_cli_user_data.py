"""Your own series from the command line: `qtbt data add`, the project file, `pull`, `list`.

FRED answers from the recorded response in tests/fixtures/net; nothing reaches the network.
"""

from __future__ import annotations

import hashlib
import socket
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

from backtest.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "net"
WALCL_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id=WALCL"
CAP = "date,value\n2022-05-01,0\n2022-06-01,30\n2022-07-01,30\n"
ADD_CAP = ["data", "add", "CAP", "--csv", "data/cap.csv", "--units", "USD bn",
           "--frequency", "monthly"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"test tried to open a network connection to {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with data/cap.csv, as the working directory."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "cap.csv").write_text(CAP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QTBT_DATA_DIR", raising=False)
    return tmp_path


@pytest.fixture
def fred_recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    from backtest.data.providers.fred import FredProvider

    monkeypatch.setattr("backtest.data.store.default_providers", lambda **_: {
        "fred": FredProvider(timeout=1.0, retries=0, backoff=0.0)})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, WALCL_URL, body=(FIXTURES / "fred_WALCL.csv").read_bytes())
        yield mock


def test_add_csv_writes_the_project_file_and_pull_finds_it(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(ADD_CAP, capsys)
    assert code == 0, err
    sha = hashlib.sha256((project / "data" / "cap.csv").read_bytes()).hexdigest()
    assert out.splitlines() == [
        f"added CAP (csv) in {project / 'qtbt.toml'}",
        f"  data: 3 rows 2022-05-01..2022-07-01 from {project / 'data' / 'cap.csv'}, sha256 "
        f"{sha[:12]}",
        "  units: USD bn; monthly; release: published 30 days after period end, by the close "
        "(the default for monthly series: give --lag to state yours)"]
    entry = tomllib.loads((project / "qtbt.toml").read_text())["series"]["CAP"]
    assert entry == {"source": "csv", "path": "data/cap.csv", "units": "USD bn",
                     "frequency": "monthly"}
    code, out, err = run([*ADD_CAP, "--lag", "0", "--title", "runoff cap"], capsys)
    assert code == 0 and out.startswith("updated CAP (csv)")
    # a monthly lag counts from the month's end unless told otherwise (no mid-month look-ahead)
    assert "release: known by the close of the period end date" in out
    entry = tomllib.loads((project / "qtbt.toml").read_text())["series"]["CAP"]
    assert entry["release"] == {"lag": 0} and entry["title"] == "runoff cap"
    code, out, err = run([*ADD_CAP, "--lag", "0", "--anchor", "observation"], capsys)
    assert code == 0 and "release: known by the close of the observation date" in out
    entry = tomllib.loads((project / "qtbt.toml").read_text())["series"]["CAP"]
    assert entry["release"] == {"lag": 0, "anchor": "observation"}
    code, out, err = run(["data", "pull", "CAP"], capsys)
    assert code == 0, err
    assert err.startswith(f"using series catalog {project / 'qtbt.toml'}: CAP (csv) (found in "
                          "the working directory)")
    assert out.startswith("CAP               3 rows  2022-05-01..2022-07-01  csv")
    code, out, _ = run(["data", "list", "--format", "csv"], capsys)
    assert code == 0 and "\nCAP,csv,monthly,USD bn,2022-05-01,2022-07-01,3," in out
    code, out, _ = run(["data", "show", "CAP"], capsys)
    assert code == 0 and out.split()[-2:] == ["2022-07-01", "30.0"]


@pytest.mark.parametrize(("extra", "message"), [
    (["--frequency", "monthy"], r"frequency = 'monthy' is not allowed\. Did you mean "
                                r"'monthly'\?"),
    (["--fred"], r"exactly one of --csv FILE, --fred or --yahoo; got --csv and --fred"),
])
def test_add_refuses_bad_entries_and_writes_nothing(
        project: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
        message: str) -> None:
    import re

    code, out, err = run([*ADD_CAP, *extra], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert re.search(message, err), err
    assert not (project / "qtbt.toml").exists()


def test_add_refuses_builtin_ids_bad_files_and_keeps_the_catalog(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ADD_CAP, capsys)[0] == 0
    before = (project / "qtbt.toml").read_bytes()
    code, _, err = run(["data", "add", "SPY", "--yahoo", "--offline"], capsys)
    assert code == 2 and "'SPY' is a built-in series (SPDR S&P 500 ETF, yahoo)" in err
    code, _, err = run(["data", "add", "MY.CPI", "--yahoo", "--offline"], capsys)
    assert code == 2 and "'MY.CPI' is not a usable id" in err
    (project / "data" / "bad.csv").write_text("date,value\n2022-06-01,1\n2022-05-01,2\n")
    code, _, err = run(["data", "add", "BAD", "--csv", "data/bad.csv", "--units", "x",
                        "--frequency", "daily"], capsys)
    assert code == 2 and "bad.csv, line 3: date 2022-05-01 repeats or goes backwards" in err
    code, _, err = run(["data", "add", "GONE", "--csv", "data/gone.csv", "--units", "x",
                        "--frequency", "daily"], capsys)
    assert code == 2 and "gone.csv" in err and "does not exist" in err
    assert (project / "qtbt.toml").read_bytes() == before


def test_malformed_project_file_is_one_error_line(project: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (project / "qtbt.toml").write_text('[series.CAP]\nsource = "csv\n', encoding="utf-8")
    code, out, err = run(["data", "list"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"error: Series catalog {project / 'qtbt.toml'} is not valid TOML")
    code, _, err = run(["data", "list", "--catalog", str(project / "other.toml")], capsys)
    assert code == 2 and "other.toml does not exist" in err


def test_add_and_pull_a_fred_id_from_the_recorded_response(
        project: Path, fred_recorded: responses.RequestsMock,
        capsys: pytest.CaptureFixture[str]) -> None:
    cache = project / "cache"
    code, out, err = run(["data", "add", "FED_ASSETS", "--fred", "--symbol", "WALCL",
                          "--units", "USD millions", "--frequency", "weekly", "--lag", "1",
                          "--after-close", "--cache-dir", str(cache)], capsys)
    assert code == 0, err
    assert f"10 rows 2020-02-05..2020-04-08 from {WALCL_URL}" in out
    assert "release: published 1 day after observation, after the close" in out
    assert (cache / "fred" / "FED_ASSETS.parquet").is_file()
    entry = tomllib.loads((project / "qtbt.toml").read_text())["series"]["FED_ASSETS"]
    assert entry["release"] == {"lag": 1, "timing": "after_close"}
    code, out, err = run(["data", "pull", "FED_ASSETS", "--offline", "--cache-dir", str(cache)],
                         capsys)
    assert code == 0 and out.startswith("FED_ASSETS       10 rows  2020-02-05..2020-04-08  "
                                        "cache:fred-csv")
    assert len(fred_recorded.calls) == 1


def test_add_yahoo_offline_says_it_was_not_checked(project: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["data", "add", "XLE", "--yahoo", "--offline"], capsys)
    assert code == 0
    assert "not checked against Yahoo (--offline); `qtbt data pull XLE` downloads" in out
    assert "release: known by the close of the observation date" in out


def test_refresh_reports_a_csv_series_as_a_local_file(project: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run([*ADD_CAP, "--lag", "0"], capsys)[0] == 0
    code, out, err = run(["data", "refresh", "CAP", "--offline"], capsys)
    assert code == 0, err
    line = next(x for x in out.splitlines() if x.startswith("CAP"))
    assert "local file" in line and line.count("2022-07-01") == 2


def test_event_study_measures_a_user_series_like_a_builtin(
        project: Path, snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "data" / "rate.csv").write_text(
        "date,value\n2022-06-10,3.0\n2022-06-13,3.0\n2022-06-14,3.1\n2022-06-15,3.4\n"
        "2022-06-16,3.2\n", encoding="utf-8")
    assert run(["data", "add", "MYRATE", "--csv", "data/rate.csv", "--units", "percent",
                "--frequency", "daily", "--lag", "0"], capsys)[0] == 0
    code, out, err = run(["events", "--series", "MYRATE,DGS10", "--dates", "2022-06-15",
                          "--format", "csv", "--data-dir", str(snapshot_dir)], capsys)
    assert code == 0, err
    rows = [dict(zip(out.splitlines()[0].split(","), x.split(","), strict=True))
            for x in out.splitlines()[1:] if ",MYRATE," in x]
    # a percent series moves in bp: 3.4 at the event's close minus 3.1 the close before
    assert [(r["start_close_date"], r["start_value"], r["end_value"]) for r in rows] == \
        [("2022-06-14", "3.1", "3.4")]
    assert float(rows[0]["change_bp"]) == pytest.approx(30.0) and rows[0]["return"] == ""


def test_events_take_a_catalog_option(snapshot_dir: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    code = main(["events", "--series", "RUNOFF_CAP", "--dates", "2019-05-01", "--window", "21",
                 "--catalog", str(examples / "qtbt.toml"), "--format", "csv",
                 "--data-dir", str(snapshot_dir)])
    out = capsys.readouterr().out
    assert code == 0
    row = out.splitlines()[1].split(",")
    # the cap known at the close before 2019-05-01 is April's 30 bn; May's 15 bn after: -15
    assert row[1] == "RUNOFF_CAP" and row[8:10] == ["30", "15"] and row[-1] == "-15"


@pytest.mark.filterwarnings("always::backtest.data.usercat.DefaultReleaseWarning")
def test_a_default_release_warns_once_per_run(tmp_path: Path, snapshot_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    (tmp_path / "qtbt.toml").write_text(
        f'[series.RUNOFF_CAP]\nsource = "csv"\npath = "{examples / "data" / "ust_runoff_cap.csv"}"'
        '\nunits = "USD bn"\nfrequency = "monthly"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["run", str(examples / "runoff_duration.py"), "--start", "2018-01-02",
                          "--end", "2019-12-31", "--data-dir", str(snapshot_dir),
                          "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    assert err.count("warning: RUNOFF_CAP (declared in") == 1
    assert "(default)" in out  # the run's note says which rule was used
