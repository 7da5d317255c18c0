"""An explicit strategy registry, loaded from strategy modules by name.

``backtest`` never imports ``strategies`` statically (dependencies point
downstream): the registry imports the modules named in
``$QTBT_STRATEGY_MODULES`` (comma-separated; default ``strategies``), each of
which exposes ``REGISTRY: dict[str, StrategySpec]``.
"""

from __future__ import annotations

import importlib
import os

from backtest.data.catalog import suggest
from backtest.exceptions import ParameterError
from backtest.strategy.spec import StrategySpec

__all__ = ["get_strategy", "load_registry"]


def load_registry(modules: str | None = None) -> dict[str, StrategySpec]:
    """All registered strategies, by name."""
    names = modules or os.environ.get("QTBT_STRATEGY_MODULES") or "strategies"
    out: dict[str, StrategySpec] = {}
    for mod_name in [m.strip() for m in names.split(",") if m.strip()]:
        try:
            mod = importlib.import_module(mod_name)
        except ImportError as exc:
            raise ParameterError(
                f"Cannot import strategy module {mod_name!r} ({exc}); check "
                "QTBT_STRATEGY_MODULES."
            ) from exc
        reg = getattr(mod, "REGISTRY", None)
        if not isinstance(reg, dict):
            raise ParameterError(f"Strategy module {mod_name!r} has no REGISTRY dict.")
        bad = sorted(str(k) for k, v in reg.items() if not isinstance(v, StrategySpec))
        if bad:
            raise ParameterError(f"Strategy module {mod_name!r}: REGISTRY entries {bad} are not "
                                 "StrategySpec objects; register StrategySpec(...) values.")
        out.update(reg)
    return out


def get_strategy(name: str, modules: str | None = None) -> StrategySpec:
    """The strategy called ``name``; unknown names get close matches and the full list."""
    reg = load_registry(modules)
    if not isinstance(name, str):
        raise ParameterError(f"A strategy is named by a string, e.g. 'playbook'; got {name!r} "
                             f"({type(name).__name__}). Available: {', '.join(sorted(reg))}.")
    if name in reg:
        return reg[name]
    close = suggest(name, reg)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise ParameterError(
        f"Unknown strategy {name!r}.{hint} Available: {', '.join(sorted(reg))} "
        "(`qtbt strategies` describes them)."
    )
