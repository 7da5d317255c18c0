"""Names of the metric fields, defined once for the run, the sweep and the reports.

Every place that lists metrics (``metrics.json`` of a run, the columns of
``sweep.parquet``, the numba kernel's output, the text tables of the CLI)
takes its names from here, so a metric is added or renamed in one file.
"""

from __future__ import annotations

__all__ = [
    "KERNEL_METRICS",
    "OVERALL_KEYS",
    "REGIME_KEYS",
    "SUMMARY_ROWS",
    "SWEEP_COLUMNS",
    "SWEEP_REGIME_MEASURES",
    "sweep_regime_column",
]

#: Whole-range metrics of one backtest kept in ``metrics.json`` (``overall``), in order:
#: fractions (returns, drawdown, costs as a fraction of capital), annualised ratios,
#: annualised one-sided turnover, trade count and session count.
OVERALL_KEYS: tuple[str, ...] = ("total_return", "cagr", "ann_return", "ann_vol", "sharpe",
                                 "sortino", "max_drawdown", "turnover", "costs", "trades",
                                 "days")

#: Per-regime metrics kept in ``metrics.json`` (``by_regime``), in order.
REGIME_KEYS: tuple[str, ...] = ("days", "episodes", "ann_return", "ann_vol", "sharpe",
                                "max_drawdown", "hit_rate")

#: Rows of the overall table ``qtbt run`` prints (strategy next to its benchmarks).
SUMMARY_ROWS: tuple[str, ...] = ("total_return", "cagr", "ann_vol", "sharpe", "sortino",
                                 "max_drawdown", "turnover", "costs", "days")

#: Metrics the sweep kernel computes per configuration, in its output column order.
KERNEL_METRICS: tuple[str, ...] = ("total_return", "cagr", "ann_vol", "sharpe", "sortino",
                                   "max_drawdown")

#: Overall metric columns of ``sweep.parquet`` (after the parameter columns).
SWEEP_COLUMNS: tuple[str, ...] = (*KERNEL_METRICS, "turnover")

#: Per-regime measures of ``sweep.parquet``: one column ``<measure>_<regime>`` each.
SWEEP_REGIME_MEASURES: tuple[str, ...] = ("sharpe", "ann_return")


def sweep_regime_column(measure: str, regime: str) -> str:
    """Column of ``sweep.parquet`` holding ``measure`` over ``regime`` (``sharpe_QT``)."""
    return f"{measure}_{regime}"
