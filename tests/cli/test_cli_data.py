"""`qtbt data ...` end to end, through the same entry point as the console script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from backtest.cli import main
from tests.conftest import MakeSnapshot


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_shows_every_snapshot_series(snapshot_dir: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["data", "list", "--data-dir", str(snapshot_dir), "--format", "csv"],
                       capsys)
    assert code == 0
    ids = {line.split(",")[0] for line in out.splitlines()[1:]}
    files = {p.stem for p in (snapshot_dir / "fred").glob("*.csv")}
    files |= {p.stem for p in (snapshot_dir / "yahoo").glob("*.csv")}
    assert files <= ids
    assert {"FF3_DAILY", "FF5_DAILY", "FF3_MONTHLY"} <= ids
    # first, last and rows agree with the snapshot's own manifest (wherever the snapshot ends)
    import json

    manifest = json.loads((snapshot_dir / "fred" / "manifest.json").read_text())
    entry = next(v for k, v in manifest.items() if k.split(".")[0] == "WALCL")
    walcl = next(line for line in out.splitlines() if line.startswith("WALCL,"))
    assert f",{entry['first']},{entry['last']},{entry['rows']}," in walcl


def test_show_csv_release_dates(snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["data", "show", "WALCL", "--start", "2022-04-14", "--end", "2022-04-18",
                        "--format", "csv", "--data-dir", str(snapshot_dir)], capsys)
    assert code == 0
    assert out == "date,WALCL\n2022-04-18,8965487\n"
    code, out, _ = run(["data", "show", "WALCL", "--start", "2022-04-13", "--end", "2022-04-13",
                        "--asof", "observation", "--format", "csv",
                        "--data-dir", str(snapshot_dir)], capsys)
    assert out == "date,WALCL\n2022-04-13,8965487\n"


def test_verify_snapshot_all_ok(snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["data", "verify", "--data-dir", str(snapshot_dir)], capsys)
    assert code == 0
    assert "0 failed" in err
    assert "mismatch" not in out


def test_verify_detects_tampering(make_snapshot: MakeSnapshot,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2022-01-03", "2022-01-04"]))
    root = make_snapshot({"DGS10": s})
    import hashlib
    import json

    good = hashlib.sha256((root / "fred" / "DGS10.csv").read_bytes()).hexdigest()
    (root / "fred" / "manifest.json").write_text(json.dumps({"DGS10": {"sha256": good}}))
    assert run(["data", "verify", "--data-dir", str(root)], capsys)[0] == 0
    with (root / "fred" / "DGS10.csv").open("a") as fh:
        fh.write("2022-01-05,3.0\n")
    code, out, _ = run(["data", "verify", "--data-dir", str(root)], capsys)
    assert code == 1
    assert "checksum mismatch" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["data", "show", "WALCX"], "Unknown series 'WALCX'. Did you mean: WALCL"),
        (["data", "show", "WALCL", "--start", "1990-01-01", "--end", "1990-02-01"],
         "no observations between 1990-01-01 and 1990-02-01"),
        (["data", "show", "SPY.Clos"], "SPY has no field 'Clos'"),
        (["data", "show", "UUP", "--data-dir", "/nonexistent/dir"], "does not exist"),
    ],
)
def test_bad_input_gives_message_not_traceback(
    argv: list[str], message: str, snapshot_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if "--data-dir" not in argv:
        argv = [*argv, "--data-dir", str(snapshot_dir)]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_offline_without_cache_names_series_and_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("QTBT_DATA_DIR", raising=False)
    code, _, err = run(["data", "pull", "WALCL", "--offline", "--cache-dir", str(tmp_path)], capsys)
    assert code == 2
    assert "WALCL: not in the cache" in err
    assert "--data-dir" in err


def test_python_dash_m_runs_the_same_cli(snapshot_dir: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "backtest", "data", "show", "NOPE", "--data-dir", str(snapshot_dir)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: Unknown series 'NOPE'")


def test_malformed_manifest_and_changed_file(make_snapshot: MakeSnapshot,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    import json
    import warnings

    from backtest.exceptions import ChecksumMismatchWarning

    s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2022-01-03", "2022-01-04"]))
    root = make_snapshot({"DGS10": s})
    (root / "fred" / "manifest.json").write_text("{bad")
    code, _, err = run(["data", "verify", "--data-dir", str(root)], capsys)
    assert code == 2 and "manifest.json, line 1: not valid JSON" in err
    (root / "fred" / "manifest.json").write_text(json.dumps({"DGS10": {"sha256": "0" * 64}}))
    with warnings.catch_warnings():
        warnings.simplefilter("always", ChecksumMismatchWarning)
        code, out, err = run(["data", "show", "DGS10", "--format", "csv", "--data-dir",
                              str(root)], capsys)
    assert code == 0 and out.startswith("date,DGS10\n")
    assert "does not match the sha256" in err and "qtbt data verify" in err


def test_refresh_with_offline_and_bad_dates(snapshot_dir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["data", "pull", "WALCL", "--refresh", "--offline"], capsys)
    assert code == 2 and "use one of them" in err
    code, _, err = run(["data", "show", "WALCL", "--start", "2020-02-30", "--data-dir",
                        str(snapshot_dir)], capsys)
    assert code == 2 and "--start '2020-02-30' is not a date; use YYYY-MM-DD" in err


def _days(n: int = 30) -> pd.DatetimeIndex:
    return pd.bdate_range("2018-05-01", periods=n)


@pytest.mark.parametrize("cmd", [["data", "show", "DGS10"], ["data", "list"],
                                 ["run", "dollar", "--start", "2018-05-01"]])
def test_header_only_csv_is_a_clear_error(make_snapshot: MakeSnapshot,
                                          capsys: pytest.CaptureFixture[str],
                                          cmd: list[str]) -> None:
    from tests.conftest import write_manifest

    root = make_snapshot({"DGS10": pd.Series(1.0, index=_days()),
                          "UUP": pd.Series(25.0, index=_days())})
    target = root / ("yahoo/UUP.csv" if cmd[0] == "run" else "fred/DGS10.csv")
    target.write_text(target.read_text().splitlines()[0] + "\n")
    write_manifest(target.parent)
    code, _, err = run([*cmd, "--data-dir", str(root)], capsys)
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert f"{target}: the file has a header" in err and "no data rows" in err
    assert "IndexError" not in err and "Traceback" not in err


def test_truncated_last_line_is_malformed(make_snapshot: MakeSnapshot,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = make_snapshot({"SPY": pd.Series(270.0, index=_days())})
    path = root / "yahoo" / "SPY.csv"
    path.write_text(path.read_text() + "2018-06-12,272.\n")
    code, _, err = run(["data", "show", "SPY", "--data-dir", str(root)], capsys)
    assert code == 2
    assert f"{path}, line 32: 2 field(s) '2018-06-12,272.' where the header has 7" in err


def test_show_empty_start_is_an_error(snapshot_dir: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    for value in ("", "now", "today", "2020-1-5", "nan"):
        code, _, err = run(["data", "show", "WALCL", "--start", value, "--data-dir",
                            str(snapshot_dir)], capsys)
        assert code == 2 and f"--start {value!r} is not a date; use YYYY-MM-DD" in err
        assert "no observations" not in err


def test_effr_friday_before_saturday_holiday(snapshot_dir: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["data", "show", "EFFR", "--asof", "release", "--format", "csv",
                        "--start", "2010-12-28", "--end", "2011-01-05", "--data-dir",
                        str(snapshot_dir)], capsys)
    assert code == 0
    assert "2010-12-31,0.19\n2011-01-03,0.13\n" in out  # Thursday's and Friday's rates


def test_verify_names_and_counts_unverified_files(make_snapshot: MakeSnapshot,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import json

    root = make_snapshot({"DGS10": pd.Series(1.0, index=_days()),
                          "WALCL": pd.Series(4e6, index=pd.date_range("2018-05-02", periods=8,
                                                                      freq="7D")),
                          "SPY": pd.Series(270.0, index=_days())})
    code, _, err = run(["data", "verify", "--data-dir", str(root)], capsys)
    assert code == 0 and "3 ok, 0 failed, 0 unverified" in err
    m = json.loads((root / "fred" / "manifest.json").read_text())
    del m["WALCL"]
    m["DGS10"]["rows"] = 99
    (root / "fred" / "manifest.json").write_text(json.dumps(m))
    (root / "yahoo" / "manifest.json").unlink()
    code, out, err = run(["data", "verify", "--data-dir", str(root), "--format", "csv"], capsys)
    assert code == 1
    assert "0 ok, 1 failed, 2 unverified" in err
    assert "unverified: fred/WALCL.csv (no entry in fred/manifest.json)" in err
    assert "unverified: yahoo/SPY.csv (no manifest.json in yahoo/)" in err
    assert "fred,DGS10,mismatch: rows 30 != 99 in the manifest" in out
    # a run still reads them, and says so
    import warnings

    from backtest.exceptions import UnverifiedDataWarning
    with warnings.catch_warnings():
        warnings.simplefilter("always", UnverifiedDataWarning)
        code, _, err = run(["data", "show", "WALCL", "--data-dir", str(root)], capsys)
    assert code == 0 and "WALCL.csv is not verified" in err


class _Down:
    name = "fred"

    def fetch(self, spec: object) -> object:
        from backtest.exceptions import NetworkError
        raise NetworkError("FRED unreachable (test)")


def test_pull_refresh_that_pulls_nothing_exits_2(tmp_path: Path, make_snapshot: MakeSnapshot,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from backtest.data.catalog import get_spec
    from backtest.data.providers.base import Fetched
    from backtest.data.store import DataStore

    monkeypatch.delenv("QTBT_DATA_DIR", raising=False)
    cache = tmp_path / "cache"
    s = pd.Series(1.0, index=_days())
    snap = DataStore(make_snapshot({"DGS10": s})).load("DGS10")
    DataStore(cache_dir=cache).cache.write(get_spec("DGS10"),
                                           Fetched(snap.data, "fred-csv", "x", "", "t"))
    monkeypatch.setattr("backtest.data.store.default_providers",
                        lambda **_: {"fred": _Down(), "yahoo": _Down(), "french": _Down()})
    code, out, err = run(["data", "pull", "DGS10", "--refresh", "--cache-dir", str(cache)],
                         capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: DGS10: download failed (FRED unreachable (test))")
    assert "Nothing was pulled; the cached copy is kept." in err
    assert DataStore(cache_dir=cache).cache.has(get_spec("DGS10"))


def test_pull_spy_offline_prints_one_line_and_no_yfinance_logging(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import logging
    import sys

    import yfinance

    from backtest.data.providers.yahoo import YahooProvider

    class NoNetTicker:
        def __init__(self, symbol: str) -> None:
            self.symbol = symbol

        def history(self, **_: object) -> pd.DataFrame:
            log = logging.getLogger("yfinance")
            for _ in range(14):
                log.error("%s: Failed to get ticker (no network)", self.symbol)
            print("yfinance chatter on stdout")
            print("yfinance chatter on stderr", file=sys.stderr)
            return pd.DataFrame()

    monkeypatch.delenv("QTBT_DATA_DIR", raising=False)
    monkeypatch.setattr(yfinance, "Ticker", NoNetTicker)
    monkeypatch.setattr("backtest.data.store.default_providers",
                        lambda **_: {"yahoo": YahooProvider(timeout=1, retries=1, backoff=0)})
    logging.basicConfig()  # a root handler, as a user's script might have
    code, out, err = run(["data", "pull", "SPY", "--cache-dir", str(tmp_path)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert "yfinance returned no rows" in err
    assert "Failed to get ticker" not in err and "chatter" not in err
    assert logging.getLogger("yfinance").level == logging.NOTSET  # restored


# --- qtbt data refresh ---------------------------------------------------------------------

_FRED_CSV = "https://fred.stlouisfed.org/graph/fredgraph.csv?id={}"


def _seed_cache(cache: Path, sid: str, days: list[str]) -> str:
    """Cache ``days`` of FRED series ``sid``; returns the sha256 recorded."""
    from backtest.data.catalog import get_spec
    from backtest.data.providers.base import Fetched, content_sha256
    from backtest.data.store import DataStore

    data = pd.DataFrame({sid: [float(i) for i in range(len(days))]},
                        index=pd.DatetimeIndex(pd.to_datetime(days), name="date").as_unit("ns"))
    sha = content_sha256(data)
    DataStore(cache_dir=cache).cache.write(get_spec(sid),
                                           Fetched(data, "fred-csv", "x", sha, "t"))
    return sha


@pytest.fixture
def fred_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from backtest.data.providers.fred import FredProvider

    monkeypatch.delenv("QTBT_DATA_DIR", raising=False)
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    monkeypatch.setattr("backtest.data.store.default_providers", lambda **_: {
        "fred": FredProvider(timeout=1.0, retries=1, backoff=0.0)})


def test_refresh_downloads_due_skips_not_due_and_fails_with_exit_2(
        tmp_path: Path, fred_only: None, capsys: pytest.CaptureFixture[str]) -> None:
    import responses

    from backtest.data.catalog import get_spec
    from backtest.data.store import DataStore

    cache = tmp_path / "cache"
    _seed_cache(cache, "DGS10", ["2020-01-02", "2020-01-03"])  # long due
    walcl_sha = _seed_cache(cache, "WALCL", ["2020-01-01", "2020-01-08"])  # due, will fail
    _seed_cache(cache, "CPIAUCSL", ["2099-11-01", "2099-12-01"])  # next release in 2100
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, _FRED_CSV.format("DGS10"),
                 body="observation_date,DGS10\n2020-01-02,1.88\n2020-01-03,1.80\n"
                      "2020-01-06,1.81\n")
        rsps.add(responses.GET, _FRED_CSV.format("WALCL"), status=503)
        code, out, err = run(["data", "refresh", "DGS10", "WALCL", "CPIAUCSL",
                              "--cache-dir", str(cache)], capsys)
        assert not any("CPIAUCSL" in c.request.url for c in rsps.calls)
    assert code == 2
    lines = {line.split()[0]: line for line in out.splitlines()[1:-1]}
    assert "downloaded" in lines["DGS10"] and "2020-01-06" in lines["DGS10"]
    assert "failed" in lines["WALCL"] and "not due" in lines["CPIAUCSL"]
    # January 2100's CPI: 2100-01-31 + 20 days = Saturday 02-20, rolled to Monday 02-22
    assert "2100-02-22 16:00 ET" in lines["CPIAUCSL"]
    assert err.count("\n") == 1 and err.startswith("error: 1 of 3 series failed")
    assert "WALCL" in err and "503" in err
    assert DataStore(cache_dir=cache).cache.read(get_spec("WALCL")).sha256 == walcl_sha


def test_refresh_flag_forces_and_progress_bar_shows_with_qtbt_progress(
        tmp_path: Path, fred_only: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import responses

    cache = tmp_path / "cache"
    for sid in ("DGS10", "DGS2"):
        _seed_cache(cache, sid, ["2099-12-30", "2099-12-31"])
    monkeypatch.setenv("QTBT_PROGRESS", "1")
    with responses.RequestsMock() as rsps:
        for sid in ("DGS10", "DGS2"):
            rsps.add(responses.GET, _FRED_CSV.format(sid),
                     body=f"observation_date,{sid}\n2099-12-30,1.5\n2099-12-31,1.6\n")
        code, out, err = run(["data", "refresh", "DGS10", "DGS2", "--refresh",
                              "--cache-dir", str(cache)], capsys)
        assert len(rsps.calls) == 2
    assert code == 0
    assert out.count(" up to date ") == 2 and "2 series at" in out
    assert "refresh" in err and "1/2" in err  # the rich bar, drawn on stderr
    monkeypatch.setenv("QTBT_PROGRESS", "0")
    code, out, err = run(["data", "refresh", "DGS10", "DGS2", "--cache-dir", str(cache)],
                         capsys)
    assert code == 0 and out.count(" not due ") == 2 and err == ""


def test_refresh_refuses_a_snapshot_and_offline_with_refresh(
        snapshot_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["data", "refresh", "--data-dir", str(snapshot_dir)], capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: snapshots are not refreshed") and err.count("\n") == 1
    monkeypatch.delenv("QTBT_DATA_DIR", raising=False)
    code, _, err = run(["data", "refresh", "WALCL", "--offline", "--refresh",
                        "--cache-dir", str(tmp_path)], capsys)
    assert code == 2 and "--offline" in err


def test_refresh_offline_lists_every_needed_series_as_due(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from backtest.cli.data import needed_series
    from backtest.data.refresh import expand_ids

    monkeypatch.delenv("QTBT_DATA_DIR", raising=False)
    code, out, _ = run(["data", "refresh", "--strategy", "playbook", "--offline",
                        "--cache-dir", str(tmp_path)], capsys)
    assert code == 0
    ids = [line.split()[0] for line in out.splitlines()[1:-1]]
    assert ids == expand_ids(needed_series(["playbook"]))
    # now's inputs (net liquidity incl. NETLIQ's RRP, funding) and the playbook's and
    # benchmarks' assets
    assert {"WALCL", "WTREGEN", "RRPONTSYD", "SOFR", "IORB", "SPY", "TLT"} <= set(ids)
    assert out.count(" due ") == len(ids)
