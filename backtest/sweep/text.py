"""The text ``qtbt sweep`` and ``qtbt walkforward`` print, built from their results.

:meth:`SweepResult.to_text` and :meth:`WalkForwardResult.to_text` call
these; the CLI only prints what they return.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from backtest.metrics.fields import sweep_regime_column

if TYPE_CHECKING:
    from backtest.sweep.sweep import SweepResult
    from backtest.sweep.walkforward import WalkForwardResult

__all__ = ["format_sweep", "format_walkforward"]

_WINDOWS = ["scheme", "window", "train_start", "train_end", "test_start", "test_end", "chosen",
            "is_sharpe", "oos_sharpe", "oos_percentile"]
_EPISODES = ["test_episode", "train_episodes", "chosen", "is_sharpe", "oos_sharpe",
             "oos_percentile", "oos_best_sharpe"]
_SUMMARY = ["scheme", "windows", "is_sharpe_mean", "oos_sharpe_stitched", "degradation",
            "oos_percentile_mean", "full_sample_best_oos_sharpe"]


def _fmt(v: float) -> str:
    return "nan" if pd.isna(v) else f"{v:,.3f}"


def _pbo_line(result: SweepResult) -> str:
    pbo = result.pbo
    if len(result.params) < 2:
        return "PBO: needs at least two configurations."
    verdict = " — more likely overfit than not." if pbo.pbo > 0.5 else "."
    return (f"Probability of backtest overfitting (CSCV, {pbo.n_splits} blocks, "
            f"{pbo.n_combinations:,} splits): {pbo.pbo:.2f}: the in-sample best ranked at or "
            f"below the out-of-sample median in {pbo.pbo:.0%} of splits and lost money out of "
            f"sample in {pbo.prob_oos_loss:.0%}{verdict}")


def format_sweep(result: SweepResult, top: int = 5) -> str:
    """Header, the best ``top`` configurations with DSR, and the PBO line."""
    eng = result.engine
    n = len(result.params)
    varying = result.varying or list(result.grid)
    lines = [f"{result.strategy} sweep: {n:,} configuration{'s' if n != 1 else ''} "
             f"({' x '.join(varying) or 'defaults'}), {result.sessions[0]:%Y-%m-%d} to "
             f"{result.sessions[-1]:%Y-%m-%d}, rebalance {eng.rebalance}, costs "
             f"{eng.costs_bps:g} bps, cash yield {result.config.cash_yield}",
             f"Best by Sharpe (dsr = deflated Sharpe ratio: probability the Sharpe beats the "
             f"best of {n:,} lucky trials; above 0.95 it survives the selection):"]
    best = result.best(top)
    cols = [*varying, "sharpe", "dsr", "total_return", "max_drawdown",
            *(sweep_regime_column("sharpe", r) for r in ("QT", "QE"))]
    shown = best[[c for c in cols if c in best.columns]].reset_index(drop=True)
    lines.append(shown.to_string(float_format=_fmt, index=False))
    lines.append(_pbo_line(result))
    labels = result.labels
    thin = [r for r in ("QT", "QE") if int(((labels == r) & (labels.shift() != r)).sum()) < 2]
    if thin:
        lines.append(f"note: {', '.join(thin)} rest on fewer than two episodes in this range.")
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
             _table(wf.windows, _WINDOWS),
             "", "Leave one episode out:",
             _table(wf.episodes, _EPISODES),
             "", "In sample vs out of sample (Sharpe, annualised, excess of cash):",
             _table(wf.schemes, _SUMMARY)]
    return "\n".join(lines)
