"""Offline HTML pages of a sweep (``sweep.html``) and of its walk-forward (``walkforward.html``).

The sweep page puts first what a user wants to know, each number with what
it tests in plain words: the deflated Sharpe ratio against cash, the PBO,
the best configuration against the benchmarks and the grid median (DSR,
effective trials, SPA, StepM) and the verdict. Then a heatmap of the Sharpe
ratio over two parameters with the others at the best's values, the Sharpe
ratio of every configuration, the distribution of the CSCV logits, and the
best configurations with their tests. The walk-forward page sets the
in-sample Sharpe ratio of each window against its out-of-sample one.

Pages are built with :mod:`backtest.report.html` (one inline plotly.js, no
network, every text escaped) and carry no timestamp: the same sweep gives
the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from backtest.metrics.fields import sweep_regime_column
from backtest.report.format import fmt_int, fmt_num
from backtest.report.html import (
    Cell,
    figure_html,
    kv_table,
    notice,
    page,
    section,
    table,
)
from backtest.report.sweep_charts import (
    heatmap_figure,
    pbo_figure,
    sweep_figure,
    walkforward_figure,
    windows_figure,
)
from backtest.sweep.grid import format_params
from backtest.sweep.text import EPISODE_COLUMNS, SCHEME_COLUMNS, WINDOW_COLUMNS, verdict

if TYPE_CHECKING:
    from backtest.sweep.sweep import SweepResult
    from backtest.sweep.walkforward import WalkForwardResult

__all__ = ["sweep_html", "walkforward_html"]

_FOOTER = ("qtbt sweep: Sharpe ratios annualised, in excess of the cash yield; tests on daily "
           "returns. Offline page: no network requests.")


def _f(x: Any) -> str:
    return fmt_num(x, 3)


def _row(test: str, against: str, value: str, means: str) -> list[Cell | str]:
    return [Cell(test), Cell(against), Cell(value, True), Cell(means, cls="wrap")]


def _tests_rows(result: SweepResult) -> list[list[Cell | str]]:
    n = len(result.params)
    tests = result.against
    best = tests.best if tests is not None else int(result.best(1).index[0])
    rows = [
        _row("Deflated Sharpe ratio", "cash (zero)", _f(result.deflated_sharpe()[best]),
             f"Probability that the best Sharpe ratio is above zero after picking the best "
             f"of {n:,}. Says nothing about a benchmark."),
        _row("Probability of backtest overfitting", "the other configurations",
             _f(result.pbo.pbo),
             "Share of CSCV splits in which the in-sample best ranks at or below the "
             "out-of-sample median (ties share ranks). Above 0.5: the selection is worse "
             "than a coin."),
    ]
    if tests is None:
        return rows
    rows.append(_row("Effective independent trials", f"{n:,} configurations",
                     fmt_num(tests.n_effective, 1),
                     f"rho + (1 - rho) N with the average correlation rho = "
                     f"{tests.mean_correlation:.3f} of the daily returns."))
    for d in tests.dsr:
        rows.append(_row("Deflated Sharpe ratio of the difference", d.reference,
                         f"{_f(d.dsr)} ({_f(d.dsr_effective)})",
                         f"Probability that the best configuration's risk-matched edge over "
                         f"{d.reference} is real after the selection, with {d.n_trials:,} "
                         f"trials ({d.n_effective:.1f} effective in brackets); 0.95 to pass."))
    for s in tests.spa:
        rows.append(_row("Hansen's SPA p-value", s.benchmark, f"{s.pvalue:.3f}",
                         "Probability of an edge this large if no configuration beats the "
                         "benchmark's Sharpe ratio; below 0.05: at least one does."))
        rows.append(_row("Romano-Wolf StepM", s.benchmark, fmt_int(len(s.superior)),
                         f"Configurations that beat it at {s.size:.0%} family-wise error "
                         f"({s.reps:,} stationary-bootstrap resamples, seed {s.seed})."))
    return rows


def _best_rows(result: SweepResult, top: int) -> tuple[list[Cell | str], list[list[Cell | str]]]:
    best = result.best(top)
    varying = result.varying or list(result.grid)
    spa = result.against.spa if result.against is not None else ()
    regimes = [c for c in (sweep_regime_column("sharpe", r) for r in ("QT", "QE"))
               if c in best.columns]
    heads: list[Cell | str] = [*varying, Cell("Sharpe", True), Cell("DSR vs cash", True),
                               *(Cell(c, True) for c in regimes),
                               Cell("Max drawdown", True),
                               *(Cell(f"beats {s.benchmark} (StepM)") for s in spa)]
    rows: list[list[Cell | str]] = []
    for i, r in zip(best.index, best.to_dict("records"), strict=True):
        rows.append([*(Cell(str(r[p])) for p in varying), Cell(_f(r["sharpe"]), True),
                     Cell(_f(r["dsr"]), True), *(Cell(_f(r[c]), True) for c in regimes),
                     Cell(fmt_num(r["max_drawdown"], 3), True),
                     *(Cell("yes" if i in s.superior else "no") for s in spa)])
    return heads, rows


def _heatmap(result: SweepResult) -> str:
    varying = result.varying
    if len(varying) < 2:
        return notice([f"A heatmap needs two varying parameters; this grid varies "
                       f"{len(varying)}."], "No heatmap")
    best = int(result.best(1).index[0])
    return figure_html(heatmap_figure(result.table, varying, best), "fig-heatmap")


def _settings(result: SweepResult) -> dict[str, Any]:
    t = result.against
    return {"strategy": result.strategy,
            "range": f"{result.sessions[0]:%Y-%m-%d} to {result.sessions[-1]:%Y-%m-%d}",
            "configurations": len(result.params),
            "grid": {k: list(v) for k, v in result.grid.items()},
            "CSCV blocks": result.pbo.n_splits,
            "benchmarks": list(t.benchmark_sharpe) if t is not None else [],
            "engine": result.engine.to_dict()}


def sweep_html(result: SweepResult, top: int = 10) -> str:
    """The sweep's page: tests in plain words, heatmap, configurations, PBO, best table."""
    heads, rows = _best_rows(result, top)
    tests = result.against
    said = verdict(tests) if tests is not None else \
        "No benchmark in this run: only the tests against cash and between configurations."
    best_name = format_params(result.params[int(result.best(1).index[0])], result.varying)
    body = "\n".join([
        section("tests", "Does the best configuration beat the benchmark?",
                f"<p><strong>{Cell(said).render('span')}</strong></p>"
                + table(["test", "against", Cell("value", True), "what it tests"],
                        _tests_rows(result)),
                f"Best configuration by Sharpe ratio: {best_name}. Risk-matched: each "
                "configuration is scaled to the benchmark's volatility, so beating it means a "
                "higher Sharpe ratio, not more risk."),
        section("heatmap", "Sharpe ratio over two parameters", _heatmap(result),
                "The other parameters held at the best configuration's values; the menu "
                "chooses the pair."),
        section("configurations", "Every configuration",
                figure_html(sweep_figure(result.table, result.varying or list(result.grid)),
                            "fig-configurations")),
        section("pbo", "Probability of backtest overfitting",
                figure_html(pbo_figure(result.pbo.logits, result.pbo.pbo), "fig-pbo"),
                f"CSCV over {result.pbo.n_splits} blocks, {result.pbo.n_combinations:,} "
                "splits: the logit of the in-sample best's out-of-sample rank. Left of the "
                "dashed line it ranked at or below the median."),
        section("best", f"The best {len(rows)} configurations", table(heads, rows)),
        section("settings", "Settings", notice(list(result.notes), "Notes")
                + kv_table(_settings(result))),
    ])
    nav = [("tests", "Tests"), ("heatmap", "Heatmap"), ("configurations", "Configurations"),
           ("pbo", "PBO"), ("best", "Best"), ("settings", "Settings")]
    return page(f"{result.strategy} sweep", _subtitle(result), nav, body, _FOOTER)


def _subtitle(result: SweepResult) -> str:
    n = len(result.params)
    return (f"{n:,} configurations, {result.sessions[0]:%Y-%m-%d} to "
            f"{result.sessions[-1]:%Y-%m-%d}, rebalance {result.engine.rebalance}, costs "
            f"{result.engine.costs_bps:g} bps")


def _frame_table(frame: pd.DataFrame, cols: Sequence[str]) -> str:
    if frame.empty:
        return notice(["none in this range"], "No rows")
    shown = [c for c in cols if c in frame.columns]
    rows: list[list[Cell | str]] = []
    for r in frame[shown].to_dict("records"):
        cells: list[Cell | str] = []
        for c in shown:
            v = r[c]
            if isinstance(v, pd.Timestamp):
                cells.append(Cell(f"{v:%Y-%m-%d}"))
            elif isinstance(v, float):
                cells.append(Cell(_f(v), True))
            else:
                cells.append(Cell(str(v)))
        rows.append(cells)
    return table(shown, rows)


def walkforward_html(result: SweepResult, wf: WalkForwardResult) -> str:
    """The walk-forward page: IS vs OOS per window, the scatter, and the tables."""
    body = "\n".join([
        section("summary", "In sample vs out of sample", _frame_table(wf.schemes, SCHEME_COLUMNS),
                "Chosen by the best in-sample Sharpe ratio (ties within 1e-9 relative: the "
                "first in grid order, 'tied' counts them); out-of-sample percentile among "
                f"the {len(result.params):,} configurations, ties counting half. "
                f"PBO of the sweep: {result.pbo.pbo:.3f}."),
        section("windows-chart", "Per window",
                figure_html(windows_figure(wf.windows), "fig-windows")),
        section("scatter", "In-sample against out-of-sample Sharpe",
                figure_html(walkforward_figure(wf.windows, wf.episodes), "fig-scatter")),
        section("windows", "Rolling and expanding windows",
                _frame_table(wf.windows, WINDOW_COLUMNS)),
        section("episodes", "Leave one episode out", _frame_table(wf.episodes, EPISODE_COLUMNS)),
    ])
    nav = [("summary", "Summary"), ("windows-chart", "Per window"), ("scatter", "Scatter"),
           ("windows", "Windows"), ("episodes", "Episodes")]
    return page(f"{result.strategy} walk-forward", _subtitle(result), nav, body, _FOOTER)
