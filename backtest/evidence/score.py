"""Scoring a forecast ledger: each leg's outcome, point in time, and the verdicts.

Outcomes
--------
The anchor's session is the NYSE session on the anchor date (or the next
one: FOMC news comes out during the session). A leg's outcome at horizon
``N`` runs from the close of the session before it to the close ``N``
sessions later (session ``anchor + N - 1``, as ``qtbt events --window N``):
``100 * (end - start)`` bp for yields and spreads, ``100 * (end / start - 1)``
percent for prices, ``end - start`` in their own units for levels (WALCL,
RRPONTSYD, ...), the difference of the two series' outcomes with
``versus``, and ``100 * end`` bp for a ``level``. Each series is read at its
own observation dates (carried forward at most a few sessions over holidays).

Verdicts
--------
A leg is **right** when its outcome has the claimed sign (and lies in the
claimed range, when one is given), **partly** when the sign is right but the
size is outside the range, **wrong** when the sign is wrong (for ``flat``:
right inside the band, wrong outside), and **not yet measurable** when the
data does not reach the horizon's close. A forecast whose legs combine with
``all`` is not yet measurable when any leg is, right when every leg is right,
wrong when every leg is wrong, partly otherwise; with ``any`` it is right when
any leg is right, not yet measurable when none is right and some leg cannot
be measured, partly when some leg is partly, wrong otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.data.calendar import nyse_sessions
from backtest.data.catalog import parse_series_ref
from backtest.data.store import DataStore
from backtest.eventstudy import measure_of
from backtest.eventstudy.series import Track, series_track
from backtest.evidence.ledger import Forecast, Leg

__all__ = [
    "NYM",
    "OUTCOME_COLUMNS",
    "PATH_COLUMNS",
    "VERDICT_COLUMNS",
    "combine_verdicts",
    "leg_verdict",
    "score_forecasts",
]

#: verdict when the data does not yet reach a horizon
NYM = "not yet measurable"
OUTCOME_COLUMNS = ("id", "horizon", "leg", "unit", "expected", "anchor_session", "start_date",
                   "end_date", "outcome", "leg_verdict")
VERDICT_COLUMNS = ("id", "statement", "anchor", "horizon", "end_date", "verdict", "legs")
PATH_COLUMNS = ("id", "leg", "day", "session", "outcome")


def leg_verdict(leg: Leg, outcome: float) -> str:
    """``right``, ``partly``, ``wrong`` or :data:`NYM` for one outcome (NaN: NYM)."""
    if math.isnan(outcome):
        return NYM
    inside = ((leg.low is None or outcome >= leg.low)
              and (leg.high is None or outcome <= leg.high))
    if leg.direction == "flat":
        return "right" if inside else "wrong"
    sign_ok = outcome > 0 if leg.direction == "up" else outcome < 0
    if not sign_ok:
        return "wrong"
    return "right" if inside else "partly"


def combine_verdicts(verdicts: Sequence[str], how: str) -> str:
    """A forecast's verdict from its legs' (rules in the module notes)."""
    v = list(verdicts)
    if how == "any":
        if "right" in v:
            return "right"
        if NYM in v:
            return NYM
        return "partly" if "partly" in v else "wrong"
    if NYM in v:
        return NYM
    if all(x == "right" for x in v):
        return "right"
    if all(x == "wrong" for x in v):
        return "wrong"
    return "partly"


@dataclass(frozen=True)
class _Leg:
    """One leg's tracks and unit."""

    leg: Leg
    main: Track
    versus: Track | None
    unit: str

    def last_pos(self) -> int:
        """Position of the last session with data of every series of the leg."""
        sessions = nyse_sessions()
        last = min(t.last for t in (self.main, self.versus) if t is not None)
        return int(sessions.searchsorted(last, side="right")) - 1

    def _move(self, tr: Track, base: int, end: int) -> float:
        v0, v1 = tr.value[base], tr.value[end]
        if self.leg.measure == "level":
            return float(100.0 * v1)
        if tr.measure == "change_bp":
            return float(100.0 * (v1 - v0))
        if tr.measure == "change":
            return float(v1 - v0)
        return float(100.0 * (v1 / v0 - 1.0))

    def outcome(self, base: int, end: int) -> float:
        """Outcome from the close at ``base`` to the close at ``end`` (NaN if not known)."""
        if base < 0 or end > self.last_pos():
            return math.nan
        x = self._move(self.main, base, end)
        if self.versus is not None:
            x -= self._move(self.versus, base, end)
        return round(x, 8) if np.isfinite(x) else math.nan


def _legs(forecast: Forecast, store: DataStore, cache: dict[str, Track]) -> list[_Leg]:
    def track(ref: str) -> Track:
        if ref not in cache:
            cache[ref] = series_track(ref, store)
        return cache[ref]

    out = []
    for leg in forecast.legs:
        how = measure_of(leg.series)
        unit = ("bp" if how == "change_bp" else "%" if how == "return"
                else parse_series_ref(leg.series)[0].units)
        out.append(_Leg(leg, track(leg.series),
                        track(leg.versus) if leg.versus else None, unit))
    return out


def _score_one(f: Forecast, legs: list[_Leg]) -> tuple[list[dict[str, object]],
                                                         list[dict[str, object]],
                                                         list[dict[str, object]]]:
    sessions = nyse_sessions()
    p = int(sessions.searchsorted(f.date.normalize(), side="left"))
    base = p - 1
    outcomes, verdicts, paths = [], [], []
    for h in f.horizons:
        end = base + h
        end_date = sessions[end] if end < len(sessions) else pd.NaT
        leg_v = []
        for lg in legs:
            x = lg.outcome(base, end) if end < len(sessions) else math.nan
            v = leg_verdict(lg.leg, x)
            leg_v.append(v)
            outcomes.append({"id": f.id, "horizon": h, "leg": lg.leg.name, "unit": lg.unit,
                             "expected": lg.leg.expected(), "anchor_session": sessions[p],
                             "start_date": sessions[base], "end_date": end_date,
                             "outcome": x, "leg_verdict": v})
        verdicts.append({"id": f.id, "statement": f.statement, "anchor": f.anchor,
                         "horizon": h, "end_date": end_date,
                         "verdict": combine_verdicts(leg_v, f.combine), "legs": len(legs)})
    last = min(base + max(f.horizons), len(sessions) - 1)
    for lg in legs:
        for day in range(0, last - base + 1):
            x = lg.outcome(base, base + day)
            if not math.isnan(x):
                paths.append({"id": f.id, "leg": lg.leg.name, "day": day,
                              "session": sessions[base + day], "outcome": x})
    return outcomes, verdicts, paths


def score_forecasts(forecasts: Sequence[Forecast], store: DataStore
                    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Outcomes, verdicts and paths of every forecast.

    Parameters
    ----------
    forecasts : sequence of Forecast
        From :func:`backtest.evidence.load_ledger`.
    store : DataStore
        Where the series come from.

    Returns
    -------
    outcomes : DataFrame
        :data:`OUTCOME_COLUMNS`, one row per forecast, horizon and leg
        (``outcome`` in ``unit``: bp or %; NaN when not yet measurable).
    verdicts : DataFrame
        :data:`VERDICT_COLUMNS`, one row per forecast and horizon.
    paths : DataFrame
        :data:`PATH_COLUMNS`, each leg's outcome on every session from the close
        before the anchor (day 0) to the longest horizon or the data's end.

    Raises
    ------
    UnknownSeriesError, ParameterError, EmptyRangeError
        A series that cannot be read.
    """
    cache: dict[str, Track] = {}
    rows: tuple[list[dict[str, object]], ...] = ([], [], [])
    for f in forecasts:
        for acc, part in zip(rows, _score_one(f, _legs(f, store, cache)), strict=True):
            acc.extend(part)
    return (pd.DataFrame(rows[0], columns=list(OUTCOME_COLUMNS)),
            pd.DataFrame(rows[1], columns=list(VERDICT_COLUMNS)),
            pd.DataFrame(rows[2], columns=list(PATH_COLUMNS)))
