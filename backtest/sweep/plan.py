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

from backtest.engine import prepare as rules
from backtest.engine.config import EngineConfig
from backtest.engine.schedule import get_schedule, label_changes
from backtest.exceptions import ParameterError
from backtest.metrics.regime import align_labels

__all__ = ["KernelSettings", "Market", "TargetPlan"]


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
        px = np.ascontiguousarray(rules.check_frame("close", close))
        index = pd.DatetimeIndex(close.index)
        rules.check_prices("close", px, close)
        ex = px
        if open_ is not None:
            opens = open_.reindex(index=index, columns=close.columns)
            ex = np.ascontiguousarray(opens.to_numpy(dtype="float64"))
            rules.check_prices("open_", ex, opens, gaps=False)  # checked where orders fill
        val = np.ascontiguousarray(pd.DataFrame(ex).ffill().to_numpy(dtype="float64"))
        raw, rate = rules.cash_rates(cash_rate, index)
        rf_arr = raw if rf is None else rf.reindex(index).to_numpy(dtype="float64")
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
    rule : int
        The schedule's selection rule, one of the ``RULE_*`` codes of
        :mod:`backtest.engine.schedule`.
    period_key : ndarray of int64, shape (T,)
        The schedule's period key per session (e.g. ISO year*100+week for
        ``weekly``); zeros for schedules without periods.
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

    rule: int
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
        schedule = get_schedule(config.rebalance)
        if schedule.needs_labels and market.labels.isna().all():
            raise schedule.missing_labels("build the Market with regimes=")
        if config.execution == "open" and market.exec_price is market.close:
            raise rules.open_prices_required("Market.build(open_=...)")
        return cls(
            rule=schedule.rule,
            period_key=schedule.period_keys(market.sessions),
            change=label_changes(market.labels),
            drift_threshold=config.drift_threshold,
            open_exec=config.execution == "open",
            fees=config.fee_rate,
            slippage=config.slippage_rate,
            borrow_daily=config.borrow_daily,
            init_cash=config.init_cash,
            max_gross=config.max_gross_leverage,
            config=config,
        )


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
        rules.check_priced("the market", list(assets), market.universe)
        flat = rules.cap_targets(np.nan_to_num(tab.reshape(-1, tab.shape[2]), nan=0.0), max_gross,
                           who="a table row")[0]
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
    tv = rules.check_targets(frame, who=who)
    rules.check_same_sessions("the market", market.sessions, frame.index, who=who)
    rules.check_priced("the market", list(frame.columns), market.universe, who=who)
    has_new = ~np.isnan(tv).all(axis=1)
    rows = rules.cap_targets(tv[has_new], max_gross, frame.index[has_new], who=who)[0]
    uniq, inverse = np.unique(np.nan_to_num(rows, nan=0.0), axis=0, return_inverse=True)
    codes = np.full(len(tv), -1, dtype=np.int32)
    codes[has_new] = inverse.reshape(-1)
    cols = np.array([market.universe.index(str(c)) for c in frame.columns], dtype=np.int32)
    return codes, uniq, cols
