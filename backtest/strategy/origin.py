"""Where a strategy's code lives: module, source file and the file's sha256.

The origin of a :class:`~backtest.strategy.spec.StrategySpec` is the module
that defines its weights function (for a file run with ``qtbt run
my_strategy.py`` that is the file itself). Runs record it, so an edit of the
strategy's code changes the run's manifest and its config hash.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

from backtest.provenance import bytes_sha256
from backtest.strategy.spec import StrategySpec

__all__ = ["describe_origin", "source_file", "strategy_origin"]


def _module_name(spec: StrategySpec) -> str:
    fn: Any = spec.weights
    while not hasattr(fn, "__module__") and hasattr(fn, "func"):  # functools.partial
        fn = fn.func
    return str(getattr(fn, "__module__", None) or "")


def source_file(spec: StrategySpec) -> Path | None:
    """The source file of the module defining ``spec``'s weights function (None if unknown)."""
    mod = sys.modules.get(_module_name(spec))
    path = getattr(mod, "__file__", None) if mod is not None else None
    if path is None:
        try:
            path = inspect.getsourcefile(spec.weights)
        except TypeError:  # a builtin or a C callable
            return None
    return Path(path).resolve() if path else None


def strategy_origin(spec: StrategySpec) -> dict[str, str | None]:
    """``{"module", "file", "sha256"}`` of ``spec``'s code (None where it cannot be known).

    ``sha256`` is the hex digest of the source file's bytes.
    """
    path = source_file(spec)
    digest = None
    if path is not None and path.is_file():
        digest = bytes_sha256(path.read_bytes())
    return {"module": _module_name(spec) or None, "file": str(path) if path else None,
            "sha256": digest}


def describe_origin(spec: StrategySpec) -> str:
    """``'name' from module (file)`` for error messages."""
    o = strategy_origin(spec)
    where = o["file"] or o["module"] or "an unknown module"
    return f"{spec.name!r} from {where}"
