"""Number formatting and plain-text tables (markdown, aligned text) for reports.

Missing values (None, NaN, inf) print as an em dash. Functions return plain
``str``; HTML escaping happens in :mod:`backtest.report.html`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

__all__ = [
    "DASH",
    "Formatter",
    "fmt_bp",
    "fmt_int",
    "fmt_interval",
    "fmt_num",
    "fmt_pct",
    "markdown_table",
    "text_table",
]

DASH = "—"
Formatter = Callable[[Any], str]


def _finite(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def fmt_pct(x: Any, digits: int = 1) -> str:
    """``0.1234`` -> ``12.3%``."""
    v = _finite(x)
    return DASH if v is None else f"{v * 100:.{digits}f}%"


def fmt_num(x: Any, digits: int = 2) -> str:
    """Fixed decimals (``0.5626`` -> ``0.56``)."""
    v = _finite(x)
    return DASH if v is None else f"{v:,.{digits}f}"


def fmt_bp(x: Any, digits: int = 0) -> str:
    """A value already in basis points (``12.4`` -> ``12 bp``)."""
    v = _finite(x)
    return DASH if v is None else f"{v:,.{digits}f} bp"


def fmt_int(x: Any) -> str:
    """Whole number with thousands separators."""
    v = _finite(x)
    return DASH if v is None else f"{round(v):,d}"


def fmt_interval(lo: Any, hi: Any, fmt: Formatter) -> str:
    """``[lo, hi]`` with both bounds formatted by ``fmt``; a dash when undefined."""
    if _finite(lo) is None or _finite(hi) is None:
        return DASH
    return f"[{fmt(lo)}, {fmt(hi)}]"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]],
                   align_right: Sequence[bool] | None = None) -> str:
    """A GitHub-flavoured markdown table (``|`` in cells escaped)."""
    def cell(s: str) -> str:
        return str(s).replace("|", "\\|").replace("\n", " ")

    right = list(align_right) if align_right is not None else [False] * len(headers)
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |",
             "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]],
               align_right: Sequence[bool] | None = None) -> str:
    """Columns padded to a common width, for the terminal."""
    right = list(align_right) if align_right is not None else [False] * len(headers)
    widths = [max([len(str(h)), *(len(str(r[i])) for r in rows)]) for i, h in
              enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).rjust(w) if r else str(c).ljust(w)
                         for c, w, r in zip(cells, widths, right, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])
