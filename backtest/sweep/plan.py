"""Inputs of the sweep kernel: one shared market, many compact target plans.

A sweep evaluates many configurations over the *same* sessions, prices,
regimes and cash yield (:class:`Market`, built once) with the same engine
settings (:class:`KernelSettings`, from an :class:`~backtest.engine.EngineConfig`).
Each configuration contributes only its target weights, stored compactly
(:class:`TargetPlan`): a per-configuration table of distinct decision rows
and, per session, the code of the row decided at that close (``-1`` = no new
decision). A regime-table strategy therefore needs a handful of rows per
configuration instead of a sessions-by-assets frame.

Index convention: row *t* of every array is NYSE session *t* of
``Market.sessions``; a decision at *t* trades at *t+1* (close or open), as in
:func:`backtest.engine.run_backtest`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.engine.config import EngineConfig
from backtest.exceptions import ParameterError
from backtest.metrics.performance import TRADING_DAYS
from backtest.metrics.regime import align_labels

__all__ = ["REBALANCE_CODES", "KernelSettings", "Market", "TargetPlan"]

REBALANCE_CODES = {"daily": 0, "weekly": 1, "monthly": 1, "regime_change": 2, "drift": 3}
_TOL = 1e-9  # the engine's tolerance for "above the leverage cap" / "net long above 1"


def _date(ts: object) -> str:
    return f"{pd.Timestamp(ts):%Y-%m-%d}"  # type: ignore[arg-type]


@dataclass(frozen=True, eq=False)
class Market:
    """Prices, cash yield and regime labels shared by every configuration.

    Attributes
    ----------
    sessions : DatetimeIndex
        NYSE sessions of the backtest (length ``T``).
    universe : tuple of str
        Tickers with a price column (length ``U``); a configuration trades
        a subset of them.
    close : ndarray, shape (T, U)
        Adjusted closes, currency per share; NaN before an asset exists.
    exec_price : ndarray, shape (T, U)
        Fill prices: the closes, or adjusted opens for ``execution="open"``.
    val_price : ndarray, shape (T, U)
        ``exec_price`` forward filled: what vectorbt values a position at
        when it sizes target-percent orders.
    rate : ndarray, shape (T,)
        Daily simple return of uninvested cash used by the return overlay
        (0 at the first session, as in the engine).
    rf : ndarray, shape (T,)
        Daily risk-free return subtracted in Sharpe and Sortino ratios
        (the run's cash yield; zeros when cash earns nothing).
    labels : Series of str
        Regime label per session (NaN = unlabelled).
    """

    sessions: pd.DatetimeIndex
    universe: tuple[str, ...]
    close: np.ndarray
    exec_price: np.ndarray
    val_price: np.ndarray
    rate: np.ndarray
    rf: np.ndarray
    labels: pd.Series

    @classmethod
    def build(
        cls,
        close: pd.DataFrame,
        *,
        open_: pd.DataFrame | None = None,
        cash_rate: pd.Series | None = None,
        rf: pd.Series | None = None,
        regimes: pd.Series | None = None,
    ) -> Market:
        """Market from session-indexed frames, checked like the engine checks them.

        Parameters
        ----------
        close : DataFrame
            Adjusted closes (index: sessions; columns: the universe).
        open_ : DataFrame, optional
            Adjusted opens on the same index and columns, for
            ``execution="open"``.
        cash_rate : Series, optional
            Daily simple return of cash; every session after the first
            needs a value. Default: cash earns nothing.
        rf : Series, optional
            Daily risk-free return for Sharpe ratios (default: ``cash_rate``
            as given, or zero).
        regimes : Series of str, optional
            Regime labels, forward filled onto the sessions.

        Raises
        ------
        ParameterError
            Non-positive prices, a gap after an asset's first close, or a
            missing cash return.
        """
        index = pd.DatetimeIndex(close.index)
        px = np.ascontiguousarray(close.to_numpy(dtype="float64"))
        bad = ~np.isnan(px) & ~(px > 0)
        gap = np.maximum.accumulate(~np.isnan(px), axis=0) & np.isnan(px)
        for what, mask in (("is not a positive price", bad), ("is missing after its first "
                                                                "price", gap)):
            if mask.any():
                i, j = np.argwhere(mask)[0]
                raise ParameterError(
                    f"close for {close.columns[j]!r} on {_date(index[i])} {what}; prices must "
                    "be finite, > 0 and without gaps (build_panel carries prices forward)."
                )
        if open_ is not None:
            ex = np.ascontiguousarray(
                open_.reindex(index=index, columns=close.columns).to_numpy(dtype="float64"))
        else:
            ex = px
        val = np.ascontiguousarray(pd.DataFrame(ex).ffill().to_numpy(dtype="float64"))
        raw = np.zeros(len(index))
        if cash_rate is not None:
            r = cash_rate[~cash_rate.index.duplicated(keep="last")].reindex(index)
            raw = np.array(r.to_numpy(dtype="float64"), copy=True)
            if not np.isfinite(raw[1:]).all():
                i = int(np.argmax(~np.isfinite(raw[1:]))) + 1
                raise ParameterError(
                    f"cash_rate has no finite value on {_date(index[i])}; give a daily return "
                    "for every session after the first."
                )
        rf_arr = raw.copy() if rf is None else rf.reindex(index).to_numpy(dtype="float64")
        rate = raw.copy()
        rate[:1] = 0.0  # the first session is funded in cash: no overlay, as in the engine
        if regimes is not None:
            labels = align_labels(regimes, index)
        else:
            labels = pd.Series(np.nan, index=index, dtype=object)
        return cls(index, tuple(str(c) for c in close.columns), px, ex, val, rate,
                   np.nan_to_num(rf_arr, nan=0.0), labels)

    @property
    def n_sessions(self) -> int:
        """Number of sessions ``T``."""
        return len(self.sessions)


@dataclass(frozen=True, eq=False)
class KernelSettings:
    """An :class:`~backtest.engine.EngineConfig` in the kernel's numeric form.

    Attributes
    ----------
    rebalance : int
        0 daily, 1 weekly or monthly (first decision per ``period_key``),
        2 regime change, 3 drift.
    period_key : ndarray of int64, shape (T,)
        ISO year*100+week (weekly) or year*100+month (monthly) per session.
    change : ndarray of bool, shape (T,)
        Regime label differs from the previous session's (first = True).
    drift_threshold : float
        Weight gap that triggers a drift rebalance.
    open_exec : bool
        Orders fill at the open (``exec_price``) rather than the close.
    fees, slippage : float
        Commission and slippage as fractions of traded value (bps / 1e4).
    borrow_daily : float
        Short-borrow fee per session, fraction of short exposure.
    init_cash : float
        Starting capital, currency (scale only).
    max_gross : float
        Leverage cap applied to decision rows.
    config : EngineConfig
        The configuration these settings came from.
    """

    rebalance: int
    period_key: np.ndarray
    change: np.ndarray
    drift_threshold: float
    open_exec: bool
    fees: float
    slippage: float
    borrow_daily: float
    init_cash: float
    max_gross: float
    config: EngineConfig

    @classmethod
    def build(cls, config: EngineConfig, market: Market) -> KernelSettings:
        """Settings for ``config`` on ``market``'s sessions (and labels)."""
        index = market.sessions
        if config.rebalance == "weekly":
            iso = index.isocalendar()
            key = iso["year"].to_numpy().astype(np.int64) * 100 + iso["week"].to_numpy()
        else:
            key = index.year.to_numpy().astype(np.int64) * 100 + index.month.to_numpy()
        codes = pd.factorize(market.labels.astype(object), use_na_sentinel=False)[0]
        change = np.ones(len(index), dtype=bool)
        change[1:] = codes[1:] != codes[:-1]
        if config.rebalance == "regime_change" and market.labels.isna().all():
            raise ParameterError(
                "rebalance='regime_change' needs regime labels; build the Market with regimes=."
            )
        if config.execution == "open" and market.exec_price is market.close:
            raise ParameterError("execution='open' needs open prices: Market.build(open_=...).")
        return cls(
            rebalance=REBALANCE_CODES[config.rebalance],
            period_key=np.ascontiguousarray(key, dtype=np.int64),
            change=change,
            drift_threshold=config.drift_threshold,
            open_exec=config.execution == "open",
            fees=config.costs_bps / 1e4,
            slippage=config.slippage_bps / 1e4,
            borrow_daily=config.borrow_bps / 1e4 / TRADING_DAYS,
            init_cash=config.init_cash,
            max_gross=config.max_gross_leverage,
            config=config,
        )


def _scale_rows(rows: np.ndarray, cap: float) -> np.ndarray:
    """Scale rows whose gross weight exceeds ``cap`` (the engine's arithmetic)."""
    gross = np.nansum(np.abs(rows), axis=1)
    over = gross > cap * (1.0 + _TOL)
    out = rows.copy()
    out[over] *= (cap / gross[over])[:, None]
    return out


@dataclass(frozen=True, eq=False)
class TargetPlan:
    """Target weights of ``V`` configurations in compact form.

    Attributes
    ----------
    codes : ndarray of int32, shape (V, T) or (1, T)
        Table row decided at each session's close; -1 = no new decision.
        One row is shared by every configuration.
    tables : ndarray of float64, shape (V, S, A)
        Distinct decision rows per configuration (fraction of portfolio
        value per asset, after the leverage cap; 0 = no position).
    cols : ndarray of int32, shape (V, A)
        Column of ``Market.universe`` for each of a configuration's assets,
        in the configuration's own order (-1 = padding).
    n_assets : ndarray of int32, shape (V,)
        Assets each configuration trades.
    """

    codes: np.ndarray
    tables: np.ndarray
    cols: np.ndarray
    n_assets: np.ndarray

    @property
    def n_variants(self) -> int:
        """Number of configurations ``V``."""
        return int(self.tables.shape[0])

    @classmethod
    def from_tables(cls, codes: np.ndarray, tables: np.ndarray, assets: Sequence[str],
                    market: Market, max_gross: float = 1.0) -> TargetPlan:
        """Plan in which every configuration trades the same ``assets``.

        Parameters
        ----------
        codes : array of int, shape (T,) or (V, T)
            Table row decided at each session (-1 = no decision).
        tables : array, shape (V, S, len(assets))
            Decision rows per configuration.
        assets : sequence of str
            Tickers, all in ``market.universe``.
        market : Market
            Where the prices live.
        max_gross : float
            Leverage cap (rows above it are scaled down).
        """
        tab = np.asarray(tables, dtype="float64")
        if tab.ndim != 3 or tab.shape[2] != len(assets):
            raise ParameterError(
                f"tables must have shape (variants, rows, {len(assets)} assets); got {tab.shape}."
            )
        cds = np.atleast_2d(np.asarray(codes, dtype=np.int32))
        if cds.shape[1] != market.n_sessions or cds.shape[0] not in (1, tab.shape[0]):
            raise ParameterError(
                f"codes must have shape ({market.n_sessions},) or ({tab.shape[0]}, "
                f"{market.n_sessions}); got {cds.shape}."
            )
        if cds.size and (cds.max() >= tab.shape[1] or cds.min() < -1):
            raise ParameterError(f"codes must be -1 or a row of the tables (< {tab.shape[1]}).")
        missing = [a for a in assets if a not in market.universe]
        if missing:
            raise ParameterError(f"assets {missing} have no prices in the market.")
        flat = _scale_rows(np.nan_to_num(tab.reshape(-1, tab.shape[2]), nan=0.0), max_gross)
        _check_net(flat, "a table row")
        col = np.array([market.universe.index(a) for a in assets], dtype=np.int32)
        v = tab.shape[0]
        return cls(np.ascontiguousarray(cds), np.ascontiguousarray(flat.reshape(tab.shape)),
                   np.ascontiguousarray(np.tile(col, (v, 1))),
                   np.full(v, len(assets), dtype=np.int32))

    @classmethod
    def from_frames(cls, frames: Iterable[pd.DataFrame], market: Market,
                    max_gross: float = 1.0, names: Sequence[str] | None = None) -> TargetPlan:
        """Plan from one target-weight frame per configuration.

        Frames are compressed one at a time, so an iterator (a generator that
        runs each configuration's weights function) never holds more than one
        frame in memory.

        Parameters
        ----------
        frames : iterable of DataFrame
            Decision-time target weights exactly as :func:`run_backtest`
            takes them (index: ``market.sessions``; a NaN row = no new
            decision; NaN inside a row = 0; columns: the configuration's
            assets).
        market : Market
            Shared prices.
        max_gross : float
            Leverage cap.
        names : sequence of str, optional
            A label per configuration, used in error messages.
        """
        parts = [_compress(frame, market, max_gross,
                           names[k] if names is not None else f"configuration {k}")
                 for k, frame in enumerate(frames)]
        if not parts:
            raise ParameterError("A plan needs at least one configuration.")
        v = len(parts)
        s = max(max(len(p[1]) for p in parts), 1)
        width = max(len(p[2]) for p in parts)
        tables = np.zeros((v, s, width))
        cols_arr = np.full((v, width), -1, dtype=np.int32)
        n_assets = np.zeros(v, dtype=np.int32)
        for k, (_, uniq, cols) in enumerate(parts):
            tables[k, : len(uniq), : uniq.shape[1]] = uniq
            cols_arr[k, : len(cols)] = cols
            n_assets[k] = len(cols)
        first = parts[0][0]
        if all(np.array_equal(p[0], first) for p in parts[1:]):
            all_codes = first[None, :]
        else:
            all_codes = np.stack([p[0] for p in parts])
        return cls(np.ascontiguousarray(all_codes), tables, cols_arr, n_assets)


def _compress(frame: pd.DataFrame, market: Market, max_gross: float,
              who: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One frame -> (codes per session, distinct decision rows, universe columns)."""
    if not frame.index.equals(market.sessions):
        raise ParameterError(f"{who}: target weights are not on the market's sessions.")
    if "cash" in frame.columns:
        raise ParameterError(f"{who}: targets have a column 'cash'; cash is implicit.")
    missing = [c for c in frame.columns if c not in market.universe]
    if missing:
        raise ParameterError(f"{who}: no prices for target asset(s) {missing}.")
    tv = frame.to_numpy(dtype="float64")
    if np.isinf(tv).any():
        i, j = np.argwhere(np.isinf(tv))[0]
        raise ParameterError(f"{who}: target for {frame.columns[j]!r} on "
                             f"{_date(frame.index[i])} is infinite.")
    has_new = ~np.isnan(tv).all(axis=1)
    rows = _scale_rows(tv[has_new], max_gross)
    _check_net(rows, who, frame.index[has_new])
    uniq, inverse = np.unique(np.nan_to_num(rows, nan=0.0), axis=0, return_inverse=True)
    codes = np.full(len(tv), -1, dtype=np.int32)
    codes[has_new] = inverse.reshape(-1)
    cols = np.array([market.universe.index(str(c)) for c in frame.columns], dtype=np.int32)
    return codes, uniq, cols


def _check_net(rows: np.ndarray, who: str, dates: pd.Index | None = None) -> None:
    """The engine does not borrow cash: net long weight may not exceed 1."""
    net = np.nansum(rows, axis=1)
    if (net > 1.0 + _TOL).any():
        i = int(np.argmax(net > 1.0 + _TOL))
        when = f" on {_date(dates[i])}" if dates is not None else ""
        raise ParameterError(
            f"{who}: targets{when} are net long {net[i]:.6g} (sum of weights > 1); the engine "
            "does not borrow cash. Keep sum(weights) <= 1 (shorts may fund longs)."
        )
