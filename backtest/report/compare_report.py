"""The comparison of runs as markdown (what ``qtbt compare`` prints) and as an HTML page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from backtest.metrics.fields import COMPARE_KEYS, FIELDS
from backtest.report.factor_report import factor_compare_html, factor_compare_markdown
from backtest.report.format import (
    DASH,
    Formatter,
    fmt_int,
    fmt_interval,
    fmt_num,
    fmt_pct,
    markdown_table,
)
from backtest.report.html import Cell, figure_html, notice, page, section, table

if TYPE_CHECKING:  # the comparison imports this module to render itself
    from backtest.report.compare import Comparison

__all__ = ["OVERALL_METRICS", "comparison_html", "comparison_markdown"]

_FORMATS = {"fraction": fmt_pct, "ratio": fmt_num, "count": fmt_int}

#: headline metrics of a comparison: key, label, formatter
OVERALL_METRICS = tuple((k, FIELDS[k].label, _FORMATS[FIELDS[k].kind]) for k in COMPARE_KEYS)


def _overall_html(c: Comparison) -> str:
    ov = c.overall()
    rows = []
    for key, label, fmt in OVERALL_METRICS:
        cells = [Cell(label)]
        for n in c.names:
            note = ""
            if key in ("ann_return", "sharpe"):
                note = fmt_interval(ov.at[f"{key}_lo", n], ov.at[f"{key}_hi", n], fmt)
            cells.append(Cell(fmt(ov.at[key, n]), True, note="" if note == DASH else note))
        rows.append(cells)
    return table(["metric", *(Cell(n, True) for n in c.names)], rows)


def _regime_html(c: Comparison) -> str:
    br = c.by_regime()
    heads: list[Cell | str] = ["regime", "run", Cell("days", True), Cell("episodes", True),
                               Cell("Ann. return", True), Cell("Volatility", True),
                               Cell("Sharpe", True), Cell("Max drawdown", True),
                               Cell("Hit rate", True), "warning"]
    rows, classes = [], []
    last = None
    for (reg, run), r in zip(br.index, br.to_dict("records"), strict=True):
        rows.append([
            Cell(str(reg)), Cell(str(run)), Cell(fmt_int(r["days"]), True),
            Cell(fmt_int(r["episodes"]), True),
            Cell(fmt_pct(r["ann_return"]), True,
                 note=fmt_interval(r["ann_return_lo"], r["ann_return_hi"], fmt_pct)),
            Cell(fmt_pct(r["ann_vol"]), True),
            Cell(fmt_num(r["sharpe"]), True,
                 note=fmt_interval(r["sharpe_lo"], r["sharpe_hi"], fmt_num)),
            Cell(fmt_pct(r["max_drawdown"]), True), Cell(fmt_pct(r["hit_rate"]), True),
            Cell(str(r["warning"]))])
        classes.append("first" if reg != last else "")
        last = reg
    return table(heads, rows, classes)


def _diff_html(frame: pd.DataFrame, names: list[str], key_title: str) -> str:
    ordered = pd.concat([frame[frame["differs"]], frame[~frame["differs"]]])
    rows = [[Cell(str(r["key"])), *(Cell(str(r[n]), cls="wrap") for n in names)]
            for r in ordered.to_dict("records")]
    classes = ["diff" if bool(d) else "" for d in ordered["differs"]]
    return table([key_title, *names], rows, classes)


def comparison_html(c: Comparison) -> str:
    """Overall and per-regime tables, equity overlay, highlighted parameter and data diffs."""
    n_par = int(c.parameters["differs"].sum())
    n_dat = int(c.data["differs"].sum())
    body = [
        notice([w[0].upper() + w[1:] for w in c.warnings], "Warning"),
        notice([i[0].upper() + i[1:] for i in c.info], "Information"),
        section("overall", "Overall (strategy)", _overall_html(c),
                f"Intervals: {c.runs[0].bootstrap.describe()}."),
        section("equity", "Equity", figure_html(c.plot(), "fig-equity"),
                "Growth of 1 of each run's strategy; the first run's buy-and-hold dotted."),
        section("regimes", "By regime (strategy)",
                figure_html(c.regime_bars(), "fig-regimes") + _regime_html(c)),
        section("factors", "Factor exposures (strategy; 95% HAC intervals)",
                factor_compare_html(c.factors())),
        section("parameters", f"Parameters ({n_par} differ, highlighted)",
                _diff_html(c.parameters, c.names, "parameter")),
        section("data", f"Data checksums ({n_dat} differ or are missing, highlighted)",
                _diff_html(c.data, c.names, "series (sha256)")),
        section("versions", "Versions", _diff_html(c.versions, c.names, "package")),
    ]
    nav = [("overall", "Overall"), ("equity", "Equity"), ("regimes", "By regime"),
           ("factors", "Factors"), ("parameters", "Parameters"), ("data", "Data"),
           ("versions", "Versions")]
    version = c.runs[0].manifest.get("versions", {}).get("qtbt", "?")
    return page(f"qtbt · compare {len(c.runs)} runs", " · ".join(c.names), nav,
                "\n".join(body), f"Rendered by qtbt {version} from the saved results.")


def _ci_text(value: Any, lo: Any, hi: Any, fmt: Formatter) -> str:
    ci = fmt_interval(lo, hi, fmt)
    return fmt(value) if ci == DASH else f"{fmt(value)} {ci}"


def comparison_markdown(c: Comparison) -> str:
    """Markdown for the terminal (see :meth:`Comparison.to_markdown`)."""
    ov = c.overall()
    level = c.runs[0].bootstrap.level
    lines = [f"## Overall (strategy; intervals {level:.0%})", ""]
    rows = []
    for key, label, fmt in OVERALL_METRICS:
        cells = []
        for n in c.names:
            if key in ("ann_return", "sharpe"):
                cells.append(_ci_text(ov.at[key, n], ov.at[f"{key}_lo", n],
                                      ov.at[f"{key}_hi", n], fmt))
            else:
                cells.append(fmt(ov.at[key, n]))
        rows.append([label, *cells])
    right = [False, *([True] * len(c.names))]
    lines += [markdown_table(["metric", *c.names], rows, right), ""]
    br = c.by_regime()
    regimes = list(dict.fromkeys(br.index.get_level_values("regime")))
    for key, label, fmt in (("sharpe", "Sharpe", fmt_num),
                            ("ann_return", "Annualised return", fmt_pct)):
        rows = []
        for reg in regimes:
            cells = []
            for n in c.names:
                if (reg, n) not in br.index:
                    cells.append(DASH)
                    continue
                r = br.loc[(reg, n)]
                cells.append(_ci_text(r[key], r[f"{key}_lo"], r[f"{key}_hi"], fmt)
                             + f" ({int(r['days'])}d, {int(r['episodes'])} ep)")
            rows.append([reg, *cells])
        lines += [f"## {label} by regime", "", markdown_table(["regime", *c.names], rows, right),
                  ""]
    factors = factor_compare_markdown(c.factors())
    if factors:
        lines += ["## Factor exposures (strategy; 95% HAC intervals)", "", factors, ""]
    diff = c.parameters[c.parameters["differs"]]
    lines.append(f"## Parameters that differ ({len(diff)} of {len(c.parameters)})")
    lines.append("")
    if len(diff):
        lines += [markdown_table(["parameter", *c.names],
                                 [[k, *(str(v) for v in vals)] for k, *vals in
                                  diff[["key", *c.names]].itertuples(index=False, name=None)]),
                  ""]
    ddiff = c.data[c.data["differs"]]
    lines.append(f"## Data: {len(ddiff)} of {len(c.data)} series differ or are not in every run")
    lines.append("")
    lines += [f"Information: {i}" for i in c.info] + ([""] if c.info else [])
    if len(ddiff):
        short = [[k, *(str(v)[:12] for v in vals)] for k, *vals in
                 ddiff[["key", *c.names]].itertuples(index=False, name=None)]
        lines += [markdown_table(["series (sha256, first 12)", *c.names], short), ""]
    return "\n".join(lines)
