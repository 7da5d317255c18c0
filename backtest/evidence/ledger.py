"""Forecasts as data: the ledger file, its rows, and their validation.

A ledger is a TOML file of ``[[forecast]]`` tables or a CSV file with the
same columns, one row per *leg* (one measurable move). Rows that share an
``id`` are the legs of one forecast; the first row of an id carries its
``statement``, ``anchor``, ``horizons`` and ``combine`` (later rows may
repeat them, identically, or leave them out).

Columns
-------
id : str
    Short name, letters, digits and ``_``.
statement : str
    The forecast in words.
anchor : str
    ``YYYY-MM-DD`` (the news came out that day, during the session), or
    ``event:YYYY-MM-DD`` (the events-file row announced that day) or
    ``event:YYYY-MM-DD:effective`` (that row's effective date).
horizons : list of int
    Sessions after the anchor at which the outcome is measured (TOML list;
    in CSV ``21 63 126``, separated by spaces or ``;``).
combine : {"all", "any"}
    How legs make the forecast's verdict (default ``all``).
series : str
    A series id (``DGS2``, ``GSPC``, ``SOFR_IORB``, ``IWF``; levels such as
    ``WALCL`` or ``RRPONTSYD`` move in their own units).
versus : str, optional
    Another series measured the same way; the outcome is the difference.
measure : {"change", "level"}
    ``change`` (default): from the close before the anchor to the close
    ``horizon`` sessions later, in bp for yields and spreads, in percent for
    prices, in the series' units for levels. ``level``: the value at that
    later close (rates only, in bp).
direction : {"up", "down", "flat"}
    The claimed sign of the outcome; ``flat`` needs a range.
low, high : float, optional
    The claimed size range, in the outcome's unit (bp or percent).
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from backtest.exceptions import ConfigError, QtbtError

__all__ = [
    "COLUMNS",
    "SHIPPED",
    "Forecast",
    "Leg",
    "load_ledger",
]

Direction = Literal["up", "down", "flat"]
LegMeasure = Literal["change", "level"]
Combine = Literal["all", "any"]

#: every column a ledger row may have, in order
COLUMNS = ("id", "statement", "anchor", "horizons", "combine", "series", "versus", "measure",
           "direction", "low", "high")
#: the shipped ledger (forecasts made when the end of QT2 was announced)
SHIPPED = "qt_end_2025.toml"

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ANCHOR = re.compile(r"^(event:)?(\d{4}-\d{2}-\d{2})(:effective|:announce)?$")
_DIRECTIONS = ("up", "down", "flat")
_MEASURES = ("change", "level")
_COMBINE = ("all", "any")
_FORECAST_KEYS = ("statement", "anchor", "horizons", "combine")


@dataclass(frozen=True)
class Leg:
    """One measurable move of a forecast.

    Attributes
    ----------
    series : str
        Series id.
    versus : str or None
        Series subtracted (same measure), or None.
    measure : {"change", "level"}
        Change from the close before the anchor, or the level at the end close.
    direction : {"up", "down", "flat"}
        Claimed sign.
    low, high : float or None
        Claimed size range (bp or percent).
    """

    series: str
    versus: str | None
    measure: LegMeasure
    direction: Direction
    low: float | None
    high: float | None

    @property
    def name(self) -> str:
        """``SERIES``, ``SERIES - VERSUS`` or ``SERIES level``."""
        base = f"{self.series} - {self.versus}" if self.versus else self.series
        return f"{base} level" if self.measure == "level" else base

    def expected(self) -> str:
        """The claim in short: ``down, -20 to -15``."""
        if self.low is None and self.high is None:
            return self.direction
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "+inf" if self.high is None else f"{self.high:g}"
        return f"{self.direction}, {lo} to {hi}"


@dataclass(frozen=True)
class Forecast:
    """A forecast: its words, when it was made, when it is judged, and its legs.

    Attributes
    ----------
    id, statement : str
        Name and words.
    anchor : str
        As written in the ledger (see the module notes).
    date : Timestamp
        The anchor's calendar date (the events-file row resolved).
    horizons : tuple of int
        Sessions after the anchor.
    combine : {"all", "any"}
        How legs combine.
    legs : tuple of Leg
        The measured moves.
    """

    id: str
    statement: str
    anchor: str
    date: pd.Timestamp
    horizons: tuple[int, ...]
    combine: Combine
    legs: tuple[Leg, ...]


def _fail(where: str, what: str) -> ConfigError:
    return ConfigError(f"{where}: {what} See the ledger format in backtest/evidence/ledger.py "
                       f"or the shipped backtest/evidence/{SHIPPED}.")


def _text(row: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
    v = row.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            raise _fail(where, f"column {key!r} is missing or empty.")
        return None
    if not isinstance(v, str):
        raise _fail(where, f"{key} must be text, got {v!r}.")
    return v.strip()


def _choice(row: dict[str, Any], key: str, allowed: tuple[str, ...], default: str,
            where: str) -> str:
    v = _text(row, key, where, required=False) or default
    if v not in allowed:
        raise _fail(where, f"{key} must be one of {', '.join(allowed)}; got {v!r}.")
    return v


def _number(row: dict[str, Any], key: str, where: str) -> float | None:
    v = row.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise _fail(where, f"{key} must be a number (bp or percent), got {v!r}.") from None
    if x != x:
        raise _fail(where, f"{key} must be a number, got {v!r}.")
    return x


def _horizons(v: Any, where: str) -> tuple[int, ...]:
    items = re.split(r"[\s;]+", v.strip()) if isinstance(v, str) else v
    if isinstance(items, int) and not isinstance(items, bool):
        items = [items]
    if not isinstance(items, list) or not items:
        raise _fail(where, f"horizons must be a list of whole numbers of sessions, got {v!r}.")
    out = []
    for h in items:
        try:
            n = int(h)
        except (TypeError, ValueError):
            n = 0
        if n < 1 or str(h).strip() != str(n):
            raise _fail(where, f"horizons must be whole numbers of sessions >= 1, got {h!r}.")
        out.append(n)
    return tuple(sorted(set(out)))


def _check_series(ref: str, where: str, key: str) -> None:
    from backtest.eventstudy import measure_of

    try:
        measure_of(ref)
    except QtbtError as exc:
        raise _fail(where, f"{key} {ref!r} cannot be measured: {exc}") from None


def _leg(row: dict[str, Any], where: str) -> Leg:
    from backtest.eventstudy import measure_of

    series = _text(row, "series", where)
    assert series is not None
    _check_series(series, where, "series")
    versus = _text(row, "versus", where, required=False)
    if versus is not None:
        _check_series(versus, where, "versus")
        if measure_of(versus) != measure_of(series):
            raise _fail(where, f"versus {versus!r} is measured as {measure_of(versus)} but "
                        f"series {series!r} as {measure_of(series)}; compare rates with "
                        "rates and prices with prices.")
    measure = _choice(row, "measure", _MEASURES, "change", where)
    if measure == "level" and (measure_of(series) != "change_bp" or versus is not None):
        raise _fail(where, f"measure 'level' applies to one yield or spread (in bp); "
                    f"{series!r} is a price or has a versus series. Use measure 'change'.")
    direction = _choice(row, "direction", _DIRECTIONS, "", where)
    low, high = _number(row, "low", where), _number(row, "high", where)
    if low is not None and high is not None and low > high:
        raise _fail(where, f"low {low:g} is above high {high:g}; swap them.")
    if direction == "flat" and (low is None or high is None):
        raise _fail(where, "direction 'flat' needs both low and high (the band that counts "
                    "as no move).")
    return Leg(series, versus, measure, direction, low, high)  # type: ignore[arg-type]


def _anchor_date(anchor: str, where: str, events_file: str | Path | None) -> pd.Timestamp:
    m = _ANCHOR.match(anchor)
    if m is None:
        raise _fail(where, f"anchor must be YYYY-MM-DD, event:YYYY-MM-DD or "
                    f"event:YYYY-MM-DD:effective; got {anchor!r}.")
    try:
        day = pd.Timestamp(m.group(2))
    except ValueError:
        raise _fail(where, f"anchor {anchor!r} is not a valid date.") from None
    if not m.group(1):
        return day
    from backtest.regimes.events import load_events

    events = [e for e in load_events(events_file) if pd.Timestamp(e.announced) == day]
    if not events:
        raise _fail(where, f"anchor {anchor!r}: no event in the events file was announced on "
                    f"{day.date()}; `qtbt events` lists them, or anchor on a plain date.")
    e = events[0]
    return pd.Timestamp(e.effective if m.group(3) == ":effective" else e.announced)


def _group(rows: list[tuple[str, dict[str, Any]]], events_file: str | Path | None
           ) -> list[Forecast]:
    heads: dict[str, tuple[str, dict[str, Any]]] = {}
    legs: dict[str, list[Leg]] = {}
    for where, row in rows:
        unknown = sorted(set(row) - set(COLUMNS))
        if unknown:
            raise _fail(where, f"unknown column(s) {', '.join(map(repr, unknown))}; columns "
                        f"are {', '.join(COLUMNS)}.")
        fid = _text(row, "id", where)
        assert fid is not None
        if not _ID.match(fid):
            raise _fail(where, f"id must be letters, digits and '_', starting with a letter; "
                        f"got {fid!r}.")
        if fid in heads:
            first = heads[fid][1]
            for k in _FORECAST_KEYS:
                if row.get(k) not in (None, "") and row.get(k) != first.get(k):
                    raise _fail(where, f"{k} of {fid!r} differs from its first row "
                                f"({heads[fid][0]}); leave it empty on later legs.")
        else:
            heads[fid] = (where, row)
        legs.setdefault(fid, []).append(_leg(row, where))
    out = []
    for fid, (where, row) in heads.items():
        anchor = _text(row, "anchor", where)
        statement = _text(row, "statement", where)
        assert anchor is not None and statement is not None
        if "horizons" not in row or row["horizons"] in (None, ""):
            raise _fail(where, "column 'horizons' is missing or empty (e.g. 21 63 126).")
        out.append(Forecast(fid, statement, anchor, _anchor_date(anchor, where, events_file),
                            _horizons(row["horizons"], where),
                            _choice(row, "combine", _COMBINE, "all", where),  # type: ignore[arg-type]
                            tuple(legs[fid])))
    return out


def _toml_rows(text: str, name: str) -> list[tuple[str, dict[str, Any]]]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(name, f"not valid TOML ({exc}).") from None
    items = doc.get("forecast")
    extra = sorted(set(doc) - {"forecast"})
    if not isinstance(items, list) or not items or extra:
        raise _fail(name, "a TOML ledger holds only [[forecast]] tables (one per leg)"
                    + (f"; found {', '.join(extra)}" if extra else "") + ".")
    return [(f"{name} [[forecast]] #{i + 1}", dict(r)) for i, r in enumerate(items)]


def _csv_rows(text: str, name: str) -> list[tuple[str, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise _fail(name, "the CSV file is empty; its header names the columns.")
    rows = []
    for i, r in enumerate(reader):
        if None in r:
            raise _fail(f"{name} line {i + 2}", "more cells than header columns.")
        rows.append((f"{name} line {i + 2}", {k.strip(): v for k, v in r.items()
                                               if v is not None and v.strip()}))
    if not rows:
        raise _fail(name, "the CSV file has a header but no row.")
    return rows


def load_ledger(path: str | Path | None = None, events_file: str | Path | None = None
                ) -> list[Forecast]:
    """Read and validate a forecast ledger.

    Parameters
    ----------
    path : path, optional
        A ``.toml`` or ``.csv`` ledger; the shipped one (:data:`SHIPPED`) by default.
    events_file : path, optional
        Events file that ``event:`` anchors refer to (the shipped one by default).

    Returns
    -------
    list of Forecast
        In file order.

    Raises
    ------
    ConfigError
        A malformed file, row or value: names the file, the row, the column and
        what is allowed.
    """
    if path is None:
        text = resources.files("backtest.evidence").joinpath(SHIPPED).read_text("utf-8")
        return _group(_toml_rows(text, SHIPPED), events_file)
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".toml", ".csv"):
        raise ConfigError(f"--forecasts {str(p)!r}: a ledger is a .toml or .csv file; got "
                          f"{suffix or 'no suffix'!r}. Start from backtest/evidence/{SHIPPED}.")
    text = p.read_text("utf-8")
    rows = _toml_rows(text, p.name) if suffix == ".toml" else _csv_rows(text, p.name)
    return _group(rows, events_file)
