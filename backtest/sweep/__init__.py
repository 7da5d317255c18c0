"""Parameter sweeps at speed, overfitting statistics, walk-forward validation, Dask scale-out.

* :class:`SweepConfig`, :class:`WalkForwardConfig` — frozen, hashable settings;
* :func:`run_sweep` — every configuration of a grid over one shared context,
  evaluated in chunks by a numba kernel that reproduces the vectorbt engine
  (:mod:`backtest.sweep.kernel`);
* :func:`deflated_sharpe_ratio`, :func:`pbo_cscv` — how much of the best
  result is selection luck (:mod:`backtest.sweep.stats`; Sharpe ratios within
  :func:`sharpe_tolerance` are ties);
* :func:`spa_stepm`, :func:`effective_trials`, :func:`dsr_against` — does
  the best configuration beat a benchmark after data snooping
  (:mod:`backtest.sweep.snooping`; :class:`BenchmarkTests` on a sweep);
* :func:`run_walkforward`, :func:`walk_forward_sweep` — rolling, expanding and
  leave-one-episode-out validation (:mod:`backtest.sweep.walkforward`);
* :class:`LocalExecutor`, :class:`DaskExecutor` — where chunks run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtest._lazy import lazy_attributes

if TYPE_CHECKING:  # the names below, for type checkers and IDEs
    from backtest.sweep.against import BenchmarkTests
    from backtest.sweep.config import SweepConfig, WalkForwardConfig
    from backtest.sweep.executor import (
        DaskExecutor,
        LocalExecutor,
        SchedulerUnreachableError,
        make_executor,
        parse_bytes,
        plan_chunks,
    )
    from backtest.sweep.grid import default_grid, expand_grid, parse_grid
    from backtest.sweep.kernel import SimOutput, simulate
    from backtest.sweep.measures import Measures, measure
    from backtest.sweep.output import write_sweep
    from backtest.sweep.plan import KernelSettings, Market, TargetPlan
    from backtest.sweep.snooping import (
        DSRAgainst,
        SPAResult,
        dsr_against,
        effective_trials,
        spa_stepm,
    )
    from backtest.sweep.stats import (
        PBOResult,
        deflated_sharpe_ratio,
        expected_max_sharpe,
        pbo_cscv,
        probabilistic_sharpe_ratio,
        sharpe_tolerance,
    )
    from backtest.sweep.sweep import (
        SweepResult,
        estimate_bytes,
        run_sweep,
        sweep_pbo,
        sweep_targets,
    )
    from backtest.sweep.walkforward import (
        WalkForwardResult,
        run_walkforward,
        walk_forward,
        walk_forward_sweep,
    )

#: public name -> module that defines it (imported on first use: ``backtest.sweep.config``
#: and the grid parser stay free of numba, scipy and dask)
_LAZY: dict[str, str] = {
    "BenchmarkTests": "backtest.sweep.against",
    **dict.fromkeys(["SweepConfig", "WalkForwardConfig"], "backtest.sweep.config"),
    **dict.fromkeys(["DaskExecutor", "LocalExecutor", "SchedulerUnreachableError",
                     "make_executor", "parse_bytes", "plan_chunks"], "backtest.sweep.executor"),
    **dict.fromkeys(["default_grid", "expand_grid", "parse_grid"], "backtest.sweep.grid"),
    **dict.fromkeys(["SimOutput", "simulate"], "backtest.sweep.kernel"),
    **dict.fromkeys(["Measures", "measure"], "backtest.sweep.measures"),
    "write_sweep": "backtest.sweep.output",
    **dict.fromkeys(["KernelSettings", "Market", "TargetPlan"], "backtest.sweep.plan"),
    **dict.fromkeys(["DSRAgainst", "SPAResult", "dsr_against", "effective_trials", "spa_stepm"],
                    "backtest.sweep.snooping"),
    **dict.fromkeys(["PBOResult", "deflated_sharpe_ratio", "expected_max_sharpe", "pbo_cscv",
                     "probabilistic_sharpe_ratio", "sharpe_tolerance"], "backtest.sweep.stats"),
    **dict.fromkeys(["SweepResult", "estimate_bytes", "run_sweep", "sweep_pbo", "sweep_targets"],
                    "backtest.sweep.sweep"),
    **dict.fromkeys(["WalkForwardResult", "run_walkforward", "walk_forward",
                     "walk_forward_sweep"], "backtest.sweep.walkforward"),
}

__all__ = [
    "BenchmarkTests",
    "DSRAgainst",
    "DaskExecutor",
    "KernelSettings",
    "LocalExecutor",
    "Market",
    "Measures",
    "PBOResult",
    "SPAResult",
    "SchedulerUnreachableError",
    "SimOutput",
    "SweepConfig",
    "SweepResult",
    "TargetPlan",
    "WalkForwardConfig",
    "WalkForwardResult",
    "default_grid",
    "deflated_sharpe_ratio",
    "dsr_against",
    "effective_trials",
    "estimate_bytes",
    "expand_grid",
    "expected_max_sharpe",
    "make_executor",
    "measure",
    "parse_bytes",
    "parse_grid",
    "pbo_cscv",
    "plan_chunks",
    "probabilistic_sharpe_ratio",
    "run_sweep",
    "run_walkforward",
    "sharpe_tolerance",
    "simulate",
    "spa_stepm",
    "sweep_pbo",
    "sweep_targets",
    "walk_forward",
    "walk_forward_sweep",
    "write_sweep",
]


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, __all__)
