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
sense for the *timing*: weekly H.4.1 balances (Wednesday levels), monthly and
quarterly series are read at their observation dates too, carried forward
until the next one (:data:`~backtest.eventstudy.series.STALE_SESSIONS`), so a
window shorter than their spacing may hold no new observation (an error that
says to widen it).

**Units.** Series in percent or percentage points (yields, spreads,
breakevens, OAS, policy rates, ``T2S10S``, ``SOFR_IORB``) are reported as
``change_bp`` = 100 x (end - start), in basis points. Prices (Yahoo tickers,
index levels such as ``SP500``, ``VIXCLS``, ``DTWEXBGS``) are reported as the
simple ``return`` end / start - 1 (a fraction: 0.03 is 3 %). Daily
Fama-French factors (percent returns) are compounded into a total-return
index (1 at their first day) and treated as prices. Every other level
(``WALCL``, ``WRESBAL``, ``WLRRAL`` and ``NETLIQ`` in USD millions,
``RRPONTSYD`` in USD billions, ``MMMFFAQ027S``) is reported as ``change`` =
end - start, in the series' own units.

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

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from backtest._typing import (
    AbnormalModel,
    DateLike,
    EventAnchor,
    EventMeasure,
    EventTiming,
    OnMissing,
)
from backtest.data.store import DataStore, as_store
from backtest.eventstudy.dates import (
    ANCHORS,
    TIMINGS,
    _EventRow,
    _normalise,
    _session_at,
    _session_pos,
)
from backtest.eventstudy.measure import (
    MOVE_COLUMNS,
    PATH_COLUMNS,
    _NoData,
    daily_returns,
    measure_event,
    summarise,
    warn_skipped,
)
from backtest.eventstudy.result import EventStudyResult
from backtest.eventstudy.series import _track, measure_of, same_series
from backtest.exceptions import EmptyRangeError, ParameterError
from backtest.regimes.events import Event

__all__ = ["ABNORMAL_MODELS", "AbnormalModel", "OnMissing", "event_study"]

ABNORMAL_MODELS: tuple[str, ...] = ("ols", "market")


def event_study(
    series: str | Sequence[str],
    events: Sequence[Event | DateLike],
    window: int = 1,
    store: DataStore | str | Path | None = None,
    anchor: EventAnchor = "announce",
    timing: EventTiming = "intraday",
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
        Window below 1, bad option, no events, a non-daily or non-market
        series, or a benchmark that is also one of ``series`` (its abnormal
        return against itself is rounding noise).
    EmptyRangeError
        A series with no data before an event (names its first date), or a
        window that runs past the data (names the last date).
    """
    refs = [series] if isinstance(series, str) else list(dict.fromkeys(series))
    window = _check_options(refs, window, anchor, timing, abnormal, on_missing)
    measures = {r: measure_of(r) for r in refs}  # fail fast on bad series, before any loading
    _check_benchmark(benchmark, refs)
    mapped = _map_sessions(_normalise(events, anchor), timing)
    store = as_store(store, "event_study")
    tracks = {r: _track(r, store) for r in refs}
    bm = _track(benchmark, store) if benchmark is not None else None
    bm_ret = daily_returns(bm) if bm is not None else None
    records: list[dict[str, object]] = []
    paths: list[dict[str, object]] = []
    skipped: list[tuple[pd.Timestamp, str, str]] = []
    for ref in refs:
        tr = tracks[ref]
        rets = ((daily_returns(tr), bm_ret) if bm_ret is not None and tr.measure == "return"
                else None)
        for ev, p in mapped:
            try:
                record, path = measure_event(tr, bm, rets, ev, p, window, abnormal)
            except _NoData as exc:
                if on_missing == "raise":
                    raise EmptyRangeError(str(exc)) from None
                skipped.append((ev.date, ref, exc.reason))
                continue
            records.append(record)
            paths.extend(path)
    warn_skipped(skipped)
    moves = _moves_frame(records, refs)
    return EventStudyResult(
        moves=moves,
        stats=summarise(moves, refs, _summary_columns(measures, bm is not None)),
        paths=pd.DataFrame(paths, columns=list(PATH_COLUMNS)),
        window=window, anchor=anchor, timing=timing,
        benchmark=bm.ref if bm is not None else None, abnormal=abnormal,
        skipped=pd.DataFrame(skipped, columns=["date", "series", "reason"]),
    )


def _check_options(refs: list[str], window: object, anchor: str, timing: str, abnormal: str,
                   on_missing: str) -> int:
    """The window as an int, after checking every option (ParameterError otherwise)."""
    if not refs:
        raise ParameterError("event_study needs at least one series, e.g. DGS10 or SPY.")
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 1:
        raise ParameterError(
            f"window must be a whole number of sessions, at least 1; got {window!r}."
        )
    for name, val, allowed in (("anchor", anchor, ANCHORS), ("timing", timing, TIMINGS),
                               ("abnormal", abnormal, ABNORMAL_MODELS),
                               ("on_missing", on_missing, ("raise", "skip"))):
        if val not in allowed:
            raise ParameterError(f"{name} must be one of {', '.join(allowed)}, got {val!r}.")
    return int(window)


def _check_benchmark(benchmark: str | None, refs: list[str]) -> None:
    """A benchmark must be a price series and not one of the series studied."""
    if benchmark is None:
        return
    if measure_of(benchmark) != "return":
        raise ParameterError(
            f"Benchmark {benchmark} is a rate, not a price; use a price series such as SPY."
        )
    own = [r for r in refs if same_series(r, benchmark)]
    if own:
        raise ParameterError(
            f"Benchmark {benchmark} is also a series studied ({', '.join(own)}); its abnormal "
            "return against itself is zero up to rounding, so a t-statistic of it would "
            f"measure noise. Drop {own[0]} from the series or pick another benchmark (e.g. "
            "SPY for stocks, TLT for bonds)."
        )


def _map_sessions(rows: list[_EventRow], timing: EventTiming) -> list[tuple[_EventRow, int]]:
    """Each event with the position of its session; several events on one session count once."""
    if not rows:
        raise ParameterError("No events to study; give --set, --events or --dates.")
    mapped: list[tuple[_EventRow, int]] = []
    seen: set[int] = set()
    for ev in rows:
        p = _session_pos(ev.date, timing)
        _session_at(p, ev.date)
        if p not in seen:
            seen.add(p)
            mapped.append((ev, p))
    return mapped


def _moves_frame(records: list[dict[str, object]], refs: list[str]) -> pd.DataFrame:
    """The tidy ``moves`` frame, typed and sorted by date, then series in the order given."""
    moves = pd.DataFrame(records, columns=list(MOVE_COLUMNS))
    for c in ("date", "event_session", "start_close_date", "end_close_date"):
        moves[c] = pd.to_datetime(moves[c])
    for c in ("start_value", "end_value", "change_bp", "return", "abnormal_return",
              "benchmark_return", "beta", "change"):
        moves[c] = moves[c].astype("float64")
    order = {r: i for i, r in enumerate(refs)}
    return moves.sort_values(["date", "series"], key=lambda s: s.map(order)
                             if s.name == "series" else s, kind="stable").reset_index(drop=True)


def _summary_columns(measures: dict[str, EventMeasure], benchmark: bool) -> dict[str, str]:
    """The column summarised per series: abnormal returns for prices with a benchmark."""
    return {r: ("abnormal_return" if benchmark and m == "return" else m)
            for r, m in measures.items()}
