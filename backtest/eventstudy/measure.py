"""Measuring one series around one event: the window's move, beta, the path, the summary.

See :mod:`backtest.eventstudy.study` for the conventions (window, abnormal
returns, summary statistics).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.data.calendar import nyse_sessions
from backtest.eventstudy.dates import _EventRow
from backtest.eventstudy.series import MAX_STALE_SESSIONS, _Track
from backtest.exceptions import EmptyRangeError, QtbtWarning

__all__ = [
    "ESTIMATION_GAP",
    "ESTIMATION_SESSIONS",
    "MIN_ESTIMATION_RETURNS",
    "MOVE_COLUMNS",
    "PATH_COLUMNS",
    "PRE_EVENT_DAYS",
    "SUMMARY_COLUMNS",
    "EventSkippedWarning",
    "daily_returns",
    "measure_event",
    "summarise",
    "warn_skipped",
]

#: sessions before the pre-event close shown by :meth:`EventStudyResult.plot`
PRE_EVENT_DAYS = 5
#: length of the beta estimation window, in sessions (daily returns)
ESTIMATION_SESSIONS = 250
#: the estimation window ends this many sessions before the event session
ESTIMATION_GAP = 10
#: fewest paired daily returns accepted to estimate a beta
MIN_ESTIMATION_RETURNS = 100

MOVE_COLUMNS: tuple[str, ...] = (
    "date", "series", "event", "label", "kind", "event_session", "start_close_date",
    "end_close_date", "start_value", "end_value", "change_bp", "return", "abnormal_return",
    "benchmark_return", "beta", "change",
)
SUMMARY_COLUMNS: tuple[str, ...] = (
    "series", "measure", "n", "total", "mean", "std", "t_stat", "p_value",
)
PATH_COLUMNS: tuple[str, ...] = (
    "series", "date", "event_session", "day", "session", "move", "abnormal_move",
)


class EventSkippedWarning(QtbtWarning):
    """An event was left out of a study because a series has no data around it."""


class _NoData(EmptyRangeError):
    """A series has no usable data around one event (skippable with on_missing='skip').

    ``reason`` states the fact, ``fix`` what to do about it; ``str()`` is both.
    """

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(f"{reason} {fix}")
        self.reason = reason



@dataclass(frozen=True)
class _Window:
    start: float
    end: float
    start_date: pd.Timestamp
    end_date: pd.Timestamp


def _window(tr: _Track, ev: _EventRow, p: int, window: int) -> _Window:
    """Values of ``tr`` at the close before session ``p`` and ``window`` sessions later."""
    sessions = nyse_sessions()
    day = f"the event on {ev.date.date()} (session {sessions[p].date()})"
    if p < 1 or sessions[p - 1] < tr.first:
        raise _NoData(
            f"{tr.ref} has no data before {day}: its first observation is {tr.first.date()}.",
            "Drop that event (or pass --skip-missing), or pick a series that covers it "
            "(`qtbt data list` shows first and last dates).",
        )
    end = p + window - 1
    if end >= len(sessions) or sessions[end] > tr.last:
        end_txt = sessions[end].date() if end < len(sessions) else "beyond the calendar"
        raise _NoData(
            f"The {window}-session window after {day} ends on {end_txt}, past the last "
            f"{tr.ref} data ({tr.last.date()}).",
            "Use a shorter --window or drop that event.",
        )
    if np.isnan(tr.value[p - 1]):
        raise _NoData(
            f"{tr.ref} has no observation in the {MAX_STALE_SESSIONS} sessions up to "
            f"{sessions[p - 1].date()}, the close before {day}.",
            "Drop that event (or pass --skip-missing).",
        )
    if np.isnan(tr.value[end]) or tr.obs_pos[end] < p:
        raise _NoData(
            f"{tr.ref} has no observation between {sessions[p].date()} and "
            f"{sessions[end].date()}, the window after {day}.",
            "Drop that event (or pass --skip-missing) or widen --window.",
        )
    return _Window(float(tr.value[p - 1]), float(tr.value[end]),
                   pd.Timestamp(tr.obs_date[p - 1]), pd.Timestamp(tr.obs_date[end]))


def daily_returns(tr: _Track) -> np.ndarray:
    """Simple return per session where the session has its own fresh observation."""
    n = len(tr.value)
    out = np.full(n, np.nan)
    fresh = tr.obs_pos == np.arange(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[1:] = tr.value[1:] / tr.value[:-1] - 1.0
    out[~fresh] = np.nan
    return out


def _beta(
    ret: np.ndarray, bench: np.ndarray, p: int, tr: _Track, bm: _Track, ev: _EventRow
) -> float:
    hi = p - ESTIMATION_GAP
    lo = hi - ESTIMATION_SESSIONS + 1
    sessions = nyse_sessions()
    if lo < 1:
        raise _NoData(f"No estimation window before the event on {ev.date.date()}.",
                      "Use --abnormal market (beta = 1) or drop that event.")
    y, x = ret[lo:hi + 1], bench[lo:hi + 1]
    ok = np.isfinite(y) & np.isfinite(x)
    if ok.sum() < MIN_ESTIMATION_RETURNS or np.var(x[ok]) == 0.0:
        raise _NoData(
            f"Only {int(ok.sum())} paired daily returns of {tr.ref} and {bm.ref} in the "
            f"estimation window {sessions[lo].date()}..{sessions[hi].date()} before the event "
            f"on {ev.date.date()} (need {MIN_ESTIMATION_RETURNS}).",
            "Use --abnormal market (beta = 1) or drop that event.",
        )
    xs, ys = x[ok], y[ok]
    return float(np.cov(xs, ys, ddof=1)[0, 1] / np.var(xs, ddof=1))


def summarise(moves: pd.DataFrame, series: list[str], measures: dict[str, str]) -> pd.DataFrame:
    """Per series: n, total, mean, std, t-statistic and p-value of its measure column.

    ``measures`` maps each series to the column of ``moves`` summarised
    (``change_bp``, ``return`` or ``abnormal_return``).
    """
    from scipy import stats

    rows = []
    for ref in series:
        col = measures[ref]
        vals = moves.loc[moves["series"] == ref, col].dropna().to_numpy(dtype="float64")
        n = len(vals)
        total = float(vals.sum()) if n else math.nan
        mean = float(vals.mean()) if n else math.nan
        std = float(vals.std(ddof=1)) if n >= 2 else math.nan
        if n >= 2 and std > 0:
            t = mean / (std / math.sqrt(n))
            pval = float(2.0 * stats.t.sf(abs(t), df=n - 1))
        else:
            t = pval = math.nan
        rows.append([ref, col, n, total, mean, std, t, pval])
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def warn_skipped(skipped: list[tuple[pd.Timestamp, str, str]]) -> None:
    """One warning per series that lost events, with the dates and the first reason."""
    by_series: dict[str, list[tuple[pd.Timestamp, str]]] = {}
    for date, ref, reason in skipped:
        by_series.setdefault(ref, []).append((date, reason))
    for ref, items in by_series.items():
        dates = ", ".join(str(d.date()) for d, _ in items)
        warnings.warn(
            f"{ref}: {len(items)} event(s) left out for lack of data ({dates}). "
            f"First reason: {items[0][1]}",
            EventSkippedWarning,
            stacklevel=3,
        )


def _path(
    tr: _Track, bm: _Track | None, ev: _EventRow, p: int, window: int, beta: float
) -> list[dict[str, object]]:
    """Cumulative moves from day -PRE_EVENT_DAYS to day ``window`` (day 0 = close t-1)."""
    sessions = nyse_sessions()
    base = p - 1
    v0 = tr.value[base]
    b0 = bm.value[base] if bm is not None else math.nan
    out: list[dict[str, object]] = []
    for day in range(-PRE_EVENT_DAYS, window + 1):
        q = base + day
        if q < 0:
            continue
        v = tr.value[q]
        if tr.measure == "change_bp":
            move, abn = 100.0 * (v - v0), math.nan
        elif tr.measure == "change":
            move, abn = v - v0, math.nan
        else:
            move = v / v0 - 1.0
            abn = math.nan
            if bm is not None and not math.isnan(beta):
                abn = move - beta * (bm.value[q] / b0 - 1.0)
        out.append({"series": tr.ref, "date": ev.date, "event_session": sessions[p],
                    "day": day, "session": sessions[q], "move": float(move),
                    "abnormal_move": float(abn)})
    return out


def measure_event(tr: _Track, bm: _Track | None, returns: tuple[np.ndarray, np.ndarray] | None,
                  ev: _EventRow, p: int, window: int, abnormal: str
                  ) -> tuple[dict[str, object], list[dict[str, object]]]:
    """One row of ``moves`` and the path rows of series ``tr`` around event ``ev``.

    ``p`` is the position of the event session; ``bm`` the benchmark (None
    without one); ``returns`` the daily returns of the series and of the
    benchmark when an abnormal return applies (a price series with a
    benchmark), else None.

    Raises
    ------
    _NoData
        The series (or the benchmark) lacks data around the event.
    """
    sessions = nyse_sessions()
    w = _window(tr, ev, p, window)
    beta = bench_ret = abn = math.nan
    if bm is not None and returns is not None:
        bw = _window(bm, ev, p, window)
        bench_ret = bw.end / bw.start - 1.0
        beta = 1.0 if abnormal == "market" else _beta(*returns, p, tr, bm, ev)
    level = round(w.end - w.start, 8) if tr.measure == "change" else math.nan
    if tr.measure == "change_bp":
        change, rtn = round(100.0 * (w.end - w.start), 8), math.nan
    elif tr.measure == "change":
        change, rtn = math.nan, math.nan
    else:
        change, rtn = math.nan, w.end / w.start - 1.0
        if not math.isnan(beta):
            abn = rtn - beta * bench_ret
    record: dict[str, object] = {
        "date": ev.date, "series": tr.ref, "event": ev.event, "label": ev.label,
        "kind": ev.kind, "event_session": pd.Timestamp(sessions[p]),
        "start_close_date": w.start_date, "end_close_date": w.end_date,
        "start_value": w.start, "end_value": w.end, "change_bp": change,
        "return": rtn, "abnormal_return": abn, "benchmark_return": bench_ret, "beta": beta,
        "change": level,
    }
    return record, _path(tr, bm, ev, p, window, beta)
