"""The text ``qtbt sweep`` and ``qtbt walkforward`` print, built from their results.

:meth:`SweepResult.to_text` and :meth:`WalkForwardResult.to_text` call
these; the CLI only prints what they return.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from backtest.metrics.fields import sweep_regime_column
from backtest.sweep.against import MEDIAN

if TYPE_CHECKING:
    from backtest.sweep.against import BenchmarkTests
    from backtest.sweep.snooping import DSRAgainst, SPAResult
    from backtest.sweep.sweep import SweepResult
    from backtest.sweep.walkforward import WalkForwardResult

__all__ = ["EPISODE_COLUMNS", "SCHEME_COLUMNS", "WINDOW_COLUMNS", "format_against",
           "format_sweep", "format_walkforward", "verdict"]

#: the columns of walk-forward tables (text here, HTML in backtest.report.sweep_report)
WINDOW_COLUMNS = ["scheme", "window", "train_start", "train_end", "test_start", "test_end",
                  "chosen", "tied", "is_sharpe", "oos_sharpe", "oos_percentile"]
EPISODE_COLUMNS = ["test_episode", "train_episodes", "chosen", "tied", "is_sharpe",
                   "oos_sharpe", "oos_percentile", "oos_best_sharpe"]
SCHEME_COLUMNS = ["scheme", "windows", "is_sharpe_mean", "oos_sharpe_stitched", "degradation",
                  "oos_percentile_mean", "full_sample_best_oos_sharpe"]


def _fmt(v: float) -> str:
    return "nan" if pd.isna(v) else f"{v:,.3f}"


def _pbo_line(result: SweepResult) -> str:
    pbo = result.pbo
    if len(result.params) < 2:
        return "PBO: needs at least two configurations."
    tail = " — more likely overfit than not." if pbo.pbo > 0.5 else "."
    return (f"Probability of backtest overfitting (CSCV, {pbo.n_splits} blocks, "
            f"{pbo.n_combinations:,} splits): {pbo.pbo:.3f}: the in-sample best ranked at or "
            f"below the out-of-sample median of the {len(result.params):,} configurations in "
            f"{pbo.pbo:.0%} of splits (Sharpe ratios within 1e-9 relative are ties) and lost "
            f"money out of sample in {pbo.prob_oos_loss:.0%}{tail} It ranks the "
            f"configurations against each other, not against a benchmark.")


def _dsr_line(d: DSRAgainst, n_configs: int) -> str:
    what = ("whether the chosen parameters add anything over a typical configuration"
            if d.reference == MEDIAN else f"whether its edge over {d.reference} is real")
    passes = "passes" if d.dsr >= 0.95 else "does not pass"
    return (f"  DSR of the best over {d.reference}: {_fmt(d.dsr)} with {n_configs:,} trials, "
            f"{_fmt(d.dsr_effective)} with {d.n_effective:.1f} effective ({what} after the "
            f"selection; it {passes} 0.95 with all trials). Sharpe of the difference "
            f"{_fmt(d.sharpe)}.")


def _spa_line(s: SPAResult, n: int) -> str:
    beats = "at least one configuration beats it" if s.pvalue < s.size else \
        "no evidence that any configuration beats it"
    return (f"  SPA against {s.benchmark}: p = {s.pvalue:.3f} ({beats}; Hansen's test of 'none "
            f"is better than the benchmark' over all {n:,} configurations). StepM: "
            f"{len(s.superior)} of {n:,} beat it at {s.size:.0%} family-wise error.")


def verdict(tests: BenchmarkTests) -> str:
    """One sentence: does any configuration beat the benchmarks after data snooping (SPA, StepM)."""
    if not tests.spa:
        return "Verdict: SPA/StepM not computed (see the notes)."
    names = " or ".join(s.benchmark for s in tests.spa)
    ps = ", ".join(f"{s.pvalue:.2f}" for s in tests.spa)
    winners = [s for s in tests.spa if s.pvalue < s.size and s.superior]
    if not winners:
        return (f"Verdict: no configuration beats {names} after data snooping (SPA p = {ps}; "
                f"the StepM sets are empty): the parameters add nothing detectable over "
                f"holding {names}.")
    said = "; ".join(f"{len(s.superior)} configuration(s) beat {s.benchmark} (SPA p = "
                     f"{s.pvalue:.3f}, StepM)" for s in winners)
    rest = [s.benchmark for s in tests.spa if s not in winners]
    tail = f"; none beats {' or '.join(rest)}" if rest else ""
    return f"Verdict: after data snooping, {said}{tail}."


def format_against(result: SweepResult) -> list[str]:
    """Lines on the best configuration against the benchmarks, in plain words."""
    tests = result.against
    if tests is None:
        return ["Against benchmarks: none (the run has no benchmark; --benchmark NAME adds one)."]
    n = len(result.params)
    sharpe = float(result.table["sharpe"].iloc[tests.best])
    bench = ", ".join(f"{k} {_fmt(v)}" for k, v in tests.benchmark_sharpe.items())
    lines = ["Against benchmarks (risk-matched: each configuration scaled to the benchmark's "
             "volatility, so beating it means a higher Sharpe ratio, not more risk):",
             f"  Sharpe of the best configuration {_fmt(sharpe)}; {bench}.",
             f"  Effective independent trials: {tests.n_effective:.1f} of {n:,} (average "
             f"correlation of daily returns {tests.mean_correlation:.3f}).",
             *(_dsr_line(d, tests.n_trials) for d in tests.dsr),
             *(_spa_line(s, n) for s in tests.spa),
             verdict(tests)]
    return lines + [f"note: {x}" for x in tests.notes]


def format_sweep(result: SweepResult, top: int = 5) -> str:
    """Header, the best ``top`` configurations with DSR, the PBO and the benchmark tests."""
    eng = result.engine
    n = len(result.params)
    varying = result.varying or list(result.grid)
    lines = [f"{result.strategy} sweep: {n:,} configuration{'s' if n != 1 else ''} "
             f"({' x '.join(varying) or 'defaults'}), {result.sessions[0]:%Y-%m-%d} to "
             f"{result.sessions[-1]:%Y-%m-%d}, rebalance {eng.rebalance}, costs "
             f"{eng.costs_bps:g} bps, cash yield {result.config.cash_yield}",
             f"Best by Sharpe (dsr = deflated Sharpe ratio against cash: probability the "
             f"Sharpe ratio is above zero after picking the best of {n:,}; it does not test "
             f"a benchmark, see below):"]
    best = result.best(top)
    cols = [*varying, "sharpe", "dsr", "total_return", "max_drawdown",
            *(sweep_regime_column("sharpe", r) for r in ("QT", "QE"))]
    shown = best[[c for c in cols if c in best.columns]].reset_index(drop=True)
    lines.append(shown.to_string(float_format=_fmt, index=False))
    lines.append(_pbo_line(result))
    lines += format_against(result)
    labels = result.labels
    thin = [r for r in ("QT", "QE") if int(((labels == r) & (labels.shift() != r)).sum()) < 2]
    if thin:
        verb = "rests" if len(thin) == 1 else "rest"
        lines.append(f"note: {' and '.join(thin)} {verb} on fewer than two episodes in this "
                     "range.")
    return "\n".join(lines)


def _table(frame: pd.DataFrame, cols: Sequence[str]) -> str:
    if frame.empty:
        return "(none)"
    shown = frame[[c for c in cols if c in frame.columns]].copy()
    for c in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[c]):
            shown[c] = shown[c].dt.strftime("%Y-%m-%d")
    return shown.to_string(float_format=_fmt, index=False)


def format_walkforward(wf: WalkForwardResult) -> str:
    """The window and episode tables and the side-by-side summary."""
    lines = ["Walk-forward windows (chosen = best in-sample Sharpe):",
             _table(wf.windows, WINDOW_COLUMNS),
             "(tied = configurations whose in-sample Sharpe ties the best within 1e-9 relative; "
             "the first in grid order is chosen; in oos_percentile a tie counts half)",
             "", "Leave one episode out:",
             _table(wf.episodes, EPISODE_COLUMNS),
             "", "In sample vs out of sample (Sharpe, annualised, excess of cash):",
             _table(wf.schemes, SCHEME_COLUMNS)]
    return "\n".join(lines)
