"""The Fed balance-sheet events file: load, validate, select event sets."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from backtest.exceptions import ConfigError
from backtest.regimes.labels import LABELS

__all__ = [
    "EVENT_KINDS",
    "EVENT_SETS",
    "Event",
    "default_events_path",
    "event_set",
    "load_events",
]

EVENT_KINDS: tuple[str, ...] = (
    "qe", "taper", "purchases_end", "reinvestment", "twist", "qt_start", "qt_slowdown",
    "qt_end", "rmp",
)

# named sets of event kinds, for event studies (`qtbt events --set NAME`)
EVENT_SETS: dict[str, tuple[str, ...]] = {
    "qe": ("qe",),
    "taper": ("taper",),
    "qt_start": ("qt_start",),
    "qt_end": ("qt_slowdown", "qt_end"),
    "rmp": ("rmp",),
    "purchases_end": ("purchases_end",),
    "all": EVENT_KINDS,
}

_COLUMNS = ("announced", "effective", "label", "kind", "description", "source")


@dataclass(frozen=True)
class Event:
    """One Fed balance-sheet decision.

    Attributes
    ----------
    announced : Timestamp
        Date of the announcement (FOMC statement or press release).
    effective : Timestamp
        Date the balance-sheet operations start (on or after ``announced``).
    label : str
        Regime that starts with this event (one of ``LABELS``).
    kind : str
        Finer event type (one of ``EVENT_KINDS``), used for event sets.
    description : str
        What was decided.
    source : str
        Link to the Fed's release.
    """

    announced: pd.Timestamp
    effective: pd.Timestamp
    label: str
    kind: str
    description: str
    source: str


def default_events_path() -> Path:
    """Path of the events file shipped with qtbt."""
    return Path(str(resources.files("backtest.regimes").joinpath("events.csv")))


def _parse_date(value: str, column: str, origin: str, line: int) -> pd.Timestamp:
    try:
        return pd.Timestamp(pd.to_datetime(value.strip(), format="%Y-%m-%d"))
    except (ValueError, TypeError):
        raise ConfigError(
            f"{origin}, line {line}: {column} {value!r} is not a date; use YYYY-MM-DD."
        ) from None


def load_events(path: str | Path | None = None) -> list[Event]:
    """Read and validate an events file (CSV with the shipped file's columns).

    Parameters
    ----------
    path : path, optional
        A user's events file; the shipped ``events.csv`` by default.

    Returns
    -------
    list of Event
        Sorted by effective date (stable for equal dates).

    Raises
    ------
    ConfigError
        Missing columns, a bad date, an unknown label or kind, or an effective
        date before its announcement; the message names the file and line.
    """
    p = Path(path) if path is not None else default_events_path()
    origin = str(p)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"Events file {origin} does not exist.") from None
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    missing = [c for c in _COLUMNS if c not in header]
    if missing:
        raise ConfigError(
            f"{origin}, line 1: missing column(s) {missing}; the header must be "
            f"{','.join(_COLUMNS)}."
        )
    events: list[Event] = []
    for i, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values()):
            continue
        ann = _parse_date(row["announced"] or "", "announced", origin, i)
        eff = _parse_date(row["effective"] or "", "effective", origin, i)
        label = (row["label"] or "").strip()
        kind = (row["kind"] or "").strip()
        if label not in LABELS:
            raise ConfigError(
                f"{origin}, line {i}: unknown label {label!r}; allowed: {', '.join(LABELS)}."
            )
        if kind not in EVENT_KINDS:
            raise ConfigError(
                f"{origin}, line {i}: unknown kind {kind!r}; allowed: {', '.join(EVENT_KINDS)}."
            )
        if eff < ann:
            raise ConfigError(
                f"{origin}, line {i}: effective date {eff.date()} is before the announcement "
                f"{ann.date()}; an event cannot take effect before it is announced."
            )
        events.append(Event(ann, eff, label, kind, (row["description"] or "").strip(),
                            (row["source"] or "").strip()))
    if not events:
        raise ConfigError(f"{origin}: no events found; add at least one row.")
    return sorted(events, key=lambda e: e.effective)


def event_set(name: str, events: list[Event] | None = None) -> list[Event]:
    """Events of a named set (``qe``, ``taper``, ``qt_start``, ``qt_end``, ``rmp``, ...).

    Raises
    ------
    ConfigError
        For an unknown set name (lists the known ones).
    """
    if name not in EVENT_SETS:
        raise ConfigError(f"Unknown event set {name!r}; known sets: {', '.join(EVENT_SETS)}.")
    kinds = EVENT_SETS[name]
    return [e for e in (events if events is not None else load_events()) if e.kind in kinds]
