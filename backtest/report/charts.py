"""Plotly figures of runs, regimes, comparisons and the scorecard.

Every function returns a ``plotly.graph_objects.Figure`` and never shows or
writes it. Text that comes from users (strategy, series and run names) is
HTML-escaped, because plotly renders a subset of HTML in labels. Dates are
passed as ``YYYY-MM-DD`` strings and values as float arrays, which keeps
figures compact and their JSON byte-stable.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from backtest.metrics import TRADING_DAYS, align_labels, drawdown, episodes
from backtest.regimes.plot import REGIME_COLORS
from backtest.report.stats import ALL, regime_order

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = [
    "ROLLING_WINDOW",
    "SERIES_COLORS",
    "dates",
    "equity_overlay_figure",
    "performance_figure",
    "regime_bars_figure",
    "scorecard_figure",
    "series_color",
    "weights_figure",
]

ROLLING_WINDOW = TRADING_DAYS  # sessions in the rolling Sharpe window
SERIES_COLORS = {"strategy": "#1f4e9c", "buy_and_hold": "#555555", "sixty_forty": "#9467bd"}
_PALETTE = ("#1f4e9c", "#e377c2", "#17becf", "#8c564b", "#bcbd22", "#7f7f7f", "#2ca02c",
            "#d62728", "#ff7f0e", "#9467bd", "#555555")
_VERDICT_COLORS = {"supported": "#2e7d32", "contradicted": "#c62828",
                   "inconclusive": "#757575"}
_LAYOUT: dict[str, Any] = {
    "template": "plotly_white",
    "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
    "margin": {"l": 60, "r": 20, "t": 70, "b": 40},
    "hovermode": "x unified",
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.06, "x": 0},
}


def series_color(name: str, position: int) -> str:
    """Colour of a series: fixed for the strategy and standard benchmarks."""
    return SERIES_COLORS.get(name, _PALETTE[position % len(_PALETTE)])


def dates(index: pd.Index) -> np.ndarray:
    """``YYYY-MM-DD`` strings of a date index, as an object array.

    An array, not a list: plotly then validates it once instead of string by
    string (the JSON is the same).
    """
    return np.asarray(pd.DatetimeIndex(index).strftime("%Y-%m-%d"), dtype=object)


def _values(s: pd.Series) -> np.ndarray:
    return np.round(s.to_numpy(dtype="float64"), 8)


def _log_axis(lo: float, hi: float) -> dict[str, Any]:
    """Log-scale axis with ticks at powers of two (0.5, 1, 2, 4, ...) spanning ``[lo, hi]``."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo <= 0 or hi <= 0:
        return {"type": "log"}
    k0, k1 = math.floor(math.log2(lo)), math.ceil(math.log2(hi))
    vals = [2.0 ** k for k in range(k0, k1 + 1)]
    return {"type": "log", "tickvals": vals, "ticktext": [f"{v:g}" for v in vals]}


def _shade_regimes(fig: Figure, labels: pd.Series, index: pd.Index, legend: bool = True) -> None:
    """Regime episodes as background bands across the whole plot, plus legend keys."""
    lab = align_labels(labels, index)
    runs = episodes(lab)
    # one assignment, not add_shape per band (plotly copies every shape on each add)
    fig.layout.shapes = (*fig.layout.shapes, *(
        {"type": "rect", "xref": "x", "yref": "paper", "x0": f"{start:%Y-%m-%d}",
         "x1": f"{end:%Y-%m-%d}", "y0": 0, "y1": 1, "line": {"width": 0}, "layer": "below",
         "fillcolor": REGIME_COLORS.get(str(label), "#eeeeee"), "opacity": 0.18}
        for label, start, end in zip(runs["label"], runs["start"], runs["end"], strict=True)))
    if legend:
        for label in regime_order(runs["label"].tolist()):
            fig.add_scatter(x=[None], y=[None], mode="markers", name=html.escape(label),
                            marker={"color": REGIME_COLORS.get(label, "#eeeeee"), "size": 11,
                                    "symbol": "square", "opacity": 0.5},
                            hoverinfo="skip")


def _rolling_sharpe(r: pd.Series, rf: pd.Series | None) -> pd.Series:
    x = r - (rf.reindex(r.index).fillna(0.0) if rf is not None else 0.0)
    mean = x.rolling(ROLLING_WINDOW, min_periods=ROLLING_WINDOW).mean()
    sd = x.rolling(ROLLING_WINDOW, min_periods=ROLLING_WINDOW).std(ddof=1)
    return mean / sd.where(sd > 0) * math.sqrt(TRADING_DAYS)


def performance_figure(
    returns: pd.DataFrame,
    regimes: pd.Series,
    rf: pd.Series | None = None,
    rows: Sequence[str] = ("equity", "drawdown", "rolling_sharpe"),
) -> Figure:
    """Equity (log scale), drawdown and rolling Sharpe of every series, regimes shaded.

    Parameters
    ----------
    returns : DataFrame
        Daily simple returns, one column per series (strategy first).
    regimes : Series
        Regime label per session (the shaded bands).
    rf : Series, optional
        Daily risk-free return for the rolling Sharpe (default 0).
    rows : sequence of str
        Panels, top to bottom: any of ``equity``, ``drawdown``,
        ``rolling_sharpe``; they share the date axis.
    """
    from plotly.subplots import make_subplots

    titles = {"equity": "Growth of 1 (log scale)", "drawdown": "Drawdown",
              "rolling_sharpe": f"Rolling {ROLLING_WINDOW}-session Sharpe"}
    heights = {"equity": 0.5, "drawdown": 0.25, "rolling_sharpe": 0.25}
    rows = list(rows)
    fig = make_subplots(rows=len(rows), cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=[titles[r] for r in rows],
                        row_heights=[heights[r] for r in rows])
    x = dates(returns.index)
    lo, hi = math.inf, -math.inf
    for pos, col in enumerate(returns.columns):
        name = str(col)
        r = returns[col].astype("float64").fillna(0.0)
        style = {"color": series_color(name, pos), "width": 2.0 if pos == 0 else 1.2}
        panels = {"equity": (1.0 + r).cumprod(), "drawdown": drawdown(r),
                  "rolling_sharpe": _rolling_sharpe(r, rf)}
        lo, hi = min(lo, float(panels["equity"].min())), max(hi, float(panels["equity"].max()))
        for i, row in enumerate(rows, start=1):
            fig.add_scatter(x=x, y=_values(panels[row]), name=html.escape(name),
                            legendgroup=name, showlegend=i == 1, line=style, row=i, col=1,
                            hovertemplate="%{y:.3f}" if row != "drawdown" else "%{y:.1%}")
    _shade_regimes(fig, regimes, returns.index)
    for i, row in enumerate(rows, start=1):
        if row == "equity":
            fig.update_yaxes(**_log_axis(lo, hi), row=i, col=1)
        if row == "drawdown":
            fig.update_yaxes(tickformat=".0%", row=i, col=1)
    fig.update_layout(**_LAYOUT, height=260 + 190 * len(rows))
    return fig


def weights_figure(weights: pd.DataFrame, regimes: pd.Series) -> Figure:
    """Target weights over time: stacked areas (lines when some weight is short)."""
    import plotly.graph_objects as go

    w = weights.astype("float64").fillna(0.0)
    w = w.loc[:, (w != 0.0).any(axis=0)] if (w != 0.0).any().any() else w
    # keep only sessions where a weight changes (and the last one): the chart is a step plot
    changed = w.ne(w.shift()).any(axis=1).to_numpy().copy()
    changed[-1] = True
    w = w[changed]
    stacked = bool((w >= 0.0).all().all())
    fig = go.Figure()
    x = dates(w.index)
    for pos, col in enumerate(w.columns):
        fig.add_scatter(x=x, y=_values(w[col]), name=html.escape(str(col)), mode="lines",
                        line={"shape": "hv", "width": 0.6 if stacked else 1.4,
                              "color": _PALETTE[pos % len(_PALETTE)]},
                        stackgroup="w" if stacked else None, hovertemplate="%{y:.1%}")
    _shade_regimes(fig, regimes, weights.index)
    fig.update_layout(**_LAYOUT, height=380, yaxis={"tickformat": ".0%"})
    return fig


def _error_bars(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> dict[str, Any]:
    plus = np.where(np.isfinite(hi), hi - values, np.nan)
    minus = np.where(np.isfinite(lo), values - lo, np.nan)
    return {"type": "data", "symmetric": False, "array": np.round(plus, 8),
            "arrayminus": np.round(minus, 8), "thickness": 1.2, "width": 4}


def regime_bars_figure(table: pd.DataFrame, level: float) -> Figure:
    """Annualised return and Sharpe per regime and series, with bootstrap intervals.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`backtest.report.regime_stats`.
    level : float
        Interval coverage (for the title).
    """
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                        subplot_titles=[f"Annualised return ({level:.0%} interval)",
                                        f"Sharpe ratio ({level:.0%} interval)"])
    regimes = [ALL, *regime_order([r for r in table["regime"] if r != ALL])]
    series = list(dict.fromkeys(str(s) for s in table["series"]))
    ticks = []
    for reg in regimes:
        sub = table[table["regime"] == reg]
        same = sub["days"].nunique() == 1 and sub["episodes"].nunique() == 1
        ticks.append(f"{html.escape(reg)}<br>{int(sub['days'].iloc[0])}d, "
                     f"{int(sub['episodes'].iloc[0])} ep" if same else html.escape(reg))
    for pos, name in enumerate(series):
        sub = table[table["series"] == name].set_index("regime").reindex(regimes)
        for col, metric in enumerate(("ann_return", "sharpe"), start=1):
            v = sub[metric].to_numpy(dtype="float64")
            err = _error_bars(v, sub[f"{metric}_lo"].to_numpy(dtype="float64"),
                              sub[f"{metric}_hi"].to_numpy(dtype="float64"))
            fig.add_bar(x=ticks, y=np.round(v, 8), error_y=err, name=html.escape(name),
                        legendgroup=name, showlegend=col == 1, row=1, col=col,
                        marker_color=series_color(name, pos),
                        hovertemplate="%{y:.3f}" if metric == "sharpe" else "%{y:.1%}")
    fig.update_yaxes(tickformat=".0%", row=1, col=1)
    fig.update_layout(**{**_LAYOUT, "hovermode": "closest",
                         "margin": {"l": 60, "r": 20, "t": 90, "b": 40},
                         "legend": {**_LAYOUT["legend"], "y": 1.12}},
                      barmode="group", height=460)
    return fig


def equity_overlay_figure(
    curves: Mapping[str, pd.Series], regimes: pd.Series | None = None
) -> Figure:
    """Growth of 1 (log scale) of several return series, regimes optionally shaded.

    Parameters
    ----------
    curves : mapping
        Display name -> daily simple returns.
    regimes : Series, optional
        Labels for the shaded bands.
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    index = pd.DatetimeIndex([])
    lo, hi = math.inf, -math.inf
    for pos, (name, r) in enumerate(curves.items()):
        s = r.astype("float64").fillna(0.0)
        index = index.union(pd.DatetimeIndex(s.index))
        equity = (1.0 + s).cumprod()
        lo, hi = min(lo, float(equity.min())), max(hi, float(equity.max()))
        fig.add_scatter(x=dates(s.index), y=_values(equity),
                        name=html.escape(name), mode="lines",
                        line={"color": _PALETTE[pos % len(_PALETTE)],
                              "width": 1.2 if "benchmark" in name else 1.8,
                              "dash": "dot" if "benchmark" in name else "solid"},
                        hovertemplate="%{y:.3f}")
    if regimes is not None and len(index):
        _shade_regimes(fig, regimes, index)
    fig.update_layout(**_LAYOUT, height=460, yaxis=_log_axis(lo, hi))
    return fig


def scorecard_figure(rows: pd.DataFrame, unit_names: Mapping[str, str] | None = None
                     ) -> Figure:
    """Forest plot of the scorecard's tests: statistic and interval, coloured by verdict.

    Parameters
    ----------
    rows : DataFrame
        Test rows of a scorecard (columns ``label``, ``value``, ``low``,
        ``high``, ``unit``, ``verdict``); one panel per unit.
    unit_names : mapping, optional
        Panel title per unit key; ``ann_return`` panels are in percent.
    """
    from plotly.subplots import make_subplots

    units = list(dict.fromkeys(str(u) for u in rows["unit"]))
    fig = make_subplots(rows=len(units), cols=1, vertical_spacing=0.12,
                        subplot_titles=[html.escape((unit_names or {}).get(u, u))
                                        for u in units],
                        row_heights=[max(1, int((rows["unit"] == u).sum())) for u in units])
    seen: set[str] = set()
    for i, unit in enumerate(units, start=1):
        sub = rows[rows["unit"] == unit].iloc[::-1]
        for verdict, color in _VERDICT_COLORS.items():
            part = sub[sub["verdict"] == verdict]
            if part.empty:
                continue
            v = part["value"].to_numpy(dtype="float64")
            fig.add_scatter(x=np.round(v, 8), y=[html.escape(str(t)) for t in part["label"]],
                            mode="markers", name=verdict, legendgroup=verdict,
                            showlegend=verdict not in seen, marker={"color": color, "size": 9},
                            error_x=_error_bars(v, part["low"].to_numpy(dtype="float64"),
                                                part["high"].to_numpy(dtype="float64")),
                            row=i, col=1, hovertemplate="%{x:.3g}")
            seen.add(verdict)
        fig.add_vline(x=0, line={"color": "#333333", "width": 1}, row=i, col=1)
        if unit == "ann_return":
            fig.update_xaxes(tickformat=".0%", row=i, col=1)
        fig.update_yaxes(categoryorder="array",
                         categoryarray=[html.escape(str(t)) for t in sub["label"]], row=i, col=1)
    fig.update_layout(**{**_LAYOUT, "hovermode": "closest",
                         "margin": {"l": 330, "r": 20, "t": 60, "b": 40}},
                      height=140 + 34 * len(rows) + 60 * len(units))
    return fig
