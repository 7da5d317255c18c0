"""Parameter grids: parse ``--grid name=v1,v2``, fall back to each strategy's default grid.

A grid maps parameter names to the values to try; the sweep evaluates the
Cartesian product in a fixed order (parameters in the strategy's declaration
order, values as given), so the same grid always yields the same rows.
Without ``--grid`` the strategy's default grid is used: every parameter
whose :attr:`~backtest.strategy.Param.grid` is not empty. With ``--grid``
only the named parameters vary; the others stay at their defaults (or the
fixed ``--param`` values).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from backtest.data.catalog import suggest
from backtest.exceptions import ParameterError
from backtest.strategy import StrategySpec

__all__ = ["Grid", "default_grid", "expand_grid", "format_params", "grid_size", "parse_grid"]

Grid = dict[str, tuple[Any, ...]]


def default_grid(spec: StrategySpec) -> Grid:
    """The strategy's declared sweep values (parameters with a non-empty ``grid``)."""
    return {p.name: tuple(p.grid) for p in spec.params if p.grid}


def parse_grid(items: Sequence[str] | None, spec: StrategySpec) -> Grid:
    """Parse ``name=v1,v2,...`` options into a grid, each value checked by its parameter.

    Raises
    ------
    ParameterError
        Malformed item, unknown parameter (with close matches), a table
        parameter, a value of the wrong type or out of range (naming the
        parameter and what is allowed), or a parameter given twice.
    """
    by_name = {p.name: p for p in spec.params}
    out: Grid = {}
    for item in items or []:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not name or not raw.strip():
            raise ParameterError(
                f"--grid takes name=v1,v2,... (e.g. --grid qt_tilt=0.2,0.6), got {item!r}."
            )
        if name not in by_name:
            close = suggest(name, by_name)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise ParameterError(
                f"{spec.name} has no parameter {name!r}.{hint} Its parameters: "
                f"{', '.join(by_name) or 'none'}."
            )
        param = by_name[name]
        if param.kind == "table":
            raise ParameterError(
                f"{spec.name}: parameter {name} is a table; it cannot be swept with --grid "
                "(set it in a TOML config file)."
            )
        if name in out:
            raise ParameterError(f"--grid {name} is given twice; list all values in one option.")
        values: list[Any] = []
        for text in raw.split(","):
            val = param.coerce(_literal(text.strip()), spec.name)
            if val not in values:
                values.append(val)
        out[name] = tuple(values)
    return out


def _literal(text: str) -> Any:
    """``"3"`` -> 3, ``"0.5"`` -> 0.5, ``"true"`` -> True, else the text."""
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            continue
    return text


def grid_size(grid: Mapping[str, Sequence[Any]]) -> int:
    """Number of configurations the grid spans."""
    return math.prod(len(v) for v in grid.values()) if grid else 1


def expand_grid(spec: StrategySpec, grid: Mapping[str, Sequence[Any]],
                fixed: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """All configurations of ``grid``, validated, in a deterministic order.

    Parameters
    ----------
    spec : StrategySpec
        The strategy.
    grid : mapping
        Parameter name -> values; names not in the grid keep ``fixed`` or
        default values.
    fixed : mapping, optional
        Non-default values of parameters that do not vary.

    Returns
    -------
    list of dict
        Complete parameter dicts (defaults filled in), the first grid
        parameter (in declaration order) varying slowest.
    """
    fixed = dict(fixed or {})
    clash = sorted(set(fixed) & set(grid))
    if clash:
        raise ParameterError(f"{clash} given both as --param and --grid; use one of them.")
    order = [p.name for p in spec.params if p.name in grid]
    extra = [n for n in grid if n not in order]
    if extra:
        spec.resolve({n: grid[n][0] for n in extra})  # raises with suggestions
    for name in order:
        if not grid[name]:
            raise ParameterError(f"--grid {name} has no values.")
    return [spec.resolve({**fixed, **dict(zip(order, combo, strict=True))})
            for combo in itertools.product(*(grid[n] for n in order))]


def format_params(params: Mapping[str, Any], keys: Sequence[str] | None = None) -> str:
    """``name=value`` pairs (tables as compact JSON) for tables and messages."""
    names = list(keys) if keys is not None else list(params)
    parts = []
    for k in names:
        v = params[k]
        shown = json.dumps(v, sort_keys=True, separators=(",", ":")) if isinstance(v, Mapping) \
            else f"{v:g}" if isinstance(v, float) else str(v)
        parts.append(f"{k}={shown}")
    return " ".join(parts)
