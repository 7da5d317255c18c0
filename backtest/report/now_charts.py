"""Figures of the desk report: net liquidity and its components, funding spreads, regimes.

Figures are returned, never shown; plotly is imported when a figure is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from backtest.exceptions import ParameterError
from backtest.regimes.episodes import episode_runs
from backtest.regimes.labels import REGIME_COLORS
from backtest.report.charts import dates

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from backtest.present.result import NowResult

__all__ = ["KINDS", "funding_figure", "liquidity_figure", "now_figure", "regimes_timeline"]

KINDS = ("liquidity", "funding", "regimes")
_LAYOUT: dict[str, Any] = {"template": "plotly_white", "hovermode": "x unified",
                           "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
                           "legend": {"orientation": "h", "y": -0.15}}


def liquidity_figure(history: pd.DataFrame) -> Figure:
    """Net liquidity (left axis) and WALCL, TGA, ON RRP (right axis), USD bn, daily."""
    from plotly.subplots import make_subplots

    fig = make_subplots(specs=[[{"secondary_y": True}]])
    x = dates(history.index)
    fig.add_scatter(x=x, y=(history["netliq"] / 1000.0).round(1).tolist(),
                    name="net liquidity", line={"color": "#222222", "width": 2.5})
    for col, name, color in (("walcl", "WALCL (assets)", "#1f77b4"),
                             ("tga", "TGA (WTREGEN)", "#d62728"), ("rrp", "ON RRP", "#2ca02c")):
        fig.add_scatter(x=x, y=(history[col] / 1000.0).round(1).tolist(), name=name,
                        line={"color": color, "width": 1.3}, secondary_y=col != "walcl")
    fig.update_layout(title="Net liquidity = WALCL - TGA - ON RRP (USD bn)", height=420,
                      **_LAYOUT)
    fig.update_yaxes(title_text="net liquidity, WALCL (USD bn)", secondary_y=False)
    fig.update_yaxes(title_text="TGA, ON RRP (USD bn)", secondary_y=True)
    return fig


def funding_figure(history: pd.DataFrame) -> Figure:
    """SOFR-IORB, EFFR-IORB and SOFR minus the top of the target range, bp, with 0 marked."""
    import plotly.graph_objects as go

    fig = go.Figure()
    x = dates(history.index)
    for col, name, color in (("sofr_iorb_bp", "SOFR - IORB", "#1f4e9c"),
                             ("effr_iorb_bp", "EFFR - IORB", "#ff7f0e"),
                             ("sofr_minus_top_bp", "SOFR - top of range", "#9467bd")):
        y = [None if pd.isna(v) else round(float(v), 2) for v in history[col]]
        fig.add_scatter(x=x, y=y, name=name, line={"color": color, "width": 1.4})
    fig.add_hline(y=0.0, line={"color": "#c62828", "width": 1, "dash": "dash"})
    fig.update_layout(title="Funding spreads (bp): above 0 means repo trades above what "
                      "reserves earn", height=380, yaxis_title="bp", **_LAYOUT)
    return fig


def regimes_timeline(labels: pd.DataFrame, start: str = "2008-01-01") -> Figure:
    """One bar per classifier, coloured by regime, from ``start`` to the last label."""
    import plotly.graph_objects as go

    fig = go.Figure()
    seen: set[str] = set()
    for name in labels.columns:
        runs = episode_runs(labels[name].loc[start:])
        for lab, x0, x1 in zip(runs["label"], runs["start"], runs["end"], strict=True):
            days = (pd.Timestamp(x1) - pd.Timestamp(x0)).days + 1
            fig.add_bar(y=[name], x=[days * 86_400_000], base=[f"{pd.Timestamp(x0):%Y-%m-%d}"],
                        orientation="h", name=str(lab), legendgroup=str(lab),
                        showlegend=str(lab) not in seen,
                        marker={"color": REGIME_COLORS.get(str(lab), "#eeeeee")},
                        hovertext=f"{name}: {lab} {pd.Timestamp(x0):%Y-%m-%d} to "
                                  f"{pd.Timestamp(x1):%Y-%m-%d}", hoverinfo="text")
            seen.add(str(lab))
    layout = {**_LAYOUT, "hovermode": "closest"}
    fig.update_layout(title="Regime by classifier", barmode="overlay", xaxis_type="date",
                      height=120 + 60 * len(labels.columns), **layout)
    return fig


def now_figure(result: NowResult, kind: str = "liquidity") -> Figure:
    """The ``kind`` figure of a :class:`~backtest.present.result.NowResult` (:data:`KINDS`)."""
    if kind == "liquidity":
        return liquidity_figure(result.history)
    if kind == "funding":
        return funding_figure(result.history)
    if kind == "regimes":
        return regimes_timeline(result.labels)
    raise ParameterError(f"plot kind {kind!r} is not one of {', '.join(KINDS)}.")
