"""Run a configured backtest and write its result directory."""

from __future__ import annotations

from backtest.runner.config import CASH_YIELDS, RunConfig, load_config_file
from backtest.runner.run import RunOutput, backtest_metrics, run
from backtest.runner.rundir import write_run

__all__ = ["CASH_YIELDS", "RunConfig", "RunOutput", "backtest_metrics", "load_config_file",
           "run", "write_run"]
