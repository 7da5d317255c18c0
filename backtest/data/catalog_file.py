"""``qtbt data add``: check a user series, then write its entry into the catalog file.

The entry is checked before anything is written: a CSV file must parse
(``date,value``, strictly increasing dates, numbers) and pass the plausibility
checks; a FRED id or Yahoo ticker is downloaded once (into the cache, which
also makes it available offline). Then the ``[series.ID]`` table is replaced
in place (other entries and comments are kept) or appended, and the whole
file is parsed again before it is written atomically.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backtest.data.cache import atomic_write_bytes
from backtest.data.catalog import SeriesSpec
from backtest.data.checks import check_series
from backtest.data.providers.base import Fetched
from backtest.data.providers.localcsv import LocalCsvProvider
from backtest.data.store import DataStore
from backtest.data.usercat import DefaultReleaseWarning, UserCatalog, check_id, parse_catalog
from backtest.exceptions import ConfigError

__all__ = ["AddResult", "add_series", "entry_toml", "upsert_entry"]


@dataclass(frozen=True)
class AddResult:
    """What :func:`add_series` did.

    Attributes
    ----------
    catalog : UserCatalog
        The catalog as written.
    spec : SeriesSpec
        The entry added or replaced.
    action : {"added", "updated"}
        Whether the id was new in the file.
    fetched : Fetched or None
        The data read to check it (None when not checked: offline).
    """

    catalog: UserCatalog
    spec: SeriesSpec
    action: str
    fetched: Fetched | None

    def to_text(self) -> str:
        """What the CLI prints: the entry, the data it read and the release rule."""
        s = self.spec
        head = f"{self.action} {s.id} ({s.source}) in {self.catalog.path}"
        if self.fetched is None:
            where = {"fred": "FRED", "yahoo": "Yahoo"}[s.source]
            data = (f"not checked against {where} (--offline); `qtbt data pull "
                    f"{s.id}` downloads and checks it")
        else:
            d = self.fetched.data
            data = (f"{len(d)} rows {d.index[0]:%Y-%m-%d}..{d.index[-1]:%Y-%m-%d} from "
                    f"{self.fetched.origin}, sha256 {self.fetched.sha256[:12]}")
        rule = s.release.describe() + (" (the default for "
                                       f"{s.frequency} series: give --lag to state yours)"
                                       if s.default_release else "")
        return f"{head}\n  data: {data}\n  units: {s.units}; {s.frequency}; release: {rule}\n"


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + " }"
    return json.dumps(str(v), ensure_ascii=False)  # a JSON string is a TOML basic string


def entry_toml(sid: str, entry: Mapping[str, Any]) -> str:
    """The ``[series.ID]`` table of ``entry`` as TOML text (None values left out)."""
    lines = [f"[series.{sid}]"]
    lines += [f"{k} = {_value(v)}" for k, v in entry.items() if v is not None]
    return "\n".join(lines) + "\n"


def upsert_entry(text: str, sid: str, entry: Mapping[str, Any]) -> tuple[str, str]:
    """``text`` with the table of ``sid`` replaced (or appended); and "added" or "updated".

    The table runs from its ``[series.ID]`` header to the next header line;
    blank and comment lines just above that header stay (they describe the
    next table).
    """
    block = entry_toml(sid, entry)
    head = re.compile(rf"^\[\s*series\.{re.escape(sid)}\s*\]\s*(#.*)?$", re.M | re.I)
    m = head.search(text)
    if m is None:
        sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n")
                                                             else "\n\n")
        return text + sep + block, "added"
    nxt = re.compile(r"^\s*\[", re.M).search(text, m.end())
    end = nxt.start() if nxt is not None else len(text)
    lines = text[m.start():end].splitlines(keepends=True)
    keep: list[str] = []  # blank and comment lines just above the next table belong to it
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
        keep.insert(0, lines.pop())
    tail = "".join(keep) + text[end:]
    sep = "\n" if tail and not keep else ""
    return text[:m.start()] + block + sep + tail, "updated"


def _relative(path: Path, folder: Path) -> str:
    """``path`` relative to ``folder`` when it lies below it, else absolute (links kept)."""
    full, base = Path(os.path.abspath(path)), Path(os.path.abspath(folder))
    return full.relative_to(base).as_posix() if full.is_relative_to(base) else str(full)


def _check(spec: SeriesSpec, store: DataStore | None) -> Fetched | None:
    """Read the series once; None when ``store`` is None (offline FRED/Yahoo)."""
    if spec.source == "csv":
        return LocalCsvProvider().fetch(spec)
    if store is None:
        return None
    fetched = store.providers[spec.source].fetch(spec)
    check_series(spec, fetched.data, fetched.origin)
    store.cache.write(spec, fetched)
    return fetched


def add_series(catalog: str | Path, sid: str, entry: Mapping[str, Any],
               store: DataStore | None = None) -> AddResult:
    """Check the series ``sid`` described by ``entry`` and write it into ``catalog``.

    Parameters
    ----------
    catalog : path
        The catalog file (created when missing).
    sid : str
        The new id (must not be a built-in id).
    entry : mapping
        The keys of a ``[series.ID]`` table (see :mod:`backtest.data.usercat`);
        a CSV ``path`` is given as the user typed it (relative to the working
        directory) and written relative to the catalog's folder.
    store : DataStore, optional
        Where a FRED id or Yahoo ticker is downloaded and cached; None skips
        that check (offline).

    Raises
    ------
    ConfigError
        A bad entry or an unreadable existing catalog (nothing is written).
    DataFormatError, SeriesNotAvailableError, NetworkError
        The data does not parse, does not exist or cannot be downloaded.
    """
    path = Path(catalog).expanduser().resolve()
    check_id(f"qtbt data add {sid}", sid, {})  # before it is written into a table header
    if path.is_dir():
        raise ConfigError(f"--catalog {path} is a folder; pass a TOML file such as "
                          f"{path / 'qtbt.toml'}.")
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    parse_catalog(text.encode("utf-8"), path)  # refuse to edit a broken file
    given = dict(entry)
    if given.get("path") is not None:
        given["path"] = _relative(Path(str(given["path"])).expanduser(), path.parent)
    new_text, action = upsert_entry(text, sid, given)
    cat = parse_catalog(new_text.encode("utf-8"), path)
    spec = next(s for s in cat.specs if s.id == sid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DefaultReleaseWarning)  # the summary says it
        fetched = _check(spec, store)
    atomic_write_bytes(path, new_text.encode("utf-8"))
    return AddResult(cat, spec, action, fetched)
