"""The sessions a run covers: its range, and each benchmark's within it.

A run's range is where every asset of the strategy has prices (``--start`` and
``--end`` checked against them); a benchmark is evaluated on the part of that
range where its own assets have prices, and never shortens the run. Each
adjustment comes with a note that names the asset and the date.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from backtest.data.calendar import sessions_between
from backtest.data.catalog import get_spec
from backtest.data.store import DataStore
from backtest.engine import EngineConfig
from backtest.exceptions import EmptyRangeError, StaleSeriesWarning
from backtest.runner.config import RunConfig
from backtest.strategy import StrategySpec

__all__ = ["Benchmark", "benchmark_range", "price_spans", "resolve_range", "strategy_end_note"]


@dataclass(frozen=True)
class Benchmark:
    """A benchmark strategy with its default parameters and its own engine schedule.

    ``start`` and ``end`` are the sessions it is evaluated on: the run's
    range, narrowed to where every asset of the benchmark has prices (None
    before :func:`prepare_inputs` sets them).
    """

    name: str
    spec: StrategySpec
    params: Mapping[str, Any]
    engine: EngineConfig
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None


def price_spans(store: DataStore, tickers: Sequence[str]) -> dict[str, tuple[pd.Timestamp, ...]]:
    """First and last session with an adjusted close, per ticker."""
    spans: dict[str, tuple[pd.Timestamp, ...]] = {}
    for t in tickers:
        s = store.load(get_spec(t)).data["Adj Close"].dropna()
        spans[t] = (pd.Timestamp(s.index[0]), pd.Timestamp(s.index[-1]))
    return spans


def resolve_range(cfg: RunConfig, store: DataStore, tickers: Sequence[str]
                  ) -> tuple[pd.Timestamp, pd.Timestamp, str | None]:
    """Backtest range: where every ticker has prices, checked against ``cfg.start/end``.

    A start before a ticker's first price is an error; an end after a ticker's
    last price cuts the range there with a StaleSeriesWarning, whose text is
    also returned as the third element (None when nothing was cut).
    """
    spans = price_spans(store, tickers)
    latest_first = max(spans.values(), key=lambda s: s[0])
    first_t = next(t for t, s in spans.items() if s == latest_first)
    earliest_last = min(s[1] for s in spans.values())
    start = pd.Timestamp(cfg.start) if cfg.start else latest_first[0]
    if start < latest_first[0]:
        late = sorted(f"{t} (from {s[0].date()})" for t, s in spans.items() if s[0] > start)
        raise EmptyRangeError(
            f"--start {start.date()} is before the first price of {', '.join(late)}; "
            f"pass --start {latest_first[0].date()} or later, or choose other assets."
        )
    end = pd.Timestamp(cfg.end) if cfg.end else earliest_last
    note = None
    if end > earliest_last:
        short = sorted(f"{t} (last {s[1].date()})" for t, s in spans.items() if s[1] < end)
        note = (f"Prices end before --end {end.date()}: {', '.join(short)}; the backtest ends "
                f"on {earliest_last.date()} instead.")
        warnings.warn(note, StaleSeriesWarning, stacklevel=3)
        end = earliest_last
    if len(sessions_between(start, end)) < 2:
        raise EmptyRangeError(
            f"The range {start.date()} to {end.date()} holds fewer than two NYSE sessions; "
            "a backtest needs at least two. Widen it."
        )
    if start >= end:
        raise EmptyRangeError(
            f"Empty backtest range {start.date()} to {end.date()} (prices of {first_t} start "
            f"{latest_first[0].date()}, common prices end {earliest_last.date()}). Widen it."
        )
    return start, end, note


def strategy_end_note(cfg: RunConfig, spans: Mapping[str, tuple[pd.Timestamp, ...]],
                      end: pd.Timestamp) -> str | None:
    """The strategy's assets whose prices end before the others' (None when none do).

    Only for a run without ``--end`` (an ``--end`` past a last price has its
    own note from :func:`resolve_range`).
    """
    latest = max(s[1] for s in spans.values())
    short = sorted(f"{t} (last {s[1].date()})" for t, s in spans.items() if s[1] < latest)
    if cfg.end is not None or not short:
        return None
    longer = sorted(t for t, s in spans.items() if s[1] == latest)
    return (f"Prices of {', '.join(short)} end before those of {', '.join(longer)} (last "
            f"{latest.date()}); the backtest ends on {end.date()}, the last session with "
            "prices of every asset of the strategy.")


def benchmark_range(bench: Benchmark, store: DataStore, start: pd.Timestamp,
                    end: pd.Timestamp) -> tuple[Benchmark | None, str | None]:
    """``bench`` with the sessions it is evaluated on, and a note when they are fewer.

    The run's range ``start``..``end`` is the strategy's own; a benchmark
    whose assets start later or end earlier is narrowed to where all of them
    have prices (its other sessions are missing, never filled), and is left
    out (None) when fewer than two sessions remain.
    """
    spans = price_spans(store, bench.spec.assets_for(bench.params))
    first_t, first = max(((t, s[0]) for t, s in spans.items()), key=lambda x: x[1])
    last_t, last = min(((t, s[1]) for t, s in spans.items()), key=lambda x: x[1])
    if first <= start and last >= end:
        return replace(bench, start=start, end=end), None
    why = ([f"{first_t} starts {first.date()}"] if first > start else []) + \
          ([f"{last_t} ends {last.date()}"] if last < end else [])
    sessions = sessions_between(max(start, first), min(end, last))
    if len(sessions) < 2:
        return None, (f"benchmark {bench.name} left out: {'; '.join(why)}, so it has fewer "
                      f"than two sessions in the backtest ({start.date()} to {end.date()}).")
    return (replace(bench, start=sessions[0], end=sessions[-1]),
            f"benchmark {bench.name}: {'; '.join(why)}; it is evaluated on "
            f"{sessions[0].date()} to {sessions[-1].date()} and its returns are missing (NaN) "
            f"on the backtest's other sessions ({start.date()} to {end.date()}).")
