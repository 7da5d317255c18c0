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

__all__ = ["CALENDAR_FOLDER", "stored_dates"]

CALENDAR_FOLDER = "calendars"
_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def _valid(arr: np.ndarray) -> bool:
    return (arr.dtype == np.dtype("datetime64[ns]") and arr.ndim == 1 and arr.size > 0
            and bool(np.all(arr[1:] > arr[:-1])))


def stored_dates(name: str, key: str, build: Callable[[], np.ndarray]) -> np.ndarray:
    """``build()``'s dates, read from the cache when an earlier process built them.

    Parameters
    ----------
    name : str
        The calendar (``xnys``, ``fed-federal``); older files of the same
        name are removed when a new one is written.
    key : str
        Everything else the dates depend on (versions, end date).
    build : callable
        Returns the dates: a strictly increasing ``datetime64[ns]`` array.

    Returns
    -------
    ndarray
        ``datetime64[ns]`` dates, equal to ``build()``.
    """
    if not (_NAME.fullmatch(name) and _NAME.fullmatch(key)):
        raise ValueError(f"calendar file names are plain names; got {name!r}, {key!r}")
    folder = resolve_cache_dir() / CALENDAR_FOLDER
    path = folder / f"{name}@{key}.npy"
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
