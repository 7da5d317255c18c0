"""One resolver for where data lives: argument, then environment, then default."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["resolve_cache_dir", "resolve_data_dir"]


def resolve_data_dir(data_dir: str | Path | None = None) -> Path | None:
    """Snapshot directory: ``data_dir``, else ``$QTBT_DATA_DIR``, else None (use the network).

    Raises
    ------
    SeriesNotAvailableError
        If a directory is named but does not exist, or is a file.
    """
    value = data_dir if data_dir not in (None, "") else os.environ.get("QTBT_DATA_DIR") or None
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)):
        from backtest.exceptions import ParameterError

        raise ParameterError(
            f"data_dir must be a folder path (str or pathlib.Path), got "
            f"{type(value).__name__} {value!r}."
        )
    path = Path(value).expanduser()
    from backtest.exceptions import SeriesNotAvailableError

    if path.exists() and not path.is_dir():
        raise SeriesNotAvailableError(
            f"Data directory {str(path)!r} is a file, not a folder. Pass --data-dir (or set "
            "QTBT_DATA_DIR) to the snapshot's top folder (the one holding fred/, yahoo/ and "
            "french/)."
        )
    if not path.is_dir():
        raise SeriesNotAvailableError(
            f"Data directory {str(path)!r} does not exist. Pass --data-dir (or set "
            "QTBT_DATA_DIR) to a folder laid out like shared/data, or unset it to download."
        )
    return path


def resolve_cache_dir(cache_dir: str | Path | None = None) -> Path:
    """Cache directory: ``cache_dir``, else ``$QTBT_CACHE_DIR``, else ``~/.cache/qtbt``.

    ``$XDG_CACHE_HOME`` replaces ``~/.cache`` when set. The directory is not
    created here; writers create it when they first write.
    """
    if cache_dir not in (None, ""):
        return Path(str(cache_dir)).expanduser()
    env = os.environ.get("QTBT_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "qtbt"
