"""One preparation step for run, sweep and walk-forward: :func:`prepare_inputs`.

Everything a backtest reads is resolved here, once: the strategy and its
parameters, the benchmarks, the engine configuration, the range where every
asset of the strategy has prices (benchmarks never shorten it: each is
evaluated where its own assets have prices), the cash yield, the
point-in-time context (prices of every asset, the macro panel and the
regime labels, computed once and shared by the strategy and its benchmarks)
and, for execution at the open, adjusted opens. Warnings raised while
reading data are recorded as notes and
re-emitted here, and nowhere else.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.data.calendar import sessions_between
from backtest.data.catalog import get_spec
from backtest.data.panel import build_panel
from backtest.data.store import DataStore, as_store
from backtest.engine import EngineConfig
from backtest.exceptions import (
    EmptyRangeError,
    ParameterError,
    QtbtWarning,
    SeriesNotAvailableError,
    UnknownSeriesError,
)
from backtest.regimes.api import regime_labels, regime_labels_with_phases
from backtest.regimes.compare import compare_labels, warn_if_episode_counts_differ
from backtest.runner.config import RunConfig
from backtest.runner.owninputs import (
    late_series_note,
    regimes_file_note,
    unknown_asset_error,
    user_series_notes,
)
from backtest.runner.span import (
    Benchmark,
    benchmark_range,
    price_spans,
    resolve_range,
    strategy_end_note,
)
from backtest.strategy import StrategyContext, StrategySpec, resolve_strategy

__all__ = ["WARMUP_DAYS", "RunInputs", "adjusted_open", "as_store", "cash_rate_series",
           "check_config", "prepare_context", "prepare_inputs"]

WARMUP_DAYS = 400  # calendar days of history strategies may look back over
_DATA_NOTE = ("data-classifier defaults were chosen on 2008-2026 against the calendar "
              "(in-sample); see `qtbt regimes --validate`.")
#: classifiers whose defaults were tuned on the history they label
_TUNED = {"data": _DATA_NOTE,
          "rules": "rules-classifier defaults were chosen on 2008-2026 against the calendar "
                   "(in-sample); out-of-sample figures: `qtbt regimes --validate`."}


@dataclass(frozen=True, eq=False)
class RunInputs:
    """What every backtest of one configuration reads, prepared once.

    Attributes
    ----------
    config : RunConfig
        What was asked.
    spec : StrategySpec
        The strategy.
    params : dict
        The strategy's parameters with defaults filled in.
    variants : sequence of dict
        Complete parameter sets evaluated (``[params]`` for a run, the
        expanded grid for a sweep).
    benchmarks : tuple of Benchmark
        Benchmarks run alongside (empty for a sweep).
    engine : EngineConfig
        The strategy's engine configuration.
    universe : tuple of str
        Every ticker any variant or benchmark trades.
    start, end : Timestamp
        First and last session of the backtest.
    sessions : DatetimeIndex
        NYSE sessions from ``start`` to ``end``.
    cash_rate : Series or None
        Daily simple return earned by cash on ``sessions`` (None when the
        cash yield is ``none``).
    context : StrategyContext
        Prices of ``universe``, the macro panel and regime labels, from the
        warm-up start (``WARMUP_DAYS`` calendar days before ``start``) to ``end``.
    open_ : DataFrame or None
        Adjusted opens of ``universe`` on ``sessions`` when execution is at the open.
    notes : tuple of str
        What was adjusted and why, and every warning raised while reading data.
    provenance : dict
        Series id -> source, origin, sha256 of every data series read.
    """

    config: RunConfig
    spec: StrategySpec
    params: Mapping[str, Any]
    variants: Sequence[Mapping[str, Any]]
    benchmarks: tuple[Benchmark, ...]
    engine: EngineConfig
    universe: tuple[str, ...]
    start: pd.Timestamp
    end: pd.Timestamp
    sessions: pd.DatetimeIndex
    cash_rate: pd.Series | None
    context: StrategyContext
    open_: pd.DataFrame | None
    notes: tuple[str, ...]
    provenance: Mapping[str, Mapping[str, str]]

    @property
    def labels(self) -> pd.Series:
        """Regime label per backtest session."""
        return self.context.regimes.loc[self.start:self.end]

    def context_for(self, spec: StrategySpec, params: Mapping[str, Any]) -> StrategyContext:
        """The shared context narrowed to the assets and series ``spec`` declares."""
        ctx = self.context
        return StrategyContext(prices=ctx.prices[list(spec.assets_for(params))],
                               panel=ctx.panel[list(spec.series_for(params))],
                               regimes=ctx.regimes, start=ctx.start, phases=ctx.phases)

    def market(self, assets: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Adjusted closes and (for execution at the open) opens of ``assets`` on ``sessions``."""
        close = self.context.prices[list(assets)].loc[self.start:self.end]
        open_ = self.open_[list(assets)] if self.open_ is not None else None
        return close, open_


def check_config(cfg: object, func: str) -> RunConfig:
    """``cfg`` if it is a RunConfig; otherwise a ParameterError that says how to make one."""
    if isinstance(cfg, RunConfig):
        return cfg
    if isinstance(cfg, StrategySpec):
        raise ParameterError(
            f"{func} takes a RunConfig, not a StrategySpec; pass RunConfig(spec) "
            f"(e.g. {func}(RunConfig(spec, start='2015-01-02'), store)).")
    if isinstance(cfg, str):
        raise ParameterError(
            f"{func} takes a RunConfig, not a strategy name; pass RunConfig({cfg!r}) "
            f"(e.g. {func}(RunConfig({cfg!r}), store))."
        )
    raise ParameterError(
        f"{func} takes a RunConfig as its first argument; got {cfg!r} ({type(cfg).__name__}). "
        "Build one with RunConfig('playbook', ...) or build_run_config(...)."
    )


def _context(assets: Sequence[str], series: Sequence[str], cfg: RunConfig, store: DataStore,
             start: pd.Timestamp, end: pd.Timestamp) -> StrategyContext:
    warm = sessions_between(start - pd.Timedelta(days=WARMUP_DAYS), end)
    prices = build_panel(list(assets), start=warm[0], end=end, store=store, on_stale="ignore")
    prices = prices.reindex(warm)
    if series:
        # a macro series that ends early is carried forward with a StaleSeriesWarning
        panel = build_panel(list(series), start=warm[0], end=end, store=store).reindex(warm)
    else:
        panel = pd.DataFrame(index=warm)
    phases = regime_labels_with_phases(warm, store, cfg.classifier, anchor=cfg.anchor,
                                       end_of_qt_days=cfg.end_of_qt_days,
                                       **cfg.classifier_params)
    return StrategyContext(prices=prices, panel=panel, regimes=phases["label"].rename("regime"),
                           start=pd.Timestamp(warm[int(warm.searchsorted(start))]),
                           phases=phases)


def prepare_context(spec: StrategySpec, params: Mapping[str, Any], cfg: RunConfig,
                    store: DataStore, start: pd.Timestamp, end: pd.Timestamp) -> StrategyContext:
    """Point-in-time prices, macro panel and regime labels of one strategy, warm-up to ``end``."""
    return _context(spec.assets_for(params), spec.series_for(params), cfg, store, start, end)


def cash_rate_series(cfg: RunConfig, store: DataStore, sessions: pd.DatetimeIndex
                     ) -> tuple[pd.Series | None, str | None]:
    """Daily return earned by cash on ``sessions`` and a note on missing days.

    None for ``cash_yield="none"``; missing days earn 0 and are counted in the note.
    """
    if cfg.cash_yield == "none":
        return None, None
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
    note = (f"cash yield {cfg.cash_yield} missing on {missing} sessions; cash earned 0 there."
            if missing else None)
    return rate.fillna(0.0), note


def adjusted_open(assets: Sequence[str], store: DataStore, start: pd.Timestamp,
                  end: pd.Timestamp) -> pd.DataFrame:
    """Opens on the adjusted-close basis: ``Open * Adj Close / Close``."""
    refs = [f"{a}.{f}" for a in assets for f in ("Open", "Close")]
    raw = build_panel([*assets, *refs], start=start, end=end, store=store, on_stale="ignore")
    return pd.DataFrame({a: raw[f"{a}.Open"] * raw[a] / raw[f"{a}.Close"] for a in assets})


def disagreement_note(cfg: RunConfig, store: DataStore, labels: pd.Series) -> str | None:
    """Where the run's classifier disagrees with the others that are cheap to run.

    The run's labels are compared with the calendar's and the ``rules``
    classifier's (whichever the run does not use) over the backtest sessions.
    A different number of QT episodes also raises a
    :class:`~backtest.exceptions.ClassifierDisagreementWarning`; the counts
    the run reports stay those of its own classifier. The comparison reads
    through its own view of the store, so the run's manifest lists only the
    series its results depend on; a store without the balance-sheet series
    (a synthetic snapshot) gives no comparison with ``rules``.
    """
    index = pd.DatetimeIndex(labels.index)
    others: dict[str, pd.Series] = {}
    side = store.view()
    for name in ("calendar", "rules"):
        if name == cfg.classifier:
            continue
        try:
            others[name] = regime_labels(index, side, name, cfg.anchor, cfg.end_of_qt_days)
        except SeriesNotAvailableError:
            continue
    parts = []
    for name, other in others.items():
        d = compare_labels(labels, other, (cfg.classifier, name))
        parts.append(f"{name} disagrees on {d.share:.1%} of sessions ({len(d.periods)} "
                     "stretches)")
    if others:
        warn_if_episode_counts_differ(cfg.classifier, {cfg.classifier: labels, **others})
    if not parts:
        return None
    return f"regimes by {cfg.classifier}: " + "; ".join(parts) + " (`qtbt regimes --compare`)."


def _needs(specs: Iterable[tuple[StrategySpec, Mapping[str, Any]]]
           ) -> tuple[list[str], list[str]]:
    """Tickers and macro series of every (spec, params), first-seen order; tickers checked."""
    assets: dict[str, tuple[StrategySpec, Mapping[str, Any]]] = {}
    series: dict[str, None] = {}
    for spec, params in specs:
        for t in spec.assets_for(params):
            assets.setdefault(t, (spec, params))
        series.update(dict.fromkeys(spec.series_for(params)))
    for t, (spec, params) in assets.items():
        try:
            known = get_spec(t)
        except UnknownSeriesError as exc:
            raise unknown_asset_error(spec, params, t, exc) from None
        if known.source != "yahoo":
            raise EmptyRangeError(f"{t} is not a price series; strategies trade Yahoo tickers.")
    return list(assets), list(series)


def _read(cfg: RunConfig, store: DataStore, assets: list[str], series: list[str],
          engine: EngineConfig, own: list[str]) -> dict[str, Any]:
    """The data steps, warnings captured, then recorded as notes and re-emitted once.

    The range is that of the strategy's own assets ``own``; ``assets`` adds
    the benchmarks' (see :func:`benchmark_range`).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QtbtWarning)
        start, end, range_note = resolve_range(cfg, store, own)
        file_note = regimes_file_note(cfg, start, end)
        own_note = strategy_end_note(cfg, price_spans(store, own), end)
        sessions = sessions_between(start, end)
        cash, cash_note = cash_rate_series(cfg, store, sessions)
        ctx = _context(assets, series, cfg, store, start, end)
        open_ = adjusted_open(assets, store, start, end) if engine.execution == "open" else None
        regime_note = disagreement_note(cfg, store, ctx.regimes.loc[start:end])
    late_note = late_series_note(ctx.panel, start)
    notes = [n for n in (_TUNED.get(cfg.classifier), file_note, range_note, own_note,
                         cash_note, regime_note, late_note) if n is not None]
    seen: set[str] = set()
    for w in caught:  # each warning once, however many reads raised it
        if str(w.message) in seen:
            continue
        seen.add(str(w.message))
        if str(w.message) not in notes:
            notes.append(str(w.message))
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return {"start": start, "end": end, "sessions": sessions, "cash_rate": cash,
            "context": ctx, "open_": open_, "notes": tuple(notes)}


def prepare_inputs(config: RunConfig, store: DataStore | str | Path | None = None, *,
                   variants: Sequence[Mapping[str, Any]] | None = None) -> RunInputs:
    """Resolve and read everything a run (or a sweep) of ``config`` needs.

    Parameters
    ----------
    config : RunConfig
        What to run.
    store : DataStore, str or Path, optional
        Where data comes from (a path means ``DataStore(data_dir=path)``;
        default ``DataStore()``). Provenance lists only what this call reads.
    variants : sequence of dict, optional
        Complete parameter sets of a sweep (:func:`backtest.sweep.grid.expand_grid`).
        When given, the universe is the union of their assets and series and
        no benchmark is prepared. Default: ``config.params`` resolved, with
        ``config.benchmarks``.

    Raises
    ------
    ParameterError
        Unknown strategy or parameter, bad value, a config or store of the wrong type.
    EmptyRangeError
        A range with no data, a start before an asset's first price, a
        non-price ticker.
    SeriesNotAvailableError
        An asset or series the data lacks.
    """
    cfg = check_config(config, "prepare_inputs")
    # a view: shares loaded data, but its provenance lists only what this call reads
    view = as_store(store, "prepare_inputs").view()
    spec = cfg.strategy_spec()
    params = spec.resolve(cfg.params)
    engine = cfg.engine_config(spec.rebalance)
    benches: tuple[Benchmark, ...] = ()
    if variants is None:
        variants = [params]
        benches = tuple(Benchmark(n, b, b.resolve(), cfg.engine_config(b.rebalance, True))
                        for n, b in ((n, resolve_strategy(n)) for n in cfg.benchmarks))
    own, _ = _needs((spec, p) for p in variants)
    assets, series = _needs(itertools.chain(((spec, p) for p in variants),
                                            ((b.spec, b.params) for b in benches)))
    data = _read(cfg, view, assets, series, engine, own)
    ranged = [benchmark_range(b, view, data["start"], data["end"]) for b in benches]
    benches = tuple(b for b, _ in ranged if b is not None)
    provenance = view.provenance()
    data["notes"] = (*data["notes"], *(n for _, n in ranged if n is not None),
                     *user_series_notes(provenance))
    return RunInputs(config=cfg, spec=spec, params=params, variants=variants,
                     benchmarks=benches, engine=engine, universe=tuple(assets),
                     provenance=provenance, **data)
