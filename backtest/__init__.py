"""qtbt: backtest strategies across Federal Reserve balance-sheet regimes.

The public API, in the order of a user's journey::

    from backtest import DataStore, RunConfig, run, save_run, load_run

    store = DataStore(data_dir="../shared/data")        # data: snapshot, cache or network
    out = run(RunConfig("playbook"), store)             # a strategy and its benchmarks
    print(out.to_text())                                # what `qtbt run` prints
    folder = save_run(out, "results")                   # results/<run_id>/ with report.html
    load_run(folder).summary()                          # per-regime table with intervals

* data: :class:`DataStore`, :func:`build_panel`, :func:`known_observations`,
  :data:`CATALOG`, :func:`get_spec`
* regimes: :class:`CalendarClassifier`, :class:`BalanceSheetClassifier`,
  :class:`RulesClassifier`, :class:`MarkovClassifier`, :class:`HybridClassifier`,
  :func:`regime_labels`, :func:`regime_labels_with_phases`, :func:`episodes_table`,
  :func:`compare_labels`
* strategies: :class:`StrategySpec`, :class:`Param`, :class:`StrategyContext`,
  :func:`get_strategy`, :func:`resolve_strategy` (a name, a file or a module),
  :func:`load_registry`, :class:`Claim`, :func:`get_claim`
* engine: :class:`EngineConfig`, :func:`run_backtest`, :class:`BacktestResult`
* runs: :class:`RunConfig`, :func:`build_run_config`, :func:`prepare_inputs`, :func:`run`,
  :func:`write_run`, :func:`save_run`, :func:`load_run`, :func:`compare_runs`
* now: :func:`now` (:class:`NowResult`): regimes, net liquidity, funding and targets today
* evidence: :func:`scorecard`, :func:`event_study`, :func:`select_events`
* sweeps: :class:`SweepConfig`, :class:`WalkForwardConfig`, :func:`run_sweep`,
  :func:`run_walkforward`, :func:`write_sweep`

Every result follows one convention: ``summary()`` returns a DataFrame, ``plot()`` a figure
(never shown) and ``to_text()`` exactly what the CLI prints.

Names are loaded on first use, so ``import backtest`` stays light: it opens no window,
touches no network, writes nothing and imports neither vectorbt, numba, dask nor plotly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtest._lazy import lazy_attributes
from backtest.exceptions import (
    CacheCorruptError,
    ConfigError,
    DataFormatError,
    EmptyRangeError,
    NetworkError,
    ParameterError,
    QtbtError,
    QtbtWarning,
    SeriesNotAvailableError,
    StaleCacheWarning,
    StaleSeriesWarning,
    UnknownSeriesError,
)

if TYPE_CHECKING:  # the names below, for type checkers and IDEs
    from backtest.claims import Claim, claim_ids, get_claim
    from backtest.data.catalog import CATALOG, ReleaseRule, SeriesSpec, get_spec
    from backtest.data.panel import build_panel, known_observations
    from backtest.data.store import DataStore
    from backtest.data.usercat import use_catalog, using_catalog
    from backtest.engine import BacktestResult, EngineConfig, run_backtest
    from backtest.eventstudy import EventStudyResult, event_study, select_events
    from backtest.present import NowResult, now
    from backtest.regimes import (
        BalanceSheetClassifier,
        CalendarClassifier,
        FileClassifier,
        HybridClassifier,
        MarkovClassifier,
        RulesClassifier,
        compare_labels,
        episodes_table,
        regime_labels,
        regime_labels_with_phases,
    )
    from backtest.report import Comparison, RunResult, Scorecard, compare_runs, load_run, save_run
    from backtest.report.forecasts import ForecastReport, forecast_report
    from backtest.report.scorecard import scorecard
    from backtest.runner import (
        RunConfig,
        RunOutput,
        build_run_config,
        prepare_inputs,
        write_run,
    )
    from backtest.runner.run import run
    from backtest.strategy import (
        Param,
        StrategyContext,
        StrategySpec,
        get_strategy,
        load_registry,
        resolve_strategy,
    )
    from backtest.sweep import (
        SweepConfig,
        SweepResult,
        WalkForwardConfig,
        WalkForwardResult,
        run_sweep,
        run_walkforward,
        write_sweep,
    )

__version__ = "0.1.0"

#: public name -> module that defines it (imported on first use)
_LAZY: dict[str, str] = {
    **dict.fromkeys(["Claim", "claim_ids", "get_claim"], "backtest.claims"),
    **dict.fromkeys(["CATALOG", "ReleaseRule", "SeriesSpec", "get_spec"], "backtest.data.catalog"),
    **dict.fromkeys(["build_panel", "known_observations"], "backtest.data.panel"),
    "DataStore": "backtest.data.store",
    **dict.fromkeys(["use_catalog", "using_catalog"], "backtest.data.usercat"),
    **dict.fromkeys(["BacktestResult", "EngineConfig", "run_backtest"], "backtest.engine"),
    **dict.fromkeys(["EventStudyResult", "event_study", "select_events"], "backtest.eventstudy"),
    **dict.fromkeys(["BalanceSheetClassifier", "CalendarClassifier", "FileClassifier",
                     "HybridClassifier",
                     "MarkovClassifier", "RulesClassifier", "compare_labels", "episodes_table",
                     "regime_labels", "regime_labels_with_phases"], "backtest.regimes"),
    **dict.fromkeys(["NowResult", "now"], "backtest.present"),
    **dict.fromkeys(["Comparison", "RunResult", "Scorecard", "compare_runs", "load_run",
                     "save_run", "scorecard"], "backtest.report"),
    **dict.fromkeys(["ForecastReport", "forecast_report"], "backtest.report.forecasts"),
    **dict.fromkeys(["RunConfig", "RunOutput", "build_run_config", "prepare_inputs", "run",
                     "write_run"], "backtest.runner"),
    **dict.fromkeys(["Param", "StrategyContext", "StrategySpec", "get_strategy",
                     "load_registry", "resolve_strategy"], "backtest.strategy"),
    **dict.fromkeys(["SweepConfig", "SweepResult", "WalkForwardConfig", "WalkForwardResult",
                     "run_sweep", "run_walkforward", "write_sweep"], "backtest.sweep"),
}

__all__ = [
    "CATALOG",
    "BacktestResult",
    "BalanceSheetClassifier",
    "CacheCorruptError",
    "CalendarClassifier",
    "Claim",
    "Comparison",
    "ConfigError",
    "DataFormatError",
    "DataStore",
    "EmptyRangeError",
    "EngineConfig",
    "EventStudyResult",
    "FileClassifier",
    "ForecastReport",
    "HybridClassifier",
    "MarkovClassifier",
    "NetworkError",
    "NowResult",
    "Param",
    "ParameterError",
    "QtbtError",
    "QtbtWarning",
    "ReleaseRule",
    "RulesClassifier",
    "RunConfig",
    "RunOutput",
    "RunResult",
    "Scorecard",
    "SeriesNotAvailableError",
    "SeriesSpec",
    "StaleCacheWarning",
    "StaleSeriesWarning",
    "StrategyContext",
    "StrategySpec",
    "SweepConfig",
    "SweepResult",
    "UnknownSeriesError",
    "WalkForwardConfig",
    "WalkForwardResult",
    "__version__",
    "build_panel",
    "build_run_config",
    "claim_ids",
    "compare_labels",
    "compare_runs",
    "episodes_table",
    "event_study",
    "forecast_report",
    "get_claim",
    "get_spec",
    "get_strategy",
    "known_observations",
    "load_registry",
    "load_run",
    "now",
    "prepare_inputs",
    "regime_labels",
    "regime_labels_with_phases",
    "resolve_strategy",
    "run",
    "run_backtest",
    "run_sweep",
    "run_walkforward",
    "save_run",
    "scorecard",
    "select_events",
    "use_catalog",
    "using_catalog",
    "write_run",
    "write_sweep",
]


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, __all__)
