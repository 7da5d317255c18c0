"""Run a strategy and its benchmarks over the same data through the same engine."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from backtest.data.calendar import sessions_between
from backtest.data.catalog import get_spec
from backtest.data.panel import build_panel
from backtest.data.store import DataStore
from backtest.engine import BacktestResult, EngineConfig, run_backtest
from backtest.exceptions import EmptyRangeError, QtbtWarning, StaleSeriesWarning
from backtest.metrics import to_jsonable
from backtest.regimes.api import regime_labels
from backtest.runner.config import RunConfig
from backtest.strategy import StrategyContext, StrategySpec, get_strategy

__all__ = ["RunOutput", "adjusted_open", "backtest_metrics", "cash_rate_series",
           "prepare_context", "resolve_range", "run"]

WARMUP_DAYS = 400  # calendar days of history strategies may look back over
_OVERALL_KEYS = ("total_return", "cagr", "ann_return", "ann_vol", "sharpe", "sortino",
                 "max_drawdown", "turnover", "costs", "trades", "days")


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
        Benchmark name -> BacktestResult (same range, engine and costs).
    regimes : Series
        Daily regime labels over the backtest.
    metrics : dict
        JSON-ready ``overall``, ``by_regime`` and ``benchmarks`` metrics.
    provenance : dict
        Series id -> source, origin, sha256 of every data series read.
    notes : list of str
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
    provenance: dict[str, dict[str, str]]
    notes: list[str] = field(default_factory=list)
    cash_rate: pd.Series | None = None


def _price_span(store: DataStore, tickers: list[str]) -> dict[str, tuple[pd.Timestamp, ...]]:
    spans: dict[str, tuple[pd.Timestamp, ...]] = {}
    for t in tickers:
        s = store.load(get_spec(t)).data["Adj Close"].dropna()
        spans[t] = (pd.Timestamp(s.index[0]), pd.Timestamp(s.index[-1]))
    return spans


def resolve_range(cfg: RunConfig, store: DataStore, tickers: list[str],
                  notes: list[str]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Backtest range: where every ticker has prices, checked against ``cfg.start/end``.

    A start before a ticker's first price is an error; an end after a ticker's
    last price cuts the range there with a warning recorded in ``notes``.
    """
    spans = _price_span(store, tickers)
    latest_first = max(spans.values(), key=lambda s: s[0])
    first_t = next(t for t, s in spans.items() if s == latest_first)
    earliest_last = min(s[1] for s in spans.values())
    start = pd.Timestamp(cfg.start) if cfg.start else latest_first[0]
    if start < latest_first[0]:
        late = sorted(f"{t} (from {s[0].date()})" for t, s in spans.items() if s[0] > start)
        raise EmptyRangeError(
            f"--start {start.date()} is before the first price of {', '.join(late)}; "
            f"pass --start {latest_first[0].date()} or later, or choose other assets."
        )
    end = pd.Timestamp(cfg.end) if cfg.end else earliest_last
    if end > earliest_last:
        short = sorted(f"{t} (last {s[1].date()})" for t, s in spans.items() if s[1] < end)
        msg = (f"Prices end before --end {end.date()}: {', '.join(short)}; the backtest ends "
               f"on {earliest_last.date()} instead.")
        warnings.warn(msg, StaleSeriesWarning, stacklevel=3)
        notes.append(msg)
        end = earliest_last
    if len(sessions_between(start, end)) < 2:
        raise EmptyRangeError(
            f"The range {start.date()} to {end.date()} holds fewer than two NYSE sessions; "
            "a backtest needs at least two. Widen it."
        )
    if start >= end:
        raise EmptyRangeError(
            f"Empty backtest range {start.date()} to {end.date()} (prices of {first_t} start "
            f"{latest_first[0].date()}, common prices end {earliest_last.date()}). Widen it."
        )
    return start, end


def prepare_context(spec: StrategySpec, params: dict[str, Any], cfg: RunConfig,
                    store: DataStore, start: pd.Timestamp, end: pd.Timestamp) -> StrategyContext:
    """Point-in-time prices, macro panel and regime labels from warm-up start to ``end``."""
    assets = list(spec.assets_for(params))
    warm = sessions_between(start - pd.Timedelta(days=WARMUP_DAYS), end)
    prices = build_panel(assets, start=warm[0], end=end, store=store, on_stale="ignore")
    prices = prices.reindex(warm)
    series = list(spec.series_for(params))
    if series:
        # a macro series that ends early is carried forward with a StaleSeriesWarning
        panel = build_panel(series, start=warm[0], end=end, store=store).reindex(warm)
    else:
        panel = pd.DataFrame(index=warm)
    labels = regime_labels(warm, store, cfg.classifier, cfg.anchor, cfg.end_of_qt_days,
                           **cfg.classifier_params)
    return StrategyContext(prices=prices, panel=panel, regimes=labels,
                           start=pd.Timestamp(warm[int(warm.searchsorted(start))]))


def cash_rate_series(cfg: RunConfig, store: DataStore, sessions: pd.DatetimeIndex,
                     notes: list[str]) -> pd.Series | None:
    """Daily return earned by cash on ``sessions`` (None for ``cash_yield="none"``)."""
    if cfg.cash_yield == "none":
        return None
    if cfg.cash_yield == "DGS3MO":
        y = build_panel(["DGS3MO"], start=sessions[0] - pd.Timedelta(days=10), end=sessions[-1],
                        store=store, on_stale="ignore")["DGS3MO"]
        # the yield known at the close of t-1 accrues over session t
        rate = (y / 100.0 / 252.0).shift(1).reindex(sessions)
    else:
        px = build_panel(["BIL"], start=sessions[0] - pd.Timedelta(days=10), end=sessions[-1],
                         store=store, on_stale="ignore")["BIL"]
        rate = px.pct_change().reindex(sessions)
    missing = int(rate.iloc[1:].isna().sum())
    if missing:
        notes.append(f"cash yield {cfg.cash_yield} missing on {missing} sessions; cash earned "
                     "0 there.")
    return rate.fillna(0.0)


def adjusted_open(assets: list[str], store: DataStore, start: pd.Timestamp,
                  end: pd.Timestamp) -> pd.DataFrame:
    """Opens on the adjusted-close basis: ``Open * Adj Close / Close``."""
    refs = [f"{a}.{f}" for a in assets for f in ("Open", "Close")]
    raw = build_panel([*assets, *refs], start=start, end=end, store=store, on_stale="ignore")
    return pd.DataFrame({a: raw[f"{a}.Open"] * raw[a] / raw[f"{a}.Close"] for a in assets})


def backtest_metrics(result: BacktestResult, labels: pd.Series,
                     rf: pd.Series | None = None) -> dict[str, Any]:
    """``overall`` and ``by_regime`` metrics of one backtest (JSON-ready).

    Sharpe and Sortino are of returns in excess of ``rf`` (the run's cash
    yield per session) when given.
    """
    summary = result.summary(rf)
    overall = {k: summary[k] for k in _OVERALL_KEYS if k in summary}
    by_reg = result.by_regime(labels, rf)
    keep = ("days", "episodes", "ann_return", "ann_vol", "sharpe", "max_drawdown", "hit_rate")
    return to_jsonable({"overall": overall,
                        "by_regime": {k: {m: v[m] for m in keep} for k, v in by_reg.items()}})


def _backtest(spec: StrategySpec, params: dict[str, Any], cfg: RunConfig, store: DataStore,
              start: pd.Timestamp, end: pd.Timestamp, cash: pd.Series | None,
              engine: EngineConfig) -> tuple[BacktestResult, pd.Series]:
    ctx = prepare_context(spec, params, cfg, store, start, end)
    targets = spec.target_weights(ctx, params).loc[start:end]
    assets = list(spec.assets_for(params))
    close = ctx.prices[assets].loc[start:end]
    labels = ctx.regimes.loc[start:end]
    open_ = adjusted_open(assets, store, start, end) if engine.execution == "open" else None
    result = run_backtest(targets, close, engine, open_=open_, regimes=labels,
                          cash_rate=cash.loc[start:end] if cash is not None else None)
    return result, labels


def run(cfg: RunConfig, store: DataStore | None = None) -> RunOutput:
    """Backtest ``cfg.strategy`` and its benchmarks; nothing is written.

    Raises
    ------
    ParameterError
        Unknown strategy or parameter, bad value.
    EmptyRangeError
        A range with no data, or a start before an asset's first price.
    SeriesNotAvailableError
        An asset or series the data lacks.
    """
    # a view: shares loaded data, but its provenance lists only what this run reads
    store = (store if store is not None else DataStore()).view()
    spec = get_strategy(cfg.strategy)
    params = spec.resolve(cfg.params)
    bench_specs = {name: get_strategy(name) for name in cfg.benchmarks}
    bench_params = {n: s.resolve() for n, s in bench_specs.items()}
    engine = cfg.engine_config(spec.rebalance)
    tickers = list(dict.fromkeys(
        [*spec.assets_for(params), *(a for n, s in bench_specs.items()
                                     for a in s.assets_for(bench_params[n]))]))
    for t in tickers:
        sp = get_spec(t)
        if sp.source != "yahoo":
            raise EmptyRangeError(f"{t} is not a price series; strategies trade Yahoo tickers.")
    notes: list[str] = []
    if cfg.classifier == "data":
        notes.append("data-classifier defaults were chosen on 2008-2026 against the calendar "
                      "(in-sample); see `qtbt regimes --validate`.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QtbtWarning)
        start, end = resolve_range(cfg, store, tickers, notes)
        sessions = sessions_between(start, end)
        cash = cash_rate_series(cfg, store, sessions, notes)
        result, labels = _backtest(spec, params, cfg, store, start, end, cash, engine)
        benches = {}
        for name, bspec in bench_specs.items():
            benches[name] = _backtest(bspec, bench_params[name], cfg, store, start, end, cash,
                                      cfg.engine_config(bspec.rebalance, benchmark=True))[0]
    for w in caught:
        text = str(w.message)
        if text not in notes:
            notes.append(text)
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    rf = cash.loc[start:end] if cash is not None else None
    metrics = backtest_metrics(result, labels, rf)
    metrics["benchmarks"] = {n: backtest_metrics(r, labels, rf) for n, r in benches.items()}
    return RunOutput(cfg, params, engine, result, benches, labels, metrics,
                     store.provenance(), notes, rf)
