"""Small named steps strategies are built from (pure functions of the context)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from backtest.data.catalog import suggest
from backtest.exceptions import ParameterError
from backtest.strategy.context import StrategyContext
from backtest.strategy.params import check_label

__all__ = ["by_regime", "check_table", "constant", "early_in_regime", "in_regime",
           "latch", "sessions_since", "switch"]


def constant(index: pd.DatetimeIndex, weights: Mapping[str, float]) -> pd.DataFrame:
    """The same target weights on every session."""
    return pd.DataFrame({k: np.full(len(index), float(v)) for k, v in weights.items()},
                        index=index)


def by_regime(
    regimes: pd.Series, table: Mapping[str, Mapping[str, float]], assets: tuple[str, ...]
) -> pd.DataFrame:
    """Target weights per session from a regime -> {ticker: weight} table.

    Regimes missing from the table hold cash (all weights 0); give every
    regime a row (an empty one for cash) to make that visible.

    Raises
    ------
    ParameterError
        A label that is no regime label, or a ticker outside ``assets``
        (each with the closest valid name).
    """
    out = pd.DataFrame(0.0, index=regimes.index, columns=list(assets))
    for label, weights in table.items():
        check_label(str(label), "by_regime table")
        outside = [t for t in weights if t not in assets]
        if outside:
            close = suggest(str(outside[0]), assets)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ParameterError(
                f"by_regime table: regime {label} holds {outside[0]!r}, which is not among the "
                f"assets {', '.join(assets)}.{hint} Add it to the assets or fix the name.")
        mask = (regimes == label).to_numpy()
        for ticker, w in weights.items():
            out.loc[mask, ticker] = float(w)
    return out


def switch(condition: pd.Series, when_true: Mapping[str, float],
           when_false: Mapping[str, float], assets: tuple[str, ...]) -> pd.DataFrame:
    """Weights that follow a boolean signal (NaN signal rows stay undecided)."""
    out = pd.DataFrame(np.nan, index=condition.index, columns=list(assets))
    known = condition.notna().to_numpy()
    cond = np.nan_to_num(condition.to_numpy(dtype=float)) != 0
    for col in assets:
        t, f = float(when_true.get(col, 0.0)), float(when_false.get(col, 0.0))
        out.loc[known, col] = np.where(cond[known], t, f)
    return out


def check_table(table: Mapping[str, Mapping[str, float]], strategy: str,
                max_gross: float = 1.0) -> None:
    """Validate a regime allocation table: known labels, finite weights, gross <= limit."""
    for label, weights in table.items():
        check_label(str(label), f"{strategy}: table")
        gross = sum(abs(float(w)) for w in weights.values())
        if not np.isfinite(gross) or gross > max_gross + 1e-9:
            raise ParameterError(
                f"{strategy}: weights for {label} add up to gross {gross:g}; at most "
                f"{max_gross:g} is allowed."
            )


def in_regime(ctx: StrategyContext, label: str) -> pd.Series:
    """True on the sessions labelled ``label`` (a regime label, checked)."""
    check_label(str(label), "in_regime")
    return (ctx.regimes == label).rename(label)


def early_in_regime(ctx: StrategyContext, label: str, weeks: float) -> pd.Series:
    """True on ``label`` sessions fewer than ``weeks`` weeks after that regime began.

    Reads :attr:`StrategyContext.weeks_in_regime` (causal: the start of the
    current episode is known at its first session).

    Raises
    ------
    ParameterError
        ``weeks`` not a positive number, or ``label`` no regime label.
    """
    if isinstance(weeks, bool) or not isinstance(weeks, int | float) or not weeks > 0:
        raise ParameterError(f"early_in_regime: weeks = {weeks!r} must be a positive number "
                             "of weeks (e.g. 26 for about six months).")
    return (in_regime(ctx, label) & (ctx.weeks_in_regime < float(weeks))).rename(label)


def sessions_since(event: pd.Series) -> pd.Series:
    """Sessions since ``event`` was last True (0 on an event session).

    Before the first event the count runs from the first row; rows where
    ``event`` is NaN are NaN (not known) and do not reset the count.
    """
    values = event.to_numpy(dtype=float)
    known = pd.Series(~np.isnan(values), index=event.index)
    hit = pd.Series(np.nan_to_num(values) != 0, index=event.index)
    run = hit.cumsum()
    count = (~hit).astype(int).groupby(run).cumsum().astype(float)
    return count.where(known)


def latch(enter: pd.Series, stay: pd.Series) -> pd.Series:
    """A signal that turns on when ``enter`` and holds while ``stay`` (hysteresis).

    On at t when ``enter`` is True at t, or when it was on at t-1 and
    ``stay`` is True at t. Rows where ``enter`` or ``stay`` is NaN are NaN
    (not known) and keep the previous state for the next known row.
    Causal: the value at t depends on rows up to t only.
    """
    e = enter.reindex(stay.index).to_numpy(dtype=float)
    s = stay.to_numpy(dtype=float)
    known = ~(np.isnan(e) | np.isnan(s))
    ev, sv = np.nan_to_num(e) != 0, np.nan_to_num(s) != 0
    out = np.full(len(known), np.nan)
    on = False
    for i in range(len(known)):
        if known[i]:
            on = bool(ev[i] or (on and sv[i]))
            out[i] = float(on)
    return pd.Series(out, index=stay.index)
