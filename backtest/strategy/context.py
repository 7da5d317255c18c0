"""What a strategy sees: point-in-time prices, macro panel and regime labels."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["StrategyContext"]


@dataclass(frozen=True)
class StrategyContext:
    """Inputs of a strategy, all known at the close of each session.

    Attributes
    ----------
    prices : DataFrame
        Adjusted closes of the strategy's assets (USD), index NYSE sessions.
    panel : DataFrame
        Macro series the strategy declared, release-lagged (see
        :func:`backtest.data.panel.build_panel`), same index. May have no columns.
    regimes : Series
        Regime label known at each session's close, same index.
    start : Timestamp, optional
        First session of the backtest; earlier rows are warm-up history for
        look-back windows (their weights are discarded). Default: the first row.
    phases : DataFrame, optional
        Causal phase of each session's regime, same index, as built by
        :func:`backtest.regimes.phases.regime_phases`: ``label``, ``phase``
        (``early`` / ``late``; ``slowdown`` / ``stopped`` for ``end_of_qt``),
        ``since`` (first session of the regime) and ``weeks`` (weeks since).
        None when the run did not build them.
    """

    prices: pd.DataFrame
    panel: pd.DataFrame
    regimes: pd.Series
    start: pd.Timestamp | None = None
    phases: pd.DataFrame | None = None

    @property
    def first_session(self) -> pd.Timestamp:
        """First session of the backtest (``start`` or the first row)."""
        return pd.Timestamp(self.start) if self.start is not None else self.index[0]

    @property
    def index(self) -> pd.DatetimeIndex:
        """The sessions of the backtest."""
        return pd.DatetimeIndex(self.prices.index)

    def truncated(self, end: pd.Timestamp) -> StrategyContext:
        """The same context with everything after ``end`` removed (for honesty tests)."""
        phases = None if self.phases is None else self.phases.loc[:end]
        return StrategyContext(self.prices.loc[:end], self.panel.loc[:end],
                               self.regimes.loc[:end], self.start, phases)
