"""Run target weights through vectorbt: the only module that imports vectorbt.

Timeline of one session *t* (index = NYSE sessions):

1. At the close of *t* the strategy decides ``targets.loc[t]``.
2. The schedule (:mod:`backtest.engine.schedule`) says whether that decision
   leads to an order.
3. The order fills at the close of *t+1* (``execution="close"``) or at the
   open of *t+1* (``execution="open"``), as a target percentage of the
   portfolio value at the fill price, sells before buys, with commission
   and slippage. Never at *t*.

vectorbt simulates the fills and the cash account. Two charges vectorbt
does not model are applied afterwards as a return overlay, as if accrued
daily:

* cash yield: ``cash_rate[t] * cash_weight[t-1]``, with ``cash_weight``
  the uninvested fraction (``1 - sum(weights)``, short proceeds included)
  held at the previous close;
* borrow fee: ``borrow_bps / 1e4 / 252 * short_exposure[t-1]``, with
  ``short_exposure`` the sum of absolute short weights at the previous close.

Positions are those of the vectorbt simulation: overlay income and fees are
not reinvested into (or taken out of) positions, so ``positions`` are the
simulated ones and the overlay is exact only in return space.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.engine.config import EngineConfig
from backtest.engine.prepare import (
    MIN_SHARES,
    cap_targets,
    cash_rates,
    check_frame,
    check_priced,
    check_prices,
    check_same_sessions,
    check_targets,
    no_price_error,
    open_prices_required,
)
from backtest.engine.result import BacktestResult
from backtest.engine.schedule import carry_targets, decision_days, drift_decision_days
from backtest.exceptions import ParameterError
from backtest.metrics.regime import align_labels

__all__ = ["run_backtest"]


@dataclass(frozen=True)
class _Sim:
    """vectorbt's output as plain numpy arrays (rows: sessions, columns: assets)."""

    value: np.ndarray  # portfolio value at each close, currency
    asset_value: np.ndarray  # signed position value per asset at each close
    cash: np.ndarray  # cash balance at each close
    order_row: np.ndarray  # session position of each fill
    order_col: np.ndarray  # asset position of each fill
    order_size: np.ndarray  # shares, > 0
    order_price: np.ndarray  # fill price incl. slippage
    order_fees: np.ndarray  # commission, currency
    order_side: np.ndarray  # 0 buy, 1 sell


def _simulate(
    close: pd.DataFrame, size: np.ndarray, price: np.ndarray, config: EngineConfig
) -> _Sim:
    """One vectorbt simulation of target-percent orders, every setting explicit."""
    import vectorbt as vbt

    size_df = pd.DataFrame(size, index=close.index, columns=close.columns)
    price_df = pd.DataFrame(price, index=close.index, columns=close.columns)
    pf = vbt.Portfolio.from_orders(
        close,
        size=size_df,
        size_type="targetpercent",
        direction="both",
        price=price_df,
        val_price=np.inf,  # value the portfolio at the fill price when sizing
        fees=config.fee_rate,
        fixed_fees=0.0,
        slippage=config.slippage_rate,
        min_size=MIN_SHARES,
        max_size=np.inf,
        size_granularity=np.nan,  # fractional shares
        reject_prob=0.0,
        lock_cash=False,
        allow_partial=True,
        raise_reject=False,
        log=False,
        init_cash=config.init_cash,
        cash_sharing=True,
        group_by=True,
        call_seq="auto",  # sells first, to free cash for buys
        ffill_val_price=True,
        update_value=False,
        seed=None,
        freq="1D",
        fillna_close=False,
    )
    rec = pf.orders.values
    return _Sim(
        value=np.asarray(pf.value(), dtype="float64"),
        asset_value=np.asarray(pf.asset_value(group_by=False), dtype="float64").reshape(
            len(close), close.shape[1]
        ),
        cash=np.asarray(pf.cash(), dtype="float64"),
        order_row=np.asarray(rec["idx"], dtype="int64"),
        order_col=np.asarray(rec["col"], dtype="int64"),
        order_size=np.asarray(rec["size"], dtype="float64"),
        order_price=np.asarray(rec["price"], dtype="float64"),
        order_fees=np.asarray(rec["fees"], dtype="float64"),
        order_side=np.asarray(rec["side"], dtype="int64"),
    )


@dataclass(frozen=True, eq=False)
class _Inputs:
    """Validated inputs on the targets' sessions and columns."""

    targets: pd.DataFrame  # decision rows after the leverage cap
    n_scaled: int  # decision rows scaled down to the cap
    close: pd.DataFrame
    px_close: np.ndarray
    open_: pd.DataFrame | None
    px_exec: np.ndarray  # fill prices: the closes, or the opens
    labels: pd.Series | None
    rate: np.ndarray  # cash yield of the return overlay

    @property
    def index(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.targets.index)


def _aligned(name: str, frame: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """``frame`` checked, restricted to the targets' columns, on exactly their sessions."""
    check_frame(name, frame)
    check_same_sessions(name, frame.index, targets.index)
    check_priced(name, list(targets.columns), list(frame.columns))
    return frame[list(targets.columns)]


def _prepare(targets: pd.DataFrame, close: pd.DataFrame, config: EngineConfig,
             open_: pd.DataFrame | None, regimes: pd.Series | None,
             cash_rate: pd.Series | None) -> _Inputs:
    """Every check and transformation of the inputs that comes before the simulation."""
    if not isinstance(config, EngineConfig):
        raise ParameterError(f"config must be an EngineConfig; got {type(config).__name__}.")
    tv_raw = check_targets(targets)
    close = _aligned("close", close, targets)
    px_close = close.to_numpy(dtype="float64")
    check_prices("close", px_close, close)
    px_exec = px_close
    if config.execution == "open":
        if open_ is None:
            raise open_prices_required("pass open_=<DataFrame of adjusted opens>")
        open_ = _aligned("open_", open_, targets)
        px_exec = open_.to_numpy(dtype="float64")
        check_prices("open_", px_exec, open_, gaps=False)  # checked where orders fill
    index = pd.DatetimeIndex(targets.index)
    labels = align_labels(regimes, index) if regimes is not None else None
    rate = cash_rates(cash_rate, index)[1]
    tv, n_scaled = cap_targets(tv_raw, config.max_gross_leverage, index)
    scaled = pd.DataFrame(tv, index=targets.index, columns=targets.columns)
    return _Inputs(scaled, n_scaled, close, px_close, open_, px_exec, labels, rate)


def _order_sizes(inp: _Inputs, config: EngineConfig) -> tuple[np.ndarray, np.ndarray]:
    """Target-percent order per session and asset (NaN = none) and the execution rows.

    A decision selected at *t* (the latest target in force) is an order at *t+1*.
    """
    if config.rebalance == "drift":
        mask = drift_decision_days(inp.targets, inp.close, config.drift_threshold,
                                   execution=config.execution, open_=inp.open_).to_numpy()
    else:
        mask = decision_days(inp.targets, config.rebalance, labels=inp.labels).to_numpy()
    held = carry_targets(inp.targets)[0].to_numpy(dtype="float64")
    size = np.full(held.shape, np.nan)
    exec_rows = np.flatnonzero(mask[:-1]) + 1
    size[exec_rows] = held[exec_rows - 1]
    exists = ~np.isnan(inp.px_close)
    need = ~np.isnan(size) & ((size != 0.0) | exists)
    no_price = need & (np.isnan(inp.px_exec) | (np.isnan(inp.px_close) & (size != 0.0)))
    if no_price.any():
        i, j = np.argwhere(no_price)[0]
        what = "open" if config.execution == "open" and np.isnan(inp.px_exec[i, j]) else "close"
        raise no_price_error(inp.targets.columns[j], size[i, j], inp.index[i - 1],
                             inp.index[i], what)
    size[~need] = np.nan  # zero target on an asset that does not exist yet: no order
    return size, exec_rows


def run_backtest(
    targets: pd.DataFrame,
    close: pd.DataFrame,
    config: EngineConfig,
    *,
    open_: pd.DataFrame | None = None,
    regimes: pd.Series | None = None,
    cash_rate: pd.Series | None = None,
) -> BacktestResult:
    """Backtest target weights with one-session execution lag, costs and leverage cap.

    Parameters
    ----------
    targets : DataFrame
        Target weights decided with information up to the close of each
        session (index: NYSE sessions, increasing; columns: assets). Weights
        are fractions of portfolio value, negative for shorts; ``1 -
        sum(weights)`` is cash. A row that is all NaN means "no new
        decision"; in a row with numbers, NaN means 0. Net long weight
        (``sum(weights)``) may not exceed 1: the engine does not borrow cash.
    close : DataFrame
        Adjusted closes, currency per share, same sessions as ``targets`` and
        a column for every target asset (extra columns are ignored); NaN
        before an asset exists, no gaps after.
    config : EngineConfig
        Execution timing, rebalancing rule, costs, leverage cap, capital.
    open_ : DataFrame, optional
        Opens on the same adjustment basis as ``close`` (e.g. ``Open *
        Adj Close / Close``); required for ``execution="open"``.
    regimes : Series of str, optional
        Regime label per session (forward filled onto the sessions); needed
        for ``rebalance="regime_change"``, kept on the result for
        :meth:`BacktestResult.by_regime`.
    cash_rate : Series, optional
        Daily simple return earned by uninvested cash (index: sessions, e.g.
        a T-bill yield / 252 / 100); every session after the first needs a
        value. Default: cash earns nothing.

    Returns
    -------
    BacktestResult
        Returns, equity, held positions, turnover, costs and orders on the
        sessions of ``close``.

    Raises
    ------
    ParameterError
        For malformed inputs, a target on an asset without a price at its
        execution session, or a net long target above 1.
    """
    inp = _prepare(targets, close, config, open_, regimes, cash_rate)
    size, exec_rows = _order_sizes(inp, config)
    return _result(inp, _simulate(inp.close, size, inp.px_exec, config), exec_rows, config)


def _result(inp: _Inputs, sim: _Sim, exec_rows: np.ndarray,
            config: EngineConfig) -> BacktestResult:
    """Plain pandas from the vectorbt simulation, plus the return overlay.

    The overlay adds the cash yield and subtracts the borrow fee on the
    previous close's cash weight and short exposure.
    """
    index, n = inp.index, len(inp.index)
    value = sim.value
    prev_value = np.concatenate([[config.init_cash], value[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        w_assets = sim.asset_value / value[:, None]
        w_cash = sim.cash / value
    traded = np.zeros(n)
    fees = np.zeros(n)
    slip = np.zeros(n)
    raw_px = inp.px_exec[sim.order_row, sim.order_col]
    np.add.at(traded, sim.order_row, sim.order_size * sim.order_price)
    np.add.at(fees, sim.order_row, sim.order_fees)
    np.add.at(slip, sim.order_row, sim.order_size * raw_px * config.slippage_bps / 1e4)
    short = np.concatenate([[0.0], np.maximum(-w_assets[:-1], 0.0).sum(axis=1)])
    cash_prev = np.concatenate([[1.0], w_cash[:-1]])
    borrow = config.borrow_daily * short
    ret = value / prev_value - 1.0 + inp.rate * cash_prev - borrow
    returns = pd.Series(ret, index=index, name="returns")
    positions = pd.DataFrame(w_assets, index=index, columns=inp.targets.columns)
    positions["cash"] = w_cash
    breakdown = pd.DataFrame(
        {"fees": fees / prev_value, "slippage": slip / prev_value, "borrow": borrow}, index=index
    )
    orders = pd.DataFrame(
        {
            "date": index[sim.order_row],
            "asset": np.asarray(inp.targets.columns, dtype=object)[sim.order_col],
            "side": np.where(sim.order_side == 0, "buy", "sell"),
            "shares": sim.order_size,
            "price": sim.order_price,
            "value": sim.order_size * sim.order_price,
            "fees": sim.order_fees,
        }
    )
    return BacktestResult(
        returns=returns,
        equity=(1.0 + returns).cumprod().rename("equity"),
        targets=inp.targets,
        positions=positions,
        turnover=pd.Series(traded / prev_value, index=index, name="turnover"),
        costs=breakdown.sum(axis=1).rename("costs"),
        cost_breakdown=breakdown,
        orders=orders,
        rebalance_days=pd.DatetimeIndex(index[exec_rows], name=index.name),
        trades=len(orders),
        leverage_scaled_days=inp.n_scaled,
        config=config,
        regimes=inp.labels,
    )
