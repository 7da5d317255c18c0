"""The desk report: ``now.json`` and an offline ``now.html`` in ``OUT/now_<as_of>/``.

The page leads with a one-screen summary (regimes, targets, headline net
liquidity and funding, stale inputs, what changed since an earlier report),
then net liquidity with its components over the last two years, funding
spreads, the regime timeline and every input. It embeds plotly.js once (no
network). The folder is written into a temporary sibling and renamed into
place with the run-folder helpers of :mod:`backtest.runner.rundir`, so it
appears whole or not at all, and an existing report is never overwritten.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from backtest.exceptions import DataFormatError, ParameterError, WriteError
from backtest.present.diff import check_now_dict
from backtest.present.result import NowResult
from backtest.present.text import is_numeric, sections
from backtest.report.html import Cell, esc, figure_html, notice, page, section, table
from backtest.report.now_charts import funding_figure, liquidity_figure, regimes_timeline
from backtest.runner.rundir import check_run_target, publish_run_dir, reserve_run_dir

__all__ = ["NOW_HTML", "NOW_JSON", "load_now_json", "render_now_html", "write_now"]

NOW_JSON = "now.json"
NOW_HTML = "now.html"


def _html_table(sec: tuple[str, Sequence[str], Sequence[Sequence[str]]]) -> str:
    _, headers, rows = sec
    body = [[Cell(c, num=i > 0 and is_numeric(c)) for i, c in enumerate(r)] for r in rows]
    return table(list(headers), body)


def _headline(d: Mapping[str, Any]) -> str:
    nl, f = d["net_liquidity"], d["funding"]
    lv, c4, c13 = nl["level"], nl["change_4w"], nl["change_13w"]
    def bn(v: float | None, sign: str = "") -> str:
        return "n/a" if v is None else f"{v / 1000:{sign},.1f}"

    items = {
        "net liquidity (USD bn)": f"{bn(lv['netliq'])} (4w {bn(c4['netliq'], '+')}, "
                                  f"13w {bn(c13['netliq'], '+')})",
        "SOFR - IORB (bp)": f"{f['sofr_iorb_bp']['value']}",
        "EFFR - IORB (bp)": f"{f['effr_iorb_bp']['value']}",
        "reserves / GDP (%)": f"{f['reserves_gdp_pct']['value']}",
    }
    return table(["headline", "value"], [[Cell(k), Cell(v, num=True)] for k, v in items.items()])


def _summary(d: Mapping[str, Any], changes: Sequence[str] | None) -> str:
    secs = sections(d)
    stale = [f"{k}: last observation {v['last_observation']}, known {v['known']} "
             f"({v['sessions_stale']} sessions before as_of); its last value is used"
             for k, v in d["inputs"].items() if v["stale"]]
    body = notice(list(changes or []), "What changed") + notice(stale, "Stale inputs")
    body += f"<h3>{esc(secs[0][0])}</h3>" + _html_table(secs[0]) + _headline(d)
    body += f"<h3>{esc(secs[3][0])}</h3>" + _html_table(secs[3])
    return section("summary", "Summary", body,
                   f"As of the close of {d['as_of']}; decisions trade on {d['next_session']}.")


def render_now_html(result: NowResult, changes: Sequence[str] | None = None) -> str:
    """The desk report page of ``result`` (``changes``: lines from ``changes_since``)."""
    d = result.to_dict()
    secs = sections(d)
    body = _summary(d, changes)
    body += section("liquidity", "Net liquidity", _html_table(secs[1]) + figure_html(
        liquidity_figure(result.history), "fig-liquidity"),
        "Levels and changes in USD millions; change(net liquidity) = change(WALCL) - "
        "change(TGA) - change(ON RRP) exactly. Chart: last two years, USD bn.")
    body += section("funding", "Funding", _html_table(secs[2]) + figure_html(
        funding_figure(result.history), "fig-funding"),
        "Percentile: share of every observation known at as_of that is at or below today's.")
    body += section("regimes", "Regime timeline", figure_html(
        regimes_timeline(result.labels), "fig-regimes"))
    notes = notice(list(d["notes"]), "Notes")
    body += section("inputs", "Inputs", _html_table(secs[4]) + notes)
    nav = [("summary", "Summary"), ("liquidity", "Net liquidity"), ("funding", "Funding"),
           ("regimes", "Regimes"), ("inputs", "Inputs")]
    return page(f"qtbt now: {d['as_of']}", f"next trades execute {d['next_session']}", nav,
                body, "qtbt now desk report; point-in-time data, nothing known after the close "
                f"of {d['as_of']} was read.")


def load_now_json(path: str | Path) -> dict[str, Any]:
    """An earlier desk report's ``now.json``.

    ``path`` is the report folder (``OUT/now_<date>``), its ``now.json``, or
    the ``--out`` folder itself, whose latest ``now_<date>`` report is read.

    Raises
    ------
    ParameterError
        Nothing at ``path``.
    DataFormatError
        The file is not JSON or not a ``now.json``.
    """
    p = Path(path)
    target = p / NOW_JSON if p.is_dir() else p
    if p.is_dir() and not target.exists():
        dated = sorted(d for d in p.glob("now_*") if (d / NOW_JSON).is_file())
        target = dated[-1] / NOW_JSON if dated else target
    if not target.is_file():
        raise ParameterError(f"--since {str(path)!r}: no {NOW_JSON} there; pass a folder "
                             "written by `qtbt now --out` (OUT/now_<date>) or its now.json.")
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DataFormatError(f"--since {str(target)!r} is not valid JSON ({exc}).") from None
    return dict(check_now_dict(data, str(target)))


def write_now(result: NowResult, root: str | Path, changes: Sequence[str] | None = None
              ) -> Path:
    """Write ``root/now_<as_of>/`` with ``now.json`` and ``now.html``; return the folder.

    Raises
    ------
    ParameterError
        ``root`` is unusable or the folder already exists (never overwritten).
    WriteError
        A file could not be written; nothing is left behind.
    """
    name = f"now_{result.as_of:%Y-%m-%d}"
    if (Path(root) / name).exists():
        raise ParameterError(f"The desk report {Path(root) / name} already exists; reports are "
                             "never overwritten. Remove it or pass another --out.")
    check_run_target(root, name)
    final, tmp = reserve_run_dir(root, name)
    try:
        (tmp / NOW_JSON).write_text(result.to_json(), encoding="utf-8")
        (tmp / NOW_HTML).write_text(render_now_html(result, changes), encoding="utf-8")
        return publish_run_dir(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, WriteError):
            raise
        raise WriteError(f"Could not write the desk report {final}: {exc.strerror or exc}; "
                         "nothing was written. Free space or choose another --out.") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
