"""Event studies: how markets moved around Fed balance-sheet announcements.

Conventions (the literature's, made explicit)
---------------------------------------------
**Event session.** FOMC statements and Fed press releases come out at 14:00 ET,
during the NYSE session, so an event dated on a trading day belongs to that
day's session ``t`` (``timing="intraday"``, the default). An event dated on a
non-trading day (weekend or holiday, e.g. Sunday 2020-03-15) maps to the next
session. ``timing="after_close"`` moves an event on a trading day to the next
session (the market first reacts there); ``timing="before_open"`` keeps it on
the same session, like ``intraday``. Events are dated by their announcement
by default (``anchor="announce"``; markets move on announcements) or by their
effective date (``anchor="effective"``).

**Window.** The move over a window of ``N`` sessions runs from the close of the
session before the event session (``t-1``, the last close before the news)
to the close of session ``t+N-1``: ``N=1`` measures ``close(t-1) -> close(t)``.
A series with no observation on ``t-1`` (a bond-market holiday, say) uses its
latest observation in the five sessions before; the end uses the latest
observation between ``t`` and ``t+N-1``. The dates actually used are reported
(``start_close_date``, ``end_close_date``).

**Data view.** Moves use each series at its own observation date (market
closes need no release lag to be measured after the fact), never the
release-lagged point-in-time view used for signals. Only daily series make
sense: weekly H.4.1 balances, monthly and quarterly macro series are refused.

**Units.** Series in percent or percentage points (yields, spreads,
breakevens, OAS, policy rates, ``T2S10S``, ``SOFR_IORB``) are reported as
``change_bp`` = 100 x (end - start), in basis points. Prices (Yahoo tickers,
index levels such as ``SP500``, ``VIXCLS``, ``DTWEXBGS``) are reported as the
simple ``return`` end / start - 1 (a fraction: 0.03 is 3 %). Daily
Fama-French factors (percent returns) are compounded into a total-return
index (1 at their first day) and treated as prices. Quantities such as
``RRPONTSYD`` (USD billions) are refused.

**Abnormal returns.** With a ``benchmark`` (a price series such as ``SPY``),
price series also get ``abnormal_return`` = return - beta x benchmark return
over the same two closes. ``abnormal="ols"`` (default) estimates beta as the
OLS slope (with intercept) of the series' daily returns on the benchmark's
over the 250 sessions ending 10 sessions before the event session (at least
100 paired returns); the intercept is not subtracted (negligible over event
windows, and noisy). ``abnormal="market"`` uses beta = 1 (market-adjusted).

**Summary.** Per series: the number of events measured, the total (sum),
mean and sample standard deviation (ddof=1) of the measure (``abnormal_return``
when a benchmark applies, else ``return`` or ``change_bp``), the
t-statistic mean / (std / sqrt(n)) and its two-sided p-value from Student's t
with n-1 degrees of freedom; both NaN when n < 2 or std = 0. Events are
treated as independent: windows that overlap (events closer than ``N``
sessions) overstate the evidence.

Events that map to the same event session are measured once (the first in
date order is kept): the shipped file lists QT2's 2022-05-04 announcement
twice (the start and the cap step-up), which counts once with
``anchor="announce"``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias

import numpy as np
import pandas as pd

from backtest._typing import DateLike
from backtest.data.calendar import nyse_sessions
from backtest.data.catalog import SeriesSpec, parse_series_ref
from backtest.data.derived import DERIVED
from backtest.data.store import DataStore
from backtest.exceptions import (
    ConfigError,
    EmptyRangeError,
    ParameterError,
    QtbtWarning,
)
from backtest.regimes.events import EVENT_SETS, Event, event_set, load_events

if TYPE_CHECKING:  # plotly is imported lazily, only by EventStudyResult.plot
    from plotly.graph_objects import Figure

__all__ = [
    "ABNORMAL_MODELS",
    "ANCHORS",
    "ESTIMATION_GAP",
    "ESTIMATION_SESSIONS",
    "MAX_STALE_SESSIONS",
    "MIN_ESTIMATION_RETURNS",
    "MOVE_COLUMNS",
    "PRE_EVENT_DAYS",
    "SUMMARY_COLUMNS",
    "TIMINGS",
    "EventSkippedWarning",
    "EventStudyResult",
    "event_session",
    "event_study",
    "measure_of",
    "parse_dates",
    "select_events",
]

Anchor: TypeAlias = Literal["announce", "effective"]
Timing: TypeAlias = Literal["intraday", "after_close", "before_open"]
AbnormalModel: TypeAlias = Literal["ols", "market"]
Measure: TypeAlias = Literal["change_bp", "return"]
OnMissing: TypeAlias = Literal["raise", "skip"]

ANCHORS: tuple[str, ...] = ("announce", "effective")
TIMINGS: tuple[str, ...] = ("intraday", "after_close", "before_open")
ABNORMAL_MODELS: tuple[str, ...] = ("ols", "market")

#: sessions before the pre-event close shown by :meth:`EventStudyResult.plot`
PRE_EVENT_DAYS = 5
#: how many sessions an observation may be carried forward (bond-market holidays)
MAX_STALE_SESSIONS = 5
#: length of the beta estimation window, in sessions (daily returns)
ESTIMATION_SESSIONS = 250
#: the estimation window ends this many sessions before the event session
ESTIMATION_GAP = 10
#: fewest paired daily returns accepted to estimate a beta
MIN_ESTIMATION_RETURNS = 100

MOVE_COLUMNS: tuple[str, ...] = (
    "date", "series", "event", "label", "kind", "event_session", "start_close_date",
    "end_close_date", "start_value", "end_value", "change_bp", "return", "abnormal_return",
    "benchmark_return", "beta",
)
SUMMARY_COLUMNS: tuple[str, ...] = (
    "series", "measure", "n", "total", "mean", "std", "t_stat", "p_value",
)
_PATH_COLUMNS: tuple[str, ...] = (
    "series", "date", "event_session", "day", "session", "move", "abnormal_move",
)

_RATE_UNITS = ("percent", "percentage points")


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
class _EventRow:
    """One event, normalised: the date studied and what to call it."""

    date: pd.Timestamp
    event: str
    label: str
    kind: str


@dataclass(frozen=True, eq=False)
class _Track:
    """One series aligned to every NYSE session (carried forward a few sessions).

    ``value``: observation (NaN where none in the last MAX_STALE_SESSIONS);
    ``obs_date``: date of that observation as the source dates it;
    ``obs_pos``: position of the session that observation belongs to.
    """

    ref: str
    measure: Measure
    value: np.ndarray
    obs_date: np.ndarray
    obs_pos: np.ndarray
    first: pd.Timestamp
    last: pd.Timestamp


# --- inputs ------------------------------------------------------------------


def parse_dates(text: str | Sequence[str]) -> list[pd.Timestamp]:
    """Parse event dates given as ``YYYY-MM-DD`` (a comma-separated string or a list).

    Raises
    ------
    ParameterError
        When a token is not a valid ``YYYY-MM-DD`` date or no date is given.
    """
    tokens = text.split(",") if isinstance(text, str) else [
        t for item in text for t in str(item).split(",")
    ]
    out: list[pd.Timestamp] = []
    for tok in (t.strip() for t in tokens):
        if not tok:
            continue
        try:
            out.append(pd.Timestamp(pd.to_datetime(tok, format="%Y-%m-%d")))
        except (ValueError, TypeError):
            raise ParameterError(
                f"Event date {tok!r} does not parse; write dates as YYYY-MM-DD, separated by "
                "commas (e.g. --dates 2009-03-18,2020-03-15)."
            ) from None
    if not out:
        raise ParameterError("No event date given; e.g. --dates 2009-03-18,2020-03-15.")
    return out


def select_events(
    set_name: str | None = None, events_file: str | Path | None = None
) -> list[Event]:
    """Events of a named set, from the shipped events file or a user's file.

    Parameters
    ----------
    set_name : str, optional
        One of :data:`backtest.regimes.events.EVENT_SETS` (``qe``, ``taper``,
        ``qt_start``, ``qt_end`` (slowdowns and ends), ``rmp``,
        ``purchases_end``, ``all``). Every event of the file when omitted.
    events_file : path, optional
        A file in the format of the shipped ``backtest/regimes/events.csv``.

    Raises
    ------
    ConfigError
        Unknown set (lists the known ones), or a malformed events file.
    """
    if set_name is not None and set_name not in EVENT_SETS:
        raise ConfigError(
            f"Unknown event set {set_name!r}; known sets: {', '.join(EVENT_SETS)}."
        )
    events = load_events(events_file)
    if set_name is None:
        return events
    chosen = event_set(set_name, events)
    if not chosen:
        where = str(events_file) if events_file is not None else "the shipped events file"
        raise ConfigError(
            f"Event set {set_name!r} (kinds {', '.join(EVENT_SETS[set_name])}) has no event "
            f"in {where}; pick another set or add events."
        )
    return chosen


def _normalise(
    events: Sequence[Event | DateLike], anchor: Anchor
) -> list[_EventRow]:
    rows: list[_EventRow] = []
    for e in events:
        if isinstance(e, Event):
            when = e.announced if anchor == "announce" else e.effective
            rows.append(_EventRow(pd.Timestamp(when).normalize(), e.description, e.label, e.kind))
        else:
            try:
                ts = pd.Timestamp(e)
            except (ValueError, TypeError):
                raise ParameterError(
                    f"Event {e!r} is neither an Event nor a date; use YYYY-MM-DD."
                ) from None
            if pd.isna(ts):
                raise ParameterError(f"Event date {e!r} is missing; use YYYY-MM-DD.")
            rows.append(_EventRow(ts.normalize(), "", "", ""))
    return sorted(rows, key=lambda r: r.date)


def event_session(date: DateLike, timing: Timing = "intraday") -> pd.Timestamp:
    """NYSE session whose close first reflects an event dated ``date``.

    Parameters
    ----------
    date : date-like
        Calendar date of the event (ET).
    timing : {"intraday", "after_close", "before_open"}
        When the news came out. ``intraday`` (FOMC statements at 14:00 ET) and
        ``before_open``: the session on the date, or the next session if the
        date is not a trading day. ``after_close``: the first session strictly
        after the date.

    Raises
    ------
    ParameterError
        Unknown timing, or a date beyond the trading calendar.
    """
    if timing not in TIMINGS:
        raise ParameterError(f"timing must be one of {', '.join(TIMINGS)}, got {timing!r}.")
    return _session_at(_session_pos(pd.Timestamp(date), timing), pd.Timestamp(date))


def _session_pos(date: pd.Timestamp, timing: Timing) -> int:
    sessions = nyse_sessions()
    side: Literal["left", "right"] = "right" if timing == "after_close" else "left"
    return int(sessions.searchsorted(date.normalize(), side=side))


def _session_at(pos: int, date: pd.Timestamp) -> pd.Timestamp:
    sessions = nyse_sessions()
    if pos >= len(sessions):
        raise ParameterError(
            f"Event date {date.date()} is beyond the trading calendar (last session "
            f"{sessions[-1].date()}); drop it."
        )
    return pd.Timestamp(sessions[pos])


# --- data ----------------------------------------------------------------------


def measure_of(ref: str) -> Measure:
    """How moves of a series are measured: ``change_bp`` (rates) or ``return`` (prices).

    Raises
    ------
    UnknownSeriesError
        Unknown id (with close matches).
    ParameterError
        Series that are not daily market series (weekly H.4.1 balances,
        monthly or quarterly macro data, quantities such as RRPONTSYD, a
        Volume column); the message suggests daily series instead.
    """
    spec, field = parse_series_ref(ref)
    _check_daily(spec, ref)
    if spec.kind == "factors":
        return "return"
    if spec.kind == "ohlcv":
        if field == "Volume":
            raise ParameterError(
                f"{ref} is trading volume, not a price; use {spec.id} (adjusted close) or "
                f"{spec.id}.Close."
            )
        return "return"
    if spec.units in _RATE_UNITS:
        return "change_bp"
    if spec.units.startswith("index"):
        return "return"
    raise ParameterError(
        f"{spec.id} is measured in {spec.units}, neither a rate (reported in bp) nor a price "
        "(reported as a return); event studies take yields, spreads and prices, e.g. DGS10, "
        "T2S10S, SOFR_IORB, SPY."
    )


def _check_daily(spec: SeriesSpec, ref: str) -> None:
    hint = "use a daily market series such as DGS10, T2S10S, SOFR_IORB or SPY"
    if spec.frequency != "daily":
        raise ParameterError(
            f"{ref} is a {spec.frequency} series ({spec.title}); event windows are measured "
            f"in trading sessions, so {hint}."
        )
    if spec.source == "derived":
        slow = [i for i in spec.inputs if parse_series_ref(i)[0].frequency != "daily"]
        if slow:
            freq = parse_series_ref(slow[0])[0].frequency
            raise ParameterError(
                f"{ref} is built from {freq} series ({', '.join(slow)}), so it moves only when "
                f"they are published; {hint}."
            )
        for i in spec.inputs:
            _check_daily(parse_series_ref(i)[0], i)


def _observations(ref: str, store: DataStore) -> pd.DataFrame:
    """Observations of ``ref`` by NYSE session: columns ``value`` and ``obs_date``.

    Each observation belongs to the first session on or after its date (the
    observation view: no release lag); of several, the last one wins.
    """
    spec, field = parse_series_ref(ref)
    sessions = nyse_sessions()
    if spec.source == "derived":
        inputs, func = DERIVED[spec.id]
        cols = [_observations(i, store)["value"] for i in inputs]
        idx = cols[0].index
        for c in cols[1:]:
            idx = idx.union(c.index)
        out = func(*(c.reindex(idx) for c in cols)).dropna()
        return pd.DataFrame(
            {"value": out.to_numpy(dtype="float64"), "obs_date": out.index}, index=out.index
        )
    col = store.load(spec).data[field or spec.id].dropna().astype("float64")
    if spec.kind == "factors":  # daily percent returns -> total-return index
        col = (1.0 + col / 100.0).cumprod()
    dates = pd.DatetimeIndex(col.index)
    pos = sessions.searchsorted(dates, side="left")
    ok = pos < len(sessions)
    frame = pd.DataFrame(
        {"value": col.to_numpy()[ok], "obs_date": dates[ok]},
        index=pd.DatetimeIndex(sessions[pos[ok]]),
    )
    return frame[~frame.index.duplicated(keep="last")]


def _track(ref: str, store: DataStore) -> _Track:
    measure = measure_of(ref)
    obs = _observations(ref, store)
    if obs.empty:
        raise EmptyRangeError(f"{ref} has no observation at all; `qtbt data list` shows it.")
    sessions = nyse_sessions()
    pos = sessions.get_indexer(obs.index)
    n = len(sessions)
    value = np.full(n, np.nan)
    obs_pos = np.full(n, -1, dtype=np.int64)
    value[pos] = obs["value"].to_numpy(dtype="float64")
    obs_pos[pos] = pos
    # carry each observation forward at most MAX_STALE_SESSIONS sessions
    filled = pd.Series(np.where(obs_pos >= 0, obs_pos, np.nan)).ffill(limit=MAX_STALE_SESSIONS)
    carried = filled.to_numpy()
    have = ~np.isnan(carried)
    src = np.where(have, carried, 0).astype(np.int64)
    value = np.where(have, value[src], np.nan)
    obs_pos = np.where(have, src, -1)
    date_by_pos = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    date_by_pos[pos] = obs["obs_date"].to_numpy(dtype="datetime64[ns]")
    obs_date = np.where(have, date_by_pos[src], np.datetime64("NaT"))
    return _Track(ref, measure, value, obs_date, obs_pos,
                  pd.Timestamp(obs["obs_date"].iloc[0]), pd.Timestamp(obs["obs_date"].iloc[-1]))


# --- measurement ----------------------------------------------------------------


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


def _daily_returns(tr: _Track) -> np.ndarray:
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


def _summary(moves: pd.DataFrame, series: list[str], measures: dict[str, str]) -> pd.DataFrame:
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


# --- the result -----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class EventStudyResult:
    """What :func:`event_study` measured.

    Attributes
    ----------
    moves : DataFrame
        One row per (event, series), columns :data:`MOVE_COLUMNS`: ``date``
        (the event's anchor date), ``series``, ``event`` (description),
        ``label``, ``kind``, ``event_session``, ``start_close_date`` and
        ``end_close_date`` (observations used), ``start_value`` and
        ``end_value`` (series units), ``change_bp`` (basis points, rates
        only), ``return`` (fraction, prices only), ``abnormal_return``
        (fraction, prices with a benchmark), ``benchmark_return`` (fraction)
        and ``beta``; NaN where not applicable. Sorted by date, then series
        in the order given.
    summary : DataFrame
        One row per series, columns :data:`SUMMARY_COLUMNS`: ``measure`` (the
        column summarised), ``n``, ``total``, ``mean``, ``std``, ``t_stat``,
        ``p_value`` (in the measure's units).
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
    summary: pd.DataFrame
    paths: pd.DataFrame
    window: int
    anchor: str
    timing: str
    benchmark: str | None
    abnormal: str
    skipped: pd.DataFrame

    def plot(self, abnormal: bool = False) -> Figure:
        """Mean cumulative move around the events, one panel per series.

        Day 0 is the close before the event session; the line runs from
        ``-PRE_EVENT_DAYS`` to ``window`` sessions after it and averages the
        events at each day. Rates are in basis points, prices in percent.

        Parameters
        ----------
        abnormal : bool
            Plot abnormal instead of raw returns for price series (needs a
            benchmark).

        Returns
        -------
        plotly.graph_objects.Figure
            Never shown; the caller (the report layer) decides.
        """
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        if abnormal and self.benchmark is None:
            raise ParameterError("abnormal=True needs a study run with a benchmark.")
        refs = list(self.summary["series"])
        fig = make_subplots(rows=max(len(refs), 1), cols=1, shared_xaxes=True,
                            subplot_titles=refs, vertical_spacing=0.08)
        for i, ref in enumerate(refs, start=1):
            part = self.paths[self.paths["series"] == ref]
            rate = measure_of(ref) == "change_bp"
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
            fig.update_yaxes(title_text="bp" if rate else "%", row=i, col=1)
            fig.add_vline(x=0, line_dash="dot", line_color="grey", row=i, col=1)
        fig.update_xaxes(title_text="sessions after the close before the event", row=len(refs),
                         col=1)
        fig.update_layout(
            title=f"Mean cumulative move around {self.moves['date'].nunique()} events "
            f"(window {self.window}, anchor {self.anchor}, timing {self.timing})",
            showlegend=False, height=max(300, 260 * len(refs)),
        )
        return fig


# --- the study --------------------------------------------------------------------


def event_study(
    series: str | Sequence[str],
    events: Sequence[Event | DateLike],
    window: int = 1,
    store: DataStore | None = None,
    anchor: Anchor = "announce",
    timing: Timing = "intraday",
    benchmark: str | None = None,
    abnormal: AbnormalModel = "ols",
    on_missing: OnMissing = "raise",
) -> EventStudyResult:
    """Measure each series' move around each event, then summarise per series.

    See the module docstring for the conventions (event session, window,
    units, abnormal returns, summary statistics).

    Parameters
    ----------
    series : str or sequence of str
        Daily series references: rates (``DGS10``, ``T2S10S``, ``SOFR_IORB``,
        moves in bp) or prices (``SPY``, ``SPY.Close``, ``SP500``, returns).
    events : sequence of Event or date-like
        Events from :func:`~backtest.regimes.events.load_events` /
        :func:`select_events`, or plain dates (label and kind empty).
    window : int
        Sessions from the close before the event session to the last close
        of the window (1: the event session's own move).
    store : DataStore, optional
        Data source; ``DataStore()`` by default.
    anchor : {"announce", "effective"}
        Date events by their announcement (default) or effective date.
    timing : {"intraday", "after_close", "before_open"}
        When the news came out relative to the session (default intraday).
    benchmark : str, optional
        Price series for abnormal returns of price series (e.g. ``SPY``).
    abnormal : {"ols", "market"}
        Beta by OLS over the estimation window, or beta = 1.
    on_missing : {"raise", "skip"}
        What to do when a series has no data around an event: raise
        :class:`~backtest.exceptions.EmptyRangeError`, or leave the event out
        for that series with an :class:`EventSkippedWarning`.

    Returns
    -------
    EventStudyResult

    Raises
    ------
    UnknownSeriesError
        Unknown series (with close matches).
    ParameterError
        Window below 1, bad option, no events, a non-daily or non-market series.
    EmptyRangeError
        A series with no data before an event (names its first date), or a
        window that runs past the data (names the last date).
    """
    refs = [series] if isinstance(series, str) else list(dict.fromkeys(series))
    if not refs:
        raise ParameterError("event_study needs at least one series, e.g. DGS10 or SPY.")
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 1:
        raise ParameterError(
            f"window must be a whole number of sessions, at least 1; got {window!r}."
        )
    window = int(window)
    for name, val, allowed in (("anchor", anchor, ANCHORS), ("timing", timing, TIMINGS),
                               ("abnormal", abnormal, ABNORMAL_MODELS),
                               ("on_missing", on_missing, ("raise", "skip"))):
        if val not in allowed:
            raise ParameterError(f"{name} must be one of {', '.join(allowed)}, got {val!r}.")
    measures = {r: measure_of(r) for r in refs}  # fail fast on bad series, before any loading
    if benchmark is not None and measure_of(benchmark) != "return":
        raise ParameterError(
            f"Benchmark {benchmark} is a rate, not a price; use a price series such as SPY."
        )
    rows_in = _normalise(events, anchor)
    if not rows_in:
        raise ParameterError("No events to study; give --set, --events or --dates.")

    # map to sessions; several events on one session are measured once
    sessions = nyse_sessions()
    mapped: list[tuple[_EventRow, int]] = []
    seen: set[int] = set()
    for ev in rows_in:
        p = _session_pos(ev.date, timing)
        _session_at(p, ev.date)
        if p not in seen:
            seen.add(p)
            mapped.append((ev, p))

    store = store if store is not None else DataStore()
    tracks = {r: _track(r, store) for r in refs}
    bm = _track(benchmark, store) if benchmark is not None else None
    bm_ret = _daily_returns(bm) if bm is not None else None

    records: list[dict[str, object]] = []
    paths: list[dict[str, object]] = []
    skipped: list[tuple[pd.Timestamp, str, str]] = []
    for ref in refs:
        tr = tracks[ref]
        ret = _daily_returns(tr) if bm is not None and tr.measure == "return" else None
        for ev, p in mapped:
            try:
                w = _window(tr, ev, p, window)
                beta = bench_ret = abn = math.nan
                if ret is not None and bm is not None and bm_ret is not None:
                    bw = _window(bm, ev, p, window)
                    bench_ret = bw.end / bw.start - 1.0
                    beta = 1.0 if abnormal == "market" else _beta(ret, bm_ret, p, tr, bm, ev)
            except _NoData as exc:
                if on_missing == "raise":
                    raise EmptyRangeError(str(exc)) from None
                skipped.append((ev.date, ref, exc.reason))
                continue
            if tr.measure == "change_bp":
                change, rtn = round(100.0 * (w.end - w.start), 8), math.nan
            else:
                change, rtn = math.nan, w.end / w.start - 1.0
                if not math.isnan(beta):
                    abn = rtn - beta * bench_ret
            records.append({
                "date": ev.date, "series": ref, "event": ev.event, "label": ev.label,
                "kind": ev.kind, "event_session": pd.Timestamp(sessions[p]),
                "start_close_date": w.start_date, "end_close_date": w.end_date,
                "start_value": w.start, "end_value": w.end, "change_bp": change,
                "return": rtn, "abnormal_return": abn, "benchmark_return": bench_ret,
                "beta": beta,
            })
            paths.extend(_path(tr, bm, ev, p, window, beta))

    _warn_skipped(skipped)
    moves = pd.DataFrame(records, columns=list(MOVE_COLUMNS))
    for c in ("date", "event_session", "start_close_date", "end_close_date"):
        moves[c] = pd.to_datetime(moves[c])
    for c in ("start_value", "end_value", "change_bp", "return", "abnormal_return",
              "benchmark_return", "beta"):
        moves[c] = moves[c].astype("float64")
    order = {r: i for i, r in enumerate(refs)}
    moves = moves.sort_values(["date", "series"], key=lambda s: s.map(order)
                              if s.name == "series" else s, kind="stable").reset_index(drop=True)
    measure_col = {
        r: ("abnormal_return" if bm is not None and m == "return" else m)
        for r, m in measures.items()
    }
    return EventStudyResult(
        moves=moves,
        summary=_summary(moves, refs, measure_col),
        paths=pd.DataFrame(paths, columns=list(_PATH_COLUMNS)),
        window=window,
        anchor=anchor,
        timing=timing,
        benchmark=bm.ref if bm is not None else None,
        abnormal=abnormal,
        skipped=pd.DataFrame(skipped, columns=["date", "series", "reason"]),
    )


def _warn_skipped(skipped: list[tuple[pd.Timestamp, str, str]]) -> None:
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
        else:
            move = v / v0 - 1.0
            abn = math.nan
            if bm is not None and not math.isnan(beta):
                abn = move - beta * (bm.value[q] / b0 - 1.0)
        out.append({"series": tr.ref, "date": ev.date, "event_session": sessions[p],
                    "day": day, "session": sessions[q], "move": float(move),
                    "abnormal_move": float(abn)})
    return out
