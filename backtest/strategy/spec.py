"""The strategy contract: name, typed parameters, needs, and a weights function."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from backtest.claims import get_claim
from backtest.data.catalog import suggest
from backtest.engine.config import Rebalance
from backtest.engine.schedule import SCHEDULES
from backtest.exceptions import ParameterError, QtbtError, StrategyError
from backtest.strategy.context import StrategyContext
from backtest.strategy.params import Param, declared_params, validate_params

__all__ = ["StrategySpec", "WeightsFn"]

WeightsFn = Callable[[StrategyContext, Mapping[str, Any]], pd.DataFrame]
AssetsFn = Callable[[Mapping[str, Any]], tuple[str, ...]]


@dataclass(frozen=True, eq=False)
class StrategySpec:
    """Declaration of one strategy.

    Attributes
    ----------
    name : str
        Registry name (``qtbt run NAME``).
    description : str
        One line for ``qtbt strategies``.
    claim : str
        Id of the playbook claim the strategy tests (see :mod:`backtest.claims`;
        ``benchmark`` for benchmarks). Checked when the spec is created: an
        unknown id raises ParameterError naming the closest known ids.
    params : tuple of Param
        Typed parameters with defaults and allowed ranges.
    assets : tuple of str or callable
        Tickers traded; a callable receives the validated parameters.
    series : tuple of str or callable
        Macro series read from the point-in-time panel.
    weights : callable
        ``weights(context, params) -> DataFrame`` of target weights decided at
        each session's close (columns = assets; a NaN row = no new decision;
        1 - sum = cash). The engine trades them at the next session. A column
        outside ``assets``, a read of an undeclared price or series, and an
        exception inside the function are named errors (see :meth:`target_weights`).
    rebalance : str
        Default rebalance schedule of the engine.
    """

    name: str
    description: str
    claim: str
    params: tuple[Param, ...]
    assets: tuple[str, ...] | AssetsFn
    weights: WeightsFn
    series: tuple[str, ...] | AssetsFn = field(default=())
    rebalance: Rebalance = "monthly"

    def __post_init__(self) -> None:
        try:
            get_claim(self.claim)
        except ParameterError as exc:
            raise ParameterError(f"Strategy {self.name!r}: {exc}") from None
        if self.rebalance not in SCHEDULES:
            near = suggest(str(self.rebalance), list(SCHEDULES), n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise ParameterError(f"Strategy {self.name!r}: rebalance = {self.rebalance!r} is "
                                 f"not a schedule; {hint}choose one of "
                                 f"{', '.join(SCHEDULES)}.")

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickle a spec loaded from a user file as (file, name): a Dask worker reloads the file.

        Other specs pickle as usual (their modules are importable everywhere).
        """
        mod = sys.modules.get(getattr(self.weights, "__module__", None) or "")
        path = getattr(mod, "__qtbt_file__", None) if mod is not None else None
        if path is None:
            return super().__reduce_ex__(protocol)
        from backtest.strategy.resolve import resolve_strategy

        return (resolve_strategy, (path, self.name))

    def resolve(self, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Validated parameters (defaults filled in)."""
        return validate_params(self.params, given or {}, self.name)

    def assets_for(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """Tickers traded under ``params``."""
        return tuple(self.assets(params)) if callable(self.assets) else self.assets

    def series_for(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """Macro series read under ``params``."""
        return tuple(self.series(params)) if callable(self.series) else self.series

    def target_weights(self, context: StrategyContext, params: Mapping[str, Any]) -> pd.DataFrame:
        """Run the weights function and align its output to the context's sessions.

        Raises
        ------
        ParameterError
            The function read a price, series or parameter the spec does not declare, or
            returned a column outside the declared assets (with the closest one).
        StrategyError
            The function raised: names the strategy, its file and the line.
        """
        try:
            w = self.weights(context.guarded(self.name), declared_params(params, self.name))
        except ParameterError as exc:  # from a building block: say which strategy
            if str(exc).startswith(self.name):
                raise
            raise ParameterError(f"{self.name}: {exc}") from exc
        except QtbtError:
            raise
        except Exception as exc:
            from backtest.strategy.errors import raised_in
            from backtest.strategy.origin import source_file

            path = source_file(self)
            raise StrategyError(
                f"strategy {self.name!r} ({path or 'unknown file'}) raised in its weights "
                f"function: {raised_in(exc, path)}. Fix the strategy (--traceback shows the "
                "full traceback).") from exc
        cols = list(self.assets_for(params))
        if not isinstance(w, pd.DataFrame):
            raise ParameterError(f"{self.name}: the weights function must return a DataFrame "
                                 f"of target weights (columns = assets); got "
                                 f"{type(w).__name__}.")
        extra = [str(c) for c in w.columns if c not in cols]
        if extra:
            close = suggest(extra[0], cols)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ParameterError(
                f"{self.name}: the weights function returned column {extra[0]!r}{hint}, which "
                f"is not among the declared assets {', '.join(cols)}; its weight would be "
                "dropped and held as cash. Add it to StrategySpec(assets=...) or fix the name.")
        return w.reindex(index=context.index, columns=cols)
