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
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

import numpy as np

from backtest.data.catalog import suggest
from backtest.exceptions import ParameterError
from backtest.strategy import StrategySpec

__all__ = ["MAX_CONFIGURATIONS", "Grid", "GridConfigs", "check_grid_size", "default_grid",
           "expand_grid", "format_params", "grid_size", "parse_grid"]

Grid = dict[str, tuple[Any, ...]]

MAX_CONFIGURATIONS = 1_000_000
"""Most configurations one sweep may span; larger grids are refused before expansion."""


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
    """Number of configurations the grid spans (from the value counts; nothing is built)."""
    return math.prod(len(v) for v in grid.values()) if grid else 1


class GridConfigs(Sequence[dict[str, Any]]):
    """The configurations of a grid, built one at a time when asked for.

    A read-only sequence: ``len``, ``configs[i]`` (negative too), slices
    (a list of dicts) and iteration. Position ``i`` is the mixed-radix
    number whose digits index each parameter's values, the first parameter
    (in declaration order) varying slowest, as :func:`itertools.product`.

    Parameters
    ----------
    base : dict
        Validated parameters shared by every configuration (defaults and
        fixed values).
    values : dict
        Varying parameter -> its validated values, in declaration order.
    """

    def __init__(self, base: Mapping[str, Any], values: Mapping[str, Sequence[Any]]) -> None:
        self._base = dict(base)
        self._names = list(values)
        self._values = [tuple(values[n]) for n in self._names]
        self._len = math.prod(len(v) for v in self._values)

    def __len__(self) -> int:
        return self._len

    def _build(self, combo: Sequence[Any]) -> dict[str, Any]:
        out = dict(self._base)
        out.update(zip(self._names, combo, strict=True))
        return out

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._len))]
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise TypeError(f"grid positions are integers, got {type(index).__name__}")
        i = int(index) + self._len if index < 0 else int(index)
        if not 0 <= i < self._len:
            raise IndexError(f"configuration {index} is out of range (the grid has {self._len})")
        combo = []
        for vals in reversed(self._values):
            i, digit = divmod(i, len(vals))
            combo.append(vals[digit])
        return self._build(combo[::-1])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for combo in itertools.product(*self._values):
            yield self._build(combo)

    def __repr__(self) -> str:
        sizes = " x ".join(f"{len(v)} {n}" for n, v in zip(self._names, self._values,
                                                             strict=True))
        return f"GridConfigs({self._len:,} configurations: {sizes or 'no varying parameter'})"


def check_grid_size(grid: Mapping[str, Sequence[Any]],
                    limit: int = MAX_CONFIGURATIONS) -> int:
    """The grid's size, or a ParameterError with the estimate and the fix when over ``limit``.

    Computed from the value counts alone, so a grid of 1e11 configurations is
    refused without building any of them.
    """
    size = grid_size(grid)
    if size > limit:
        counts = " x ".join(f"{len(v):,} {n}" for n, v in grid.items())
        raise ParameterError(
            f"The grid spans {size:,} configurations ({counts}), over the limit of "
            f"{limit:,}. Sweep fewer values per parameter (e.g. 10-50 each), or split the "
            "grid into several sweeps with fixed --param values."
        )
    return size


def expand_grid(spec: StrategySpec, grid: Mapping[str, Sequence[Any]],
                fixed: Mapping[str, Any] | None = None, *,
                limit: int = MAX_CONFIGURATIONS) -> GridConfigs:
    """All configurations of ``grid``, validated, in a deterministic order.

    The size is checked before anything is built, and the configurations
    are built on demand (see :class:`GridConfigs`); every value is validated
    here, once.

    Parameters
    ----------
    spec : StrategySpec
        The strategy.
    grid : mapping
        Parameter name -> values; names not in the grid keep ``fixed`` or
        default values.
    fixed : mapping, optional
        Non-default values of parameters that do not vary.
    limit : int
        Most configurations allowed (default :data:`MAX_CONFIGURATIONS`,
        one million).

    Returns
    -------
    GridConfigs
        A read-only sequence of complete parameter dicts (defaults filled
        in), the first grid parameter (in declaration order) varying slowest.

    Raises
    ------
    ParameterError
        A parameter both fixed and swept, an unknown parameter, an empty or
        invalid value list, or a grid over ``limit`` configurations.
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
    check_grid_size({n: grid[n] for n in order}, limit)
    base = spec.resolve(fixed)
    values = {n: tuple(spec.resolve({**fixed, n: v})[n] for v in grid[n]) for n in order}
    return GridConfigs(base, values)


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
