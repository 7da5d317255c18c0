"""Run configuration: everything that determines a backtest's numbers.

:class:`RunConfig` is frozen and hashable: its mapping fields (``params``,
``classifier_params``, ``engine``) are stored as read-only :class:`FrozenMap`
values, and :meth:`RunConfig.to_dict` turns them back into plain dicts, so
its JSON (and :meth:`RunConfig.digest`) is what a plain dict would give.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from backtest.data.calendar import parse_date
from backtest.engine.config import EngineConfig
from backtest.exceptions import ConfigError, ParameterError
from backtest.regimes.api import CLASSIFIERS as REGIME_CLASSIFIERS
from backtest.runner.owninputs import file_classifier_params, toml_regimes_file
from backtest.strategy import StrategySpec, resolve_strategy
from backtest.strategy.origin import strategy_origin
from backtest.strategy.registry import load_registry
from backtest.strategy.resolve import is_reference

__all__ = ["ANCHORS", "CASH_YIELDS", "CLASSIFIERS", "MAX_END_OF_QT_DAYS", "FrozenMap",
           "RunConfig", "freeze", "load_config_file", "thaw"]

CASH_YIELDS = ("none", "DGS3MO", "BIL")
CLASSIFIERS: tuple[str, ...] = tuple(REGIME_CLASSIFIERS)
ANCHORS = ("effective", "announce")
MAX_END_OF_QT_DAYS = 3650  # ten years of calendar days
_TOP_KEYS = {"strategy", "start", "end", "benchmarks", "cash_yield", "params", "engine",
             "regimes"}
_REGIME_KEYS = {"classifier", "anchor", "end_of_qt_days", "params", "file"}
_MAPPINGS = {"params": "strategy parameters, e.g. params={'lookback': 63}",
             "classifier_params": "data-classifier parameters, e.g. classifier_params={}",
             "engine": "EngineConfig fields, e.g. engine={'rebalance': 'monthly', "
                       "'costs_bps': 5}"}


class FrozenMap(Mapping[str, Any]):
    """A read-only, hashable mapping (insertion order kept; equal to a dict with the same items)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        self._data: dict[str, Any] = {k: freeze(v) for k, v in (items or {}).items()}
        self._hash: int | None = None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._data) == dict(other.items())

    def __repr__(self) -> str:
        return repr(thaw(self))


def freeze(value: Any) -> Any:
    """A hashable copy: mappings become FrozenMap, lists and tuples tuples."""
    if isinstance(value, FrozenMap):
        return value
    if isinstance(value, Mapping):
        return FrozenMap(value)
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Plain (JSON-ready) copy of a frozen value: FrozenMap -> dict, tuples -> lists."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise ParameterError(
            f"RunConfig.{name} must be one of {', '.join(repr(a) for a in allowed)}; got "
            f"{value!r}."
        )


def _mapping(name: str, value: object) -> FrozenMap:
    if not isinstance(value, Mapping):
        raise ParameterError(
            f"RunConfig.{name} must be a mapping of {_MAPPINGS[name]}; got {value!r} "
            f"({type(value).__name__})."
        )
    bad = [k for k in value if not isinstance(k, str)]
    if bad:
        raise ParameterError(f"RunConfig.{name} keys must be names (str); got {bad!r}.")
    return FrozenMap(value)


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ParameterError(
            f"RunConfig.benchmarks must be a tuple of strategy names, e.g. ('sixty_forty',) "
            f"or () for none; got {value!r}."
        )
    if not all(isinstance(v, str) and v for v in value):
        raise ParameterError(f"RunConfig.benchmarks must hold strategy names; got {value!r}.")
    if "none" in value:
        if len(value) > 1:
            raise ParameterError(
                f"RunConfig.benchmarks {list(value)!r} mixes 'none' with benchmarks; give "
                "'none' alone for no benchmark, or only the benchmarks you want.")
        return ()
    return tuple(value)


def _horizon(value: object) -> None:
    if value is None:
        return
    ok = isinstance(value, int) and not isinstance(value, bool)
    if not ok or not 1 <= value <= MAX_END_OF_QT_DAYS:  # type: ignore[operator]
        raise ParameterError(
            f"RunConfig.end_of_qt_days must be a whole number of calendar days from 1 to "
            f"{MAX_END_OF_QT_DAYS}, or None for no horizon; got {value!r}."
        )


@dataclass(frozen=True)
class RunConfig:
    """A complete, hashable description of one run.

    Attributes
    ----------
    strategy : str or StrategySpec
        A registered strategy name (``"playbook"``), a StrategySpec object, or
        a file or module reference (``"my_strategy.py"``, ``"pkg.mod:SPEC"``;
        see :func:`~backtest.strategy.resolve_strategy`). A spec or a
        reference is resolved at once: ``strategy`` then holds the spec's
        name and ``spec`` the spec.
    params : mapping
        Strategy parameters given by the user (defaults are filled in later).
    start, end : str, optional
        Backtest range (YYYY-MM-DD); default: the span where all assets have prices.
    classifier : {"calendar", "data", "rules", "markov", "hybrid", "file"}
        Regime classifier; ``file`` reads your own ``date,label`` CSV, named by
        ``classifier_params={"path": ...}`` (stored as an absolute path).
    anchor : {"effective", "announce"}
        Calendar anchor.
    end_of_qt_days : int, optional
        Calendar end-of-QT horizon, calendar days (1 to 3650).
    classifier_params : mapping
        Data-classifier parameters; for ``file`` exactly ``{"path": FILE}``.
    engine : mapping
        :class:`~backtest.engine.EngineConfig` fields given by the user; an
        unset ``rebalance`` takes the strategy's default.
    cash_yield : {"DGS3MO", "BIL", "none"}
        What uninvested cash earns: the 3-month Treasury yield known the day
        before (/100/252 per session), BIL's daily return, or nothing.
    benchmarks : tuple of str
        Strategies run alongside through the same engine: names, files or
        modules, as for ``strategy``; ``()`` or ``("none",)`` for none. A
        benchmark never shortens the run: one whose assets end earlier (or
        start later) is evaluated on the sessions it has, with a note.
    spec : StrategySpec, optional
        The strategy object when it was given as an object or a file/module
        reference (None for a registered name). :meth:`to_dict` records its
        origin (module and file) under ``strategy_origin``.

    Raises
    ------
    ParameterError
        A field of the wrong type or out of range, naming the field and the fix.
    """

    strategy: str | StrategySpec
    params: Mapping[str, Any] = field(default_factory=FrozenMap)
    start: str | None = None
    end: str | None = None
    classifier: str = "calendar"
    anchor: str = "effective"
    end_of_qt_days: int | None = None
    classifier_params: Mapping[str, Any] = field(default_factory=FrozenMap)
    engine: Mapping[str, Any] = field(default_factory=FrozenMap)
    cash_yield: str = "DGS3MO"
    benchmarks: tuple[str, ...] = ("buy_and_hold", "sixty_forty")
    spec: StrategySpec | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._set_spec()
        if not isinstance(self.strategy, str) or not self.strategy.strip():
            raise ParameterError(
                f"RunConfig.strategy must be a strategy name (str), e.g. RunConfig('playbook'); "
                f"got {self.strategy!r} ({type(self.strategy).__name__}). `qtbt strategies` "
                "lists them."
            )
        for name in _MAPPINGS:
            object.__setattr__(self, name, _mapping(name, getattr(self, name)))
        object.__setattr__(self, "benchmarks", _names(self.benchmarks))
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, str(parse_date(value, name).date()))
        if self.start and self.end and self.start > self.end:
            raise ParameterError(f"start {self.start} is after end {self.end}; swap them.")
        if self.cash_yield not in CASH_YIELDS:
            raise ParameterError(
                f"cash_yield must be one of {', '.join(CASH_YIELDS)}, got {self.cash_yield!r}."
            )
        _choice("classifier", self.classifier, CLASSIFIERS)
        _choice("anchor", self.anchor, ANCHORS)
        _horizon(self.end_of_qt_days)
        if self.classifier == "file":
            object.__setattr__(self, "classifier_params", FrozenMap(file_classifier_params(
                self.classifier_params, self.end_of_qt_days)))
        unknown = set(self.engine) - set(EngineConfig.__dataclass_fields__)
        if unknown:
            raise ParameterError(
                f"Unknown engine setting(s) {sorted(unknown)}; allowed: "
                f"{', '.join(EngineConfig.__dataclass_fields__)}."
            )
        EngineConfig(**self.engine)  # every value checked now, not at the first backtest

    def _set_spec(self) -> None:
        """A spec object or a file/module reference becomes ``spec``, its name ``strategy``."""
        spec = self.spec
        if isinstance(self.strategy, StrategySpec) or (
                isinstance(self.strategy, str) and is_reference(self.strategy)):
            given = resolve_strategy(self.strategy)
            if spec is not None and spec is not given:
                raise ParameterError(f"RunConfig got strategy {self.strategy!r} and another spec "
                                     f"{spec.name!r}; give the strategy once.")
            spec = given
        if spec is None:
            return
        if not isinstance(spec, StrategySpec):
            raise ParameterError(f"RunConfig.spec must be a StrategySpec or None; got {spec!r}.")
        if isinstance(self.strategy, str) and self.strategy != spec.name and \
                not is_reference(self.strategy):
            raise ParameterError(f"RunConfig.strategy {self.strategy!r} differs from the name of "
                                 f"its spec {spec.name!r}; give the spec alone.")
        registered = load_registry().get(spec.name) is spec
        object.__setattr__(self, "strategy", spec.name)
        object.__setattr__(self, "spec", None if registered else spec)

    def strategy_spec(self) -> StrategySpec:
        """The strategy to run: ``spec``, or the registered strategy named ``strategy``."""
        return self.spec if self.spec is not None else resolve_strategy(str(self.strategy))

    def engine_config(self, default_rebalance: str, benchmark: bool = False) -> EngineConfig:
        """The engine configuration, with the strategy's rebalance unless overridden.

        A benchmark keeps its own schedule (monthly 60/40 stays monthly); it
        shares the run's costs, slippage, borrow, execution and capital.
        """
        given = dict(self.engine)
        if benchmark:
            given.pop("rebalance", None)
            given.pop("drift_threshold", None)
        kw = {"rebalance": default_rebalance, **given}
        return EngineConfig(**kw)

    def with_overrides(self, **kw: Any) -> RunConfig:
        """A copy with CLI overrides applied (None values ignored)."""
        allowed = [f.name for f in fields(self)]
        unknown = sorted(set(kw) - set(allowed))
        if unknown:
            raise ParameterError(f"Unknown RunConfig field(s) {unknown}; allowed: "
                                 f"{', '.join(allowed)}.")
        return replace(self, **{k: v for k, v in kw.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready) of the configuration."""
        d = {f.name: thaw(getattr(self, f.name)) for f in fields(self) if f.name != "spec"}
        d["benchmarks"] = list(self.benchmarks)
        if self.spec is not None:
            origin = strategy_origin(self.spec)
            d["strategy_origin"] = {"module": origin["module"], "file": origin["file"]}
        return d

    def digest(self) -> str:
        """sha256 of the canonical JSON of the configuration."""
        return _sha256_json(self.to_dict())

    def strategy_code(self) -> dict[str, dict[str, str | None]]:
        """Strategy and benchmark name -> ``{"module", "file", "sha256"}`` of its source.

        See :func:`~backtest.strategy.strategy_origin`; the files are read now.
        """
        specs = {str(self.strategy): self.strategy_spec(),
                 **{b: resolve_strategy(b) for b in self.benchmarks}}
        return {n: strategy_origin(s) for n, s in specs.items()}

    def code_digest(self, code: Mapping[str, Mapping[str, str | None]] | None = None) -> str:
        """sha256 of the configuration and of every strategy's source file.

        Unlike :meth:`digest` it changes when a strategy's code is edited;
        runs record it as ``config_sha256``. ``code`` defaults to
        :meth:`strategy_code`.
        """
        code = self.strategy_code() if code is None else code
        return _sha256_json({"config": self.to_dict(),
                             "code": {n: o.get("sha256") for n, o in code.items()}})


def _sha256_json(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML run configuration into RunConfig keyword arguments.

    Layout::

        strategy = "playbook"
        start = "2008-01-02"
        cash_yield = "DGS3MO"
        benchmarks = ["buy_and_hold", "my_bench.py"]   # or ["none"]
        [params]            # strategy parameters
        [params.table.QT]   # e.g. a playbook allocation
        IWD = 0.4
        [engine]            # EngineConfig fields: costs_bps, rebalance, execution, ...
        [regimes]           # classifier, anchor, end_of_qt_days, [regimes.params]
                            # or file = "my_regimes.csv" (relative to this file)

    Raises
    ------
    ConfigError
        Unreadable TOML (with line and column) or unknown keys.
    """
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Config file {p} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}.") from None
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"{p}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}.")
    for key in ("params", "engine", "regimes"):
        if not isinstance(raw.get(key, {}), dict):
            raise ConfigError(f"{p}: {key} must be a table ([{key}] with name = value lines); "
                              f"got {raw[key]!r}.")
    reg = raw.pop("regimes", {})
    if not isinstance(reg.get("params", {}), dict):
        raise ConfigError(f"{p}: [regimes] params must be a table ([regimes.params]); got "
                          f"{reg['params']!r}.")
    bad = set(reg) - _REGIME_KEYS
    if bad:
        raise ConfigError(f"{p}: unknown [regimes] key(s) {sorted(bad)}; allowed: "
                          f"{sorted(_REGIME_KEYS)}.")
    out: dict[str, Any] = dict(raw)
    for key in ("classifier", "anchor", "end_of_qt_days"):
        if key in reg:
            out[key] = reg[key]
    if "params" in reg:
        out["classifier_params"] = reg["params"]
    if "file" in reg:
        out.update(toml_regimes_file(p, reg))
    for key in ("start", "end"):
        if key in out:
            out[key] = str(out[key])
    if isinstance(out.get("benchmarks"), list):
        out["benchmarks"] = tuple(out["benchmarks"])  # anything else: RunConfig says why not
    return out
