"""``report.html`` of one run: performance by regime next to benchmarks, with provenance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from backtest.metrics.fields import label
from backtest.report.factor_report import factor_section_html
from backtest.report.format import fmt_int, fmt_interval, fmt_num, fmt_pct
from backtest.report.html import (
    Cell,
    figure_html,
    json_block,
    kv_table,
    notice,
    page,
    section,
    table,
)
from backtest.report.netliq_chart import liquidity_section_html
from backtest.report.stats import ALL, EPISODE_METRICS, regime_warnings
from backtest.runner.layout import REPORT

if TYPE_CHECKING:  # the result imports this module to render itself
    from backtest.report.result import RunResult

__all__ = ["REPORT_FILE", "episode_table_html", "regime_table_html", "render_run_report"]

REPORT_FILE = REPORT



def _version(result: RunResult) -> str:
    return str(result.manifest.get("versions", {}).get("qtbt", "?"))


def _subtitle(r: RunResult) -> str:
    m = r.manifest
    rng = m.get("range", {})
    cfg = m.get("config", {})
    eng = m.get("engine", {})
    return (f"run {r.run_id} · {rng.get('start', '?')} to {rng.get('end', '?')} "
            f"({rng.get('sessions', len(r.returns))} sessions) · regimes: "
            f"{cfg.get('classifier', '?')} classifier, {cfg.get('anchor', '?')} dates · "
            f"rebalance {eng.get('rebalance', '?')}, execution {eng.get('execution', '?')}, "
            f"costs {eng.get('costs_bps', '?')} bps · cash yield {cfg.get('cash_yield', '?')}")


def _notices(r: RunResult) -> list[str]:
    items = [f"Sharpe ratios are of {r.sharpe_basis}."] if r.cash_rate is None else []
    items += regime_warnings(r.regime_table)
    items += [f"Run note: {n}" for n in r.manifest.get("notes", [])]
    git = r.manifest.get("git", {})
    if git.get("dirty"):
        items.append(f"The code had uncommitted changes (git {git.get('commit')}); this run may "
                     "not be reproducible from the commit alone.")
    return items


def _ci(row: Mapping[Any, Any], key: str, fmt: Any) -> str:
    return fmt_interval(row[f"{key}_lo"], row[f"{key}_hi"], fmt)


def _overall(r: RunResult) -> str:
    t = r.regime_table[r.regime_table["regime"] == ALL]
    blocks = {"strategy": r.metrics.get("overall", {}),
              **{b: v.get("overall", {}) for b, v in r.metrics.get("benchmarks", {}).items()}}
    recorded = r.cash_rate is None  # then show metrics.json's excess Sharpe beside ours
    heads = ["series", "Total return", "CAGR", "Ann. return", "Volatility", "Sharpe",
             *(["Sharpe vs cash (metrics.json)"] if recorded else []), "Sortino",
             "Max drawdown", "Hit rate", "Turnover / yr", "Costs / yr", "Trades"]
    rows = []
    for row in t.to_dict("records"):
        m = blocks.get(str(row["series"]), {})
        rows.append([
            Cell(str(row["series"])), Cell(fmt_pct(row["total_return"]), True),
            Cell(fmt_pct(m.get("cagr"), 2), True),
            Cell(fmt_pct(row["ann_return"], 2), True, note=_ci(row, "ann_return", fmt_pct)),
            Cell(fmt_pct(row["ann_vol"]), True),
            Cell(fmt_num(row["sharpe"]), True, note=_ci(row, "sharpe", fmt_num)),
            *([Cell(fmt_num(m.get("sharpe")), True)] if recorded else []),
            Cell(fmt_num(m.get("sortino")), True), Cell(fmt_pct(row["max_drawdown"]), True),
            Cell(fmt_pct(row["hit_rate"]), True), Cell(fmt_num(m.get("turnover")), True),
            Cell(fmt_pct(m.get("costs"), 3), True), Cell(fmt_int(m.get("trades")), True),
        ])
    return table([Cell(h, num=i > 0) for i, h in enumerate(heads)], rows)


def regime_table_html(r: RunResult) -> str:
    """Per-regime table: one block of rows per regime, intervals beside estimates."""
    t = r.regime_table
    benches = [b for b in r.benchmarks if b in set(t["series"])]  # those covering the run
    heads = ["regime", "series", "days", "episodes", "Ann. return", "Volatility", "Sharpe",
             "Max drawdown", "Hit rate", *(f"Excess vs {b}" for b in benches), "warning"]
    rows: list[list[Cell]] = []
    classes: list[str] = []
    last = None
    for row in t.to_dict("records"):
        cells = [Cell(str(row["regime"])), Cell(str(row["series"])),
                 Cell(fmt_int(row["days"]), True), Cell(fmt_int(row["episodes"]), True),
                 Cell(fmt_pct(row["ann_return"]), True, note=_ci(row, "ann_return", fmt_pct)),
                 Cell(fmt_pct(row["ann_vol"]), True),
                 Cell(fmt_num(row["sharpe"]), True, note=_ci(row, "sharpe", fmt_num)),
                 Cell(fmt_pct(row["max_drawdown"]), True), Cell(fmt_pct(row["hit_rate"]), True)]
        for b in benches:
            same = row["series"] == b
            cells.append(Cell("" if same else fmt_pct(row[f"excess_{b}"]), True,
                              note="" if same else _ci(row, f"excess_{b}", fmt_pct)))
        cells.append(Cell(str(row["warning"])))
        rows.append(cells)
        cls = "first" if row["regime"] != last else ""
        classes.append(" ".join(c for c in (cls, "warn" if row["warning"] else "") if c))
        last = row["regime"]
    return table([Cell(h, num=2 <= i < len(heads) - 1) for i, h in enumerate(heads)], rows,
                 classes)


def episode_table_html(r: RunResult) -> str:
    """Episodes table: one row per episode, each metric with one column per series."""
    t = r.episode_table
    series = list(dict.fromkeys(str(s) for s in t["series"]))
    groups = [Cell("episode", colspan=5)]
    groups += [Cell(label(m), colspan=len(series)) for m in EPISODE_METRICS]
    heads: list[Cell | str] = ["#", "regime", "start", "end", Cell("days", True)]
    heads += [Cell(s, True) for _ in EPISODE_METRICS for s in series]
    rows = []
    for k, ep in t.groupby("episode", sort=True):
        first = ep.iloc[0]
        by = ep.set_index("series")
        cells = [Cell(str(k)), Cell(str(first["regime"])), Cell(f"{first['start']:%Y-%m-%d}"),
                 Cell(f"{first['end']:%Y-%m-%d}"), Cell(fmt_int(first["days"]), True)]
        for m in EPISODE_METRICS:
            f = fmt_num if m == "sharpe" else fmt_pct
            cells += [Cell(f(by.loc[s, m]), True) for s in series]
        rows.append(cells)
    return table(heads, rows, groups=groups)


def _provenance(r: RunResult) -> str:
    m = r.manifest
    data = m.get("data", {})
    data_rows = [[Cell(str(sid)), Cell(str(d.get("source", ""))), Cell(str(d.get("sha256", ""))),
                  Cell(str(d.get("origin", "")), cls="wrap")]
                 for sid, d in sorted(data.items())]
    versions = m.get("versions", {})
    run_items: dict[str, Any] = {
        "run_id": m.get("run_id"), "strategy": m.get("strategy"),
        "config_sha256": m.get("config_sha256"), "metrics_sha256": m.get("metrics_sha256"),
        "command": " ".join(str(c) for c in m.get("command", [])),
        "git": m.get("git"), "started_at": m.get("started_at"),
        "finished_at": m.get("finished_at"), "range": m.get("range"),
    }
    return (
        "<h3>Run</h3>" + kv_table(run_items)
        + "<h3>Strategy parameters (defaults filled in)</h3>" + json_block(m.get("parameters"))
        + "<h3>Configuration</h3>" + json_block(m.get("config"))
        + "<h3>Engine</h3>" + json_block(m.get("engine"))
        + "<h3>Data (sha256 of every series read)</h3>"
        + table(["series", "source", "sha256", "origin"], data_rows)
        + "<h3>Versions</h3>" + kv_table(versions)
    )


def render_run_report(result: RunResult) -> str:
    """The complete ``report.html`` of a run, as text (same inputs, same bytes)."""
    r = result
    level = r.bootstrap.level
    body = [
        notice(_notices(r)),
        section("overall", "Overall, against benchmarks", _overall(r),
                f"Ann. return is the arithmetic mean daily return x 252; intervals are "
                f"{level:.0%} {r.bootstrap.describe()}. Sharpe: {r.sharpe_basis}. CAGR, "
                "Sortino, turnover, costs and trades as recorded in metrics.json."),
        section("performance", "Equity, drawdowns and rolling Sharpe",
                figure_html(r.plot("performance"), "fig-performance"),
                "Regimes shaded in the background; drag to zoom, double-click to reset."),
        section("regimes", "Performance by regime",
                figure_html(r.plot("regimes"), "fig-regimes") + regime_table_html(r),
                "A regime's days are concatenated (gaps between its episodes removed). Excess "
                "is the annualised mean daily return difference, bootstrapped jointly with "
                "the benchmark. Rows in yellow rest on fewer than three episodes or half a "
                "year of sessions: read them as anecdotes."),
        section("factors", "Factor exposures", factor_section_html(r.metrics)),
        section("liquidity", "Net liquidity under QT, by component",
                liquidity_section_html(r.metrics),
                "How much of the Fed's balance-sheet runoff reached net liquidity in each QT "
                "episode of the run, and how much the Treasury General Account and the reverse "
                "repo offset."),
        section("episodes", "Episodes", episode_table_html(r),
                "One row per contiguous regime episode; returns compound over the episode."),
        section("weights", "Weights over time", figure_html(r.plot("targets"), "fig-weights"),
                "Target weights decided at each close (they trade at the next session)."),
        section("manifest", "Manifest: parameters, data checksums, versions", _provenance(r)),
    ]
    nav = [("overall", "Overall"), ("performance", "Equity"), ("regimes", "By regime"),
           ("factors", "Factors"), ("liquidity", "Liquidity"), ("episodes", "Episodes"),
           ("weights", "Weights"), ("manifest", "Manifest")]
    footer = (f"Rendered by qtbt {_version(r)} from the saved results of run {r.run_id} "
              f"(re-render with `qtbt report RUN_DIR`). Intervals: {r.bootstrap.describe()}.")
    return page(f"qtbt · {r.strategy}", _subtitle(r), nav, "\n".join(body), footer)
