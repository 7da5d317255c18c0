"""Run a configured backtest and write its result directory.

* :class:`RunConfig`, :func:`build_run_config` — what to run (frozen, hashable);
* :func:`prepare_inputs` — the one preparation step of run, sweep and walk-forward;
* :func:`run` — the strategy and its benchmarks, in memory (:class:`RunOutput`);
* :func:`write_run` — the run directory.
"""

from __future__ import annotations

from backtest.runner.build import build_run_config, parse_params
from backtest.runner.config import CASH_YIELDS, FrozenMap, RunConfig, load_config_file
from backtest.runner.inputs import RunInputs, prepare_inputs
from backtest.runner.run import RunOutput, backtest_metrics, run
from backtest.runner.rundir import write_run

__all__ = ["CASH_YIELDS", "FrozenMap", "RunConfig", "RunInputs", "RunOutput",
           "backtest_metrics", "build_run_config", "load_config_file", "parse_params",
           "prepare_inputs", "run", "write_run"]
