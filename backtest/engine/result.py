"""The immutable outcome of one backtest, in plain pandas.

Index convention for every series and frame here: NYSE sessions, the index
of the ``close`` prices given to :func:`backtest.engine.run_backtest`. A
value at session *t* is as of the close of *t* (positions, equity) or covers
the close of *t-1* to the close of *t* (returns, costs, turnover).

Like every qtbt result, :class:`BacktestResult` offers ``metrics()`` (a
JSON-ready dict), ``summary()`` (the same as a DataFrame), ``to_text()``
(the same as aligned text) and ``plot()`` (a plotly figure, never shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

import numpy as np
import pandas as pd

from backtest.engine.config import EngineConfig
from backtest.exceptions import ParameterError
from backtest.metrics.performance import TRADING_DAYS, performance_summary, round_sig
from backtest.metrics.performance import turnover as annual_turnover
from backtest.metrics.regime import by_regime

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = ["BacktestResult", "PlotKind"]

PlotKind: TypeAlias = Literal["equity", "performance", "positions"]
PLOT_KINDS: tuple[str, ...] = ("equity", "performance", "positions")


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """What a strategy earned, held and traded.

    Attributes
    ----------
    returns : Series
        Daily simple return net of commissions, slippage, borrow fees and
        cash yield (0.01 = +1 %). The first session's return is 0: the
        portfolio is funded in cash and nothing can trade before the session
        after the first decision.
    equity : Series
        ``cumprod(1 + returns)``: the value of 1.0 held in the strategy from
        the first session's close; equals 1.0 at the first session.
    targets : DataFrame
        Decision-time target weights as given (index: decision sessions,
        NaN row = no decision), after scaling to ``max_gross_leverage``.
    positions : DataFrame
        Weights actually held at each close (asset value over portfolio
        value, negative for shorts), one column per asset plus ``cash``;
        rows sum to 1.
    turnover : Series
        One-sided daily turnover: sum of ``|shares traded| * fill price``
        over the portfolio value at the previous close.
    costs : Series
        Daily cost as a fraction of the portfolio value at the previous
        close (commission + slippage + borrow fee); subtract-ready, the
        returns are already net of it.
    cost_breakdown : DataFrame
        ``costs`` split into columns ``fees``, ``slippage`` and ``borrow``.
    orders : DataFrame
        Every fill: ``date``, ``asset``, ``side`` (``buy``/``sell``),
        ``shares`` (> 0), ``price`` (fill price incl. slippage), ``value``
        (shares * price, currency), ``fees`` (currency).
    rebalance_days : DatetimeIndex
        Sessions at which orders were sent (execution sessions).
    trades : int
        Number of fills (rows of ``orders``).
    leverage_scaled_days : int
        Decision sessions whose gross target exceeded ``max_gross_leverage``
        and was scaled down.
    config : EngineConfig
        The configuration used.
    regimes : Series or None
        Regime labels aligned on the sessions (forward filled), if given.
    """

    returns: pd.Series
    equity: pd.Series
    targets: pd.DataFrame
    positions: pd.DataFrame
    turnover: pd.Series
    costs: pd.Series
    cost_breakdown: pd.DataFrame
    orders: pd.DataFrame
    rebalance_days: pd.DatetimeIndex
    trades: int
    leverage_scaled_days: int
    config: EngineConfig
    regimes: pd.Series | None = None

    def metrics(self, rf: pd.Series | float | None = None) -> dict[str, float | int | str]:
        """Headline metrics over the whole backtest.

        Parameters
        ----------
        rf : Series or float, optional
            Daily risk-free simple return for the Sharpe and Sortino ratios.

        Returns
        -------
        dict
            ``start``, ``end`` (``YYYY-MM-DD``), the keys of
            :func:`backtest.metrics.performance.performance_summary`, plus
            ``turnover`` (annualised one-sided), ``costs`` (annualised mean
            daily cost, fraction of equity), ``trades``, ``rebalances`` and
            ``leverage_scaled_days``. Floats rounded to 12 significant
            digits; pass through :func:`backtest.metrics.to_jsonable` for JSON.
        """
        idx = self.returns.index
        out: dict[str, float | int | str] = {
            "start": f"{idx[0]:%Y-%m-%d}" if len(idx) else "",
            "end": f"{idx[-1]:%Y-%m-%d}" if len(idx) else "",
        }
        out.update(performance_summary(self.returns, rf))
        out["turnover"] = round_sig(annual_turnover(self.turnover))
        out["costs"] = round_sig(float(self.costs.mean()) * TRADING_DAYS)
        out["trades"] = int(self.trades)
        out["rebalances"] = len(self.rebalance_days)
        out["leverage_scaled_days"] = int(self.leverage_scaled_days)
        return out

    def summary(self, rf: pd.Series | float | None = None) -> pd.DataFrame:
        """Headline metrics as a table: :meth:`metrics` with one row per metric.

        Parameters
        ----------
        rf : Series or float, optional
            As in :meth:`metrics`.

        Returns
        -------
        DataFrame
            Index: metric names (``metric``), in the order of
            :meth:`metrics`; one column ``value`` (object dtype: dates,
            floats and counts as :meth:`metrics` gives them).
        """
        m = self.metrics(rf)
        return pd.DataFrame({"value": pd.Series(list(m.values()), index=list(m), dtype=object)}
                            ).rename_axis("metric")

    def to_text(self, rf: pd.Series | float | None = None) -> str:
        """The :meth:`summary` as aligned text: ``name  value`` lines, one metric each.

        Names are left-aligned, values right-aligned; floats show up to 6
        significant digits. ``rf`` is passed to :meth:`metrics`.
        """
        rows = [(str(k), _fmt(v)) for k, v in self.metrics(rf).items()]
        wk = max((len(k) for k, _ in rows), default=0)
        wv = max((len(v) for _, v in rows), default=0)
        return "\n".join(f"{k:<{wk}}  {v:>{wv}}" for k, v in rows)

    def plot(self, kind: PlotKind = "equity", rf: pd.Series | None = None) -> Figure:
        """A plotly figure of the backtest; never shown or written.

        Parameters
        ----------
        kind : {"equity", "performance", "positions"}
            ``equity``: growth of 1 (log scale); ``performance``: equity,
            drawdown and rolling Sharpe; ``positions``: held weights over
            time (cash included). Regimes are shaded when the result has
            labels.
        rf : Series, optional
            Daily risk-free return for the rolling Sharpe (``performance``).

        Returns
        -------
        plotly.graph_objects.Figure

        Raises
        ------
        ParameterError
            For an unknown ``kind``.
        """
        if kind not in PLOT_KINDS:
            choices = ", ".join(repr(k) for k in PLOT_KINDS)
            raise ParameterError(f"plot kind must be one of {choices}; got {kind!r}.")
        from backtest.report import charts  # plotting belongs to the report layer

        labels = self.regimes if self.regimes is not None else pd.Series(
            np.nan, index=self.returns.index, dtype=object)
        if kind == "equity":
            return charts.equity_overlay_figure({"strategy": self.returns}, self.regimes)
        if kind == "performance":
            return charts.performance_figure(self.returns.to_frame("strategy"), labels, rf)
        return charts.weights_figure(self.positions, labels)

    def by_regime(
        self, labels: pd.Series | None = None, rf: pd.Series | float | None = None
    ) -> dict[str, dict[str, float | int]]:
        """Metrics per regime (see :func:`backtest.metrics.regime.by_regime`).

        Parameters
        ----------
        labels : Series of str, optional
            Label per session; default: the ``regimes`` given to the engine.
        rf : Series or float, optional
            Daily risk-free return for the Sharpe ratio.
        """
        lab = labels if labels is not None else self.regimes
        if lab is None:
            raise ParameterError(
                "by_regime needs labels: pass labels=<Series of regime labels by session>, or "
                "run_backtest(..., regimes=labels)."
            )
        return by_regime(self.returns, lab, rf)


def _fmt(value: object) -> str:
    """One metric value as text: floats to 6 significant digits, NaN as ``nan``."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
