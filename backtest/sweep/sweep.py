"""Parameter sweeps: every configuration of a grid over one shared context.

:func:`run_sweep` prepares the point-in-time context once, with the same
:func:`~backtest.runner.inputs.prepare_inputs` as ``qtbt run`` (prices of every
asset any configuration trades, macro series, regimes, cash yield), runs
each configuration's own weights function (pandas, cheap), compresses the
weights into a :class:`~backtest.sweep.plan.TargetPlan`, and evaluates
chunks of configurations in the numba kernel, configurations as columns.
What is kept per configuration is small (metrics and moments per segment of
sessions), so a sweep's memory is bounded by its chunk size, not its grid.

:func:`sweep_targets` is the same evaluation for weights already in compact
form (the fast path a benchmark or a custom study can call directly).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from backtest.data.store import DataStore
from backtest.engine.config import EngineConfig
from backtest.metrics.fields import SWEEP_COLUMNS, SWEEP_REGIME_MEASURES, sweep_regime_column
from backtest.metrics.performance import TRADING_DAYS
from backtest.regimes.labels import LABELS
from backtest.runner.config import RunConfig
from backtest.runner.inputs import as_store, check_config, prepare_inputs
from backtest.strategy import StrategyContext, StrategySpec
from backtest.sweep.against import (
    BenchmarkTests,
    against_benchmarks,
    benchmark_names,
    benchmark_returns,
)
from backtest.sweep.config import SweepConfig
from backtest.sweep.executor import (
    DEFAULT_MAX_MEMORY,
    ChunkPlan,
    Executor,
    LocalExecutor,
    make_executor,
    plan_chunks,
)
from backtest.sweep.grid import Grid, default_grid, expand_grid, format_params
from backtest.sweep.kernel import simulate
from backtest.sweep.measures import (
    METRICS,
    Measures,
    ann_return_from,
    combine,
    measure,
    sharpe_from,
)
from backtest.sweep.plan import KernelSettings, Market, TargetPlan
from backtest.sweep.segments import Segments, cscv_blocks
from backtest.sweep.stats import PBOResult, deflated_sharpe_ratio, pbo_from_blocks
from backtest.sweep.text import format_sweep

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = [
    "OVERALL_COLUMNS",
    "SweepResult",
    "estimate_bytes",
    "evaluate_params",
    "run_sweep",
    "sweep_pbo",
    "sweep_targets",
]

OVERALL_COLUMNS = SWEEP_COLUMNS


def estimate_bytes(variants: int, sessions: int, assets: int) -> int:
    """Working-set bytes of evaluating ``variants`` configurations at once.

    ``variants x sessions x (assets x 8 + 12)``: the compressed targets
    (up to one distinct row of ``assets`` float64 weights per session, and an
    int32 code per session) and the float64 daily returns. Weight frames are
    built and compressed one configuration at a time, so they do not scale
    with the chunk.
    """
    return int(variants) * int(sessions) * (int(assets) * 8 + 12)


@dataclass(frozen=True, eq=False)
class StrategyTask:
    """What a worker needs to evaluate configurations of one strategy (picklable)."""

    spec: StrategySpec
    context: StrategyContext
    start: pd.Timestamp
    end: pd.Timestamp
    market: Market
    settings: KernelSettings
    segments: Segments
    keep_returns: bool


def evaluate_params(task: StrategyTask, params: Sequence[Mapping[str, Any]]) -> Measures:
    """Weights, kernel and measures for a chunk of configurations (runs on a worker)."""
    names = [format_params(p) for p in params]
    frames = (task.spec.target_weights(task.context, p).loc[task.start:task.end]
              for p in params)
    plan = TargetPlan.from_frames(frames, task.market, task.settings.max_gross, names)
    sim = simulate(task.market, task.settings, plan, names)
    return measure(sim.returns, sim.turnover, task.market.rf, task.segments.seg,
                   task.segments.n_seg, task.keep_returns)


@dataclass(frozen=True, eq=False)
class _PlanTask:
    market: Market
    settings: KernelSettings
    seg: np.ndarray
    n_seg: int
    keep_returns: bool


def _evaluate_plan(task: _PlanTask, plan: TargetPlan) -> Measures:
    sim = simulate(task.market, task.settings, plan)
    return measure(sim.returns, sim.turnover, task.market.rf, task.seg, task.n_seg,
                   task.keep_returns)


def _slice(plan: TargetPlan, rows: range) -> TargetPlan:
    sl = slice(rows.start, rows.stop)
    codes = plan.codes if plan.codes.shape[0] == 1 else plan.codes[sl]
    return TargetPlan(np.ascontiguousarray(codes), np.ascontiguousarray(plan.tables[sl]),
                      np.ascontiguousarray(plan.cols[sl]), np.ascontiguousarray(
                          plan.n_assets[sl]))


def sweep_targets(market: Market, settings: KernelSettings, plan: TargetPlan, *,
                  seg: np.ndarray | None = None, n_seg: int = 1,
                  executor: Executor | None = None, max_memory: int | None = None,
                  chunk_size: int | None = None,
                  keep_returns: bool = False) -> tuple[Measures, ChunkPlan]:
    """Evaluate weights already in compact form, chunked to fit ``max_memory``.

    Parameters
    ----------
    market, settings, plan
        Shared prices and engine settings; target weights per configuration.
    seg : ndarray of int, shape (T,), optional
        Segment of each session (default: one segment).
    n_seg : int
        Number of segments.
    executor : Executor, optional
        Where chunks run (default: this process).
    max_memory : int, optional
        Working-set budget in bytes (see :func:`plan_chunks`).
    chunk_size : int, optional
        Configurations per chunk.
    keep_returns : bool
        Keep every configuration's daily returns (``V x T x 8`` bytes).

    Returns
    -------
    measures : Measures
        Per configuration, in plan order.
    chunks : ChunkPlan
        How the work was cut, with the memory estimate.
    """
    t = market.n_sessions
    seg_arr = np.zeros(t, dtype=np.int64) if seg is None else np.asarray(seg, dtype=np.int64)
    per_codes = 4 * t if plan.codes.shape[0] > 1 else 0
    per_variant = 8 * t + per_codes + plan.tables[0].nbytes
    kept = 8 * (len(METRICS) + 3 + 5 * n_seg) + (8 * t if keep_returns else 0)
    ex = executor or LocalExecutor()
    chunks = plan_chunks(plan.n_variants, per_variant, kept, max_memory, chunk_size,
                         min_chunks=ex.n_workers)
    task = _PlanTask(market, settings, seg_arr, n_seg, keep_returns)
    parts = ex.map(_evaluate_plan, task, [_slice(plan, r) for r in chunks.chunks])
    return Measures.concat(parts), chunks


@dataclass(frozen=True, eq=False)
class SweepResult:
    """Every configuration of a sweep, evaluated.

    Attributes
    ----------
    config : RunConfig
        Range, regimes, engine and fixed parameters.
    grid : dict
        Parameter -> values swept.
    params : list of dict
        Complete parameters per configuration (row order of ``table``).
    engine : EngineConfig
        Engine configuration used for every configuration.
    sessions : DatetimeIndex
        Backtest sessions.
    labels : Series
        Regime label per session.
    segments : Segments
        How sessions were cut for per-regime, CSCV and walk-forward statistics.
    measures : Measures
        Per configuration metrics and segment moments.
    table : DataFrame
        One row per configuration: parameters, overall metrics, per-regime
        Sharpe and annualised return (the content of ``sweep.parquet``).
    pbo : PBOResult
        CSCV over all configurations.
    chunks : ChunkPlan
        How the work was cut, with the memory estimate.
    provenance : dict
        Data series read (source, origin, sha256).
    notes : tuple of str
        What was adjusted and why.
    settings : SweepConfig
        CSCV blocks, memory and executor settings the sweep ran with.
    against : BenchmarkTests, optional
        The best configuration against the run's benchmarks (DSR over the
        benchmark and the grid median, SPA, StepM); None without benchmarks.
    """

    config: RunConfig
    grid: Grid
    params: Sequence[dict[str, Any]]
    engine: EngineConfig
    sessions: pd.DatetimeIndex
    labels: pd.Series
    segments: Segments
    measures: Measures
    table: pd.DataFrame
    pbo: PBOResult
    chunks: ChunkPlan
    provenance: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)
    notes: tuple[str, ...] = ()
    settings: SweepConfig = dataclasses.field(default_factory=SweepConfig)
    against: BenchmarkTests | None = None

    @property
    def strategy(self) -> str:
        """Strategy name."""
        return str(self.config.strategy)

    @property
    def varying(self) -> list[str]:
        """Parameters that take more than one value in the grid."""
        return [k for k, v in self.grid.items() if len(v) > 1]

    def deflated_sharpe(self) -> np.ndarray:
        """Deflated Sharpe ratio of every configuration, against all of them as trials.

        Uses daily Sharpe ratios (annualised / sqrt(252)), the variance of
        the finite ones across configurations (ddof=1) and each
        configuration's own skewness and kurtosis over the whole range.
        """
        sr = self.measures.metrics[:, METRICS.index("sharpe")] / math.sqrt(TRADING_DAYS)
        ok = np.isfinite(sr)
        n_trials = int(ok.sum())
        var = float(np.var(sr[ok], ddof=1)) if n_trials > 1 else 0.0
        out = np.full(len(sr), np.nan)
        for i in np.flatnonzero(ok):
            skew, kurt = self.measures.moments[i]
            out[i] = deflated_sharpe_ratio(float(sr[i]), len(self.sessions), n_trials, var,
                                           float(skew), float(kurt))
        return out

    def best(self, k: int = 5) -> pd.DataFrame:
        """The ``k`` configurations with the highest Sharpe ratio, with their DSR."""
        table = self.table.copy()
        table.insert(len(self.config_columns), "dsr", self.deflated_sharpe())
        order = np.argsort(-np.nan_to_num(table["sharpe"].to_numpy(), nan=-np.inf),
                           kind="stable")
        return table.iloc[order[:k]]

    @property
    def config_columns(self) -> list[str]:
        """Parameter columns of ``table``."""
        return list(self.params[0]) if self.params else []

    def summary(self, top: int | None = None) -> pd.DataFrame:
        """Every configuration (or the ``top`` ones) by descending Sharpe, with its DSR."""
        return self.best(len(self.params) if top is None else top)

    def to_text(self, top: int = 5) -> str:
        """What ``qtbt sweep`` prints: header, the best configurations with DSR, the PBO."""
        return format_sweep(self, top)

    def plot(self) -> Figure:
        """Sharpe of every configuration, whole range and per regime (plotly; never shown)."""
        from backtest.report.sweep_charts import sweep_figure

        return sweep_figure(self.table, self.varying or list(self.grid))

    def digest(self) -> str:
        """sha256 of the run configuration, the grid and the CSCV block count."""
        doc = {"config": self.config.to_dict(), "grid": {k: list(v) for k, v in
                                                         self.grid.items()},
               "splits": self.pbo.n_splits}
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _param_cell(value: Any) -> Any:
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return value


def build_table(params: Sequence[Mapping[str, Any]], measures: Measures,
                segments: Segments) -> pd.DataFrame:
    """``sweep.parquet`` content: parameters, overall metrics, per-regime Sharpe and return."""
    cols: dict[str, Any] = {}
    for name in params[0]:
        cols[name] = [_param_cell(p[name]) for p in params]
    for j, name in enumerate(METRICS):
        cols[name] = measures.metrics[:, j]
    cols["turnover"] = measures.turnover
    table = pd.DataFrame(cols)
    table = table[[*params[0], *OVERALL_COLUMNS]]
    per_regime = {"sharpe": sharpe_from, "ann_return": ann_return_from}
    for regime in LABELS:
        stats = combine(measures.segments, segments.label == regime)
        for name in SWEEP_REGIME_MEASURES:
            table[sweep_regime_column(name, regime)] = per_regime[name](stats)
    return table


def run_sweep(cfg: RunConfig, grid: Mapping[str, Sequence[Any]] | None = None,
              store: DataStore | str | Path | None = None, *,
              settings: SweepConfig | None = None, executor: Executor | None = None,
              **options: Any) -> SweepResult:
    """Evaluate every configuration of a grid for ``cfg.strategy``.

    Parameters
    ----------
    cfg : RunConfig
        Strategy, fixed parameters, range, regime classifier, engine
        settings and cash yield; its benchmarks (and ``settings.benchmark``)
        are what the best configuration is tested against.
    grid : mapping, optional
        Parameter -> values (see :func:`backtest.sweep.grid.parse_grid`);
        default: ``settings.grid``, or the strategy's declared grid.
    store : DataStore, str or Path, optional
        Where data comes from (a path means ``DataStore(data_dir=path)``).
    settings : SweepConfig, optional
        CSCV blocks, memory budget, chunk size, executor (see :class:`SweepConfig`).
    executor : Executor, optional
        An entered :class:`DaskExecutor` or a :class:`LocalExecutor`; default:
        the one ``settings`` describes, entered and closed here.
    **options
        Overrides of single :class:`SweepConfig` fields (``n_splits=8``,
        ``max_memory=2**30``, ``chunk_size``, ``monthly_segments``, ``keep_returns``).

    Notes
    -----
    All configurations share one range: when ``cfg.start``/``cfg.end`` are
    not given, the span where *every* asset of *every* configuration has
    prices (so a configuration may start later than ``qtbt run`` would start
    it alone). Within that range each configuration's returns equal
    ``qtbt run``'s to 1e-9.

    Raises
    ------
    ParameterError
        Unknown strategy, parameter or value; a memory budget too small;
        arguments of the wrong type.
    EmptyRangeError
        A range with no data or too short for the CSCV blocks.
    """
    cfg = check_config(cfg, "run_sweep")
    store = as_store(store, "run_sweep")
    sweep = SweepConfig.given(settings, grid, **options)
    if executor is not None:
        return _run(cfg, sweep, store, executor)
    with make_executor(sweep.executor, sweep.scheduler, sweep.scheduler_timeout,
                       sweep.workers) as ex:
        return _run(cfg, sweep, store, ex)


def _run(cfg: RunConfig, sweep: SweepConfig, store: DataStore, ex: Executor) -> SweepResult:
    spec = cfg.strategy_spec()
    sweep_grid: Grid = dict(sweep.grid) if sweep.grid else default_grid(spec)
    params = expand_grid(spec, sweep_grid, cfg.params)
    inputs = prepare_inputs(cfg, store, variants=params)
    assets = list(inputs.universe)
    close, open_ = inputs.market(assets)
    market = Market.build(close, open_=open_, cash_rate=inputs.cash_rate, regimes=inputs.labels)
    settings = KernelSettings.build(inputs.engine, market)
    segments = Segments.build(market.sessions, market.labels, sweep.n_splits,
                              sweep.segments_by_month)
    per_variant = estimate_bytes(1, market.n_sessions, len(assets))
    names = benchmark_names(cfg, sweep.benchmark)
    need, why = _returns_needed(names, len(params), market.n_sessions, sweep.max_memory)
    keep = sweep.keep_returns or need
    kept = 8 * (len(METRICS) + 3 + 5 * segments.n_seg) + 64 * len(params[0]) + (
        8 * market.n_sessions if keep else 0)
    chunks = plan_chunks(len(params), per_variant, kept, sweep.max_memory, sweep.chunk_size,
                         min_chunks=ex.n_workers)
    task = StrategyTask(spec, inputs.context, inputs.start, inputs.end, market, settings,
                        segments, keep)
    parts = ex.map(evaluate_params, task, [[params[i] for i in r] for r in chunks.chunks])
    measures = Measures.concat(parts)
    table = build_table(params, measures, segments)
    pbo = sweep_pbo(measures, segments)
    against = None
    if need and measures.returns is not None:
        benches, notes = benchmark_returns(cfg, store, market.sessions, names)
        against = against_benchmarks(measures.returns, market.rf, table["sharpe"].to_numpy(),
                                     benches, names[0], reps=sweep.reps, seed=sweep.seed,
                                     notes=notes) if benches else None
        why = None if benches else "; ".join(notes)
    if not sweep.keep_returns:
        measures = dataclasses.replace(measures, returns=None)
    return SweepResult(cfg, sweep_grid, params, inputs.engine, market.sessions, market.labels,
                       segments, measures, table, pbo, chunks, inputs.provenance,
                       (*inputs.notes, *([why] if why else [])), sweep, against)


def sweep_pbo(measures: Measures, segments: Segments) -> PBOResult:
    """The sweep's PBO by CSCV: the one code path of ``qtbt sweep`` and ``qtbt walkforward``.

    The CSCV blocks are unions of the sweep's segments; walk-forward cuts
    them further at months, so block moments differ by rounding, which the
    tie tolerance of :func:`~backtest.sweep.stats.pbo_from_blocks` absorbs.
    """
    return pbo_from_blocks(cscv_blocks(measures, segments))


def _returns_needed(names: Sequence[str], variants: int, sessions: int,
                    max_memory: int | None) -> tuple[bool, str | None]:
    """Whether daily returns are kept for the benchmark statistics, and why not."""
    if not names:
        return False, None
    size = 8 * variants * sessions
    budget = DEFAULT_MAX_MEMORY if max_memory is None else max_memory
    if size > budget // 2:
        return False, (f"statistics against benchmarks not computed: they need every "
                       f"configuration's daily returns ({size / 2**30:.1f} GiB), more than half "
                       f"the memory budget ({budget / 2**30:.1f} GiB); raise --max-memory or "
                       "narrow the grid.")
    return True, None
