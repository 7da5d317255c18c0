"""Run a strategy and its benchmarks over the same data through the same engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from backtest.data.store import DataStore
from backtest.engine import BacktestResult, EngineConfig, run_backtest
from backtest.metrics import to_jsonable
from backtest.metrics.fields import OVERALL_KEYS, REGIME_KEYS, SUMMARY_ROWS
from backtest.runner.config import RunConfig
from backtest.runner.factors import run_factors
from backtest.runner.inputs import (
    WARMUP_DAYS,
    RunInputs,
    adjusted_open,
    as_store,
    cash_rate_series,
    check_config,
    prepare_context,
    prepare_inputs,
)
from backtest.runner.liquidity import run_liquidity
from backtest.runner.span import resolve_range
from backtest.strategy import StrategySpec

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = ["WARMUP_DAYS", "RunOutput", "adjusted_open", "backtest_metrics",
           "cash_rate_series", "format_summary", "prepare_context", "resolve_range", "run",
           "simulate"]


@dataclass(frozen=True)
class RunOutput:
    """Everything a run produced, before it is written to disk.

    Attributes
    ----------
    config : RunConfig
        What was asked.
    params : dict
        Strategy parameters with defaults filled in.
    engine : EngineConfig
        The engine configuration used.
    result : BacktestResult
        The strategy's backtest.
    benchmarks : dict
        Benchmark name -> BacktestResult (same engine and costs; the run's
        range, or the part of it where the benchmark's assets have prices).
    regimes : Series
        Daily regime labels over the backtest.
    metrics : dict
        JSON-ready ``overall``, ``by_regime`` and ``benchmarks`` metrics.
    provenance : dict
        Series id -> source, origin, sha256 of every data series read.
    notes : tuple of str
        What was adjusted and why (e.g. the range cut at an asset's last price).
    cash_rate : Series or None
        Daily simple return earned by cash (and the risk-free rate of the
        Sharpe ratios); None when the run's cash yield is ``none``.
    """

    config: RunConfig
    params: dict[str, Any]
    engine: EngineConfig
    result: BacktestResult
    benchmarks: dict[str, BacktestResult]
    regimes: pd.Series
    metrics: dict[str, Any]
    provenance: Mapping[str, Mapping[str, str]]
    notes: tuple[str, ...] = ()
    cash_rate: pd.Series | None = None

    def summary(self) -> pd.DataFrame:
        """Overall metrics of the strategy and each benchmark, one column each.

        Rows: :data:`~backtest.metrics.fields.OVERALL_KEYS`; columns:
        ``strategy``, then the benchmark names.
        """
        blocks = {"strategy": self.metrics, **self.metrics["benchmarks"]}
        frame = pd.DataFrame({n: b["overall"] for n, b in blocks.items()})
        return frame.reindex([k for k in OVERALL_KEYS if k in frame.index])

    def to_text(self) -> str:
        """What ``qtbt run`` prints: the overall and per-regime tables."""
        return format_summary(self)

    def plot(self) -> Figure:
        """Equity, drawdown and rolling Sharpe of strategy and benchmarks (plotly; never shown)."""
        from backtest.report.charts import performance_figure

        returns = pd.DataFrame({"strategy": self.result.returns,
                                **{n: b.returns for n, b in self.benchmarks.items()}})
        return performance_figure(returns, self.regimes, self.cash_rate)


def format_summary(out: RunOutput) -> str:
    """Overall and per-regime table, strategy next to its benchmarks, then the run's notes."""
    names = ["strategy", *out.metrics["benchmarks"]]
    blocks = [out.metrics, *out.metrics["benchmarks"].values()]
    overall = pd.DataFrame({n: b["overall"] for n, b in zip(names, blocks, strict=True)})
    lines = [f"{out.config.strategy}: {out.result.returns.index[0]:%Y-%m-%d} to "
             f"{out.result.returns.index[-1]:%Y-%m-%d}, rebalance {out.engine.rebalance}, "
             f"costs {out.engine.costs_bps:g} bps, cash yield {out.config.cash_yield}",
             overall.loc[[r for r in SUMMARY_ROWS if r in overall.index]].to_string(
                 float_format=lambda v: f"{v:,.4f}"),
             "", "Sharpe by regime (days, episodes):"]
    reg: dict[str, dict[str, Any]] = {}
    for n, b in zip(names, blocks, strict=True):
        for label, m in b["by_regime"].items():
            reg.setdefault(label, {})[n] = m["sharpe"]
    # days and episodes are the strategy's: a benchmark may cover fewer sessions
    for label, m in out.metrics["by_regime"].items():
        reg[label].update(days=m["days"], episodes=m["episodes"])
    table = pd.DataFrame(reg).T[[*names, "days", "episodes"]]
    table = table.astype({n: float for n in names} | {"days": int, "episodes": int})
    lines.append(table.to_string(float_format=lambda v: f"{v:,.3f}"))
    thin = [lab for lab, m in reg.items() if int(m["episodes"]) < 2]
    if thin:
        lines.append(f"note: {', '.join(thin)} rest on a single episode; read them as anecdotes.")
    # the run's notes (why the range ends where it does, a benchmark's shorter span, a
    # classifier's caveat); your own series have their own lines below
    lines += [f"note: {n}" for n in out.notes if not n.startswith("user series ")]
    return "\n".join(lines + _own_inputs(out.provenance))


def _own_inputs(provenance: Mapping[str, Mapping[str, str]]) -> list[str]:
    """A note per series of the user's own catalog (a regimes file has its run note)."""
    out = []
    for key, p in provenance.items():
        if "catalog" in p:
            out.append(f"note: {key} is your series from {p['origin']} (sha256 "
                       f"{p['sha256'][:12]}), declared in {p['catalog']}; release: "
                       f"{p['release']}.")
    return out


def backtest_metrics(result: BacktestResult, labels: pd.Series,
                     rf: pd.Series | None = None) -> dict[str, Any]:
    """``overall`` and ``by_regime`` metrics of one backtest (JSON-ready).

    Sharpe and Sortino are of returns in excess of ``rf`` (the run's cash
    yield per session) when given.
    """
    summary = result.metrics(rf)
    overall = {k: summary[k] for k in OVERALL_KEYS if k in summary}
    by_reg = result.by_regime(labels, rf)
    return to_jsonable({"overall": overall,
                        "by_regime": {k: {m: v[m] for m in REGIME_KEYS}
                                      for k, v in by_reg.items()}})


def _backtest(inputs: RunInputs, spec: StrategySpec, params: Mapping[str, Any],
              engine: EngineConfig, span: tuple[pd.Timestamp, pd.Timestamp] | None = None
              ) -> BacktestResult:
    """One strategy through the engine on the prepared inputs.

    ``span`` narrows the sessions (a benchmark whose prices cover less of the
    run; default: the whole run).
    """
    lo, hi = span if span is not None else (inputs.start, inputs.end)
    ctx = inputs.context_for(spec, params)
    targets = spec.target_weights(ctx, params).loc[lo:hi]
    close, open_ = inputs.market(spec.assets_for(params))
    rf = inputs.cash_rate.loc[lo:hi] if inputs.cash_rate is not None else None
    return run_backtest(targets, close.loc[lo:hi], engine,
                        open_=open_.loc[lo:hi] if open_ is not None else None,
                        regimes=inputs.labels.loc[lo:hi], cash_rate=rf)


def _benchmarks(inputs: RunInputs) -> tuple[dict[str, BacktestResult], dict[str, Any]]:
    """Each benchmark's backtest and metrics, on the sessions it has prices for.

    A benchmark evaluated on fewer sessions than the run carries its own
    ``start`` and ``end`` (YYYY-MM-DD) in its metrics block.
    """
    results: dict[str, BacktestResult] = {}
    metrics: dict[str, Any] = {}
    labels, rf = inputs.labels, inputs.cash_rate
    for b in inputs.benchmarks:
        lo, hi = b.start or inputs.start, b.end or inputs.end
        results[b.name] = _backtest(inputs, b.spec, b.params, b.engine, (lo, hi))
        metrics[b.name] = backtest_metrics(results[b.name], labels.loc[lo:hi],
                                           rf.loc[lo:hi] if rf is not None else None)
        if (lo, hi) != (inputs.start, inputs.end):
            metrics[b.name] = {"start": f"{lo:%Y-%m-%d}", "end": f"{hi:%Y-%m-%d}",
                               **metrics[b.name]}
    return results, metrics


def simulate(cfg: RunConfig, store: DataStore | str | Path | None = None) -> BacktestResult:
    """``cfg``'s strategy through the engine exactly as :func:`run` simulates it, and no more.

    No benchmarks, metrics, factor or liquidity blocks: for callers that need
    only the returns (a sweep's benchmarks).
    """
    inputs = prepare_inputs(check_config(cfg, "simulate"), as_store(store, "simulate"))
    return _backtest(inputs, inputs.spec, inputs.params, inputs.engine)


def run(cfg: RunConfig, store: DataStore | str | Path | None = None) -> RunOutput:
    """Backtest ``cfg.strategy`` and its benchmarks; nothing is written.

    Parameters
    ----------
    cfg : RunConfig
        What to run (``RunConfig("playbook")``; not a bare strategy name).
    store : DataStore, str or Path, optional
        Where data comes from; a path means ``DataStore(data_dir=path)``.

    Raises
    ------
    ParameterError
        Unknown strategy or parameter, bad value, arguments of the wrong type.
    EmptyRangeError
        A range with no data, or a start before an asset's first price.
    SeriesNotAvailableError
        An asset or series the data lacks.
    """
    data = as_store(store, "run")
    inputs = prepare_inputs(check_config(cfg, "run"), data)
    result = _backtest(inputs, inputs.spec, inputs.params, inputs.engine)
    benches, bench_metrics = _benchmarks(inputs)
    labels, rf = inputs.labels, inputs.cash_rate
    metrics = backtest_metrics(result, labels, rf)
    metrics["benchmarks"] = bench_metrics
    metrics["factors"], factor_data = run_factors(result.returns, labels, data,
                                                  metrics["by_regime"])
    metrics["liquidity"], liquidity_data = run_liquidity(labels, data)
    return RunOutput(inputs.config, dict(inputs.params), inputs.engine, result, benches, labels,
                     metrics, {**inputs.provenance, **factor_data, **liquidity_data},
                     inputs.notes, rf)
