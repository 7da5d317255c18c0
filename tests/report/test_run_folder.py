"""The run folder: one layout for writer and reader, old folders still load, safe writing."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from backtest.cli import main
from backtest.data.store import DataStore
from backtest.exceptions import ParameterError, QtbtError, QtbtWarning, WriteError
from backtest.report import BootstrapSpec, RunResult, compare_runs, load_run, save_run
from backtest.report.html import plotly_asset, share_plotly
from backtest.runner import RunConfig, RunOutput, layout, run, write_run
from backtest.runner.rundir import (
    STALE_AFTER_MINUTES,
    check_run_target,
    publish_run_dir,
    remove_stale_temp,
    reserve_run_dir,
)
from tests.report.helpers import IDX6, make_run_dir


@pytest.fixture(scope="module")
def small_run(snapshot_store: DataStore) -> RunOutput:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QtbtWarning)
        return run(RunConfig("dollar", start="2018-01-02", end="2018-12-31"), snapshot_store)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# --- layout: writer and reader share it ------------------------------------------------------


def test_write_run_writes_the_layout_and_no_report(small_run: RunOutput, tmp_path: Path) -> None:
    d = write_run(small_run, tmp_path, "r", command=["qtbt", "run", "dollar"])
    names = {p.name for p in d.iterdir()}
    assert set(layout.REQUIRED) | {layout.CASH} == names  # data only: no report, no marker
    targets = pd.read_parquet(d / layout.TARGETS)
    held = pd.read_parquet(d / layout.POSITIONS)
    assert list(held.columns) == [*targets.columns, "cash"]
    assert targets.index.name == held.index.name == layout.INDEX_NAME
    # held weights drift between rebalances; targets are decided weights, carried forward
    assert (held.drop(columns="cash") - targets).abs().to_numpy().max() > 1e-6
    res = load_run(d)
    pd.testing.assert_frame_equal(res.targets, targets)
    pd.testing.assert_frame_equal(res.positions, held)


def test_save_run_adds_the_report_inside_the_atomic_write(small_run: RunOutput,
                                                         tmp_path: Path) -> None:
    d = save_run(small_run, tmp_path, "r")
    assert (d / layout.REPORT).is_file()
    # the run folder and the results folder's one shared plotly.js: no temp folder left
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["r", plotly_asset()[0]])
    assert share_plotly(load_run(d).to_html(), d) == \
        (d / layout.REPORT).read_text(encoding="utf-8")


def test_a_folder_written_before_the_rename_still_loads(tmp_path: Path) -> None:
    old = make_run_dir(tmp_path, "old", legacy=True)
    new = make_run_dir(tmp_path, "new")
    assert (old / layout.LEGACY_TARGETS).is_file() and not (old / layout.TARGETS).exists()
    a, b = load_run(old), load_run(new)
    pd.testing.assert_frame_equal(a.targets, b.targets)
    assert list(a.targets.index) == list(IDX6)
    assert a.to_html().count("fig-weights") == b.to_html().count("fig-weights")
    (old / layout.LEGACY_TARGETS).unlink()
    with pytest.raises(ParameterError, match=r"missing targets\.parquet"):
        load_run(old)


def test_plot_kinds_for_targets_and_positions(tmp_path: Path) -> None:
    res = load_run(make_run_dir(tmp_path, "r"))
    assert [t.name for t in res.plot("targets").data][:2] == ["SPY", "IEF"]
    held = [t.name for t in res.plot("positions").data]
    assert held[:2] == ["SPY", "IEF"] and "cash" not in held  # cash is 0 throughout
    with pytest.raises(ParameterError, match="plot kind must be one of"):
        res.plot("nope")  # type: ignore[arg-type]


# --- teaching errors of load_run ------------------------------------------------------------


@pytest.mark.parametrize(("arg", "text"), [
    (123, "A run directory is a path (str or Path), got int 123"),
    (None, "got NoneType None"),
    ("", "The run directory path is empty"),
    ("missing/folder", "Run directory missing/folder does not exist; missing does not exist "
                       "either"),
])
def test_load_run_teaches(arg: object, text: str, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(QtbtError) as info:
        load_run(arg)  # type: ignore[arg-type]
    assert isinstance(info.value, ParameterError)
    assert text in str(info.value)


def test_a_missing_run_lists_the_runs_next_to_it(tmp_path: Path) -> None:
    make_run_dir(tmp_path, "playbook_a")
    with pytest.raises(ParameterError, match=r"runs under .*: playbook_a\."):
        load_run(tmp_path / "playbook_b")


def test_compare_runs_wants_a_list(tmp_path: Path) -> None:
    d = make_run_dir(tmp_path, "r")
    with pytest.raises(ParameterError, match="takes a list of run directories, got one path"):
        compare_runs(str(d))  # type: ignore[arg-type]


def test_to_text_is_what_qtbt_report_prints(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    d = make_run_dir(tmp_path, "r")
    code, out, _ = _run(["report", str(d), "--reps", "200"], capsys)
    assert code == 0
    text = RunResult.load(d, BootstrapSpec(reps=200)).to_text()
    assert out == f"{text}\n\nwrote {d / 'report.html'}\n"
    assert text.startswith("demo (r), Sharpe of raw returns")


@pytest.mark.parametrize(("reps", "text"), [
    ("999999999999", "at most 100,000, got 999,999,999,999: that many resamples would hold "
                     "about 43.7 TiB"),
    ("100001", "at most 100,000"),
    ("0", "whole number >= 100, got 0"),
    ("-5", "whole number >= 100, got -5"),
])
def test_reps_are_bounded_before_any_work(reps: str, text: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    d = make_run_dir(tmp_path, "r")
    for cmd in (["report", str(d)], ["compare", str(d), str(d)], ["scorecard"]):
        code, _, err = _run([*cmd, "--reps", reps], capsys)
        assert code == 2 and err.count("\n") == 1 and text in err, (cmd, err)
    assert not (d / "report.html").exists()


# --- writing safely ---------------------------------------------------------------------------


def _fake_temp(root: Path, name: str, *, pid: int, host: str | None = None,
               age_minutes: float = 2 * STALE_AFTER_MINUTES, marker: bool = True) -> Path:
    d = root / name
    d.mkdir(parents=True)
    (d / "returns.parquet").write_bytes(b"partial")
    if marker:
        m = d / layout.WRITING
        m.write_text(json.dumps({"pid": pid, "host": host or socket.gethostname()}))
        old = time.time() - 60 * age_minutes
        os.utime(m, (old, old))
    return d


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_stale_temp_folders_of_killed_writers_are_removed(tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = _fake_temp(tmp_path, ".run1.abcd1234", pid=dead)
    alive = _fake_temp(tmp_path, ".run2.abcd1234", pid=os.getpid())
    fresh = _fake_temp(tmp_path, ".run3.abcd1234", pid=dead, age_minutes=1)
    foreign = _fake_temp(tmp_path, ".run4.abcd1234", pid=dead, host="another-host")
    unmarked = _fake_temp(tmp_path, ".run5.abcd1234", pid=dead, marker=False)
    odd_name = _fake_temp(tmp_path, ".cache", pid=dead)
    assert remove_stale_temp(tmp_path) == [stale]
    assert not stale.exists()
    for kept in (alive, fresh, foreign, unmarked, odd_name):
        assert kept.exists(), kept


def test_a_new_run_cleans_up_after_a_killed_one(small_run: RunOutput, tmp_path: Path) -> None:
    stale = _fake_temp(tmp_path, ".dollar.x1y2z3w4", pid=_dead_pid())
    d = write_run(small_run, tmp_path, "dollar")
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dollar"]
    assert not (d / layout.WRITING).exists()


def test_a_killed_writer_leaves_a_marked_folder_the_next_run_removes(tmp_path: Path) -> None:
    code = ("import os, sys; from backtest.runner.rundir import reserve_run_dir; "
            f"reserve_run_dir({str(tmp_path)!r}, 'k'); os.kill(os.getpid(), 9)")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    subprocess.run([sys.executable, "-c", code], env=env, check=False, timeout=300)
    (left,) = tmp_path.iterdir()
    assert left.name.startswith(".k.") and (left / layout.WRITING).is_file()
    assert remove_stale_temp(tmp_path) == []  # too young
    assert remove_stale_temp(tmp_path, older_than_minutes=0) == [left]


def test_a_conflict_names_the_run_directory_not_the_temp_folder(tmp_path: Path) -> None:
    final, tmp = reserve_run_dir(tmp_path, "same")
    (tmp / "metrics.json").write_text("{}")
    final.mkdir()
    (final / "metrics.json").write_text("{}")  # another writer finished first
    with pytest.raises(ParameterError) as info:
        publish_run_dir(tmp, final)
    msg = str(info.value)
    assert f"Run directory {final} already exists" in msg and tmp.name not in msg


def test_a_full_disk_names_the_run_directory(small_run: RunOutput, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: pd.DataFrame, path: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    with pytest.raises(WriteError) as info:
        write_run(small_run, tmp_path, "full")
    msg = str(info.value)
    assert f"No space left on device while writing run directory {tmp_path / 'full'} " \
           "(returns.parquet); nothing was written" in msg
    assert ".full." not in msg
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("out", ["", "   "])
def test_an_empty_out_is_an_error(out: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ParameterError, match="--out is empty"):
        check_run_target(out, None)
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(["run", "buy_and_hold", "--out", out], capsys)
    assert code == 2 and err.startswith("error: --out is empty")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_while_rendering_names_the_run_directory(
        small_run: RunOutput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import backtest.report.save as save

    def full(path: Path, payload: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path) + ".tmp")

    monkeypatch.setattr(save, "atomic_write_bytes", full)
    with pytest.raises(WriteError) as info:
        save_run(small_run, tmp_path, "full")
    msg = str(info.value)
    assert msg.startswith("cannot use: No space left on device while writing run directory "
                          f"{tmp_path / 'full'} (report.html)")
    assert ".full." not in msg and list(tmp_path.iterdir()) == []


def test_compare_warns_when_runs_label_regimes_differently(tmp_path: Path) -> None:
    a = make_run_dir(tmp_path, "a")
    b = make_run_dir(tmp_path, "b")
    assert not any("label regimes differently" in w for w in compare_runs([a, b]).warnings)
    manifest = json.loads((b / "manifest.json").read_text())
    manifest["config"]["classifier"] = "file"
    (b / "manifest.json").write_text(json.dumps(manifest))
    warned = compare_runs([a, b]).warnings
    assert any("label regimes differently" in w for w in warned), warned
