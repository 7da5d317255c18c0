"""The event study's figure: mean cumulative move around the events, one panel per series."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtest.exceptions import ParameterError

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from backtest.eventstudy.result import EventStudyResult

__all__ = ["event_study_figure"]


def event_study_figure(result: EventStudyResult, abnormal: bool = False) -> Figure:
    """Mean cumulative move around the events of ``result``, one panel per series.

    Day 0 is the close before the event session; the line runs from
    ``-PRE_EVENT_DAYS`` to ``window`` sessions after it and averages the
    events at each day. Rates are in basis points, prices in percent.

    Parameters
    ----------
    result : EventStudyResult
        What :func:`~backtest.eventstudy.event_study` measured.
    abnormal : bool
        Plot abnormal instead of raw returns for price series (needs a
        benchmark).

    Returns
    -------
    plotly.graph_objects.Figure
        Never shown, never written; global plotting state is left alone.

    Raises
    ------
    ParameterError
        ``abnormal=True`` for a study without a benchmark.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if abnormal and result.benchmark is None:
        raise ParameterError("abnormal=True needs a study run with a benchmark.")
    stats = result.summary()
    refs = list(stats["series"])
    rates = dict(zip(stats["series"], stats["measure"] != "return", strict=True))
    units = dict(zip(stats["series"], stats["measure"].map({"change_bp": "bp"}).fillna("change"),
                     strict=True))
    fig = make_subplots(rows=max(len(refs), 1), cols=1, shared_xaxes=True,
                        subplot_titles=refs, vertical_spacing=0.08)
    for i, ref in enumerate(refs, start=1):
        part = result.paths[result.paths["series"] == ref]
        rate = bool(rates[ref])
        col = "abnormal_move" if abnormal and not rate else "move"
        mean = part.groupby("day")[col].mean()
        n = part.groupby("day")[col].count()
        y = mean if rate else mean * 100.0
        fig.add_trace(
            go.Scatter(
                x=list(mean.index), y=list(y.to_numpy()), mode="lines+markers", name=ref,
                customdata=list(n.to_numpy()),
                hovertemplate="day %{x}: %{y:.2f}<br>%{customdata} events<extra></extra>",
            ),
            row=i, col=1,
        )
        fig.update_yaxes(title_text=units[ref] if rate else "%", row=i, col=1)
        fig.add_vline(x=0, line_dash="dot", line_color="grey", row=i, col=1)
    fig.update_xaxes(title_text="sessions after the close before the event", row=len(refs),
                     col=1)
    fig.update_layout(
        title=f"Mean cumulative move around {result.moves['date'].nunique()} events "
        f"(window {result.window}, anchor {result.anchor}, timing {result.timing})",
        showlegend=False, height=max(300, 260 * len(refs)),
    )
    return fig
