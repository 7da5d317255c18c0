"""Small named steps strategies are built from (pure functions of the context)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from backtest.data.catalog import suggest
from backtest.exceptions import ParameterError
from backtest.strategy.params import check_label

__all__ = ["by_regime", "check_table", "constant", "switch"]


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
    cond = condition.fillna(False).astype(bool).to_numpy()
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
