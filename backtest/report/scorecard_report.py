"""The scorecard as terminal table, markdown, CSV, JSON and a self-contained HTML report."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from backtest.claims import SCORED
from backtest.metrics import to_jsonable
from backtest.report.format import (
    DASH,
    Formatter,
    fmt_int,
    fmt_interval,
    markdown_table,
    text_table,
)
from backtest.report.html import Cell, figure_html, kv_table, page, section, table
from backtest.report.netliq_chart import (
    DECOMPOSITION_NOTE,
    decomposition_figure,
    decomposition_html,
    decomposition_markdown,
    decomposition_text,
)

if TYPE_CHECKING:  # the scorecard imports this module to render itself
    from backtest.report.scorecard import Scorecard

__all__ = ["UNITS", "scorecard_csv", "scorecard_html", "scorecard_json", "scorecard_markdown",
           "scorecard_text"]

#: display names of the statistics' units
UNITS = {"ann_return": "return, % a year", "bp_per_year": "change, bp a year",
         "bp": "spread, bp", "correlation": "correlation", "ann_growth": "growth, % a year",
         "points": "level, points", "usd_bn_per_year": "change, USD bn a year",
         "return_21d": "return over 21 sessions, %"}

_VERDICT_RULE = (
    "A test is supported when its interval excludes zero on the claimed side, contradicted "
    "when it excludes zero on the other side, inconclusive otherwise, and no data when no "
    "session of data falls in its window. A claim is the conjunction of its tests: supported "
    "when all are, contradicted when any is, no data when none has data, inconclusive "
    "otherwise. Context rows carry no verdict."
)


def _fmt(unit: str) -> Formatter:
    def pct(x: Any) -> str:
        return DASH if pd.isna(x) else f"{float(x) * 100:.1f}%"

    def num(digits: int) -> Formatter:
        return lambda x: DASH if pd.isna(x) else f"{float(x):.{digits}f}"

    return {"ann_return": pct, "ann_growth": pct, "return_21d": pct, "bp_per_year": num(0),
            "bp": num(1), "correlation": num(2), "points": num(1),
            "usd_bn_per_year": num(0)}.get(unit, num(3))


def _claimed(row: Mapping[Any, Any]) -> str:
    d = int(row["direction"])
    return "> 0" if d > 0 else "< 0" if d < 0 else ""


def _row_cells(row: Mapping[Any, Any]) -> list[str]:
    f = _fmt(str(row["unit"]))
    return [str(row["claim"]), str(row["test"]), str(row["window"]), _claimed(row),
            UNITS.get(str(row["unit"]), str(row["unit"])), f(row["value"]),
            fmt_interval(row["low"], row["high"], f), fmt_int(row["days"]),
            fmt_int(row["episodes"]), str(row["verdict"]) or DASH]


_ROW_HEADS = ["claim", "test", "window", "claimed", "unit", "value", "interval", "days",
              "episodes", "verdict"]
_ROW_RIGHT = [False, False, False, False, False, True, True, True, True, False]
_CLAIM_HEADS = ["claim", "verdict", "tests", "supported", "contradicted", "inconclusive",
                "no data", "episodes", "flag"]
_CLAIM_RIGHT = [False, False, True, True, True, True, True, True, False]


def _claim_cells(row: Mapping[Any, Any]) -> list[str]:
    return [str(row["claim"]), str(row["verdict"]), fmt_int(row["tests"]),
            fmt_int(row["supported"]), fmt_int(row["contradicted"]),
            fmt_int(row["inconclusive"]), fmt_int(row["no_data"]), fmt_int(row["episodes"]),
            str(row["flag"])]


def _header(sc: Scorecard) -> str:
    return (f"Playbook scorecard: {sc.classifier} classifier, data {sc.start} to {sc.end}; "
            f"{sc.bootstrap.describe()}.")


def scorecard_text(sc: Scorecard) -> str:
    """Claims and their test rows as aligned terminal tables."""
    claims = [_claim_cells(r) for r in sc.claims.to_dict("records")]
    tests = [_row_cells(r) for r in sc.tests().to_dict("records")]
    return "\n".join([_header(sc), "", text_table(_CLAIM_HEADS, claims, _CLAIM_RIGHT), "",
                      text_table(_ROW_HEADS, tests, _ROW_RIGHT), "", _VERDICT_RULE,
                      "Context rows (other regimes, lead/lag): --format csv, json or --out.",
                      "", decomposition_text(sc.decomposition)])


def scorecard_markdown(sc: Scorecard) -> str:
    """Claims and test rows as markdown tables."""
    claims = [_claim_cells(r) for r in sc.claims.to_dict("records")]
    tests = [_row_cells(r) for r in sc.tests().to_dict("records")]
    return "\n".join([f"**{_header(sc)}**", "", markdown_table(_CLAIM_HEADS, claims,
                                                                _CLAIM_RIGHT), "",
                      markdown_table(_ROW_HEADS, tests, _ROW_RIGHT), "", _VERDICT_RULE, "",
                      "**Net liquidity under QT, by component**", "",
                      decomposition_markdown(sc.decomposition), ""])


def scorecard_csv(sc: Scorecard) -> str:
    """Every row (tests and context), full precision, as CSV."""
    return str(sc.rows.to_csv(index=False, lineterminator="\n", float_format="%.10g"))


def scorecard_json(sc: Scorecard) -> str:
    """Claims, rows and settings as JSON (floats rounded to 12 digits, NaN as null)."""
    doc = {
        "classifier": sc.classifier, "start": sc.start, "end": sc.end,
        "bootstrap": {"block": sc.bootstrap.block, "reps": sc.bootstrap.reps,
                      "level": sc.bootstrap.level, "seed": sc.bootstrap.seed},
        "windows": {"after": sc.windows.after, "pre": sc.windows.pre,
                    "baseline": sc.windows.baseline},
        "claims": sc.claims.to_dict("records"), "rows": sc.rows.to_dict("records"),
        "data": sc.provenance, "versions": sc.versions,
        "decomposition": [{**r, "start": f"{r['start']:%Y-%m-%d}", "end": f"{r['end']:%Y-%m-%d}"}
                          for r in sc.decomposition.to_dict("records")],
    }
    return json.dumps(to_jsonable(doc), indent=2, sort_keys=True, allow_nan=False) + "\n"


def _verdict_cell(v: str) -> Cell:
    return Cell(v or DASH, cls=f"v-{v.replace(' ', '-')}" if v else "")


def _claims_html(sc: Scorecard) -> str:
    rows = []
    for r in sc.claims.to_dict("records"):
        rows.append([Cell(str(r["statement"]), cls="wrap"), _verdict_cell(str(r["verdict"])),
                     Cell(fmt_int(r["tests"]), True), Cell(fmt_int(r["supported"]), True),
                     Cell(fmt_int(r["contradicted"]), True),
                     Cell(fmt_int(r["inconclusive"]), True), Cell(fmt_int(r["no_data"]), True),
                     Cell(fmt_int(r["episodes"]), True),
                     Cell(fmt_int(r["days"]), True), Cell(str(r["flag"]))])
    heads: list[Cell | str] = ["claim", "verdict", Cell("tests", True), Cell("supported", True),
             Cell("contradicted", True), Cell("inconclusive", True), Cell("no data", True),
             Cell("episodes (fewest)", True), Cell("days (fewest)", True), "flag"]
    return table(heads, rows)


def _claim_rows_html(sc: Scorecard, claim: str) -> str:
    sub = sc.rows[sc.rows["claim"] == claim]
    rows, classes = [], []
    for r in sub.to_dict("records"):
        f = _fmt(str(r["unit"]))
        rows.append([Cell(str(r["test"])), Cell(str(r["window"])), Cell(str(r["role"])),
                     Cell(_claimed(r)), Cell(f(r["value"]), True,
                                             note=fmt_interval(r["low"], r["high"], f)),
                     Cell(UNITS.get(str(r["unit"]), str(r["unit"]))),
                     Cell(fmt_int(r["days"]), True), Cell(fmt_int(r["obs"]), True),
                     Cell(fmt_int(r["episodes"]), True), _verdict_cell(str(r["verdict"]))])
        classes.append("warn" if r["role"] == "test" else "")
    heads: list[Cell | str] = [
        "test", "window", "role", "claimed", Cell(f"value [{sc.bootstrap.level:.0%}]", True),
        "unit", Cell("days", True), Cell("obs", True), Cell("episodes", True), "verdict"]
    return table(heads, rows, classes)


def scorecard_html(sc: Scorecard) -> str:
    """The scorecard report: verdicts, forest plot, every row, settings and data checksums."""
    body = [section("claims", "Verdicts", _claims_html(sc), _VERDICT_RULE),
            section("forest", "Tests at a glance", figure_html(sc.plot(), "fig-scorecard"),
                    "Each test's statistic with its interval, coloured by verdict; zero is "
                    "marked."),
            section("decomposition", "Net liquidity under QT: what offset the balance sheet",
                    decomposition_html(sc.decomposition)
                    + figure_html(decomposition_figure(sc.decomposition), "fig-decomposition"),
                    DECOMPOSITION_NOTE)]
    for c in SCORED:
        body.append(section(f"claim-{c.id.replace('_', '-')}", c.statement,
                            _claim_rows_html(sc, c.id),
                            f"Measured as: {c.measure}. Rows shaded are the tests; the others "
                            "are context."))
    settings = {"classifier": sc.classifier, "data range": f"{sc.start} to {sc.end}",
                "intervals": sc.bootstrap.describe(),
                "windows": f"{sc.windows.after} sessions after each QT end (effective date); "
                           f"{sc.windows.pre} sessions before each QT-end announcement vs "
                           f"the {sc.windows.baseline} before those"}
    data_rows = [[Cell(k), Cell(v.get("source", "")), Cell(v.get("sha256", "")),
                  Cell(v.get("origin", ""), cls="wrap")] for k, v in sorted(sc.provenance.items())]
    body.append(section("provenance", "Settings, data checksums, versions",
                        kv_table(settings) + table(["series", "source", "sha256", "origin"],
                                                   data_rows) + kv_table(sc.versions)))
    nav = [("claims", "Verdicts"), ("forest", "Chart"), ("decomposition", "Net liquidity"),
           ("provenance", "Provenance")]
    return page("qtbt · playbook scorecard", _header(sc), nav, "\n".join(body),
                f"Rendered by qtbt {sc.versions.get('qtbt', '?')}; same data and settings give "
                "the same bytes.")
