"""The sweep kernel: target weights to daily returns for many configurations at once.

A numba port of what :func:`backtest.engine.run_backtest` does with vectorbt,
one configuration (column) after another, without building vectorbt objects:

* the selection rules of :data:`backtest.engine.schedule.SCHEDULES` (every
  decision, first decision per period key, regime change, drift), compared
  as the named ``RULE_*`` constants, every rule also selecting the first
  decision; the drift arithmetic is :mod:`backtest.engine.drift`, shared
  with the vectorbt engine;
* a decision at the close of *t* fills at the close (or open) of *t+1* as a
  target percentage of the portfolio value at the fill prices, orders sorted
  by approximate value (sells first, vectorbt's ``call_seq="auto"``),
  fractional shares, minimum fill 1e-8 shares;
* commission and slippage as vectorbt charges them: a buy is limited by the
  cash on hand and pays its fee from that same cash (``allow_partial``);
  vectorbt's tolerances (relative 1e-9, absolute 1e-12) decide "close to
  zero", exactly as in ``vectorbt.portfolio.nb``;
* the engine's return overlay: cash yield on the previous close's cash
  weight and the borrow fee on its short exposure.

Tests check the returns against the vectorbt engine to 1e-9 on every
registered strategy. vectorbt remains the reference engine for single runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from backtest.engine.drift import drift_to, growth, max_gap
from backtest.engine.prepare import MIN_SHARES, no_price_error
from backtest.engine.schedule import (
    RULE_EVERY_DECISION,
    RULE_FIRST_IN_PERIOD,
    RULE_ON_DRIFT,
    RULE_ON_REGIME_CHANGE,
)
from backtest.exceptions import ParameterError
from backtest.metrics.performance import TRADING_DAYS
from backtest.sweep.plan import KernelSettings, Market, TargetPlan

__all__ = ["SimOutput", "simulate"]

_REL = 1e-9  # vectorbt.utils.math_.rel_tol
_ABS = 1e-12  # vectorbt.utils.math_.abs_tol
# The steps run once per fill or per configuration (_buy, _sell, _rebalance, _simulate_one) are
# inlined at numba-IR level (inline="always"): as separate calls they made daily and drift
# sweeps 1.4-1.8x slower than the one-function kernel they were split from.


@njit(cache=True)
def _is_close(a: float, b: float) -> bool:  # pragma: no cover - compiled
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return False
    if a == b:
        return True
    return abs(a - b) <= max(_REL * max(abs(a), abs(b)), _ABS)


@njit(cache=True)
def _is_less(a: float, b: float) -> bool:  # pragma: no cover - compiled
    if _is_close(a, b):
        return False
    return a < b


@njit(cache=True)
def _add(a: float, b: float) -> float:  # pragma: no cover - compiled
    """Addition as vectorbt's add_nb: a sum that is zero up to tolerance is exactly 0."""
    if np.sign(a) != np.sign(b):
        zero = _is_close(abs(a), abs(b))
    else:
        zero = _is_close(a + b, 0.0)
    return 0.0 if zero else a + b


@njit(cache=True)
def _argsort_insert(values: np.ndarray, idx: np.ndarray, n: int) -> None:  # pragma: no cover
    """Insertion argsort exactly as vectorbt's insert_argsort_nb (a NaN blocks moves past it)."""
    for j in range(1, n):
        a_j = values[j]
        i_j = idx[j]
        i = j - 1
        while i >= 0 and (values[i] > a_j or math.isnan(values[i])):
            values[i + 1] = values[i]
            idx[i + 1] = idx[i]
            i -= 1
        values[i + 1] = a_j
        idx[i + 1] = i_j


@njit(cache=True, inline="always")
def _buy(order: float, price: float, cash: float, fees: float,
         slippage: float) -> tuple[float, float, float, float]:  # pragma: no cover - compiled
    """A buy as vectorbt fills it: ``(shares, fill price, fee, cash spent)``; 0 shares = none.

    The buy is limited by the cash on hand and pays its fee from that cash.
    """
    adj = price * (1.0 + slippage)
    if cash == 0:
        return 0.0, adj, 0.0, 0.0
    req = order * adj
    req_fees = req * fees
    total = req + req_fees
    if _is_close(total, cash) or total < cash:
        fill = order
        paid = req_fees
        spent = total
    else:
        max_req = cash / (1.0 + fees)
        if max_req <= 0:
            return 0.0, adj, 0.0, 0.0
        fill = max_req / adj
        paid = cash - max_req
        spent = cash
    if _is_close(order, 0.0) or _is_less(fill, MIN_SHARES):
        return 0.0, adj, 0.0, 0.0
    return fill, adj, paid, spent


@njit(cache=True, inline="always")
def _sell(order: float, price: float, fees: float,
          slippage: float) -> tuple[float, float, float, float]:  # pragma: no cover - compiled
    """A sell of ``-order`` shares: ``(shares, fill price, fee, cash received)``; 0 = none."""
    adj = price * (1.0 - slippage)
    fill = -order
    if _is_close(fill, 0.0) or _is_less(fill, MIN_SHARES):
        return 0.0, adj, 0.0, 0.0
    acq = fill * adj
    paid = acq * fees
    got = _add(acq, -paid)
    if got < 0:
        return 0.0, adj, 0.0, 0.0
    return fill, adj, paid, got


@njit(cache=True, inline="always")
def _rebalance(  # pragma: no cover - compiled
    i: int, row: np.ndarray, pos: np.ndarray, size: np.ndarray, value_ord: np.ndarray,
    seq: np.ndarray, flow: np.ndarray, close: np.ndarray, exec_px: np.ndarray,
    val_px: np.ndarray, cols_v: np.ndarray, n: int, cash: float, book: float, fees: float,
    slippage: float, err: np.ndarray,
) -> tuple[float, float, float, int]:
    """Trade to the target ``row`` at session ``i``: ``(cash, book, traded value, fills)``.

    Target-percent orders on the portfolio value at the valuation prices,
    filled in order of approximate value (sells first). Positions are
    updated in place. ``err`` gets ``[1, i, asset]`` for a target on an
    asset without a price, ``[2, i, asset]`` for negative cash.
    """
    value_now = cash
    for k in range(n):
        if pos[k] != 0:
            value_now += pos[k] * val_px[i, cols_v[k]]
    for k in range(n):
        c = cols_v[k]
        tgt = row[k]
        exists = not math.isnan(close[i, c])
        if tgt != 0.0 or exists:
            if math.isnan(exec_px[i, c]) or (not exists and tgt != 0.0):
                err[0], err[1], err[2] = 1, i, c
            size[k] = tgt
        else:
            size[k] = np.nan
        value_ord[k] = size[k] * value_now - pos[k] * val_px[i, c]
        seq[k] = k
        flow[k] = 0.0
    if err[0] != 0:
        return cash, book, 0.0, 0
    _argsort_insert(value_ord, seq, n)
    traded = 0.0
    fills = 0
    for kk in range(n):
        k = seq[kk]
        c = cols_v[k]
        if _is_close(cash, 0.0):
            cash = 0.0
        if _is_close(pos[k], 0.0):
            pos[k] = 0.0
        price = exec_px[i, c]
        if math.isnan(size[k]) or math.isnan(price):
            continue
        if cash < 0:
            err[0], err[1], err[2] = 2, i, c
            return cash, book, traded, fills
        vnow = 0.0 if _is_close(value_now, 0.0) else value_now
        if math.isnan(vnow) or vnow <= 0:
            continue
        order = size[k] * vnow / val_px[i, c] - pos[k]
        if order > 0:
            fill, adj, paid, spent = _buy(order, price, cash, fees, slippage)
            if fill > 0:
                cash = _add(cash, -spent)
                pos[k] = _add(pos[k], fill)
                flow[k] = _add(0.0, -fill * adj - paid)
        else:
            fill, adj, paid, got = _sell(order, price, fees, slippage)
            if fill > 0:
                cash = cash + got
                pos[k] = _add(pos[k], -fill)
                flow[k] = _add(0.0, fill * adj - paid)
        if fill > 0:
            traded += fill * adj
            fills += 1
    row_flow = 0.0
    for k in range(n):
        row_flow += flow[k]
    return cash, _add(book, row_flow), traded, fills


@njit(cache=True)
def _snap(cash: float, pos: np.ndarray, n: int) -> float:  # pragma: no cover - compiled
    """Vectorbt snaps near-zero cash and positions to 0 on the rows after a fill."""
    if _is_close(cash, 0.0):
        cash = 0.0
    for k in range(n):
        if _is_close(pos[k], 0.0):
            pos[k] = 0.0
    return cash


@njit(cache=True)
def _short_weight(close_i: np.ndarray, cols_v: np.ndarray, pos: np.ndarray, n: int,
                  value: float) -> float:  # pragma: no cover - compiled
    """Sum of absolute short weights at the close (what the borrow fee is charged on)."""
    short = 0.0
    for k in range(n):
        if pos[k] != 0:
            wk = close_i[cols_v[k]] * pos[k] / value
            if -wk > 0:
                short += -wk
    return short


@njit(cache=True)
def _select(rule: int, has_new: bool, started: bool, key: np.int64, last_key: np.int64,
            changed: bool, drifted: bool) -> tuple[bool, bool, np.int64]:  # pragma: no cover
    """Is this close's decision traded? ``(selected, started, last period key)``.

    The first decision is always selected; then the schedule's rule decides.
    """
    if not started:
        return has_new, has_new, key if has_new else last_key
    if rule == RULE_EVERY_DECISION:
        return has_new, True, last_key
    if rule == RULE_FIRST_IN_PERIOD:
        if has_new and key != last_key:
            return True, True, key
        return False, True, last_key
    if rule == RULE_ON_REGIME_CHANGE:
        return changed, True, last_key
    return drifted, True, last_key


@njit(cache=True, inline="always")
def _simulate_one(  # pragma: no cover - compiled
    v: int, close: np.ndarray, close0: np.ndarray, exec_px: np.ndarray, val_px: np.ndarray,
    rate: np.ndarray, codes_v: np.ndarray, tables_v: np.ndarray, cols_v: np.ndarray, n: int,
    rule: int, period_key: np.ndarray, change: np.ndarray, threshold: float,
    open_exec: bool, fees: float, slippage: float, borrow_daily: float, init_cash: float,
    out_ret: np.ndarray, err: np.ndarray,
) -> tuple[float, int]:
    """One configuration: daily returns into ``out_ret[v]``; ``(sum of turnover, fills)``."""
    width = tables_v.shape[1]
    pos = np.zeros(width)
    size = np.zeros(width)
    value_ord = np.zeros(width)
    seq = np.zeros(width, dtype=np.int64)
    flow = np.zeros(width)
    w = np.zeros(width)
    grow = np.zeros(width)
    cash = init_cash  # cash in simulation order (sizes orders)
    book = init_cash  # cash as vectorbt books it from order records (values the portfolio)
    prev_value = init_cash
    cash_w_prev = 1.0
    short_prev = 0.0
    cur = -1  # table row in force
    exec_code = -1  # row of the selected decision, filled at the next session
    sel_prev = dirty = started = False
    last_key = np.int64(-1)
    turn = 0.0
    trades = 0
    n_rows = close.shape[0]
    for i in range(n_rows):
        traded = 0.0
        if sel_prev:
            cash, book, traded, fills = _rebalance(
                i, tables_v[exec_code], pos, size, value_ord, seq, flow, close, exec_px, val_px,
                cols_v, n, cash, book, fees, slippage, err)
            if err[0] != 0:
                break
            trades += fills
            dirty = True
        elif dirty:
            dirty = False
            cash = _snap(cash, pos, n)
        asset_sum = 0.0
        for k in range(n):  # close0 is 0 where the close is NaN (then the position is 0)
            asset_sum += close0[i, cols_v[k]] * pos[k]
        value = book + asset_sum
        out_ret[v, i] = value / prev_value - 1.0 + rate[i] * cash_w_prev - borrow_daily * short_prev
        turn += traded / prev_value
        short_prev = _short_weight(close[i], cols_v, pos, n, value) if borrow_daily != 0.0 else 0.0
        cash_w_prev = book / value
        prev_value = value
        # the decision at this close: is it traded at the next session?
        code = codes_v[i]
        has_new = code >= 0
        if has_new:
            cur = code
        if rule == RULE_ON_DRIFT and i > 0:
            if sel_prev and not open_exec:
                for k in range(n):
                    w[k] = tables_v[exec_code, k]
            elif sel_prev:
                for k in range(n):
                    grow[k] = growth(close[i, cols_v[k]], exec_px[i, cols_v[k]])
                drift_to(w, tables_v[exec_code], grow, n)
            else:
                for k in range(n):
                    grow[k] = growth(close[i, cols_v[k]], close[i - 1, cols_v[k]])
                drift_to(w, w, grow, n)
        drifted = rule == RULE_ON_DRIFT and started and max_gap(w, tables_v[cur], n) > threshold
        sel, started, last_key = _select(rule, has_new, started, period_key[i], last_key,
                                         change[i], drifted)
        if sel:
            exec_code = cur
        sel_prev = sel and i + 1 < n_rows
    return turn, trades


@njit(cache=True)
def simulate_nb(  # pragma: no cover - compiled
    close: np.ndarray, close0: np.ndarray, exec_px: np.ndarray, val_px: np.ndarray,
    rate: np.ndarray, codes: np.ndarray, tables: np.ndarray, cols: np.ndarray, n_assets: np.ndarray,
    rule: int, period_key: np.ndarray, change: np.ndarray, threshold: float,
    open_exec: bool, fees: float, slippage: float, borrow_daily: float, init_cash: float,
    out_ret: np.ndarray, out_turn: np.ndarray, out_trades: np.ndarray, out_err: np.ndarray,
) -> None:
    """Simulate every configuration; write returns, turnover and fills.

    ``out_ret`` (V, T): daily net returns; ``out_turn`` (V,): sum of daily
    one-sided turnover; ``out_trades`` (V,): fills; ``out_err`` (V, 3):
    ``[code, session, asset]`` of the first problem (code 1: a target on an
    asset without a price at its fill; 2: negative cash), 0 = none.
    """
    for v in range(tables.shape[0]):
        turn, trades = _simulate_one(
            v, close, close0, exec_px, val_px, rate, codes[v if codes.shape[0] > 1 else 0],
            tables[v], cols[v], n_assets[v], rule, period_key, change, threshold, open_exec,
            fees, slippage, borrow_daily, init_cash, out_ret, out_err[v])
        out_turn[v] = turn
        out_trades[v] = trades


@dataclass(frozen=True, eq=False)
class SimOutput:
    """Kernel output for ``V`` configurations.

    Attributes
    ----------
    returns : ndarray, shape (V, T)
        Daily simple returns net of costs, cash yield and borrow fee
        (identical in meaning to ``BacktestResult.returns``).
    turnover : ndarray, shape (V,)
        Annualised one-sided turnover (mean daily turnover times 252).
    trades : ndarray of int64, shape (V,)
        Number of fills.
    """

    returns: np.ndarray
    turnover: np.ndarray
    trades: np.ndarray


def simulate(market: Market, settings: KernelSettings, plan: TargetPlan,
             names: list[str] | None = None) -> SimOutput:
    """Run the kernel for every configuration of ``plan``.

    Parameters
    ----------
    market : Market
        Shared prices, cash yield and labels.
    settings : KernelSettings
        Execution, schedule and costs.
    plan : TargetPlan
        Target weights per configuration.
    names : list of str, optional
        Configuration labels for error messages.

    Raises
    ------
    ParameterError
        A target on an asset without a price when it would fill (the
        engine's message), or a simulation that runs out of cash.
    """
    v, t = plan.n_variants, market.n_sessions
    out_ret = np.zeros((v, t))
    out_turn = np.zeros(v)
    out_trades = np.zeros(v, dtype=np.int64)
    out_err = np.zeros((v, 3), dtype=np.int64)
    if t == 0 or v == 0:
        return SimOutput(out_ret, out_turn, out_trades)
    simulate_nb(
        market.close, np.nan_to_num(market.close), market.exec_price, market.val_price,
        market.rate,
        plan.codes, plan.tables, plan.cols, plan.n_assets,
        settings.rule, settings.period_key, settings.change, settings.drift_threshold,
        settings.open_exec, settings.fees, settings.slippage, settings.borrow_daily,
        settings.init_cash, out_ret, out_turn, out_trades, out_err,
    )
    bad = np.flatnonzero(out_err[:, 0])
    if len(bad):
        k = int(bad[0])
        code, i, c = (int(x) for x in out_err[k])
        who = names[k] if names is not None else f"configuration {k}"
        if code == 1:
            raise _no_price(market, settings, plan, k, i, c, who)
        raise ParameterError(f"{who}: cash went negative on {market.sessions[i]:%Y-%m-%d}; "
                             "check leverage settings.")
    return SimOutput(out_ret, out_turn * TRADING_DAYS / t, out_trades)


def _no_price(market: Market, settings: KernelSettings, plan: TargetPlan, k: int, i: int,
              c: int, who: str) -> ParameterError:
    """The engine's error for configuration ``k``'s order on asset ``c`` at session ``i``."""
    codes = plan.codes[k if plan.codes.shape[0] > 1 else 0, :i]
    row = int(codes[codes >= 0][-1])  # the target in force when the order was decided
    weight = float(plan.tables[k, row, list(plan.cols[k]).index(c)])
    missing_open = settings.open_exec and bool(np.isnan(market.exec_price[i, c]))
    return no_price_error(market.universe[c], weight, market.sessions[i - 1],
                          market.sessions[i], "open" if missing_open else "close", who=who)
