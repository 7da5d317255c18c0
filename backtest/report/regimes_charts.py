"""Regime picture: securities held and net liquidity with each classifier's regimes shaded.

Figures are returned, never shown; plotting libraries are imported lazily.
The PNG is drawn on a :class:`matplotlib.figure.Figure` directly (no
``pyplot``, no ``matplotlib.use``), so making it changes no global state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from backtest.exceptions import ParameterError
from backtest.regimes.episodes import episode_runs
from backtest.regimes.labels import REGIME_COLORS

__all__ = ["plot_regimes", "regimes_figure_png", "save_regime_plot"]

_LINES = (("WSHOSHO", "#1f77b4"), ("NETLIQ", "#222222"))


def plot_regimes(panel: pd.DataFrame, labels: dict[str, pd.Series]) -> Any:
    """Plotly figure: one row per classifier, WSHOSHO and NETLIQ (USD bn) over shading.

    Parameters
    ----------
    panel : DataFrame
        Columns ``WSHOSHO`` and ``NETLIQ`` in USD millions, indexed by session.
    labels : dict
        Classifier name -> daily labels on (a subset of) ``panel.index``.
    """
    from plotly.subplots import make_subplots

    names = list(labels)
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=[f"{n} classifier" for n in names])
    seen: set[str] = set()
    for row, name in enumerate(names, start=1):
        runs = episode_runs(labels[name])
        for lab, x0, x1 in zip(runs["label"], runs["start"], runs["end"], strict=True):
            fig.add_vrect(x0=x0, x1=x1, fillcolor=REGIME_COLORS[str(lab)], opacity=0.35,
                          line_width=0, row=row, col=1)
        for col, color in _LINES:
            fig.add_scatter(x=panel.index, y=panel[col] / 1000.0, name=f"{col} (USD bn)",
                            line={"color": color, "width": 1.5}, row=row, col=1,
                            legendgroup=col, showlegend=col not in seen)
            seen.add(col)
    for lab, color in REGIME_COLORS.items():
        fig.add_scatter(x=[None], y=[None], mode="markers", name=lab,
                        marker={"color": color, "size": 10, "symbol": "square"})
    fig.update_layout(height=300 * len(names) + 100, template="plotly_white",
                      title="Securities held outright and net liquidity by regime")
    return fig


def regimes_figure_png(panel: pd.DataFrame, labels: dict[str, pd.Series]) -> Any:
    """The same picture as a matplotlib ``Figure`` (built without pyplot)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    names = list(labels)
    fig = Figure(figsize=(12, 3.4 * len(names)))
    axes = fig.subplots(len(names), 1, sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], names, strict=True):
        runs = episode_runs(labels[name])
        for lab, x0, x1 in zip(runs["label"], runs["start"], runs["end"], strict=True):
            ax.axvspan(x0, x1, color=REGIME_COLORS[str(lab)], alpha=0.35, lw=0)
        for col, color in _LINES:
            ax.plot(panel.index, panel[col] / 1000.0, color=color, lw=1.2,
                    label=f"{col} (USD bn)")
        ax.set_title(f"{name} classifier")
        ax.set_ylabel("USD bn")
    handles = [Patch(color=c, alpha=0.5, label=lab) for lab, c in REGIME_COLORS.items()]
    line_handles, line_labels = axes[0, 0].get_legend_handles_labels()
    axes[0, 0].legend(handles=line_handles + handles,
                      labels=line_labels + list(REGIME_COLORS), ncol=7, fontsize=8,
                      loc="upper left")
    fig.tight_layout()
    return fig


def save_regime_plot(path: str | Path, panel: pd.DataFrame,
                     labels: dict[str, pd.Series]) -> Path:
    """Write the picture as ``.html`` (plotly, self-contained) or ``.png`` (matplotlib)."""
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".png"):
        raise ParameterError(f"--plot takes a .png or .html file name, got {str(out)!r}.")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp{suffix}")
    try:
        if suffix == ".html":
            plot_regimes(panel, labels).write_html(tmp, include_plotlyjs=True, full_html=True)
        else:
            regimes_figure_png(panel, labels).savefig(tmp, dpi=110)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
