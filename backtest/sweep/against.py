"""The sweep's best configuration against its benchmarks, after data snooping.

:func:`benchmark_returns` runs each benchmark of the run (``buy_and_hold``,
``sixty_forty``, ...) through ``qtbt run``'s engine on the sweep's range,
with its own rebalance schedule and the run's costs, exactly as ``qtbt run``
shows it beside a strategy. :func:`against_benchmarks` then measures, from
every configuration's daily returns (:mod:`backtest.sweep.snooping`):

* the deflated Sharpe ratio of the best configuration over the chosen
  benchmark and over the grid's daily median return, beside the effective
  number of independent trials;
* Hansen's SPA p-value and Romano-Wolf's StepM set against every benchmark.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.data.store import DataStore
from backtest.metrics.performance import TRADING_DAYS
from backtest.runner.config import FrozenMap, RunConfig
from backtest.runner.span import Benchmark, benchmark_range
from backtest.strategy import resolve_strategy
from backtest.sweep.config import DEFAULT_SEED
from backtest.sweep.snooping import (
    MAX_BOOTSTRAP_WORK,
    DSRAgainst,
    SPAResult,
    bootstrap_work,
    dsr_against,
    effective_trials,
    spa_stepm,
)

__all__ = ["MEDIAN", "BenchmarkTests", "against_benchmarks", "benchmark_names",
           "benchmark_returns"]

MEDIAN = "grid median"


@dataclass(frozen=True)
class BenchmarkTests:
    """What the sweep's numbers say against benchmarks rather than against cash.

    Attributes
    ----------
    benchmark : str
        The benchmark the DSR is measured against (the run's first, or ``--benchmark``).
    best : int
        Row of the best configuration by Sharpe ratio (grid order).
    n_trials : int
        Configurations with a defined Sharpe ratio.
    n_effective : float
        Effective number of independent trials, ``rho + (1 - rho) N``.
    mean_correlation : float
        Average pairwise correlation ``rho`` of the configurations' daily excess returns.
    benchmark_sharpe : dict
        Benchmark name -> annualised Sharpe ratio (excess of cash) on its sessions.
    dsr : tuple of DSRAgainst
        The best configuration's DSR over ``benchmark`` and over the grid's median.
    spa : tuple of SPAResult
        SPA and StepM against each benchmark (empty when skipped).
    notes : tuple of str
        Benchmarks left out or narrowed, tests skipped, and why.
    """

    benchmark: str
    best: int
    n_trials: int
    n_effective: float
    mean_correlation: float
    benchmark_sharpe: dict[str, float]
    dsr: tuple[DSRAgainst, ...]
    spa: tuple[SPAResult, ...]
    notes: tuple[str, ...] = ()


def benchmark_names(cfg: RunConfig, chosen: str | None) -> tuple[str, ...]:
    """The benchmarks tested: ``chosen`` first (when given), then the run's others.

    Each is resolved now, so a misspelt ``--benchmark`` stops before the sweep runs.

    Raises
    ------
    ParameterError
        A name that is no strategy (with the closest names).
    """
    names = tuple(dict.fromkeys([*([chosen] if chosen else []), *cfg.benchmarks]))
    for name in names:
        resolve_strategy(name)
    return names


def benchmark_returns(cfg: RunConfig, store: DataStore, sessions: pd.DatetimeIndex,
                      names: Sequence[str]) -> tuple[dict[str, pd.Series], list[str]]:
    """Daily returns of each benchmark on ``sessions`` (NaN where it has no prices).

    Each runs as ``qtbt run`` runs it beside a strategy: its own schedule,
    the run's costs, execution, cash yield and regime classifier, from the
    later of the sweep's start and its assets' first prices.
    """
    from backtest.runner.run import simulate

    out: dict[str, pd.Series] = {}
    notes: list[str] = []
    engine = {k: v for k, v in cfg.engine.items() if k not in ("rebalance", "drift_threshold")}
    for name in names:
        spec = resolve_strategy(name)
        bench = Benchmark(name, spec, spec.resolve(), cfg.engine_config(spec.rebalance, True))
        ranged, note = benchmark_range(bench, store, sessions[0], sessions[-1])
        if note:
            notes.append(note)
        if ranged is None or ranged.start is None or ranged.end is None:
            continue
        bcfg = dataclasses.replace(cfg, strategy=spec.name, params=FrozenMap(), spec=None,
                                   benchmarks=(), engine=FrozenMap(engine),
                                   start=f"{ranged.start:%Y-%m-%d}",
                                   end=f"{ranged.end:%Y-%m-%d}")
        out[name] = simulate(bcfg, store).returns.reindex(sessions)
    return out, notes


def _best(sharpe: np.ndarray) -> int:
    return int(np.argsort(-np.nan_to_num(sharpe, nan=-np.inf), kind="stable")[0])


def _spa(excess: np.ndarray, bench: np.ndarray, name: str, reps: int,
         seed: int) -> tuple[SPAResult | None, str | None]:
    t, n = excess.shape
    work = bootstrap_work(reps, t, n)
    if work > MAX_BOOTSTRAP_WORK:
        return None, (f"SPA/StepM against {name} not computed: {n:,} configurations x {t:,} "
                      f"sessions need {work:.1e} operations, above the bound "
                      f"{MAX_BOOTSTRAP_WORK:.0e}; narrow the grid or the range.")
    return spa_stepm(excess, bench, name, reps=reps, seed=seed), None


def against_benchmarks(returns: np.ndarray, rf: np.ndarray, sharpe: np.ndarray,
                       benches: dict[str, pd.Series], primary: str, *, reps: int = 1000,
                       seed: int = DEFAULT_SEED,
                       notes: Sequence[str] = ()) -> BenchmarkTests:
    """DSR over ``primary`` and the grid median, SPA and StepM over every benchmark.

    Parameters
    ----------
    returns : ndarray, shape (V, T)
        Daily returns of every configuration (the sweep's, kept).
    rf : ndarray, shape (T,)
        Daily cash return.
    sharpe : ndarray, shape (V,)
        Annualised Sharpe ratio of each configuration (picks the best).
    benches : dict
        Benchmark name -> daily returns on the same sessions (NaN where none).
    primary : str
        The benchmark of the DSR (a key of ``benches``).
    reps, seed : int
        Bootstrap resamples (0 skips SPA/StepM) and seed.
    notes : sequence of str
        Notes carried from :func:`benchmark_returns`.
    """
    excess = (np.asarray(returns, dtype="float64") - rf[None, :]).T
    best = _best(sharpe)
    n_eff, rho = effective_trials(excess)
    n_trials = int(np.isfinite(sharpe).sum())
    out_notes = list(notes)
    dsr = []
    bench_sr: dict[str, float] = {}
    spa: list[SPAResult] = []
    for name, series in benches.items():
        ok = series.notna().to_numpy()
        b = series.to_numpy(dtype="float64")[ok] - rf[ok]
        sd = b.std(ddof=1)
        bench_sr[name] = float(b.mean() / sd * math.sqrt(TRADING_DAYS)) if sd > 0 else math.nan
        if name == primary:
            dsr.append(dsr_against(excess[ok], b, best, name, n_eff))
        if reps:
            res, why = _spa(excess[ok], b, name, reps, seed)
            spa += [res] if res is not None else []
            out_notes += [why] if why else []
    if not reps:
        out_notes.append("SPA/StepM skipped (--reps 0).")
    dsr.append(dsr_against(excess, np.median(excess, axis=1), best, MEDIAN, n_eff))
    return BenchmarkTests(primary, best, n_trials, n_eff, rho, bench_sr, tuple(dsr),
                          tuple(spa), tuple(out_notes))
