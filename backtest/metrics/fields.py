"""Names of the metric fields, defined once for the run, the sweep and the reports.

Every place that lists metrics (``metrics.json`` of a run, the columns of
``sweep.parquet``, the numba kernel's output, the text tables of the CLI)
takes its names from here, so a metric is added or renamed in one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "COMPARE_KEYS",
    "EPISODE_KEYS",
    "FIELDS",
    "KERNEL_METRICS",
    "OVERALL_KEYS",
    "REGIME_KEYS",
    "SUMMARY_ROWS",
    "SWEEP_COLUMNS",
    "SWEEP_REGIME_MEASURES",
    "MetricField",
    "label",
    "sweep_regime_column",
]


@dataclass(frozen=True)
class MetricField:
    """One metric: its key, the label reports show, and how it is formatted.

    Attributes
    ----------
    key : str
        Name in ``metrics.json``, ``sweep.parquet`` and every table.
    label : str
        Column or row heading in reports.
    kind : {"fraction", "ratio", "count"}
        ``fraction`` prints as a percentage (0.05 = 5%), ``ratio`` as a number,
        ``count`` as an integer.
    """

    key: str
    label: str
    kind: Literal["fraction", "ratio", "count"]


#: Every metric a backtest reports, by key.
FIELDS: dict[str, MetricField] = {f.key: f for f in (
    MetricField("total_return", "Total return", "fraction"),
    MetricField("cagr", "CAGR", "fraction"),
    MetricField("ann_return", "Ann. return", "fraction"),
    MetricField("ann_vol", "Volatility", "fraction"),
    MetricField("sharpe", "Sharpe", "ratio"),
    MetricField("sortino", "Sortino", "ratio"),
    MetricField("max_drawdown", "Max drawdown", "fraction"),
    MetricField("hit_rate", "Hit rate", "fraction"),
    MetricField("turnover", "Turnover / yr", "ratio"),
    MetricField("costs", "Costs / yr", "fraction"),
    MetricField("trades", "Trades", "count"),
    MetricField("days", "Sessions", "count"),
    MetricField("episodes", "Episodes", "count"),
)}


def label(key: str) -> str:
    """Report heading of metric ``key``."""
    return FIELDS[key].label

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

#: Headline metrics of ``qtbt compare``, in order.
COMPARE_KEYS: tuple[str, ...] = ("total_return", "cagr", "ann_return", "ann_vol", "sharpe",
                                 "sortino", "max_drawdown", "hit_rate", "turnover", "costs",
                                 "trades", "days")

#: Metrics of each episode in run reports, in order.
EPISODE_KEYS: tuple[str, ...] = ("total_return", "ann_return", "ann_vol", "sharpe",
                                 "max_drawdown", "hit_rate")

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
