"""Where in a user's code an exception was raised, for one-line errors."""

from __future__ import annotations

import traceback
from pathlib import Path

__all__ = ["raised_in"]


def raised_in(exc: BaseException, path: Path | None) -> str:
    """``KeyError: 'x' (file.py, line 12, in weights)`` for ``exc``.

    The frame shown is the deepest one in ``path`` (the strategy's source
    file) when there is one, else the deepest frame of the traceback.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if path is not None and Path(f.filename).resolve() == path]
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if not (mine or frames):
        return what
    frame = (mine or frames)[-1]
    return f"{what} ({frame.filename}, line {frame.lineno}, in {frame.name})"
