"""Start-up stays light (issue #11): help, listings and bad input import no heavy library.

Each case runs ``qtbt`` in a fresh interpreter and reports which modules ended up in
``sys.modules``; vectorbt, numba, dask, scipy, arch, plotly and statsmodels cost seconds to
import and are only for commands that compute. No timing is asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backtest.cli import app
from backtest.cli.lazy import LazyGroup

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("vectorbt", "numba", "dask", "distributed", "scipy", "arch", "plotly", "statsmodels")
COMMANDS = ("regimes", "events", "run", "strategies", "sweep", "walkforward", "report",
            "scorecard", "compare", "now", "forecasts", "data")

PROBE = """
import contextlib, io, json, sys
from backtest.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out, \\
        contextlib.redirect_stderr(io.StringIO()) as err:
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue(),
                  "modules": sorted(sys.modules)}))
"""


def probe(*argv: str, data_dir: Path | None = None) -> dict[str, object]:
    """Run ``qtbt argv`` in a fresh interpreter: exit code, output and the modules imported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("QTBT_DATA_DIR", None)
    if data_dir is not None:
        env["QTBT_DATA_DIR"] = str(data_dir)
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def heavy_in(modules: object) -> list[str]:
    assert isinstance(modules, list)
    return sorted({m.split(".")[0] for m in modules} & set(HEAVY))


def test_root_help_imports_no_command_module_and_not_pandas() -> None:
    got = probe("--help")
    assert got["code"] == 0 and "walkforward" in str(got["out"])
    modules = got["modules"]
    assert isinstance(modules, list)
    assert not [m for m in modules if m.startswith("backtest.cli.") and m != "backtest.cli.lazy"]
    assert "pandas" not in modules and "numpy" not in modules
    assert heavy_in(modules) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help_imports_no_heavy_library(command: str) -> None:
    got = probe(command, "--help")
    assert got["code"] == 0 and "Usage: qtbt " + command in str(got["out"])
    assert heavy_in(got["modules"]) == []


@pytest.mark.parametrize("argv", [
    ("strategies",),
    ("data", "list"),
    ("run", "no_such_strategy"),
    ("run", "playbook", "--start", "2020-13-01"),
    ("run", "playbook", "--param", "nosuch=1"),
    ("run", "playbook", "--costs-bps", "-3"),
    ("run", "playbook", "--out", "/proc/qtbt-cannot-write-here"),
    ("forecasts", "--forecasts", "no_such_ledger.toml"),
    ("sweep", "playbook", "--grid", "x"),
    ("sweep", "playbook", "--grid", "nosuch=1"),
    ("walkforward", "playbook", "--train-months", "0"),
    ("regimes", "--classifier", "nosuch"),
    ("events", "--series", "NOSUCH", "--dates", "2022-03-16"),
    ("report", "."),
    ("scorecard", "--reps", "5"),
    ("now", "--strategy", "nosuch"),
    ("data", "show", "NOSUCH"),
    ("rn",),
])
def test_listings_and_bad_input_import_no_heavy_library(argv: tuple[str, ...],
                                                        snapshot_dir: Path) -> None:
    got = probe(*argv, data_dir=snapshot_dir)
    if argv in (("strategies",), ("data", "list")):
        assert got["code"] == 0 and str(got["out"]).strip()
    else:
        assert got["code"] == 2 and str(got["err"]).startswith("error: ")
    assert heavy_in(got["modules"]) == []


def test_a_computing_command_still_imports_what_it_needs(snapshot_dir: Path,
                                                         tmp_path: Path) -> None:
    """The probe can fail: a sweep imports numba and dask once its inputs are good."""
    got = probe("sweep", "playbook", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1",
                "--scheduler-timeout", "0.5", "--out", str(tmp_path), data_dir=snapshot_dir)
    assert got["code"] == 2 and "Cannot reach the Dask scheduler" in str(got["err"])
    assert {"numba", "dask"} <= set(heavy_in(got["modules"]))


def test_lazy_summaries_match_each_commands_own_help() -> None:
    root = CliRunner().invoke(app, ["--help"], terminal_width=200).output
    cls = app.info.cls
    assert isinstance(cls, type) and issubclass(cls, LazyGroup)
    assert [c.name for c in cls.lazy] == list(COMMANDS)
    for spec in cls.lazy:
        own = CliRunner().invoke(app, [spec.name, "--help"], terminal_width=200).output
        assert " ".join(spec.summary.split()) in " ".join(own.replace("│", " ").split())
        assert spec.name in root


def test_unknown_command_suggests_a_lazy_name() -> None:
    got = probe("strategie")
    assert got["code"] == 2 and "Did you mean 'strategies'" in str(got["err"])
