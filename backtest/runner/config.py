"""Run configuration: everything that determines a backtest's numbers."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from backtest.data.calendar import parse_date
from backtest.engine.config import EngineConfig
from backtest.exceptions import ConfigError, ParameterError

__all__ = ["CASH_YIELDS", "RunConfig", "load_config_file"]

CASH_YIELDS = ("none", "DGS3MO", "BIL")
_TOP_KEYS = {"strategy", "start", "end", "benchmarks", "cash_yield", "params", "engine",
             "regimes"}
_REGIME_KEYS = {"classifier", "anchor", "end_of_qt_days", "params"}


@dataclass(frozen=True)
class RunConfig:
    """A complete, hashable description of one run.

    Attributes
    ----------
    strategy : str
        Registered strategy name.
    params : dict
        Strategy parameters given by the user (defaults are filled in later).
    start, end : str, optional
        Backtest range (YYYY-MM-DD); default: the span where all assets have prices.
    classifier : {"calendar", "data"}
        Regime classifier.
    anchor : {"effective", "announce"}
        Calendar anchor.
    end_of_qt_days : int, optional
        Calendar end-of-QT horizon.
    classifier_params : dict
        Data-classifier parameters.
    engine : dict
        :class:`~backtest.engine.EngineConfig` fields given by the user; an
        unset ``rebalance`` takes the strategy's default.
    cash_yield : {"DGS3MO", "BIL", "none"}
        What uninvested cash earns: the 3-month Treasury yield known the day
        before (/100/252 per session), BIL's daily return, or nothing.
    benchmarks : tuple of str
        Strategies run alongside through the same engine.
    """

    strategy: str
    params: dict[str, Any] = field(default_factory=dict)
    start: str | None = None
    end: str | None = None
    classifier: str = "calendar"
    anchor: str = "effective"
    end_of_qt_days: int | None = None
    classifier_params: dict[str, Any] = field(default_factory=dict)
    engine: dict[str, Any] = field(default_factory=dict)
    cash_yield: str = "DGS3MO"
    benchmarks: tuple[str, ...] = ("buy_and_hold", "sixty_forty")

    def __post_init__(self) -> None:
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
        unknown = set(self.engine) - set(EngineConfig.__dataclass_fields__)
        if unknown:
            raise ParameterError(
                f"Unknown engine setting(s) {sorted(unknown)}; allowed: "
                f"{', '.join(EngineConfig.__dataclass_fields__)}."
            )

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
        return replace(self, **{k: v for k, v in kw.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready) of the configuration."""
        d = asdict(self)
        d["benchmarks"] = list(self.benchmarks)
        return d

    def digest(self) -> str:
        """sha256 of the canonical JSON of the configuration."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML run configuration into RunConfig keyword arguments.

    Layout::

        strategy = "playbook"
        start = "2008-01-02"
        cash_yield = "DGS3MO"
        [params]            # strategy parameters
        [params.table.QT]   # e.g. a playbook allocation
        IWD = 0.4
        [engine]            # EngineConfig fields: costs_bps, rebalance, execution, ...
        [regimes]           # classifier, anchor, end_of_qt_days, [regimes.params]

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
    reg = raw.pop("regimes", {})
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
    for key in ("start", "end"):
        if key in out:
            out[key] = str(out[key])
    if "benchmarks" in out:
        out["benchmarks"] = tuple(out["benchmarks"])
    return out
