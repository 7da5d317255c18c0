"""Plotly figures of a parameter sweep and of its walk-forward validation.

:func:`sweep_figure` shows the Sharpe ratio of every configuration over the
whole range and per regime; :func:`walkforward_figure` sets each window's
and each left-out episode's in-sample Sharpe against its out-of-sample
Sharpe. Both return a ``plotly.graph_objects.Figure`` and never show or
write it; plotly is imported when a figure is drawn.
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

__all__ = ["sweep_figure", "walkforward_figure"]

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
