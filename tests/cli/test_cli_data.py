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
