"""The strategy contract: name, typed parameters, needs, and a weights function."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from backtest.claims import get_claim
from backtest.engine.config import Rebalance
from backtest.exceptions import ParameterError
from backtest.strategy.context import StrategyContext
from backtest.strategy.params import Param, validate_params

__all__ = ["StrategySpec", "WeightsFn"]

WeightsFn = Callable[[StrategyContext, Mapping[str, Any]], pd.DataFrame]
AssetsFn = Callable[[Mapping[str, Any]], tuple[str, ...]]


@dataclass(frozen=True)
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
        1 - sum = cash). The engine trades them at the next session.
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
        """Run the weights function and align its output to the context's sessions."""
        w = self.weights(context, params)
        cols = list(self.assets_for(params))
        return w.reindex(index=context.index, columns=cols)
