"""``ctx.regimes == "EndOfQT"`` in a user's weights function is an error, not silent cash."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest.exceptions import ParameterError
from backtest.strategy import StrategyContext, StrategySpec
from backtest.strategy.regime_labels import RegimeLabels, guard_labels

DAYS = pd.DatetimeIndex(pd.to_datetime(["2022-05-31", "2022-06-01", "2022-06-02"]), name="date")
LABELS = pd.Series(["neutral", "QT", "end_of_qt"], index=DAYS, name="regime")


def test_comparisons_with_valid_labels_work_as_pandas() -> None:
    g = guard_labels(LABELS, "mine")
    assert isinstance(g, RegimeLabels)
    assert (g == "QT").tolist() == [False, True, False]
    assert (g != "QT").tolist() == [True, False, True]
    assert g.eq("end_of_qt").tolist() == [False, False, True]
    assert g.isin(["QT", "end_of_qt"]).tolist() == [False, True, True]
    assert (g == LABELS).all() and g.ne(LABELS.shift()).tolist() == [True, True, True]
    assert type(g == "QT") is pd.Series and type(g.shift()) is pd.Series  # results are plain
    assert type(g.loc["2022-06-01":]) is pd.Series


@pytest.mark.parametrize(("compare", "label", "close"), [
    (lambda g: g == "EndOfQT", "EndOfQT", "end_of_qt"),
    (lambda g: g != "qt", "qt", "QT"),
    (lambda g: g.eq("Taper"), "Taper", "taper"),
    (lambda g: g.ne("QE2"), "QE2", "QE"),
    (lambda g: g.isin(["QT", "endofqt"]), "endofqt", "end_of_qt"),
    (lambda g: g.isin({"neutral", "Neutral"}), "Neutral", "neutral"),
])
def test_unknown_labels_name_strategy_label_and_closest(compare, label: str,  # type: ignore[no-untyped-def]
                                                          close: str) -> None:
    with pytest.raises(ParameterError) as info:
        compare(guard_labels(LABELS, "mine"))
    assert str(info.value).startswith(
        f"mine: its weights function compares ctx.regimes with {label!r}, which is no regime "
        f"label. Did you mean {close!r}? Labels: QE, taper, QT, end_of_qt, neutral")


def _typo(ctx, params):  # type: ignore[no-untyped-def]
    eoq = (ctx.regimes == "EndOfQT").astype(float)
    return pd.DataFrame({"SPY": eoq}, index=ctx.index)


def test_a_strategy_with_a_label_typo_fails_instead_of_holding_cash() -> None:
    spec = StrategySpec(name="typo", description="SPY in end_of_qt (misspelt).",
                        claim="benchmark", params=(), assets=("SPY",), weights=_typo,
                        rebalance="daily")
    ctx = StrategyContext(prices=pd.DataFrame({"SPY": np.ones(3)}, index=DAYS),
                          panel=pd.DataFrame(index=DAYS), regimes=LABELS)
    with pytest.raises(ParameterError, match=r"typo: its weights function compares "
                                             r"ctx\.regimes with 'EndOfQT'.*'end_of_qt'"):
        spec.target_weights(ctx, {})
    assert type(ctx.regimes) is pd.Series  # the caller's context is not changed
