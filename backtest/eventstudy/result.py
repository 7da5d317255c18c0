"""The result of an event study: moves per event, summary per series, figure, text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from backtest._typing import EventFormat, EventShow
from backtest.exceptions import ParameterError

if TYPE_CHECKING:  # plotly is imported lazily, by the report layer's figure code
    from plotly.graph_objects import Figure

__all__ = ["EventFormat", "EventShow", "EventStudyResult", "windows_text"]


# columns of the table view (csv carries every column of the tidy frame)
_TABLE_COLUMNS = [
    "date", "series", "kind", "event_session", "start_close_date", "end_close_date",
    "start_value", "end_value", "change_bp", "change", "return", "abnormal_return", "beta",
]
_OPTIONAL = ("change_bp", "change", "return", "abnormal_return", "beta")
_DATES = ("date", "event_session", "start_close_date", "end_close_date")


@dataclass(frozen=True, eq=False)
class EventStudyResult:
    """What :func:`~backtest.eventstudy.event_study` measured.

    Attributes
    ----------
    moves : DataFrame
        One row per (event, series), columns :data:`MOVE_COLUMNS`: ``date``
        (the event's anchor date), ``series``, ``event`` (description),
        ``label``, ``kind``, ``event_session``, ``start_close_date`` and
        ``end_close_date`` (observations used), ``start_value`` and
        ``end_value`` (series units), ``change_bp`` (basis points, rates
        only), ``return`` (fraction, prices only), ``abnormal_return``
        (fraction, prices with a benchmark), ``benchmark_return`` (fraction),
        ``beta`` and ``change`` (levels, in the series' own units); NaN where
        not applicable. Sorted by date, then series
        in the order given.
    stats : DataFrame
        One row per series, columns :data:`SUMMARY_COLUMNS`: ``measure`` (the
        column summarised), ``n``, ``total``, ``mean``, ``std``, ``t_stat``,
        ``p_value`` (in the measure's units); :meth:`summary` returns a copy.
    paths : DataFrame
        Cumulative moves by relative day, for charts: ``day`` 0 is the close
        before the event session, day ``k`` the close ``k`` sessions later
        (day ``window`` is the window's end), from ``-PRE_EVENT_DAYS``;
        ``move`` in bp (rates) or as a fraction (prices), ``abnormal_move``
        with a benchmark.
    window : int
        Sessions in the window.
    anchor, timing : str
        How events were dated and mapped to sessions.
    benchmark : str or None
        Benchmark of abnormal returns.
    abnormal : str
        ``ols`` or ``market``.
    skipped : DataFrame
        Events left out with ``on_missing="skip"``: ``date``, ``series``, ``reason``.
    """

    moves: pd.DataFrame
    stats: pd.DataFrame
    paths: pd.DataFrame
    window: int
    anchor: str
    timing: str
    benchmark: str | None
    abnormal: str
    skipped: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Per series: ``measure``, ``n``, ``total``, ``mean``, ``std``, ``t_stat``, ``p_value``."""
        return self.stats.copy()

    def plot(self, abnormal: bool = False) -> Figure:
        """Mean cumulative move around the events, one panel per series (never shown).

        See :func:`backtest.report.event_chart.event_study_figure`.
        """
        from backtest.report.event_chart import event_study_figure

        return event_study_figure(self, abnormal)

    def to_text(self, show: EventShow = "both", fmt: EventFormat = "table") -> str:
        """What ``qtbt events --show SHOW --format FMT`` prints.

        Parameters
        ----------
        show : {"both", "moves", "summary"}
            Per-event moves, the per-series summary, or both.
        fmt : {"table", "csv"}
            Aligned tables, or CSV (every column; with ``both``, two blocks
            separated by a blank line).
        """
        if show not in ("both", "moves", "summary"):
            raise ParameterError(f"show must be both, moves or summary; got {show!r}.")
        if fmt not in ("table", "csv"):
            raise ParameterError(f"format must be table or csv; got {fmt!r}.")
        if fmt == "csv":
            blocks = []
            if show in ("both", "moves"):
                moves = self.moves
                if moves["change"].isna().all():  # no level series: the columns as before
                    moves = moves.drop(columns="change")
                blocks.append(moves.to_csv(index=False, date_format="%Y-%m-%d",
                                           float_format="%.10g", lineterminator="\n"))
            if show in ("both", "summary"):
                blocks.append(self.stats.to_csv(index=False, float_format="%.10g",
                                                lineterminator="\n"))
            return "\n".join(blocks)
        parts = []
        if show in ("both", "moves"):
            parts.append(self._moves_table() + "\n")
        if show in ("both", "summary"):
            parts.append(self._summary_table() + "\n")
        return "\n".join(parts)

    def _moves_table(self) -> str:
        view = self.moves[_TABLE_COLUMNS].copy()
        view = view.drop(columns=[c for c in _OPTIONAL if view[c].isna().all()])
        for c in _DATES:
            view[c] = view[c].dt.strftime("%Y-%m-%d")
        with pd.option_context("display.max_rows", None, "display.width", 200,
                               "display.max_columns", None,
                               "display.float_format", "{:.6g}".format):
            return str(view.to_string(index=False))

    def _summary_table(self) -> str:
        bench = f", abnormal vs {self.benchmark} ({self.abnormal})" if self.benchmark else ""
        head = (f"summary: window {self.window} session(s), anchor {self.anchor}, "
                f"timing {self.timing}{bench}")
        with pd.option_context("display.width", 200, "display.max_columns", None,
                               "display.float_format", "{:.6g}".format):
            return head + "\n" + str(self.stats.to_string(index=False))


def windows_text(results: list[EventStudyResult], show: EventShow = "both",
                 fmt: EventFormat = "table") -> str:
    """What ``qtbt events --window N1,N2,...`` prints: one study per window.

    A single result prints as :meth:`EventStudyResult.to_text`. Several print,
    as tables, one block per window under a ``window N`` line; as CSV, the
    moves of every window in one block and the summaries in another, each
    with a leading ``window`` column.
    """
    if len(results) == 1 or show not in ("both", "moves", "summary"):
        return results[0].to_text(show, fmt)  # also raises for a bad show or format
    if fmt != "csv":
        return "\n".join(f"== window {r.window} session(s) ==\n{r.to_text(show, fmt)}"
                         for r in results)
    blocks = []
    if show in ("both", "moves"):
        moves = pd.concat([r.moves.assign(window=r.window) for r in results], ignore_index=True)
        if moves["change"].isna().all():
            moves = moves.drop(columns="change")
        blocks.append(moves[["window", *[c for c in moves if c != "window"]]].to_csv(
            index=False, date_format="%Y-%m-%d", float_format="%.10g", lineterminator="\n"))
    if show in ("both", "summary"):
        stats = pd.concat([r.stats.assign(window=r.window) for r in results], ignore_index=True)
        blocks.append(stats[["window", *[c for c in stats if c != "window"]]].to_csv(
            index=False, float_format="%.10g", lineterminator="\n"))
    return "\n".join(blocks)
