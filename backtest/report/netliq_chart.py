"""The net-liquidity decomposition as a table (text, markdown, HTML) and a chart.

Input: the frame of :func:`backtest.report.scorecard_netliq.decompose` (one
row per episode, USD billions): the change in Fed assets (WALCL), the TGA's
and the reverse repo's contributions, and the change in net liquidity that
they add up to.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from backtest.report.format import DASH, fmt_pct, markdown_table, text_table
from backtest.report.html import Cell, figure_html, missing_block, table

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = ["DECOMPOSITION_NOTE", "decomposition_figure", "decomposition_html",
           "decomposition_markdown", "decomposition_text", "liquidity_section_html"]

DECOMPOSITION_NOTE = (
    "Net liquidity = WALCL - TGA (WTREGEN) - ON RRP (RRPONTSYD), USD billions, from the close "
    "before each QT episode to its last session. Its change is the change in Fed assets plus "
    "the TGA's contribution (minus its change) plus the reverse repo's; 'offset' is the part "
    "of the fall in WALCL that the TGA and RRP made up.")
_HEADS = ["episode", "days", "WALCL", "TGA", "RRP", "net liquidity", "offset", "by TGA",
          "by RRP"]
_RIGHT = [False, True, True, True, True, True, True, True, True]
_PARTS = (("walcl_change", "Fed assets (WALCL)", "#1f4e9c"),
          ("tga_contribution", "TGA (minus its change)", "#e0a800"),
          ("rrp_contribution", "reverse repo (minus its change)", "#2e7d32"))


def _bn(x: Any) -> str:
    return DASH if pd.isna(x) else f"{float(x):+,.0f} bn"


def _label(r: Mapping[Any, Any]) -> str:
    return f"{pd.Timestamp(r['start']):%Y-%m-%d} to {pd.Timestamp(r['end']):%Y-%m-%d}"


def _cells(df: pd.DataFrame) -> list[list[str]]:
    return [[_label(r), str(int(r["days"])), _bn(r["walcl_change"]), _bn(r["tga_contribution"]),
             _bn(r["rrp_contribution"]), _bn(r["netliq_change"]), fmt_pct(r["offset_share"], 0),
             fmt_pct(r["tga_share"], 0), fmt_pct(r["rrp_share"], 0)] for r in df.to_dict("records")]


def decomposition_text(df: pd.DataFrame) -> str:
    """Aligned terminal table with its note."""
    return "\n".join(["Net liquidity under QT, by component:", "",
                      text_table(_HEADS, _cells(df), _RIGHT), "", DECOMPOSITION_NOTE])


def decomposition_markdown(df: pd.DataFrame) -> str:
    """Markdown table with its note."""
    return "\n".join([markdown_table(_HEADS, _cells(df), _RIGHT), "", DECOMPOSITION_NOTE])


def decomposition_html(df: pd.DataFrame) -> str:
    """HTML table (the chart is drawn by :func:`decomposition_figure`)."""
    rows = [[Cell(c, num=i > 0) for i, c in enumerate(r)] for r in _cells(df)]
    return table([Cell(h, num=r) for h, r in zip(_HEADS, _RIGHT, strict=True)], rows)


def decomposition_figure(df: pd.DataFrame) -> Figure:
    """Stacked bars per episode (WALCL, TGA, RRP) with net liquidity's change as a marker."""
    import plotly.graph_objects as go

    labels = [_label(r) for r in df.to_dict("records")]
    fig = go.Figure()
    for col, name, color in _PARTS:
        fig.add_bar(x=labels, y=np.round(df[col].to_numpy(dtype="float64"), 3).tolist(),
                    name=name, marker_color=color)
    fig.add_scatter(x=labels, y=np.round(df["netliq_change"].to_numpy(dtype="float64"),
                                         3).tolist(),
                    mode="markers", name="net liquidity change",
                    marker={"symbol": "diamond", "size": 14, "color": "#1d2733"})
    fig.update_layout(barmode="relative", height=360, template="plotly_white",
                      yaxis_title="USD billions", margin={"l": 60, "r": 10, "t": 30, "b": 40},
                      legend={"orientation": "h", "y": 1.12})
    return fig


def liquidity_section_html(metrics: Mapping[str, Any]) -> str:
    """The run report's section: each QT episode of the run split by component, or why not.

    Reads ``metrics["liquidity"]`` (written by :mod:`backtest.runner.liquidity`).
    """
    why = missing_block(metrics, "liquidity", "the net-liquidity decomposition")
    if why is not None:
        return why
    df = pd.DataFrame(metrics["liquidity"]["episodes"])
    if df.empty:
        return "<p>No QT episode falls inside this run's range.</p>"
    return (figure_html(decomposition_figure(df), "fig-liquidity") + decomposition_html(df)
            + f"<p>{html.escape(DECOMPOSITION_NOTE)}</p>")
