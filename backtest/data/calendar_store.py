"""Calendars kept between processes: built once, then read from the cache folder.

Building the NYSE calendar (``exchange_calendars``) and the federal holidays
(pandas' holiday rules) takes about a third of a second per process, every
``qtbt run`` and ``qtbt now``. :func:`stored_dates` keeps the result as a
``.npy`` file in ``<cache dir>/calendars/``, under a name that holds
everything the dates depend on (the library's version, the calendar's end),
so a new version or a new day builds afresh. A file that cannot be read, or
is not a strictly increasing ``datetime64[ns]`` array, is rebuilt; a cache
folder that cannot be written only means the next process builds again.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import numpy as np

from backtest.data.paths import resolve_cache_dir

__all__ = ["CALENDAR_FOLDER", "library_version", "stored_dates"]

CALENDAR_FOLDER = "calendars"
_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def library_version(package: str) -> str | None:
    """``package``'s installed version, or None when it has no metadata (then keep nothing)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def _valid(arr: np.ndarray) -> bool:
    return (arr.dtype == np.dtype("datetime64[ns]") and arr.ndim == 1 and arr.size > 0
            and bool(np.all(arr[1:] > arr[:-1])))


def stored_dates(name: str, key: str | None, build: Callable[[], np.ndarray]) -> np.ndarray:
    """``build()``'s dates, read from the cache when an earlier process built them.

    Parameters
    ----------
    name : str
        The calendar (``xnys``, ``fed-federal``); older files of the same
        name are removed when a new one is written.
    key : str or None
        Everything else the dates depend on (versions, end date); characters
        other than letters, digits, ``_``, ``.`` and ``-`` become ``_``. None:
        something it depends on is unknown, so nothing is kept (built each time).
    build : callable
        Returns the dates: a strictly increasing ``datetime64[ns]`` array.

    Returns
    -------
    ndarray
        ``datetime64[ns]`` dates, equal to ``build()``.
    """
    if not _NAME.fullmatch(name):
        raise ValueError(f"calendar names are plain names; got {name!r}")
    if key is None:
        return np.asarray(build(), dtype="datetime64[ns]")
    folder = resolve_cache_dir() / CALENDAR_FOLDER
    path = folder / f"{name}@{re.sub(r'[^A-Za-z0-9_.-]', '_', key)}.npy"
    try:
        kept = np.load(path, allow_pickle=False)
        if _valid(kept):
            return kept
    except (OSError, ValueError, EOFError):
        pass  # absent, unreadable or damaged: build it
    dates = np.asarray(build(), dtype="datetime64[ns]")
    if not _valid(dates):  # pragma: no cover - the builders return sorted sessions
        return dates
    buf = io.BytesIO()
    np.save(buf, dates, allow_pickle=False)
    try:
        from backtest.data.cache import atomic_write_bytes

        atomic_write_bytes(path, buf.getvalue())
        for old in folder.glob(f"{name}@*.npy"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache: the next process builds again
    return dates
