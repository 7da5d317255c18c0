"""One resolver for every way of naming a strategy: :func:`resolve_strategy`.

A reference is one of

* a :class:`StrategySpec` object (returned as is);
* a registered name (``playbook``; see :func:`~backtest.strategy.registry.load_registry`);
* a Python file (``my_strategy.py`` or ``path/to/file.py:NAME``) defining one
  or more StrategySpec objects at module level;
* a module (``package.module:SPEC``, or ``package.module`` when it defines one
  strategy).

When a file or module defines several strategies, name one with ``spec``
(``--spec NAME`` on the command line) or after a colon.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from backtest.data.catalog import suggest
from backtest.exceptions import ParameterError, QtbtError, StrategyError
from backtest.provenance import bytes_sha256
from backtest.strategy.registry import load_registry, module_specs, unknown_strategy
from backtest.strategy.spec import StrategySpec

__all__ = ["is_reference", "load_file", "resolve_strategy", "strategies_in"]

#: module attribute holding the file a strategy module was loaded from
FILE_ATTR = "__qtbt_file__"
#: resolved file path -> (sha256 of its bytes, module): a file is executed again only when edited
_FILES: dict[Path, tuple[str, ModuleType]] = {}


def is_reference(ref: str) -> bool:
    """Whether ``ref`` names a file or a module rather than a registered strategy."""
    target = ref.rsplit(":", 1)[0] if ":" in ref else ref
    return ":" in ref or _is_file(target) or "." in ref


def _is_file(target: str) -> bool:
    return target.endswith(".py") or "/" in target or "\\" in target


def _missing_file(path: Path) -> ParameterError:
    folder = path.parent if str(path.parent) else Path(".")
    near = sorted(p.name for p in folder.glob("*.py")) if folder.is_dir() else []
    close = suggest(path.name, near)
    hint = f" Did you mean: {', '.join(str(folder / c) for c in close)}?" if close else ""
    return ParameterError(f"Strategy file {str(path)!r} does not exist.{hint} Give the path "
                          "of a .py file that defines a StrategySpec.")


def load_file(path: str | Path) -> ModuleType:
    """Import a strategy file as a module (again only when its bytes changed).

    The file's folder is on ``sys.path`` while it runs, so it can import its
    neighbours.

    Raises
    ------
    ParameterError
        The file does not exist.
    StrategyError
        The file raised an exception while it was imported (file and line named).
    """
    p = Path(path).expanduser()
    if not p.is_file():
        raise _missing_file(p)
    p = p.resolve()
    code = p.read_bytes()
    digest = bytes_sha256(code)
    cached = _FILES.get(p)
    if cached is not None and cached[0] == digest:
        return cached[1]
    stem = re.sub(r"\W", "_", p.stem)
    name = f"qtbt_user_{stem}_{hashlib.sha256(str(p).encode()).hexdigest()[:8]}"
    loader_spec = importlib.util.spec_from_file_location(name, p)
    if loader_spec is None or loader_spec.loader is None:
        raise ParameterError(f"Cannot load {str(p)!r} as Python; give a .py file.")
    mod = importlib.util.module_from_spec(loader_spec)
    mod.__dict__[FILE_ATTR] = str(p)  # specs of this module pickle as (file, name)
    sys.modules[name] = mod
    sys.path.insert(0, str(p.parent))
    try:
        loader_spec.loader.exec_module(mod)
    except QtbtError:
        del sys.modules[name]
        raise
    except Exception as exc:
        del sys.modules[name]
        from backtest.strategy.errors import raised_in

        raise StrategyError(f"Strategy file {p} failed while loading: {raised_in(exc, p)}. "
                            "Fix the file (--traceback shows the full traceback).") from exc
    finally:
        sys.path.remove(str(p.parent))
    _FILES[p] = (digest, mod)
    return mod


def _import_module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise ParameterError(
                f"No module named {exc.name!r} (strategy reference {name!r}); install the "
                "package, run from the folder that holds it, or give a file path "
                "(`qtbt run path/to/file.py`).") from None
        raise


def _pick(specs: list[StrategySpec], wanted: str | None, where: str) -> StrategySpec:
    if not specs:
        raise ParameterError(f"{where} defines no StrategySpec at module level; define one, "
                             "e.g. SPEC = StrategySpec(name=..., ...).")
    names = [s.name for s in specs]
    if wanted is None:
        if len(specs) == 1:
            return specs[0]
        raise ParameterError(f"{where} defines {len(specs)} strategies ({', '.join(names)}); "
                             f"choose one with --spec NAME (or {where}:NAME).")
    for s in specs:
        if s.name == wanted:
            return s
    close = suggest(wanted, names)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise ParameterError(f"{where} has no strategy named {wanted!r}.{hint} It defines: "
                         f"{', '.join(names)}.")


def _attribute(mod: ModuleType, attr: str, where: str) -> StrategySpec:
    value = getattr(mod, attr, None)
    if isinstance(value, StrategySpec):
        return value
    specs = {k: v for k, v in vars(mod).items() if isinstance(v, StrategySpec)}
    if value is None:
        by_name = {v.name: v for v in specs.values()}
        if attr in by_name:  # module:strategy-name works too
            return by_name[attr]
        close = suggest(attr, [*by_name, *specs])
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise ParameterError(f"{where} has no attribute {attr!r}.{hint} Its strategies: "
                             f"{', '.join(specs) or 'none'}.")
    raise ParameterError(f"{where}:{attr} is a {type(value).__name__}, not a StrategySpec; "
                         f"its strategies: {', '.join(specs) or 'none'}.")


def strategies_in(ref: str) -> dict[str, StrategySpec]:
    """Every strategy a file (``my_strategy.py``) or module (``pkg.mod``) defines, by name.

    Raises
    ------
    ParameterError
        Unknown file or module, or one that defines no strategy.
    """
    target = ref.rsplit(":", 1)[0] if ":" in ref else ref
    if _is_file(target):
        specs, where = module_specs(load_file(target)), target
    elif is_reference(ref):
        specs, where = module_specs(_import_module(target)), target
    else:
        return {ref: resolve_strategy(ref)}
    if not specs:
        _pick(specs, None, where)  # raises: defines no StrategySpec
    return {s.name: s for s in specs}


def resolve_strategy(ref: str | StrategySpec, spec: str | None = None) -> StrategySpec:
    """The StrategySpec that ``ref`` names (see the module docstring for the forms).

    Parameters
    ----------
    ref : str or StrategySpec
        A spec, a registered name, ``file.py[:NAME]`` or ``package.module[:SPEC]``.
    spec : str, optional
        The strategy's name (or attribute) when the file or module defines several.

    Raises
    ------
    ParameterError
        Unknown name, file, module or attribute, with the closest ones; a file
        with no or several strategies and no ``spec``.
    StrategyError
        A strategy file that raised while loading.
    """
    if isinstance(ref, StrategySpec):
        return ref
    if not isinstance(ref, str) or not ref.strip():
        raise ParameterError(f"A strategy is a StrategySpec, a name ('playbook'), a file "
                             f"('my_strategy.py') or a module ('pkg.mod:SPEC'); got {ref!r}.")
    target, _, attr = ref.partition(":") if ":" in ref else (ref, "", "")
    if attr and spec and attr != spec:
        raise ParameterError(f"{ref!r} names strategy {attr!r} and --spec names {spec!r}; "
                             "give one of them.")
    wanted = attr or spec
    if not is_reference(ref):
        reg = load_registry()
        if ref in reg:
            return reg[ref]
        raise unknown_strategy(ref, reg)
    if _is_file(target):
        return _pick(module_specs(load_file(target)), wanted, target)
    mod = _import_module(target)
    if wanted is not None and attr:
        return _attribute(mod, attr, target)
    return _pick(module_specs(mod), wanted, target)
