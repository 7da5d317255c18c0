"""Typed strategy parameters: defaults, allowed ranges, validation that teaches."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backtest._typing import ParamKind
from backtest.data.catalog import suggest
from backtest.exceptions import ParameterError
from backtest.regimes.labels import LABELS

__all__ = ["DeclaredParams", "Param", "ParamKind", "UndeclaredParamError", "check_label",
           "declared_params", "validate_params"]


@dataclass(frozen=True)
class Param:
    """One strategy parameter.

    Attributes
    ----------
    name : str
        Identifier used with ``--param name=value``.
    default : Any
        Value used when none is given.
    kind : {"float", "int", "str", "bool", "table"}
        Type. ``table`` is a mapping regime label -> {ticker: weight}, set in
        a TOML config file. A given table is merged over the default one
        regime at a time: the regimes given replace their default rows, the
        others keep theirs (an empty row, ``[params.table.QT]`` with no
        lines, holds cash in that regime). Labels must be regime labels.
    low, high : float, optional
        Inclusive bounds for numbers.
    choices : tuple of str
        Allowed values for strings.
    help : str
        One line: meaning and units.
    grid : tuple
        Default values for parameter sweeps.
    """

    name: str
    default: Any
    kind: ParamKind = "float"
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    grid: tuple[Any, ...] = field(default=())

    def describe(self) -> str:
        """Compact description: ``name=default (allowed) help``."""
        if self.kind == "table":
            allowed = "regime -> {ticker: weight} table (TOML config)"
        elif self.choices:
            allowed = "|".join(self.choices)
        elif self.low is not None or self.high is not None:
            allowed = f"{self.kind} in [{self.low}, {self.high}]"
        else:
            allowed = self.kind
        shown = "<table>" if self.kind == "table" else self.default
        return f"{self.name}={shown} ({allowed}) {self.help}".rstrip()

    def coerce(self, value: Any, strategy: str) -> Any:
        """Convert and check ``value``; raise ParameterError saying what is allowed."""
        where = f"{strategy}: parameter {self.name}"
        if self.kind == "table":
            if not isinstance(value, Mapping):
                raise ParameterError(f"{where} must be a table of regime -> {{ticker: weight}}, "
                                     f"got {value!r}; set it in a TOML config file.")
            table: dict[str, dict[str, float]] = {}
            for k, v in value.items():
                check_label(str(k), where)
                if not isinstance(v, Mapping):
                    raise ParameterError(f"{where}: row {k!r} must map tickers to weights, "
                                         f"got {v!r}.")
                row = {}
                for t, w in v.items():
                    try:
                        row[str(t)] = float(w)
                    except (TypeError, ValueError):
                        raise ParameterError(f"{where}: weight of {t} in {k} must be a number, "
                                             f"got {w!r}.") from None
                    if not math.isfinite(row[str(t)]):
                        raise ParameterError(f"{where}: weight of {t} in {k} is not finite.")
                table[str(k)] = row
            default = self.default if isinstance(self.default, Mapping) else {}
            return {**{str(k): dict(v) for k, v in default.items()}, **table}
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "1", "yes"):
                return True
            if str(value).lower() in ("false", "0", "no"):
                return False
            raise ParameterError(f"{where} must be true or false, got {value!r}.")
        if self.kind == "str":
            text = str(value)
            if self.choices and text not in self.choices:
                raise ParameterError(
                    f"{where} = {text!r} is not allowed; choose one of {', '.join(self.choices)}."
                )
            return text
        try:
            if isinstance(value, bool):
                raise ValueError
            num: float | int = int(value) if self.kind == "int" else float(value)
            if self.kind == "int" and float(value) != int(value):
                raise ValueError
        except (TypeError, ValueError):
            raise ParameterError(
                f"{where} must be {'a whole number' if self.kind == 'int' else 'a number'}, "
                f"got {value!r}."
            ) from None
        if not math.isfinite(num):
            raise ParameterError(f"{where} must be a finite number, got {value!r}.")
        if (self.low is not None and num < self.low) or (
            self.high is not None and num > self.high
        ):
            raise ParameterError(
                f"{where} = {num} is out of range; allowed: {self.low} to {self.high}."
            )
        return num


class DeclaredParams(dict[str, Any]):
    """Parameters as given to a weights function: an undeclared name is a teaching error."""

    strategy: str = "strategy"

    def __missing__(self, key: str) -> Any:
        close = suggest(str(key), [str(k) for k in self])
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UndeclaredParamError(
            f"{self.strategy}: its weights function reads parameter {key!r}, which it does not "
            f"declare.{hint} Declared parameters: {', '.join(map(str, self)) or 'none'}; add "
            f"Param({key!r}, ...) to StrategySpec(params=...) to use it.")


class UndeclaredParamError(ParameterError, KeyError):
    """A weights function read a parameter its strategy does not declare."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


def declared_params(params: Mapping[str, Any], strategy: str) -> DeclaredParams:
    """``params`` as a :class:`DeclaredParams` of ``strategy``."""
    out = DeclaredParams(params)
    out.strategy = strategy
    return out


def check_label(label: str, where: str) -> None:
    """Refuse a regime label the classifiers never give, naming the closest one.

    Raises
    ------
    ParameterError
        ``label`` is not one of :data:`~backtest.regimes.labels.LABELS`.
    """
    if label not in LABELS:
        close = suggest(label, LABELS)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ParameterError(f"{where}: unknown regime {label!r}.{hint} Regimes: "
                             f"{', '.join(LABELS)} (a regime not named in the table would "
                             "otherwise hold cash unnoticed).")


def validate_params(
    params: tuple[Param, ...], given: Mapping[str, Any], strategy: str
) -> dict[str, Any]:
    """Merge ``given`` over the defaults, checking names, types and ranges.

    Raises
    ------
    ParameterError
        Unknown name (with close matches and the list of parameters), wrong
        type, or value out of range.
    """
    by_name = {p.name: p for p in params}
    for name in given:
        if name not in by_name:
            close = suggest(name, by_name)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            known = ", ".join(by_name) or "none"
            raise ParameterError(
                f"{strategy} has no parameter {name!r}.{hint} Its parameters: {known}."
            )
    return {p.name: p.coerce(given[p.name], strategy) if p.name in given else p.default
            for p in params}
