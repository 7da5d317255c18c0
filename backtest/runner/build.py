"""Build a RunConfig the way ``qtbt run``, ``sweep`` and ``walkforward`` do.

:func:`build_run_config` merges, in this order: a TOML file
(:func:`~backtest.runner.config.load_config_file`), the strategy name,
``--param name=value`` pairs (merged over the file's ``[params]``), engine
settings (merged over the file's ``[engine]``) and single-field overrides;
a value of None means "not given" everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from backtest.exceptions import ConfigError, ParameterError
from backtest.runner.config import RunConfig, load_config_file
from backtest.strategy import StrategySpec, resolve_strategy
from backtest.strategy.resolve import is_reference

__all__ = ["build_run_config", "parse_params"]


def parse_params(items: Sequence[str] | None) -> dict[str, Any]:
    """Parse ``k=v`` pairs; values become int, float, bool or str."""
    out: dict[str, Any] = {}
    if isinstance(items, str):
        raise ParameterError(f"params takes a list of name=value strings, e.g. ['lookback=63'];"
                             f" got the bare string {items!r}.")
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"--param takes name=value, got {item!r}.")
        if key.strip() in out:
            raise ParameterError(f"--param {key.strip()} is given twice; give it once.")
        val: Any = raw.strip()
        for cast in (int, float):
            try:
                val = cast(raw)
                break
            except ValueError:
                continue
        if isinstance(val, str) and val.lower() in ("true", "false"):
            val = val.lower() == "true"
        out[key.strip()] = val
    return out


def _given(params: Sequence[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    if isinstance(params, Mapping):
        return dict(params)
    return parse_params(params)


def build_run_config(strategy: str | StrategySpec | None = None,
                     config_file: str | Path | None = None,
                     params: Sequence[str] | Mapping[str, Any] | None = (), *,
                     engine: Mapping[str, Any] | None = None,
                     benchmarks: Sequence[str] | None = None, spec: str | None = None,
                     regimes: str | Path | None = None, **overrides: Any) -> RunConfig:
    """A RunConfig from a TOML file, a strategy name, parameters and overrides.

    Parameters
    ----------
    strategy : str or StrategySpec, optional
        Strategy name, file (``my_strategy.py``), module (``pkg.mod:SPEC``) or
        spec object; must agree with the file's ``strategy`` when both are given.
    config_file : str or Path, optional
        TOML run configuration (layout in :func:`load_config_file`).
    params : sequence of str or mapping
        ``name=value`` strings (as ``--param``) or a mapping, merged over the
        file's ``[params]``.
    engine : mapping, optional
        EngineConfig fields merged over the file's ``[engine]`` (None values ignored).
    benchmarks : sequence of str, optional
        Replace the benchmarks: names, files or modules (``()`` or
        ``("none",)`` for none, as sweeps use).
    spec : str, optional
        The strategy's name when the file or module defines several (``--spec``).
    regimes : str or Path, optional
        Your own ``date,label`` regimes file (``--regimes``): the ``file``
        classifier replaces the file's classifier; ``classifier`` may only be
        ``"file"`` then.
    **overrides
        Other RunConfig fields (``start``, ``end``, ``classifier``, ``anchor``,
        ``end_of_qt_days``, ``cash_yield``); None values are ignored.

    Raises
    ------
    ConfigError
        Unreadable file, unknown keys, or a file naming another strategy.
    ParameterError
        No strategy anywhere; a bad value.
    """
    base: dict[str, Any] = load_config_file(config_file) if config_file is not None else {}
    if strategy is not None:
        named = base.get("strategy")
        if named is not None and named != getattr(strategy, "name", strategy):
            raise ConfigError(
                f"{config_file} sets strategy = {named!r} but {strategy!r} was named too; "
                "name one strategy (drop the argument or edit the file)."
            )
        base["strategy"] = strategy
    if "strategy" not in base:
        raise ParameterError("name a strategy (`qtbt strategies` lists them), a strategy file "
                             "(my_strategy.py) or pass --config with strategy = \"...\".")
    if spec is not None or (isinstance(base["strategy"], str) and is_reference(base["strategy"])):
        base["strategy"] = resolve_strategy(base["strategy"], spec)
    base["params"] = {**base.get("params", {}), **_given(params)}
    base["engine"] = {**base.get("engine", {}),
                      **{k: v for k, v in (engine or {}).items() if v is not None}}
    if benchmarks is not None:
        base["benchmarks"] = tuple(benchmarks)
    given = base.get("benchmarks", ())
    for name in given if isinstance(given, list | tuple) else ():
        if isinstance(name, str) and name not in ("", "none"):
            resolve_strategy(name)  # an unknown benchmark fails now, with the closest names
    unknown = sorted(set(overrides) - set(RunConfig.__dataclass_fields__))
    if unknown:
        raise ParameterError(f"build_run_config got unknown field(s) {unknown}; allowed: "
                             f"{', '.join(RunConfig.__dataclass_fields__)}.")
    base.update({k: v for k, v in overrides.items() if v is not None})
    if regimes is not None:
        base.update(_regimes_override(regimes, overrides))
    return RunConfig(**base)


def _regimes_override(regimes: str | Path, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The classifier fields of ``--regimes FILE`` (refusing another classifier or an anchor)."""
    classifier = overrides.get("classifier")
    if classifier not in (None, "file"):
        raise ParameterError(f"--regimes {regimes} gives the regime labels and --classifier "
                             f"{classifier} computes them; pass one of the two.")
    if overrides.get("anchor") is not None:
        raise ParameterError(f"--anchor dates the calendar's events; --regimes {regimes} "
                             "dates its own rows. Drop --anchor.")
    if not str(regimes).strip():
        raise ParameterError("--regimes is empty; pass a date,label CSV file.")
    return {"classifier": "file", "classifier_params": {"path": str(regimes)}}
