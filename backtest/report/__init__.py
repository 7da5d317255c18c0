"""Result reports: per-regime statistics with intervals, run reports, the scorecard, compare.

* :class:`RunResult` (``load_run(path)``): a run directory with ``summary()``,
  ``plot(kind)``, ``regime_table``, ``episode_table`` and ``to_html()``.
* :func:`save_run`: write a complete run folder (data files and ``report.html``).
* :func:`write_report`: render ``report.html`` from a run's saved results.
* :func:`scorecard`: every playbook claim tested on the data
  (:class:`Scorecard` with ``summary()``, ``plot()``, ``to_markdown()``,
  ``to_html()``).
* :func:`compare_runs`: runs side by side (:class:`Comparison`).
* :func:`regime_stats`, :func:`episode_stats`: the statistics as pure
  functions of returns and labels; :class:`BootstrapSpec` sets the intervals.

Every result here (:class:`RunResult`, :class:`Scorecard`, :class:`Comparison`,
and :class:`~backtest.eventstudy.EventStudyResult`, whose figure is drawn by
:mod:`backtest.report.event_chart`) follows one convention: ``summary()``
returns a DataFrame, ``plot()`` returns a figure and never shows it,
``to_text()`` returns exactly what the CLI prints. This layer sits above the
runner: the runner never imports it (:func:`save_run` passes the report
renderer to :func:`backtest.runner.write_run`).

Importing this package is cheap and side-effect free: plotly and arch are
imported only when a figure is drawn or an interval is computed; figures are
returned, never shown.
"""

from __future__ import annotations

from backtest.report.bootstrap import BootstrapSpec, percentile_interval, replicates, verdict
from backtest.report.compare import Comparison, DifferentDataError, compare_runs
from backtest.report.result import RunResult, load_run
from backtest.report.run_report import REPORT_FILE, render_run_report
from backtest.report.save import check_html_path, save_run, write_html, write_report
from backtest.report.scorecard import (
    CLAIMS,
    Claim,
    Scorecard,
    WindowSpec,
    claim_verdict,
    load_score_data,
    scorecard,
)
from backtest.report.stats import episode_stats, regime_stats

__all__ = [
    "CLAIMS",
    "REPORT_FILE",
    "BootstrapSpec",
    "Claim",
    "Comparison",
    "DifferentDataError",
    "RunResult",
    "Scorecard",
    "WindowSpec",
    "check_html_path",
    "claim_verdict",
    "compare_runs",
    "episode_stats",
    "load_run",
    "load_score_data",
    "percentile_interval",
    "regime_stats",
    "render_run_report",
    "replicates",
    "save_run",
    "scorecard",
    "verdict",
    "write_html",
    "write_report",
]
