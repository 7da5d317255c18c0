"""What ``now`` reads: point-in-time observations, the ``as_of`` session and staleness.

Every value ``now`` shows is the latest observation *known* at the close of
``as_of`` (its release rule applied by
:func:`backtest.data.panel.observations_with_release`); nothing dated or
released later is read.

``as_of`` (default) is the latest NYSE session at whose close every *core*
input (:data:`CORE`: the series of net liquidity and funding) is known, i.e.
the minimum over the core inputs of the session their last observation became
known. The other inputs (GDP, the classifiers' balance-sheet series, the
strategies' prices and series) are measured against it.

Staleness rule (:data:`STALE_SESSIONS`): an input is *stale* when more NYSE
sessions than its frequency allows have passed between the session its last
observation became known and ``as_of``: daily 3 (a holiday or a late print),
weekly 7 (H.4.1 every Thursday, plus a holiday), monthly 30, quarterly 70
(GDP's advance, second and third estimates arrive about a month apart, a new
quarter every ~63 sessions). Stale inputs are listed by name; their last
value is still what ``now`` uses, and the output says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.data.calendar import nyse_sessions, parse_date, sessions_between
from backtest.data.catalog import parse_series_ref
from backtest.data.panel import observations_with_release
from backtest.data.store import DataStore
from backtest.exceptions import EmptyRangeError, ParameterError

__all__ = ["CORE", "NEEDED", "STALE_SESSIONS", "InputStatus", "Observations", "input_status",
           "input_table", "next_session", "resolve_as_of", "sessions_after", "stale_names"]

#: inputs of net liquidity and funding: ``as_of`` is the last session all are known
CORE: tuple[str, ...] = ("WALCL", "WTREGEN", "RRPONTSYD", "WRESBAL", "SOFR", "EFFR",
                         "IORB_IOER", "DFEDTARU")
#: inputs without which ``now`` has nothing to say (the others may be missing early on)
NEEDED: tuple[str, ...] = ("WALCL", "WTREGEN")
#: sessions after an input's last release beyond which it counts as stale, by frequency
STALE_SESSIONS: dict[str, int] = {"daily": 3, "weekly": 7, "monthly": 30, "quarterly": 70}


class Observations:
    """Observations of series with the session each became known, read once per series."""

    def __init__(self, store: DataStore) -> None:
        self.store = store
        self._memo: dict[str, pd.DataFrame] = {}

    def frame(self, ref: str) -> pd.DataFrame:
        """``value`` and ``known`` by observation date (all of them, unfiltered)."""
        if ref not in self._memo:
            self._memo[ref] = observations_with_release(ref, self.store)
        return self._memo[ref]

    def known_by(self, ref: str, session: pd.Timestamp) -> pd.DataFrame:
        """Observations of ``ref`` known at the close of ``session``."""
        obs = self.frame(ref)
        return obs[obs["known"] <= session]

    def value_at(self, ref: str, session: pd.Timestamp) -> float:
        """The latest value of ``ref`` known at the close of ``session`` (NaN if none)."""
        obs = self.known_by(ref, session)
        return float(obs["value"].iloc[-1]) if len(obs) else float("nan")

    def by_known(self, ref: str, session: pd.Timestamp) -> pd.Series:
        """Values known by ``session``, indexed by the session each became known (last wins)."""
        obs = self.known_by(ref, session)
        s = pd.Series(obs["value"].to_numpy(), index=pd.DatetimeIndex(obs["known"]), name=ref)
        return s[~s.index.duplicated(keep="last")]

    def last_known(self, ref: str) -> pd.Timestamp | None:
        """Session at which the last observation of ``ref`` became known (None if none)."""
        obs = self.frame(ref)
        return pd.Timestamp(obs["known"].max()) if len(obs) else None


def sessions_after(known: pd.Timestamp, as_of: pd.Timestamp) -> int:
    """NYSE sessions after ``known`` up to and including ``as_of`` (0 when known at as_of)."""
    if known >= as_of:
        return 0
    return len(sessions_between(known + pd.Timedelta(days=1), as_of))


def next_session(as_of: pd.Timestamp) -> pd.Timestamp:
    """The first NYSE session after ``as_of``: when trades decided at its close execute."""
    s = nyse_sessions()
    i = int(s.searchsorted(as_of, side="right"))
    if i >= len(s):
        raise EmptyRangeError(f"The NYSE calendar ends before the session after {as_of.date()}.")
    return pd.Timestamp(s[i])


def resolve_as_of(obs: Observations, as_of: object = None) -> pd.Timestamp:
    """The session ``now`` describes: given (rolled back to a session) or from the data.

    Raises
    ------
    ParameterError
        ``as_of`` is not a date.
    EmptyRangeError
        A core input has no observation, or no session is on or before ``as_of``.
    """
    if as_of is None:
        lasts = {ref: obs.last_known(ref) for ref in CORE}
        missing = [r for r, v in lasts.items() if v is None]
        if missing:
            raise EmptyRangeError(f"now needs {', '.join(missing)}; the data has no "
                                  "observation of them. `qtbt data list` shows what is there.")
        day = min(v for v in lasts.values() if v is not None)
    else:
        if isinstance(as_of, bool) or not isinstance(as_of, str | dt.date):
            raise ParameterError(f"as_of must be a date such as '2026-08-21', got {as_of!r}.")
        day = parse_date(as_of, "as_of")
    past = sessions_between(None, day)
    if len(past) == 0:
        raise EmptyRangeError(f"as_of {day.date()} is before the first NYSE session.")
    session = pd.Timestamp(past[-1])
    unknown = [r for r in NEEDED if not len(obs.known_by(r, session))]
    if unknown:
        firsts = [obs.frame(r)["known"].min() for r in NEEDED]
        raise EmptyRangeError(
            f"as_of {session.date()} is before {' and '.join(unknown)} "
            f"{'is' if len(unknown) == 1 else 'are'} first known; net "
            f"liquidity needs {' and '.join(NEEDED)}: pass as_of {max(firsts).date()} or later.")
    return session


@dataclass(frozen=True)
class InputStatus:
    """One input as known at ``as_of``.

    Attributes
    ----------
    id, title, frequency, units : str
        From the catalog.
    role : str
        Why ``now`` reads it (``net liquidity``, ``funding``, ``regimes``, a strategy).
    observed : Timestamp or None
        Date of the last observation known at ``as_of``'s close.
    known : Timestamp or None
        Session at whose close it became known.
    value : float
        Its value (catalog units; NaN when there is none).
    sessions_stale : int
        Sessions from ``known`` to ``as_of`` (0: known at as_of).
    days_stale : int
        Calendar days from ``observed`` to ``as_of``.
    stale : bool
        ``sessions_stale`` exceeds :data:`STALE_SESSIONS` of its frequency, or no value.
    """

    id: str
    title: str
    frequency: str
    units: str
    role: str
    observed: pd.Timestamp | None
    known: pd.Timestamp | None
    value: float
    sessions_stale: int
    days_stale: int
    stale: bool

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields (dates as ``YYYY-MM-DD``, NaN as None)."""
        return {"title": self.title, "frequency": self.frequency, "units": self.units,
                "role": self.role,
                "last_observation": None if self.observed is None else f"{self.observed:%Y-%m-%d}",
                "known": None if self.known is None else f"{self.known:%Y-%m-%d}",
                "value": None if np.isnan(self.value) else self.value,
                "sessions_stale": self.sessions_stale, "days_stale": self.days_stale,
                "stale": self.stale}


def input_status(obs: Observations, ref: str, role: str, as_of: pd.Timestamp) -> InputStatus:
    """Last observation of ``ref`` known at ``as_of`` and whether it is stale."""
    spec, _ = parse_series_ref(ref)  # a field reference (SPY.Volume) too
    known = obs.known_by(ref, as_of)
    if len(known) == 0:
        return InputStatus(spec.id, spec.title, spec.frequency, spec.units, role, None, None,
                           float("nan"), -1, -1, True)
    observed = pd.Timestamp(known.index[-1])
    at = pd.Timestamp(known["known"].iloc[-1])
    lag = sessions_after(at, as_of)
    return InputStatus(spec.id, spec.title, spec.frequency, spec.units, role, observed, at,
                       float(known["value"].iloc[-1]), lag, int((as_of - observed).days),
                       lag > STALE_SESSIONS[spec.frequency])


def input_table(obs: Observations, roles: Iterable[tuple[str, str]], as_of: pd.Timestamp
                ) -> dict[str, InputStatus]:
    """Status of each ``(ref, role)``; a ref read for several roles lists them all."""
    merged: dict[str, list[str]] = {}
    for ref, role in roles:
        merged.setdefault(ref, [])
        if role not in merged[ref]:
            merged[ref].append(role)
    return {ref: input_status(obs, ref, ", ".join(r), as_of) for ref, r in merged.items()}


def stale_names(table: dict[str, InputStatus]) -> Sequence[str]:
    """Ids of the stale inputs, in table order."""
    return [k for k, v in table.items() if v.stale]
