"""CLI benchmark: the everyday loop timed as whole processes (issue #11).

Each case is a fresh ``python`` process, exactly as a user starts it: start-up
(``qtbt --help``, ``qtbt run --help``, ``qtbt strategies``, ``qtbt data list``,
a bad-input error), a warm ``qtbt run playbook`` (strategy, two benchmarks and
the report), the size of the report it writes, and the vectorbt floor: a process
that imports qtbt's engine and simulates 250 sessions of three assets with
vectorbt, the least any run simulated by vectorbt costs. Every case runs once as a
warm-up (not counted), then ``--repeats`` times; the median is reported. The
reference is ``python -c "import vectorbt"``, timed in the same run and
interleaved with the other cases, so the ratios survive a busy machine even
when the seconds do not.

``--cold`` also measures numba's cold start: a ``qtbt run playbook`` with an
empty numba cache directory (``NUMBA_CACHE_DIR``, as just after install), then
a second process with the same cache directory.

Usage::

    QTBT_DATA_DIR=../shared/data python benchmarks/cli_bench.py [--json] [--quick] [--cold]
        [--against ../before]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QTBT = [sys.executable, "-m", "backtest"]

#: name -> argv of a start-up case (a fresh process each)
STARTUP: dict[str, list[str]] = {
    "import_vectorbt": [sys.executable, "-c", "import vectorbt"],
    "help": [*QTBT, "--help"],
    "run_help": [*QTBT, "run", "--help"],
    "strategies": [*QTBT, "strategies"],
    "data_list": [*QTBT, "data", "list"],
    "bad_input": [*QTBT, "run", "no_such_strategy"],
}
#: the least a run simulated by vectorbt can cost: import it and qtbt's engine, one
#: simulation of 250 sessions x 3 assets with the engine's settings (no data, no report)
VECTORBT_FLOOR = """
import numpy as np, pandas as pd
from backtest.engine import EngineConfig, run_backtest
idx = pd.bdate_range("2020-01-02", periods=250)
close = pd.DataFrame(np.cumprod(1 + np.random.default_rng(0).normal(0, 0.01, (250, 3)), axis=0),
                     index=idx, columns=["A", "B", "C"])
targets = pd.DataFrame(1 / 3, index=idx, columns=close.columns)
run_backtest(targets, close, EngineConfig(rebalance="monthly")).returns.sum()
"""
#: ratio goals of the issue, against ``import vectorbt``
GOALS = {"help": 0.15, "data_list": 0.4, "run_playbook": 1.3}
REPORT_GOAL_BYTES = 1.5e6
BEFORE = "@before"  # suffix of a case timed from the --against checkout


def environment(data_dir: str | None, root: Path = ROOT, **extra: str) -> dict[str, str]:
    """The child environment: checkout ``root`` first on the path, the data snapshot."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(root), *filter(None, [os.environ.get("PYTHONPATH")])])}
    if data_dir:
        env["QTBT_DATA_DIR"] = data_dir
    env.update(extra)
    return env


def time_process(argv: list[str], env: dict[str, str], ok_codes: tuple[int, ...] = (0,),
                 cwd: Path = ROOT) -> float:
    """Wall time of one process, seconds; fail loudly on an unexpected exit code."""
    t0 = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if done.returncode not in ok_codes:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return secs


def run_argv(out: Path, run_id: str) -> list[str]:
    """``qtbt run playbook`` into ``out/run_id`` (the README's example)."""
    return [*QTBT, "run", "playbook", "--out", str(out), "--run-id", run_id]


def measure(cases: dict[str, list[str]], data_dir: str | None, repeats: int,
            out: Path | None, against: Path | None = None) -> dict[str, list[float]]:
    """Warm up every case once, then time them interleaved, ``repeats`` rounds.

    With ``against`` (another qtbt checkout) each qtbt case also runs from
    there, right after this checkout's, as ``<case>@before``.
    """
    roots = {"": ROOT, **({BEFORE: against} if against is not None else {})}
    envs = {tag: environment(data_dir, root) for tag, root in roots.items()}
    times: dict[str, list[float]] = {}
    for rnd in range(repeats + 1):
        for name, argv in cases.items():
            for tag, root in roots.items():
                if tag and argv[:len(QTBT)] != QTBT:
                    continue  # import vectorbt and the floor are the same from any checkout
                run = argv
                if out is not None and name == "run_playbook":
                    rid = "bench" + tag.replace("@", "_")  # a run id is a plain name
                    shutil.rmtree(out / rid, ignore_errors=True)
                    run = run_argv(out, rid)
                secs = time_process(run, envs[tag], ok_codes=(2,) if name == "bad_input"
                                    else (0,), cwd=root)
                if rnd:  # round 0 is the warm-up
                    times.setdefault(name + tag, []).append(secs)
    return times


def cold_start(data_dir: str | None, out: Path) -> dict[str, float]:
    """First ``qtbt run playbook`` with an empty numba cache, then a second process."""
    cache = Path(tempfile.mkdtemp(prefix="qtbt-numba-"))
    env = environment(data_dir, NUMBA_CACHE_DIR=str(cache))
    try:
        first = time_process(run_argv(out, "cold1"), env)
        second = time_process(run_argv(out, "cold2"), env)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return {"first_run_s": first, "second_run_s": second}


def summarize(times: dict[str, list[float]]) -> dict[str, Any]:
    """Medians, spreads, ratios against ``import vectorbt`` and, with a baseline, speed-ups."""
    med = {k: statistics.median(v) for k, v in times.items()}
    ref = med["import_vectorbt"]
    out: dict[str, Any] = {
        "median_s": med,
        "min_s": {k: min(v) for k, v in times.items()},
        "max_s": {k: max(v) for k, v in times.items()},
        "ratio_to_import_vectorbt": {k: v / ref for k, v in med.items()
                                     if k != "import_vectorbt"},
    }
    before = {k.removesuffix(BEFORE): v for k, v in med.items() if k.endswith(BEFORE)}
    if before:
        out["before_over_after"] = {k: v / med[k] for k, v in before.items()}
    return out


def report_sizes(folder: Path) -> dict[str, int]:
    """Bytes of each file a browser loads for a run's report: the run folder's ``*.html`` and
    ``*.js``, and the ``plotly-*.js`` its results folder shares among all its runs."""
    shared = sorted(folder.parent.glob("plotly-*.js"))
    return {p.name: p.stat().st_size for p in [*sorted(folder.iterdir()), *shared]
            if p.suffix in (".html", ".js")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="Print one JSON line.")
    ap.add_argument("--quick", action="store_true",
                    help="A short loop: 2 timed rounds, start-up cases only (no run).")
    ap.add_argument("--repeats", type=int, default=None,
                    help="Timed rounds after the warm-up (default 5, 2 with --quick).")
    ap.add_argument("--cold", action="store_true",
                    help="Also time a run with an empty numba cache and the process after it.")
    ap.add_argument("--data-dir", default=os.environ.get("QTBT_DATA_DIR"))
    ap.add_argument("--against", type=Path, default=None, metavar="DIR",
                    help="Another qtbt checkout (e.g. `git worktree add ../before REV`): its "
                         "cases run interleaved with this one's, as <case>@before.")
    args = ap.parse_args(argv)
    if args.against is not None and not (args.against / "backtest" / "__main__.py").is_file():
        ap.error(f"--against {args.against}: not a qtbt checkout (no backtest/__main__.py)")
    # absolute: the --against checkout's commands run from its own folder
    args.against = args.against.resolve() if args.against is not None else None
    args.data_dir = str(Path(args.data_dir).resolve()) if args.data_dir else None
    repeats = args.repeats or (2 if args.quick else 5)
    with tempfile.TemporaryDirectory(prefix="qtbt-bench-") as tmp:
        out = Path(tmp)
        cases = dict(STARTUP)
        if not args.quick:
            cases["vectorbt_floor"] = [sys.executable, "-c", VECTORBT_FLOOR]
            cases["run_playbook"] = run_argv(out, "bench")
        started = time.time()
        result: dict[str, Any] = {"repeats": repeats, "load_before": os.getloadavg(),
                                  # set: qtbt's own modules are compiled in every process
                                  "PYTHONDONTWRITEBYTECODE":
                                      os.environ.get("PYTHONDONTWRITEBYTECODE")}
        result.update(summarize(measure(cases, args.data_dir, repeats, out, args.against)))
        if not args.quick:
            result["report_bytes"] = report_sizes(out / "bench")
        if args.cold:
            result["cold_start"] = cold_start(args.data_dir, out)
        result["load_after"] = os.getloadavg()
        result["wall_s"] = time.time() - started
    ratios = result["ratio_to_import_vectorbt"]
    result["goals_met"] = {k: ratios[k] <= g for k, g in GOALS.items() if k in ratios}
    if "report_bytes" in result:
        result["goals_met"]["report_html"] = (result["report_bytes"].get("report.html", 0)
                                              <= REPORT_GOAL_BYTES)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
