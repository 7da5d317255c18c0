"""Where strategies come from: the ``strategies`` package, extra modules and entry points.

``backtest`` never imports ``strategies`` statically (dependencies point
downstream): :func:`load_registry` imports, by name,

* every module of the ``strategies`` package (always: the benchmarks
  ``buy_and_hold`` and ``sixty_forty`` live there), collecting the
  :class:`StrategySpec` objects defined at module level (no hand-kept list);
* the modules named in ``$QTBT_STRATEGY_MODULES`` (comma-separated), read the
  same way (a module's ``REGISTRY`` dict, when it has one, is used as is);
* the installed packages' entry points of the group ``qtbt.strategies``, each
  loading a StrategySpec, a list of them or a module.

Strategies that are not registered at all (a file, ``package.module:SPEC``)
are loaded by :func:`backtest.strategy.resolve.resolve_strategy`.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Iterable
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

from backtest.data.catalog import suggest
from backtest.exceptions import ParameterError
from backtest.strategy.spec import StrategySpec

__all__ = ["BUILTIN_PACKAGE", "ENTRY_POINT_GROUP", "get_strategy", "load_registry",
           "module_specs", "unknown_strategy"]

#: the package scanned for strategies on every lookup (holds the benchmarks)
BUILTIN_PACKAGE = "strategies"
#: entry-point group through which installed packages register strategies
ENTRY_POINT_GROUP = "qtbt.strategies"


def module_specs(mod: ModuleType) -> list[StrategySpec]:
    """The StrategySpec objects of a module: its ``REGISTRY`` dict, else its top-level values.

    Raises
    ------
    ParameterError
        A ``REGISTRY`` that is not a dict of StrategySpec.
    """
    reg = getattr(mod, "REGISTRY", None)
    if reg is not None:
        if not isinstance(reg, dict):
            raise ParameterError(f"Strategy module {mod.__name__!r}: REGISTRY must be a dict "
                                 "of name -> StrategySpec; drop it to have the module scanned.")
        bad = sorted(str(k) for k, v in reg.items() if not isinstance(v, StrategySpec))
        if bad:
            raise ParameterError(f"Strategy module {mod.__name__!r}: REGISTRY entries {bad} are "
                                 "not StrategySpec objects; register StrategySpec(...) values.")
        return list(reg.values())
    seen: dict[int, StrategySpec] = {}
    for value in vars(mod).values():
        if isinstance(value, StrategySpec):
            seen.setdefault(id(value), value)
    return list(seen.values())


def _import(name: str, where: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ParameterError(f"Cannot import strategy module {name!r} ({exc}); check "
                             f"{where}.") from exc


def _package_specs(name: str, where: str) -> list[StrategySpec]:
    """Specs of a module and, for a package, of each of its modules (sorted by name)."""
    mod = _import(name, where)
    out = module_specs(mod)
    for info in sorted(pkgutil.iter_modules(getattr(mod, "__path__", [])),
                       key=lambda i: i.name):
        if not info.name.startswith("_"):
            out += module_specs(_import(f"{name}.{info.name}", where))
    return out


def _entry_point_specs() -> list[StrategySpec]:
    out: list[StrategySpec] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            value: Any = ep.load()
        except Exception as exc:  # a broken installed package: say which one
            raise ParameterError(f"Cannot load strategy entry point {ep.name!r} = {ep.value!r} "
                                 f"(group {ENTRY_POINT_GROUP}): {exc}. Reinstall or fix that "
                                 "package.") from exc
        if isinstance(value, ModuleType):
            out += module_specs(value)
        elif isinstance(value, StrategySpec):
            out.append(value)
        elif isinstance(value, list | tuple) and all(isinstance(v, StrategySpec) for v in value):
            out += list(value)
        else:
            raise ParameterError(f"Strategy entry point {ep.name!r} = {ep.value!r} gives "
                                 f"{type(value).__name__}; it must give a StrategySpec, a list "
                                 "of them or a module.")
    return out


def _add(out: dict[str, StrategySpec], specs: Iterable[StrategySpec]) -> None:
    from backtest.strategy.origin import describe_origin

    for spec in specs:
        known = out.get(spec.name)
        if known is not None and known is not spec:
            raise ParameterError(
                f"Two strategies are named {spec.name!r}: {describe_origin(known)} and "
                f"{describe_origin(spec)}; rename one (StrategySpec(name=...)).")
        out[spec.name] = spec


def load_registry(modules: str | None = None) -> dict[str, StrategySpec]:
    """Every registered strategy, by name.

    Parameters
    ----------
    modules : str, optional
        Comma-separated module names scanned in addition to the
        ``strategies`` package (default ``$QTBT_STRATEGY_MODULES``).

    Raises
    ------
    ParameterError
        A module that cannot be imported, a bad ``REGISTRY``, a broken entry
        point, or two different strategies with one name.
    """
    out: dict[str, StrategySpec] = {}
    _add(out, _package_specs(BUILTIN_PACKAGE, "that the qtbt checkout is complete"))
    extra = modules if modules is not None else os.environ.get("QTBT_STRATEGY_MODULES", "")
    for name in [m.strip() for m in extra.split(",") if m.strip()]:
        if name != BUILTIN_PACKAGE:
            _add(out, _package_specs(name, "QTBT_STRATEGY_MODULES"))
    _add(out, _entry_point_specs())
    # strategies first, benchmarks last (a stable sort keeps the scan order otherwise)
    return dict(sorted(out.items(), key=lambda kv: kv[1].claim == "benchmark"))


def unknown_strategy(name: str, reg: dict[str, StrategySpec]) -> ParameterError:
    """The teaching error for a name that is no registered strategy."""
    close = suggest(name, reg)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return ParameterError(
        f"Unknown strategy {name!r}.{hint} Available: {', '.join(sorted(reg))} "
        "(`qtbt strategies` describes them); a strategy of your own is run by its file "
        "(`qtbt run my_strategy.py`) or module (`qtbt run package.module:SPEC`)."
    )


def get_strategy(name: str, modules: str | None = None) -> StrategySpec:
    """The registered strategy called ``name``; unknown names get close matches and the list."""
    reg = load_registry(modules)
    if not isinstance(name, str):
        raise ParameterError(f"A strategy is named by a string, e.g. 'playbook'; got {name!r} "
                             f"({type(name).__name__}). Available: {', '.join(sorted(reg))}.")
    if name in reg:
        return reg[name]
    raise unknown_strategy(name, reg)
