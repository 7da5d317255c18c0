"""Factor exposures of a run: the table, the bar chart and the factor premia.

Everything is read from the ``factors`` block of ``metrics.json`` (see
:func:`backtest.metrics.factors.factor_attribution`); runs written before
the block existed, or without factor data, say so instead of a table.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from backtest.report.format import (
    DASH,
    fmt_int,
    fmt_interval,
    fmt_num,
    fmt_pct,
    markdown_table,
)
from backtest.report.html import Cell, figure_html, missing_block, notice, table
from backtest.report.stats import regime_order

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = ["OVERALL", "factor_blocks", "factor_compare_html", "factor_compare_markdown",
           "factor_exposure_figure", "factor_frame", "factor_premia_html",
           "factor_section_html", "factor_table_html"]

#: row name of the whole-range regression
OVERALL = "overall"
_INTRO = ("Daily excess returns (strategy minus the factor file's risk-free rate) regressed by "
          "OLS on the Fama-French factors, overall and within each regime (its episodes "
          "pooled), with Newey-West (HAC) standard errors. Alpha is the intercept x 252; "
          "intervals are 95% from the HAC errors; t-statistics in the beta cells' notes. "
          "Factor premia are each factor's own annualised return in the same sessions: the "
          "factor view of a claim (for value over growth, HML under QT).")


def factor_blocks(block: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """``(row name, regression)`` pairs: overall first, then regimes in canonical order."""
    by = block.get("by_regime", {})
    return [(OVERALL, block["overall"]), *((r, by[r]) for r in regime_order(list(by)))]


def factor_table_html(block: Mapping[str, Any]) -> str:
    """Alpha, betas (with t-statistic and interval), R² and sessions per row."""
    names = [str(f) for f in block["factors"]]
    heads = [Cell("regression"), Cell("days", True), Cell("Alpha / yr", True),
             Cell("alpha t", True), *(Cell(f"β {f}", True) for f in names), Cell("R²", True),
             Cell("HAC lags", True)]
    rows = []
    for name, fit in factor_blocks(block):
        lo, hi = fit["alpha_ci95"]
        cells = [Cell(name), Cell(fmt_int(fit["days"]), True),
                 Cell(fmt_pct(fit["alpha_ann"], 2), True, note=fmt_interval(lo, hi, fmt_pct)),
                 Cell(fmt_num(fit["alpha_t"]), True)]
        for f in names:
            blo, bhi = fit["beta_ci95"][f]
            cells.append(Cell(fmt_num(fit["beta"][f]), True,
                              note=f"t {fmt_num(fit['beta_t'][f], 1)} "
                                   f"{fmt_interval(blo, bhi, fmt_num)}"))
        cells += [Cell(fmt_num(fit["r2"]), True), Cell(fmt_int(fit["hac_lags"]), True)]
        rows.append(cells)
    return table(heads, rows)


def factor_premia_html(block: Mapping[str, Any]) -> str:
    """Each factor's annualised return per regime with its 95% HAC interval."""
    premia = block.get("premia", {})
    names = [str(f) for f in block["factors"]]
    order = [OVERALL, *regime_order([r for r in premia if r != OVERALL])]
    rows = [[Cell(r), *(Cell(fmt_pct(premia[r][f][0]), True,
                             note=fmt_interval(premia[r][f][1], premia[r][f][2], fmt_pct))
                        for f in names)]
            for r in order if r in premia]
    return table([Cell("sessions"), *(Cell(f, True) for f in names)], rows)


def factor_exposure_figure(block: Mapping[str, Any]) -> Figure:
    """Grouped bars: each factor's beta per regime (and overall), 95% HAC intervals."""
    import plotly.graph_objects as go

    from backtest.report.charts import _LAYOUT, series_color

    fits = factor_blocks(block)
    ticks = [f"{html.escape(n)}<br>{int(f['days'])}d" for n, f in fits]
    fig = go.Figure()
    for pos, factor in enumerate(str(f) for f in block["factors"]):
        beta = np.array([f["beta"][factor] for _, f in fits], dtype="float64")
        lo = np.array([f["beta_ci95"][factor][0] for _, f in fits], dtype="float64")
        hi = np.array([f["beta_ci95"][factor][1] for _, f in fits], dtype="float64")
        fig.add_bar(x=ticks, y=np.round(beta, 8), name=html.escape(factor),
                    marker_color=series_color(factor, pos + 3),
                    error_y={"type": "data", "symmetric": False,
                             "array": np.round(hi - beta, 8),
                             "arrayminus": np.round(beta - lo, 8), "thickness": 1.2,
                             "width": 4},
                    hovertemplate="%{y:.2f}")
    fig.update_layout(**{**_LAYOUT, "hovermode": "closest"}, barmode="group", height=420,
                      title="Factor exposures (betas) overall and per regime, 95% HAC interval")
    return fig


def factor_section_html(metrics: Mapping[str, Any]) -> str:
    """The report section's body: chart, tables, or why there are none."""
    why = missing_block(metrics, "factors", "factor attribution")
    if why is not None:
        return why
    block = metrics["factors"]
    skipped = block.get("skipped", {})
    note = ([f"Too few sessions to regress ({', '.join(f'{k}: {v}' for k, v in skipped.items())}"
             f"); those regimes are left out."] if skipped else [])
    return ((notice(note) if note else "")
            + f"<p>{html.escape(_INTRO)} Sessions regressed: {html.escape(str(block['start']))} "
            f"to {html.escape(str(block['end']))} ({html.escape(str(block['model']))}).</p>"
            + figure_html(factor_exposure_figure(block), "fig-factors")
            + factor_table_html(block)
            + "<h3>Factor premia (the factors' own returns)</h3>" + factor_premia_html(block))


def factor_frame(metrics: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Factor rows of several runs: index (``regression``, ``run``), numbers in columns.

    ``metrics`` maps a run name to its ``metrics.json``; runs without a
    usable factor block have no rows. Columns: ``model``, ``days``,
    ``alpha_ann`` with ``alpha_lo`` / ``alpha_hi``, ``alpha_t``, ``r2`` and,
    per factor F, ``beta_F``, ``beta_F_lo``, ``beta_F_hi``, ``t_F``.
    Regressions in canonical order (overall first), runs in the order given.
    """
    rows = []
    for run, m in metrics.items():
        block = m.get("factors") or {}
        if "overall" not in block:
            continue
        for name, fit in factor_blocks(block):
            row: dict[str, Any] = {"regression": name, "run": run, "model": block["model"],
                                   "days": fit["days"], "alpha_ann": fit["alpha_ann"],
                                   "alpha_lo": fit["alpha_ci95"][0],
                                   "alpha_hi": fit["alpha_ci95"][1],
                                   "alpha_t": fit["alpha_t"], "r2": fit["r2"]}
            for f in block["factors"]:
                row |= {f"beta_{f}": fit["beta"][f], f"beta_{f}_lo": fit["beta_ci95"][f][0],
                        f"beta_{f}_hi": fit["beta_ci95"][f][1], f"t_{f}": fit["beta_t"][f]}
            rows.append(row)
    if not rows:
        return pd.DataFrame(columns=["regression", "run"]).set_index(["regression", "run"])
    out = pd.DataFrame(rows)
    order = {r: i for i, r in enumerate([OVERALL, *regime_order(
        [x for x in out["regression"] if x != OVERALL])])}
    runs = {n: i for i, n in enumerate(metrics)}
    out = out.iloc[sorted(range(len(out)), key=lambda i: (order[out["regression"].iloc[i]],
                                                           runs[out["run"].iloc[i]]))]
    return out.set_index(["regression", "run"])


def _factor_names(frame: pd.DataFrame) -> list[str]:
    return [c[5:] for c in frame.columns
            if c.startswith("beta_") and not c.endswith(("_lo", "_hi"))]


def _compare_cells(r: Mapping[Any, Any], names: list[str]) -> list[tuple[str, str]]:
    """(value, interval) per column: days, alpha, each beta, R²."""
    cells = [(fmt_int(r["days"]), ""),
             (fmt_pct(r["alpha_ann"], 2), fmt_interval(r["alpha_lo"], r["alpha_hi"], fmt_pct))]
    cells += [(fmt_num(r[f"beta_{f}"]),
               fmt_interval(r[f"beta_{f}_lo"], r[f"beta_{f}_hi"], fmt_num)) for f in names]
    return [*cells, (fmt_num(r["r2"]), "")]


def _compare_heads(names: list[str]) -> list[str]:
    return ["regression", "run", "days", "Alpha / yr", *(f"β {f}" for f in names), "R²"]


def factor_compare_markdown(frame: pd.DataFrame) -> str:
    """The factor rows of a comparison as a markdown table (empty text without rows)."""
    if frame.empty:
        return ""
    names = _factor_names(frame)
    rows = [[str(reg), str(run), *(v if ci in ("", DASH) else f"{v} {ci}"
                                   for v, ci in _compare_cells(r, names))]
            for (reg, run), r in zip(frame.index, frame.to_dict("records"), strict=True)]
    heads = _compare_heads(names)
    return markdown_table(heads, rows, [i >= 2 for i in range(len(heads))])


def factor_compare_html(frame: pd.DataFrame) -> str:
    """The factor rows of a comparison as an HTML table, or a line saying there are none."""
    if frame.empty:
        return "<p>No run here carries a factor attribution (runs written before it existed).</p>"
    names = _factor_names(frame)
    rows = [[Cell(str(reg)), Cell(str(run)),
             *(Cell(v, True, note="" if ci == DASH else ci) for v, ci in _compare_cells(r, names))]
            for (reg, run), r in zip(frame.index, frame.to_dict("records"), strict=True)]
    heads = _compare_heads(names)
    return table([Cell(h, num=i >= 2) for i, h in enumerate(heads)], rows)
