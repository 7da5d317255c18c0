"""The facts of a :class:`~backtest.present.result.NowResult` as titled tables, text and markdown.

One list of sections (title, headers, rows of strings) drives the aligned
text the CLI prints, the markdown form and :meth:`NowResult.summary`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["Section", "is_numeric", "render_markdown", "render_table", "sections"]

Section = tuple[str, Sequence[str], Sequence[Sequence[str]]]


def _mn(v: float | None) -> str:
    return "n/a" if v is None else f"{v:,.0f}"


def _sig(v: float | None) -> str:
    """A signal value: whole numbers with separators when large, else 4 significant digits."""
    if v is None:
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def _num(v: float | None, digits: int = 2, suffix: str = "") -> str:
    return "n/a" if v is None else f"{v:,.{digits}f}{suffix}"


def _regimes(d: Mapping[str, Any]) -> Section:
    rows = [[c, r["label"], r["since"], f"{r['weeks']:.1f}", r["phase"]]
            for c, r in d["regimes"].items()]
    title = "Regime" + (" (classifiers DISAGREE)" if d["regimes_disagree"] else "")
    return title, ["classifier", "label", "since", "weeks", "phase"], rows


def _liquidity(d: Mapping[str, Any]) -> Section:
    nl = d["net_liquidity"]
    lv, c4, c13 = nl["level"], nl["change_4w"], nl["change_13w"]
    names = {"walcl": "WALCL (assets)", "tga": "- TGA (WTREGEN)", "rrp": "- ON RRP",
             "netliq": "= net liquidity"}
    rows = [[label, _mn(lv[k]), _mn(c4[k]), _mn(c13[k])] for k, label in names.items()]
    return (f"Net liquidity, USD millions (changes from {c4['from']} and {c13['from']})",
            ["", f"level {lv['date']}", "4-week change", "13-week change"], rows)


def _funding(d: Mapping[str, Any]) -> Section:
    f = d["funding"]
    names = {"sofr_iorb_bp": ("SOFR - IORB", 2, " bp"), "effr_iorb_bp": ("EFFR - IORB", 2, " bp"),
             "sofr_minus_top_bp": ("SOFR - top of target range", 2, " bp"),
             "reserves": ("reserves (WRESBAL), USD mn", 0, ""),
             "reserves_gdp_pct": ("reserves / GDP", 2, " %")}
    rows = [[label, _num(f[k]["value"], dg, suf), _num(f[k]["percentile"], 1),
             str(f[k]["history_from"])] for k, (label, dg, suf) in names.items()]
    return "Funding", ["measure", "value", "percentile", "history from"], rows


def _targets(d: Mapping[str, Any]) -> Section:
    rows = []
    for name, s in d["strategies"].items():
        parts = [f"{t} {w:.0%}" for t, w in s["weights"].items() if abs(w) > 1e-9]
        if abs(s["cash"]) > 1e-9:
            parts.append(f"cash {s['cash']:.0%}")
        when = s["evaluated_at"] + (" STALE" if s["stale"] else "")
        drove = f"{s['regime']}/{s['phase']}" if s["phase"] else s["regime"]
        signal = ", ".join(f"{k} {_sig(v)}" for k, v in s["signal"].items()) or "-"
        rows.append([name, ", ".join(parts), when, drove, signal,
                     s["changed"] or "before window"])
    return ("Targets decided at the close (traded next session)",
            ["strategy", "weights", "decided at", "regime/phase", "signal", "last change"], rows)


def _inputs(d: Mapping[str, Any]) -> Section:
    rows = [[k, v["frequency"], str(v["last_observation"]), str(v["known"]),
             str(v["sessions_stale"]), "STALE" if v["stale"] else "", v["role"]]
            for k, v in d["inputs"].items()]
    return ("Inputs (last observation known at the close of as_of)",
            ["input", "freq", "observed", "known", "sessions", "stale", "role"], rows)


def sections(d: Mapping[str, Any]) -> list[Section]:
    """Regime, net liquidity, funding, targets and inputs sections of a ``to_dict()``."""
    return [_regimes(d), _liquidity(d), _funding(d), _targets(d), _inputs(d)]


def _header(d: Mapping[str, Any]) -> list[str]:
    lines = [f"qtbt now: as of the close of {d['as_of']}; next trades execute "
             f"{d['next_session']}"]
    if d["stale"]:
        lines.append(f"stale inputs (last value used, see Inputs): {', '.join(d['stale'])}")
    return lines


def render_table(d: Mapping[str, Any]) -> str:
    """Aligned plain text: a header line, then each section."""
    out = _header(d)
    for title, headers, rows in sections(d):
        widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
        out += ["", title]
        for row in (headers, *rows):
            cells = [str(c).rjust(w) if i and is_numeric(str(c)) else str(c).ljust(w)
                     for i, (c, w) in enumerate(zip(row, widths, strict=True))]
            out.append("  " + "  ".join(cells).rstrip())
    if d["notes"]:
        out += ["", *[f"note: {n}" for n in d["notes"]]]
    return "\n".join(out).rstrip() + "\n"


def is_numeric(text: str) -> bool:
    """Whether a cell reads as a number (right-aligned)."""
    return bool(text) and (text[0].isdigit() or (text[0] in "-+" and text[1:2].isdigit()))


def render_markdown(d: Mapping[str, Any]) -> str:
    """GitHub markdown: a title, the header lines, one table per section."""
    head = _header(d)
    out = [f"# {head[0]}", *[f"> {h}" for h in head[1:]]]
    for title, headers, rows in sections(d):
        out += ["", f"## {title}", "", "| " + " | ".join(headers) + " |",
                "|" + "|".join("---" for _ in headers) + "|"]
        out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    if d["notes"]:
        out += ["", "## Notes", "", *[f"- {n}" for n in d["notes"]]]
    return "\n".join(out) + "\n"
