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
not reinvested into (or taken out of) positions, so ``weights`` are the
simulated ones and the overlay is exact only in return space.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.engine.config import EngineConfig
from backtest.engine.result import BacktestResult
from backtest.engine.schedule import carry_targets, decision_days, drift_decision_days
from backtest.exceptions import ParameterError
from backtest.metrics.performance import TRADING_DAYS
from backtest.metrics.regime import align_labels

__all__ = ["run_backtest"]

# relative tolerance for "above the leverage cap" / "net long above 1" (vectorbt's own is 1e-9)
_TOL = 1e-9
# smallest order vectorbt fills, in shares (vectorbt's default, passed explicitly)
_MIN_SHARES = 1e-8


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
        fees=config.costs_bps / 1e4,
        fixed_fees=0.0,
        slippage=config.slippage_bps / 1e4,
        min_size=_MIN_SHARES,
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


def _date(ts: object) -> str:
    return f"{pd.Timestamp(ts):%Y-%m-%d}"  # type: ignore[arg-type]


def _check_frame(name: str, frame: object) -> np.ndarray:
    """Validate a session-by-asset frame; return its values as float64."""
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(
            f"{name} must be a pandas DataFrame (index: sessions, columns: assets); got "
            f"{type(frame).__name__}."
        )
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise ParameterError(
            f"{name} must be indexed by session (DatetimeIndex); got {type(frame.index).__name__}."
        )
    if len(frame) == 0 or frame.shape[1] == 0:
        raise ParameterError(f"{name} is empty ({frame.shape[0]} rows, {frame.shape[1]} columns).")
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()][0]
        raise ParameterError(f"{name} has duplicate session {_date(dup)}; one row per session.")
    if not frame.index.is_monotonic_increasing:
        raise ParameterError(f"{name} index must be increasing; sort it (frame.sort_index()).")
    if frame.columns.has_duplicates:
        col = frame.columns[frame.columns.duplicated()][0]
        raise ParameterError(f"{name} has duplicate column {col!r}; one column per asset.")
    try:
        return frame.to_numpy(dtype="float64")
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must hold numbers only: {exc}") from None


def _check_prices(name: str, px: np.ndarray, frame: pd.DataFrame, *, gaps: bool = True) -> None:
    """Prices must be > 0 where present, and (``gaps``) present from an asset's first price on."""
    bad = ~np.isnan(px) & ~(px > 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ParameterError(
            f"{name} for {frame.columns[j]!r} on {_date(frame.index[i])} is {float(px[i, j])!r}; "
            "prices must be finite and > 0."
        )
    if not gaps:
        return
    exists = np.maximum.accumulate(~np.isnan(px), axis=0)
    gap = exists & np.isnan(px)
    if gap.any():
        i, j = np.argwhere(gap)[0]
        raise ParameterError(
            f"{name} for {frame.columns[j]!r} is missing on {_date(frame.index[i])} after its "
            "first price; fill or trim the gap (build_panel carries prices forward)."
        )


def _aligned(name: str, frame: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """``frame`` restricted to the targets' columns, on exactly the targets' sessions."""
    if not frame.index.equals(targets.index):
        diff = frame.index.symmetric_difference(targets.index)
        first = f"; first difference {_date(diff[0])}" if len(diff) else ""
        raise ParameterError(
            f"{name} and targets must have the same sessions ({len(frame)} vs "
            f"{len(targets)} rows{first})."
        )
    missing = [c for c in targets.columns if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"{name} has no column for target asset(s) {missing}; give a price for every asset "
            "that has a target."
        )
    return frame[list(targets.columns)]


def _scale_leverage(
    tv: np.ndarray, has_new: np.ndarray, cap: float
) -> tuple[np.ndarray, int]:
    """Scale decision rows whose gross weight exceeds ``cap``; return rows and count."""
    gross = np.nansum(np.abs(tv), axis=1)
    over = has_new & (gross > cap * (1.0 + _TOL))
    out = tv.copy()
    out[over] *= (cap / gross[over])[:, None]
    return out, int(over.sum())


def _cash_rate(cash_rate: pd.Series | None, index: pd.DatetimeIndex) -> np.ndarray:
    """Daily cash return on ``index`` (0 when not given); the first session is unused."""
    if cash_rate is None:
        return np.zeros(len(index))
    if not isinstance(cash_rate, pd.Series) or not isinstance(cash_rate.index, pd.DatetimeIndex):
        raise ParameterError(
            "cash_rate must be a pandas Series of daily simple returns indexed by session; got "
            f"{type(cash_rate).__name__}."
        )
    rate = cash_rate[~cash_rate.index.duplicated(keep="last")].reindex(index)
    values = np.array(rate.to_numpy(dtype="float64"), copy=True)
    missing = ~np.isfinite(values[1:])
    if missing.any():
        i = int(np.argmax(missing)) + 1
        raise ParameterError(
            f"cash_rate has no finite value on {_date(index[i])} ({int(missing.sum())} session(s) "
            "missing); give a daily return for every session after the first."
        )
    values[0] = 0.0
    return values


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
        Returns, equity, held weights, turnover, costs and orders on the
        sessions of ``close``.

    Raises
    ------
    ParameterError
        For malformed inputs, a target on an asset without a price at its
        execution session, or a net long target above 1.
    """
    if not isinstance(config, EngineConfig):
        raise ParameterError(f"config must be an EngineConfig; got {type(config).__name__}.")
    tv_raw = _check_frame("targets", targets)
    if "cash" in targets.columns:
        raise ParameterError(
            "targets has a column named 'cash'; cash is implicit (1 - sum of weights), drop it."
        )
    if np.isinf(tv_raw).any():
        i, j = np.argwhere(np.isinf(tv_raw))[0]
        raise ParameterError(
            f"targets for {targets.columns[j]!r} on {_date(targets.index[i])} is infinite; "
            "weights must be finite numbers (or NaN for no decision)."
        )
    _check_frame("close", close)
    close = _aligned("close", close, targets)
    px_close = close.to_numpy(dtype="float64")
    _check_prices("close", px_close, close)
    if config.execution == "open":
        if open_ is None:
            raise ParameterError(
                "execution='open' needs open prices: pass open_=<DataFrame of adjusted opens>."
            )
        _check_frame("open_", open_)
        open_ = _aligned("open_", open_, targets)
        px_exec = open_.to_numpy(dtype="float64")
        _check_prices("open_", px_exec, open_, gaps=False)  # checked where orders fill
    else:
        px_exec = px_close
    index = pd.DatetimeIndex(targets.index)
    labels = align_labels(regimes, index) if regimes is not None else None
    rate = _cash_rate(cash_rate, index)

    # 1. leverage cap on decision rows, then the net-long check vectorbt needs
    has_new = ~np.isnan(tv_raw).all(axis=1)
    tv, n_scaled = _scale_leverage(tv_raw, has_new, config.max_gross_leverage)
    scaled = pd.DataFrame(tv, index=targets.index, columns=targets.columns)
    net = np.nansum(tv, axis=1)
    if (net > 1.0 + _TOL).any():
        i = int(np.argmax(net > 1.0 + _TOL))
        raise ParameterError(
            f"targets on {_date(index[i])} are net long {net[i]:.6g} (sum of weights > 1); the "
            "engine does not borrow cash. Keep sum(weights) <= 1 (shorts may fund longs)."
        )

    # 2. which decisions trade, and what they trade to (the latest decision in force)
    if config.rebalance == "drift":
        mask = drift_decision_days(
            scaled, close, config.drift_threshold, execution=config.execution, open_=open_
        ).to_numpy()
    else:
        mask = decision_days(scaled, config.rebalance, labels=labels).to_numpy()
    held = carry_targets(scaled)[0].to_numpy(dtype="float64")

    # 3. shift one session: a decision at t is an order at t+1
    n, k = tv.shape
    size = np.full((n, k), np.nan)
    exec_rows = np.flatnonzero(mask[:-1]) + 1
    size[exec_rows] = held[exec_rows - 1]
    exists = ~np.isnan(px_close)
    need = ~np.isnan(size) & ((size != 0.0) | exists)
    no_price = need & (np.isnan(px_exec) | (np.isnan(px_close) & (size != 0.0)))
    if no_price.any():
        i, j = np.argwhere(no_price)[0]
        what = "open" if config.execution == "open" and np.isnan(px_exec[i, j]) else "close"
        raise ParameterError(
            f"target {size[i, j]:.6g} on {targets.columns[j]!r} decided on "
            f"{_date(index[i - 1])} executes on {_date(index[i])}, where {targets.columns[j]!r} "
            f"has no {what} price; set its weight to 0 (or NaN) until it has prices."
        )
    size[~need] = np.nan  # zero target on an asset that does not exist yet: no order

    # 4. simulate, then convert to plain pandas
    sim = _simulate(close, size, px_exec, config)
    value = sim.value
    prev_value = np.concatenate([[config.init_cash], value[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        w_assets = sim.asset_value / value[:, None]
        w_cash = sim.cash / value
    traded = np.zeros(n)
    fees = np.zeros(n)
    slip = np.zeros(n)
    raw_px = px_exec[sim.order_row, sim.order_col]
    np.add.at(traded, sim.order_row, sim.order_size * sim.order_price)
    np.add.at(fees, sim.order_row, sim.order_fees)
    np.add.at(slip, sim.order_row, sim.order_size * raw_px * config.slippage_bps / 1e4)

    # 5. return overlay: cash yield and borrow fee on the previous close's weights
    short = np.concatenate([[0.0], np.maximum(-w_assets[:-1], 0.0).sum(axis=1)])
    cash_prev = np.concatenate([[1.0], w_cash[:-1]])
    borrow = config.borrow_bps / 1e4 / TRADING_DAYS * short
    ret = value / prev_value - 1.0 + rate * cash_prev - borrow

    returns = pd.Series(ret, index=index, name="returns")
    weights = pd.DataFrame(w_assets, index=index, columns=targets.columns)
    weights["cash"] = w_cash
    breakdown = pd.DataFrame(
        {"fees": fees / prev_value, "slippage": slip / prev_value, "borrow": borrow}, index=index
    )
    orders = pd.DataFrame(
        {
            "date": index[sim.order_row],
            "asset": np.asarray(targets.columns, dtype=object)[sim.order_col],
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
        targets=scaled,
        weights=weights,
        turnover=pd.Series(traded / prev_value, index=index, name="turnover"),
        costs=breakdown.sum(axis=1).rename("costs"),
        cost_breakdown=breakdown,
        orders=orders,
        rebalance_days=pd.DatetimeIndex(index[exec_rows], name=index.name),
        trades=len(orders),
        leverage_scaled_days=n_scaled,
        config=config,
        regimes=labels,
    )
