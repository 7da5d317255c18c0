"""What a strategy sees: point-in-time prices, macro panel and regime labels."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import pandas as pd

from backtest.data.catalog import suggest
from backtest.exceptions import ParameterError
from backtest.regimes.phases import regime_phases

__all__ = ["DeclaredFrame", "StrategyContext", "UndeclaredColumnError", "declared"]


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

    @property
    def time_in_regime(self) -> pd.DataFrame:
        """Causal time in regime per session: ``label``, ``phase``, ``since``, ``weeks``.

        The run's :attr:`phases` when it built them (phases from the
        classifier, with ``slowdown`` / ``stopped`` for ``end_of_qt``);
        otherwise derived from :attr:`regimes` alone (``early`` / ``late``,
        counting from the first row). Every value at t uses labels up to t.
        """
        if self.phases is not None:
            return self.phases
        return regime_phases(self.regimes)

    @property
    def weeks_in_regime(self) -> pd.Series:
        """Weeks since the current regime began (calendar days / 7, 0 on its first session)."""
        return self.time_in_regime["weeks"].astype(float).rename("weeks")

    @property
    def regime_phase(self) -> pd.Series:
        """Phase of the current regime (``early``, ``late``, ``slowdown``, ``stopped``)."""
        return self.time_in_regime["phase"].rename("phase")

    def truncated(self, end: pd.Timestamp) -> StrategyContext:
        """The same context with everything after ``end`` removed (for honesty tests)."""
        phases = None if self.phases is None else self.phases.loc[:end]
        return StrategyContext(self.prices.loc[:end], self.panel.loc[:end],
                               self.regimes.loc[:end], self.start, phases)

    def guarded(self, strategy: str) -> StrategyContext:
        """The same context whose prices, panel and regimes refuse unknown names (named errors)."""
        from backtest.strategy.regime_labels import guard_labels

        return replace(self, prices=declared(self.prices, strategy, "asset"),
                       panel=declared(self.panel, strategy, "series"),
                       regimes=guard_labels(self.regimes, strategy))


class DeclaredFrame(pd.DataFrame):
    """A DataFrame whose ``frame[name]`` refuses an undeclared column with a teaching error.

    Given to a strategy's weights function as ``context.panel`` and
    ``context.prices``, so reading a series the strategy did not declare is a
    :class:`~backtest.exceptions.ParameterError` (also a ``KeyError``) naming
    the strategy, the column and the closest declared one, not a raw pandas
    ``KeyError``. Anything derived from it is a plain DataFrame.
    """

    _metadata: ClassVar[list[str]] = ["qtbt_strategy", "qtbt_kind"]
    qtbt_strategy: str
    qtbt_kind: str

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def _constructor_from_mgr(self, mgr: Any, axes: Any) -> pd.DataFrame:
        return pd.DataFrame._from_mgr(mgr, axes=axes)  # type: ignore[attr-defined]

    def __getitem__(self, key: Any) -> Any:
        names = [key] if isinstance(key, str) else key if isinstance(key, list) else []
        missing = [k for k in names if isinstance(k, str) and k not in self.columns]
        if missing:
            raise UndeclaredColumnError(self._undeclared(missing[0]))
        return super().__getitem__(key)

    def _undeclared(self, name: str) -> str:
        strategy = getattr(self, "qtbt_strategy", "strategy")
        kind = getattr(self, "qtbt_kind", "series")
        declared = [str(c) for c in self.columns]
        close = suggest(name, declared)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        field = "series" if kind == "series" else "assets"
        return (f"{strategy}: its weights function reads {kind} {name!r}, which it did not "
                f"declare.{hint} Declared {field}: {', '.join(declared) or 'none'}; add "
                f"{name!r} to StrategySpec({field}=...) to read it.")


class UndeclaredColumnError(ParameterError, KeyError):
    """A strategy read a price or macro series it did not declare."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


def declared(frame: pd.DataFrame, strategy: str, kind: str) -> DeclaredFrame:
    """``frame`` as a :class:`DeclaredFrame` of ``strategy`` (``kind``: series or asset)."""
    out = DeclaredFrame(frame)
    out.qtbt_strategy = strategy
    out.qtbt_kind = kind
    return out
