"""User series: FRED ids, Yahoo tickers and local CSV files declared in a TOML catalog.

A user catalog adds series to the built-in :data:`~backtest.data.catalog.CATALOG`
without editing the package. The command line reads ``--catalog FILE`` (or
``$QTBT_CATALOG``), else ``qtbt.toml`` in the working directory when there is
one; Python calls :func:`use_catalog`. Once active, a user id is a series like
any other: strategies declare it (``series=("RUNOFF_CAP",)``), the
point-in-time panel applies its release rule, event studies measure it, and
run manifests record its sha256 with the catalog's.

Layout (paths relative to the catalog file)::

    [series.RUNOFF_CAP]                  # a local CSV: date,value
    source = "csv"
    path = "data/ust_runoff_cap.csv"
    units = "USD billions per month"
    frequency = "monthly"
    release = { lag = 0 }                # fields of ReleaseRule; omitted: a default

    [series.XLE]                         # a Yahoo ticker: daily OHLCV, known at the close
    source = "yahoo"

    [series.DCOILWTICO]                  # a FRED id
    source = "fred"
    units = "USD per barrel"
    frequency = "daily"
    release = { lag = 1, business_days = true }

An entry without ``release`` gets the conservative default of its frequency
(:data:`DEFAULT_RELEASE`) and every read of it warns
(:class:`DefaultReleaseWarning`), naming the series and the rule used.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from backtest._typing import Frequency
from backtest.data.catalog import (
    AT_CLOSE,
    CATALOG,
    ReleaseRule,
    SeriesSpec,
    set_user_series,
    suggest,
)
from backtest.exceptions import ConfigError, QtbtWarning

__all__ = ["DEFAULT_RELEASE", "FREQUENCIES", "PROJECT_FILE", "SOURCES", "DefaultReleaseWarning",
           "UserCatalog", "active_catalog", "check_id", "find_project_catalog",
           "load_user_catalog",
           "parse_catalog", "parse_entry", "parse_release", "use_catalog", "using_catalog"]

#: the project file picked up from the working directory
PROJECT_FILE = "qtbt.toml"
#: where a user series can come from
SOURCES: tuple[str, ...] = ("csv", "fred", "yahoo")
FREQUENCIES: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly")
#: conservative publication lags used when an entry gives no ``release``
DEFAULT_RELEASE: dict[str, ReleaseRule] = {
    "daily": ReleaseRule(lag=1, business_days=True,
                         note="default for daily series: known the next business day"),
    "weekly": ReleaseRule(lag=7, timing="after_close",
                          note="default for weekly series: a week after the observation"),
    "monthly": ReleaseRule(lag=30, anchor="period_end",
                           note="default for monthly series: 30 days after the month"),
    "quarterly": ReleaseRule(lag=90, anchor="period_end",
                             note="default for quarterly series: 90 days after the quarter"),
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
_COMMON = ("source", "title", "units", "frequency", "release")
_KEYS = {"csv": (*_COMMON, "path", "column"), "fred": (*_COMMON, "symbol"),
         "yahoo": ("source", "title", "units", "symbol", "frequency")}
_RULE_CHOICES = {"timing": ("before_close", "after_close"),
                 "anchor": ("observation", "period_end"),
                 "calendar": ("federal", "reserve_banks")}
_MAX_LAG = 400  # days: longer than any real publication lag


class DefaultReleaseWarning(QtbtWarning):
    """A user series is read with the default release rule of its frequency."""


@dataclass(frozen=True)
class UserCatalog:
    """A parsed user catalog.

    Attributes
    ----------
    path : Path
        The TOML file (absolute).
    sha256 : str
        Checksum of its bytes (recorded in run manifests).
    specs : tuple of SeriesSpec
        The series it declares, in file order.
    """

    path: Path
    sha256: str
    specs: tuple[SeriesSpec, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """Ids of the declared series."""
        return tuple(s.id for s in self.specs)

    def describe(self) -> str:
        """One line: the file and each series with its source (what the CLI prints)."""
        what = ", ".join(f"{s.id} ({s.source})" for s in self.specs) or "no series"
        return f"series catalog {self.path}: {what}"


def _fail(where: str, problem: str, fix: str) -> ConfigError:
    return ConfigError(f"{where}: {problem}. {fix}")


def _choice(where: str, key: str, value: object, allowed: tuple[str, ...]) -> str:
    if isinstance(value, str) and value in allowed:
        return value
    close = suggest(str(value), allowed, n=1)
    hint = f"Did you mean {close[0]!r}? " if close else ""
    raise _fail(where, f"{key} = {value!r} is not allowed",
                f"{hint}Choose one of {', '.join(allowed)}")


def _text(where: str, entry: Mapping[str, Any], key: str, required: bool) -> str:
    value = entry.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"{key} must be a non-empty string, got {value!r}",
                    f'Add {key} = "..." to the entry')
    return value.strip()


def parse_release(where: str, raw: object, frequency: str = "daily") -> ReleaseRule:
    """A ``release = {...}`` table as a ReleaseRule, every field checked.

    Without an ``anchor``, a monthly or quarterly series counts its lag from
    the period's end (FRED dates a month on its first day: counting from
    that date would make January's value known in mid-January), any other
    from the observation date.

    Raises
    ------
    ConfigError
        Not a table, an unknown field (with the closest), or a value of the
        wrong type or out of range.
    """
    if not isinstance(raw, Mapping):
        raise _fail(where, f"release must be a table such as {{ lag = 1 }}, got {raw!r}",
                    "Write release = { lag = DAYS, anchor = \"period_end\" } or drop it")
    allowed = ("lag", "business_days", *_RULE_CHOICES, "note")
    for key in raw:
        if key not in allowed:
            close = suggest(str(key), allowed, n=1)
            hint = f"Did you mean {close[0]!r}? " if close else ""
            raise _fail(where, f"release has no field {key!r}",
                        f"{hint}Fields: {', '.join(allowed)}")
    lag = raw.get("lag", 0)
    if isinstance(lag, bool) or not isinstance(lag, int) or not 0 <= lag <= _MAX_LAG:
        raise _fail(where, f"release lag = {lag!r} is not a whole number of days from 0 to "
                    f"{_MAX_LAG}", "Give the publication lag in days, e.g. lag = 20")
    business = raw.get("business_days", False)
    if not isinstance(business, bool):
        raise _fail(where, f"release business_days = {business!r} is not true or false",
                    "Write business_days = true to count Fed business days")
    kw = {k: _choice(where, f"release {k}", raw[k], v)
          for k, v in _RULE_CHOICES.items() if k in raw}
    if "anchor" not in kw and frequency in ("monthly", "quarterly"):
        kw["anchor"] = "period_end"
    note = raw.get("note", "declared in the user catalog")
    return ReleaseRule(lag=lag, business_days=business, note=str(note), **kw)  # type: ignore[arg-type]


def check_id(where: str, sid: str, seen: Mapping[str, str]) -> None:
    """Refuse an id that is malformed, a built-in id, or already in ``seen`` (upper -> id)."""
    if not _ID.match(sid):
        raise _fail(where, f"{sid!r} is not a usable id", "Use letters, digits, '_' or '-' "
                    "(no '.', which separates a field: SPY.Close); e.g. [series.MY_CPI]")
    builtin = {k.upper(): k for k in CATALOG}
    if sid.upper() in builtin:
        spec = CATALOG[builtin[sid.upper()]]
        raise _fail(where, f"{sid!r} is a built-in series ({spec.title}, {spec.source}); a "
                    "user catalog cannot replace it",
                    f"Use {spec.id} as it is (no entry needed), or give yours another id such "
                    f"as {spec.id}_MY")
    if sid.upper() in seen:
        raise _fail(where, f"{sid!r} is declared twice (also as {seen[sid.upper()]!r}; ids are "
                    "case-insensitive)", "Keep one entry")


def parse_entry(sid: str, entry: object, catalog: Path) -> SeriesSpec:
    """One ``[series.ID]`` table as a SeriesSpec (paths relative to ``catalog``'s folder).

    Raises
    ------
    ConfigError
        Naming the catalog file, the id, the key and the fix.
    """
    where = f"{catalog} [series.{sid}]"
    if not isinstance(entry, Mapping):
        raise _fail(where, f"expected a table of keys, got {entry!r}",
                    'Write [series.ID] then source = "csv" | "fred" | "yahoo" on its own line')
    source = _choice(where, "source", entry.get("source"), SOURCES)
    for key in entry:
        if key not in _KEYS[source]:
            close = suggest(str(key), _KEYS[source], n=1)
            hint = f"Did you mean {close[0]!r}? " if close else ""
            raise _fail(where, f"unknown key {key!r} for a {source} series",
                        f"{hint}Keys: {', '.join(_KEYS[source])}")
    title = _text(where, entry, "title", False) or f"{sid} (user series, {source})"
    if source == "yahoo":
        if entry.get("frequency", "daily") != "daily":
            raise _fail(where, f"frequency = {entry['frequency']!r}: Yahoo prices are daily",
                        "Drop frequency (or write \"daily\")")
        units = _text(where, entry, "units", False) or "USD per share"
        return SeriesSpec(sid, "yahoo", title, "daily", units, AT_CLOSE, kind="ohlcv",
                          symbol=_text(where, entry, "symbol", False), default_field="Adj Close",
                          fields=("Open", "High", "Low", "Close", "Adj Close", "Volume"),
                          catalog=str(catalog))
    frequency = cast(Frequency, _choice(where, "frequency", entry.get("frequency"), FREQUENCIES))
    units = _text(where, entry, "units", True)
    given = "release" in entry
    rule = (parse_release(where, entry["release"], frequency) if given
            else DEFAULT_RELEASE[frequency])
    extra: dict[str, Any] = {"catalog": str(catalog), "default_release": not given}
    if source == "csv":
        file = Path(_text(where, entry, "path", True)).expanduser()
        extra["path"] = str(file if file.is_absolute() else (catalog.parent / file).resolve())
        extra["column"] = _text(where, entry, "column", False) or "value"
    else:
        extra["symbol"] = _text(where, entry, "symbol", False)
    return SeriesSpec(sid, cast(Any, source), title, frequency, units, rule, **extra)


def load_user_catalog(path: str | Path) -> UserCatalog:
    """Read and check a user catalog file (it is not activated: see :func:`use_catalog`).

    Raises
    ------
    ConfigError
        A missing or unreadable file, malformed TOML (with line and column),
        keys other than ``[series.ID]`` tables, or a bad entry (see
        :func:`parse_entry`): an id colliding with a built-in id, an unknown
        source or frequency, a malformed release rule.
    """
    p = Path(path).expanduser().resolve()
    try:
        payload = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"Series catalog {p} does not exist. Create it with `qtbt data add ID "
                          "--csv FILE ...` or fix the --catalog path.") from None
    except IsADirectoryError:
        raise ConfigError(f"Series catalog {p} is a folder; pass the TOML file.") from None
    return parse_catalog(payload, p)


def parse_catalog(payload: bytes, path: Path) -> UserCatalog:
    """The catalog in ``payload`` (the bytes of the file ``path``), every entry checked.

    Raises
    ------
    ConfigError
        As :func:`load_user_catalog`.
    """
    try:
        raw = tomllib.loads(payload.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Series catalog {path} is not valid TOML: {exc}. Fix that line "
                          "(strings need quotes: units = \"percent\").") from None
    extra = sorted(set(raw) - {"series"})
    if extra:
        raise ConfigError(f"Series catalog {path}: unknown top-level key(s) {extra}; a catalog "
                          "holds only [series.ID] tables.")
    tables = raw.get("series", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"Series catalog {path}: series must be tables [series.ID], got "
                          f"{tables!r}.")
    seen: dict[str, str] = {}
    specs = []
    for sid, entry in tables.items():
        check_id(f"{path} [series.{sid}]", sid, seen)
        seen[sid.upper()] = sid
        specs.append(parse_entry(sid, entry, path))
    return UserCatalog(path, hashlib.sha256(payload).hexdigest(), tuple(specs))


def find_project_catalog(folder: str | Path | None = None) -> Path | None:
    """``qtbt.toml`` in ``folder`` (default: the working directory), or None."""
    candidate = Path(folder or Path.cwd()) / PROJECT_FILE
    return candidate if candidate.is_file() else None


_ACTIVE: list[UserCatalog | None] = [None]


def active_catalog() -> UserCatalog | None:
    """The user catalog whose series are known now (None: built-in series only)."""
    return _ACTIVE[0]


def use_catalog(catalog: str | Path | UserCatalog | None) -> UserCatalog | None:
    """Make a user catalog's series known to every qtbt function (None: forget them).

    The catalog is process-wide, like the strategy registry; activating
    another replaces it. Returns the active catalog.

    Raises
    ------
    ConfigError
        See :func:`load_user_catalog`.
    """
    cat = catalog if isinstance(catalog, UserCatalog) or catalog is None \
        else load_user_catalog(catalog)
    set_user_series(cat.specs if cat is not None else ())
    _ACTIVE[0] = cat
    return cat


@contextmanager
def using_catalog(catalog: str | Path | UserCatalog | None) -> Iterator[UserCatalog | None]:
    """Activate ``catalog`` inside a ``with`` block and restore the previous one after."""
    previous = _ACTIVE[0]
    try:
        yield use_catalog(catalog)
    finally:
        use_catalog(previous)

