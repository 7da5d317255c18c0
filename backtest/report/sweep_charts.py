"""Plotly figures of a parameter sweep and of its walk-forward validation.

:func:`sweep_figure` shows the Sharpe ratio of every configuration over the
whole range and per regime; :func:`heatmap_figure` the Sharpe ratio over two
parameters with the others at the best configuration's values;
:func:`pbo_figure` the distribution of CSCV logits; :func:`walkforward_figure`
sets each window's and each left-out episode's in-sample Sharpe against its
out-of-sample Sharpe, and :func:`windows_figure` draws both per window. Each
returns a ``plotly.graph_objects.Figure`` and never shows or writes it;
plotly is imported when a figure is drawn.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from backtest.metrics.fields import sweep_regime_column
from backtest.regimes.labels import LABELS
from backtest.regimes.plot import REGIME_COLORS

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = ["heatmap_figure", "pbo_figure", "sweep_figure", "walkforward_figure",
           "windows_figure"]

_LAYOUT: dict[str, Any] = {
    "template": "plotly_white",
    "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
    "margin": {"l": 60, "r": 20, "t": 70, "b": 40},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.04, "x": 0},
}
_SCHEME_COLORS = {"rolling": "#1f4e9c", "expanding": "#17becf"}


def _values(s: pd.Series) -> list[float | None]:
    """Floats rounded to 8 digits, NaN as None (a gap), for compact byte-stable JSON."""
    arr = np.round(pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64"), 8)
    return [float(v) if np.isfinite(v) else None for v in arr]


def _config_names(table: pd.DataFrame, varying: Sequence[str]) -> list[str]:
    cols = [c for c in varying if c in table.columns]
    if not cols:
        return [f"#{i + 1}" for i in range(len(table))]
    return [html.escape(" ".join(f"{c}={v}" for c, v in zip(cols, row, strict=True)))
            for row in table[cols].itertuples(index=False)]


def sweep_figure(table: pd.DataFrame, varying: Sequence[str]) -> Figure:
    """Sharpe ratio of every configuration: whole range (bars) and per regime (markers).

    Parameters
    ----------
    table : DataFrame
        ``sweep.parquet`` content: parameter columns, ``sharpe`` and
        ``sharpe_<regime>`` (annualised, in excess of the cash yield).
    varying : sequence of str
        Parameter columns that name a configuration on the x axis.
    """
    import plotly.graph_objects as go

    names = _config_names(table, varying)
    fig = go.Figure()
    fig.add_bar(x=names, y=_values(table["sharpe"]), name="whole range",
                marker={"color": "#1f4e9c"}, hovertemplate="%{y:.3f}")
    for regime in LABELS:
        col = sweep_regime_column("sharpe", regime)
        if col in table.columns and table[col].notna().any():
            fig.add_scatter(x=names, y=_values(table[col]), mode="markers",
                            name=html.escape(regime),
                            marker={"color": REGIME_COLORS.get(regime, "#777777"), "size": 8},
                            hovertemplate="%{y:.3f}")
    fig.update_layout(**_LAYOUT, height=420, title="Sharpe ratio by configuration",
                      xaxis_title="configuration", yaxis_title="Sharpe (annualised)")
    return fig


def walkforward_figure(windows: pd.DataFrame, episodes: pd.DataFrame) -> Figure:
    """In-sample against out-of-sample Sharpe of each window and left-out episode.

    Points below the diagonal lost Sharpe out of sample; the vertical gap is
    the degradation of choosing in sample.

    Parameters
    ----------
    windows : DataFrame
        Rolling and expanding windows (``scheme``, ``window``, ``is_sharpe``, ``oos_sharpe``).
    episodes : DataFrame
        Left-out episodes (``regime``, ``test_episode``, ``is_sharpe``, ``oos_sharpe``).
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    groups: list[tuple[str, pd.DataFrame, list[str], str]] = []
    for scheme in ("rolling", "expanding"):
        part = windows[windows["scheme"] == scheme] if "scheme" in windows else windows[:0]
        groups.append((scheme, part, [f"{scheme} #{w}" for w in part.get("window", [])],
                       _SCHEME_COLORS[scheme]))
    for regime in dict.fromkeys(episodes.get("regime", [])):
        part = episodes[episodes["regime"] == regime]
        groups.append((f"leave-one-out {regime}", part, list(part["test_episode"]),
                       REGIME_COLORS.get(str(regime), "#777777")))
    values: list[float] = []
    for name, part, text, color in groups:
        if part.empty:
            continue
        fig.add_scatter(x=_values(part["is_sharpe"]), y=_values(part["oos_sharpe"]),
                        mode="markers", name=html.escape(name),
                        text=[html.escape(str(t)) for t in text], marker={"color": color,
                                                                          "size": 9},
                        hovertemplate="%{text}: in %{x:.2f}, out %{y:.2f}<extra></extra>")
        values += [v for v in (*_values(part["is_sharpe"]), *_values(part["oos_sharpe"]))
                   if v is not None]
    lo, hi = (min(values), max(values)) if values else (-1.0, 1.0)
    fig.add_scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="out = in",
                    line={"color": "#999999", "dash": "dot"}, hoverinfo="skip")
    fig.update_layout(**_LAYOUT, height=460, title="In-sample vs out-of-sample Sharpe",
                      xaxis_title="in-sample Sharpe (chose the configuration)",
                      yaxis_title="out-of-sample Sharpe")
    return fig


def _at_best(table: pd.DataFrame, params: Sequence[str], pair: tuple[str, str],
             best: int) -> pd.DataFrame:
    """Rows whose parameters other than ``pair`` equal those of row ``best``."""
    keep = np.ones(len(table), dtype=bool)
    for p in params:
        if p not in pair:
            keep &= (table[p] == table[p].iloc[best]).to_numpy()
    return table[keep]


def heatmap_figure(table: pd.DataFrame, varying: Sequence[str], best: int,
                   max_pairs: int = 6) -> Figure:
    """Sharpe ratio over two parameters, the others held at the best configuration's values.

    One heatmap per pair of varying parameters (the first ``max_pairs``
    pairs), chosen with the menu above the chart. A cell left blank is a
    combination the grid does not hold with the other parameters at their best.

    Parameters
    ----------
    table : DataFrame
        ``sweep.parquet`` content (parameter columns and ``sharpe``).
    varying : sequence of str
        Parameters with more than one value (at least two for a heatmap).
    best : int
        Row of the best configuration.
    """
    import plotly.graph_objects as go

    pairs = [(a, b) for i, a in enumerate(varying) for b in varying[i + 1:]][:max_pairs]
    fig = go.Figure()
    buttons = []
    for k, (a, b) in enumerate(pairs):
        part = _at_best(table, varying, (a, b), best)
        grid = part.pivot_table(index=b, columns=a, values="sharpe", aggfunc="first",
                                dropna=False)
        z = [[float(v) if np.isfinite(v) else None for v in np.round(row, 8)]
             for row in grid.to_numpy(dtype="float64")]
        fig.add_heatmap(x=[html.escape(str(v)) for v in grid.columns],
                        y=[html.escape(str(v)) for v in grid.index], z=z, visible=k == 0,
                        colorscale="RdBu", zmid=float(np.nanmedian(table["sharpe"])),
                        colorbar={"title": {"text": "Sharpe"}},
                        hovertemplate=f"{html.escape(a)}=%{{x}} {html.escape(b)}=%{{y}}: "
                                      "%{z:.3f}<extra></extra>")
        buttons.append({"label": html.escape(f"{a} x {b}"), "method": "update",
                        "args": [{"visible": [j == k for j in range(len(pairs))]},
                                 {"xaxis.title.text": html.escape(a),
                                  "yaxis.title.text": html.escape(b)}]})
    first = pairs[0] if pairs else ("", "")
    layout = {**_LAYOUT, "margin": {"l": 80, "r": 20, "t": 90, "b": 50}}
    fig.update_layout(**layout, height=440,
                      title="Sharpe ratio over two parameters, the others at the best's values",
                      xaxis={"title": {"text": html.escape(first[0])}, "type": "category"},
                      yaxis={"title": {"text": html.escape(first[1])}, "type": "category"},
                      updatemenus=[{"buttons": buttons, "x": 1.0, "xanchor": "right",
                                    "y": 1.18, "yanchor": "top"}] if len(pairs) > 1 else [])
    return fig


def pbo_figure(logits: np.ndarray, pbo: float) -> Figure:
    """Histogram of the CSCV logits; the PBO is the share at or left of zero.

    Parameters
    ----------
    logits : ndarray
        ``log(w / (1 - w))`` per split (``PBOResult.logits``).
    pbo : float
        The probability of backtest overfitting.
    """
    import plotly.graph_objects as go

    vals = [float(v) for v in np.round(logits[np.isfinite(logits)], 8)]
    fig = go.Figure()
    fig.add_histogram(x=vals, nbinsx=40, name="splits", marker={"color": "#1f4e9c"},
                      hovertemplate="logit %{x}: %{y} splits<extra></extra>")
    fig.add_vline(x=0.0, line={"color": "#c62828", "dash": "dash"})
    fig.update_layout(**_LAYOUT, height=380, showlegend=False,
                      title=f"Out-of-sample rank of the in-sample best (PBO {pbo:.3f})",
                      xaxis_title="logit of the relative rank (<= 0: at or below the median)",
                      yaxis_title="splits")
    return fig


def windows_figure(windows: pd.DataFrame) -> Figure:
    """In-sample and out-of-sample Sharpe of each rolling and expanding window, by test year.

    Parameters
    ----------
    windows : DataFrame
        ``walkforward.parquet`` content (``scheme``, ``test_start``,
        ``is_sharpe``, ``oos_sharpe``).
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    for scheme in ("rolling", "expanding"):
        part = windows[windows["scheme"] == scheme] if "scheme" in windows else windows[:0]
        if part.empty:
            continue
        x = [f"{pd.Timestamp(t):%Y-%m-%d}" for t in part["test_start"]]
        color = _SCHEME_COLORS[scheme]
        fig.add_scatter(x=x, y=_values(part["is_sharpe"]), mode="lines+markers",
                        name=f"{scheme}: in sample", line={"color": color, "dash": "dot"},
                        hovertemplate="%{x}: %{y:.2f}<extra></extra>")
        fig.add_scatter(x=x, y=_values(part["oos_sharpe"]), mode="lines+markers",
                        name=f"{scheme}: out of sample", line={"color": color},
                        hovertemplate="%{x}: %{y:.2f}<extra></extra>")
    fig.update_layout(**_LAYOUT, height=420, title="In-sample vs out-of-sample Sharpe per window",
                      xaxis_title="start of the test window", yaxis_title="Sharpe (annualised)")
    return fig
