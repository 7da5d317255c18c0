"""The playbook's horizon rules, each on a small synthetic case computed by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.exceptions import ParameterError
from backtest.regimes.phases import regime_phases
from backtest.strategy import StrategyContext, get_strategy
from backtest.strategy.building import early_in_regime, latch, sessions_since
from tests.engine.helpers import sessions

NAN = np.nan


def _ctx(prices: Mapping[str, Sequence[float]], panel: Mapping[str, Sequence[float]],
         labels: Sequence[str], phases: pd.DataFrame | None = None) -> StrategyContext:
    n = len(labels)
    idx = sessions("2022-06-01", n)
    return StrategyContext(pd.DataFrame(dict(prices), index=idx, dtype=float),
                           pd.DataFrame(dict(panel), index=idx, dtype=float),
                           pd.Series(list(labels), index=idx), phases=phases)


def _weights(name: str, ctx: StrategyContext, **given: Any) -> pd.DataFrame:
    spec = get_strategy(name)
    return spec.target_weights(ctx, spec.resolve(given))


def _flat(n: int, value: float = 100.0) -> list[float]:
    return [value] * n


# ----- building blocks -----------------------------------------------------------------------

def test_sessions_since_counts_from_the_last_event() -> None:
    ev = pd.Series([NAN, 1, 0, 0, 1, 0, NAN, 0], dtype=object)
    got = sessions_since(ev)
    assert got.tolist()[1:6] == [0.0, 1.0, 2.0, 0.0, 1.0]
    assert np.isnan(got.iloc[0]) and np.isnan(got.iloc[6]) and got.iloc[7] == 3.0


def test_latch_enters_holds_and_exits() -> None:
    enter = pd.Series([0, 1, 0, 0, 0, NAN, 1], dtype=float)
    stay = pd.Series([1, 1, 1, 0, 1, 1, 1], dtype=float)
    got = latch(enter, stay).tolist()
    assert got[:5] == [0.0, 1.0, 1.0, 0.0, 0.0] and np.isnan(got[5]) and got[6] == 1.0


def test_time_in_regime_comes_from_the_run_phases_when_given() -> None:
    labels = ["neutral"] * 3 + ["QT"] * 12
    plain = _ctx({"UUP": _flat(15)}, {}, labels)
    # from the labels alone: QT began on the 4th session (2022-06-06), weeks 0 there
    assert plain.weeks_in_regime.iloc[3] == 0.0
    assert plain.weeks_in_regime.iloc[8] == 1.0  # 2022-06-13, seven days later
    assert plain.regime_phase.iloc[8] == "early"
    # a run that knows QT began earlier (before the first row) passes its phases
    ph = regime_phases(pd.Series(labels, index=plain.index))
    ph.loc[ph["label"] == "QT", "weeks"] += 20.0
    given = _ctx({"UUP": _flat(15)}, {}, labels, phases=ph)
    assert given.weeks_in_regime.iloc[3] == 20.0
    assert not early_in_regime(given, "QT", 10).any()
    assert early_in_regime(plain, "QT", 1).tolist() == [False] * 3 + [True] * 5 + [False] * 7


def test_early_in_regime_refuses_bad_weeks() -> None:
    ctx = _ctx({"UUP": _flat(3)}, {}, ["QT"] * 3)
    with pytest.raises(ParameterError, match=r"weeks = -1 must be a positive number"):
        early_in_regime(ctx, "QT", -1)
    with pytest.raises(ParameterError,
                       match=r"in_regime: unknown regime 'QTT'\. Did you mean 'QT'\?"):
        early_in_regime(ctx, "QTT", 4)


# ----- yield_peak ----------------------------------------------------------------------------

def test_yield_peak_adds_after_quiet_weeks_and_cuts_on_a_new_high() -> None:
    # window 2 weeks = 10 sessions, quiet 1 week = 5 sessions
    yld = [*range(1, 13), 11, 10, 9, 8, 7, 6, 5, 13, 12]
    ctx = _ctx({"TLT": _flat(21), "SHY": _flat(21)}, {"DGS10": yld}, ["QT"] * 21)
    w = _weights("yield_peak", ctx, high_weeks=2, quiet_weeks=1)
    tlt = w["TLT"].to_numpy()
    assert np.isnan(tlt[:9]).all()  # no full window of yields yet
    # new highs at 9..11; sessions since the last one: 12->1 ... 16->5 (quiet), 19 new high
    np.testing.assert_array_equal(tlt[9:], [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0])
    np.testing.assert_array_equal(w["SHY"].to_numpy()[9:], 1 - tlt[9:])


def test_yield_peak_holds_neutral_duration_outside_qt() -> None:
    ctx = _ctx({"TLT": _flat(6), "SHY": _flat(6)}, {"DGS10": _flat(6, 4.0)},
               ["QE"] * 3 + ["QT"] * 3)
    w = _weights("yield_peak", ctx, high_weeks=2, quiet_weeks=1, other_weight=0.25)
    assert w["TLT"].iloc[:3].tolist() == [0.25] * 3
    assert w["TLT"].iloc[3:].isna().all()  # under QT without a known window: no decision


# ----- early_qt_dollar -----------------------------------------------------------------------

def test_early_qt_dollar_holds_uup_only_in_the_first_months_of_qt() -> None:
    labels = ["neutral"] * 5 + ["QT"] * 40 + ["end_of_qt"] * 5
    ctx = _ctx({"UUP": _flat(50)}, {}, labels)
    w = _weights("early_qt_dollar", ctx, months=1)["UUP"]
    qt_start = ctx.index[5]
    # one month = 52/12 weeks = 30.33 days after QT began
    expect = [(lab == "QT") and (d - qt_start).days < 30.34 for lab, d in zip(labels, ctx.index,
                                                                              strict=True)]
    assert w.tolist() == [1.0 if e else 0.0 for e in expect]
    # 2022-06-08 .. 2022-07-08 (day 30 < 30.33): 21 sessions (Juneteenth, July 4th shut)
    assert w.sum() == 21


# ----- divergence ----------------------------------------------------------------------------

def _divergence_case(netliq_step: float) -> StrategyContext:
    spy = [*_flat(10), 105, 111, 108, 104, 104, 104]
    vol = [*_flat(10), 200, 200, 200, 200, 200, 200]
    netliq = [1000.0 + netliq_step * i for i in range(16)]
    return _ctx({"SPY": spy, "SHY": _flat(16)}, {"NETLIQ": netliq, "SPY.Volume": vol},
                ["QT"] * 16)


def test_divergence_rides_a_rally_on_volume_against_falling_liquidity() -> None:
    params = {"low_weeks": 2, "volume_days": 2, "liquidity_weeks": 1, "rise_pct": 10.0,
              "fail_pct": 5.0}
    w = _weights("divergence", _divergence_case(-10.0), **params)["SPY"].to_numpy()
    assert np.isnan(w[:9]).all()
    # 11: +11% off the low of 100 on volume 200 > 120 -> in; 12: +8% >= 5 holds; 13: +4% fails
    np.testing.assert_array_equal(w[9:], [0, 0, 1, 1, 0, 0, 0])
    # liquidity rising: no divergence, the rally is not ridden
    up = _weights("divergence", _divergence_case(10.0), **params)["SPY"].to_numpy()
    np.testing.assert_array_equal(up[9:], [0] * 7)


def test_divergence_holds_spy_outside_qt() -> None:
    ctx = _ctx({"SPY": _flat(4), "SHY": _flat(4)}, {"NETLIQ": _flat(4), "SPY.Volume": _flat(4)},
               ["neutral"] * 4)
    assert _weights("divergence", ctx)["SPY"].tolist() == [1.0] * 4


# ----- sell_rallies --------------------------------------------------------------------------

def test_sell_rallies_trims_after_a_rally_and_restores_after_a_pullback() -> None:
    spy = [*_flat(5), 103, 106, 107, 105, 103, 103]
    ctx = _ctx({"SPY": spy, "SHY": _flat(11)}, {}, ["QT"] * 11)
    w = _weights("sell_rallies", ctx, rally_days=5, rally_pct=5.0, pullback_pct=3.0,
                 trim_weight=0.5)
    got = w["SPY"].to_numpy()
    assert np.isnan(got[:4]).all()
    # 6: 106/100 = +6% -> trim; 7: high 107; 8: 1.9% below it holds; 9: 3.7% below -> restore
    np.testing.assert_array_equal(got[4:], [1, 1, 0.5, 0.5, 0.5, 1, 1])
    np.testing.assert_allclose(w["SHY"].to_numpy()[4:], 1 - got[4:])


def test_sell_rallies_never_trims_outside_qt() -> None:
    spy = [*_flat(5), 103, 106, 107, 105, 103, 103]
    ctx = _ctx({"SPY": spy, "SHY": _flat(11)}, {}, ["QE"] * 11)
    w = _weights("sell_rallies", ctx, rally_days=5)
    assert (w["SPY"].dropna() == 1.0).all()


# ----- cash_quality --------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "book"), [
    ({}, {"SPY": 0.0, "QUAL": 0.35, "USMV": 0.35, "SHY": 0.3}),
    ({"quality_share": 0.5, "usmv_share": 1.0, "qt_cash": 0.2},
     {"SPY": 0.4, "QUAL": 0.0, "USMV": 0.4, "SHY": 0.2}),
])
def test_cash_quality_books(given: dict[str, float], book: dict[str, float]) -> None:
    assets = {t: _flat(4) for t in ("SPY", "QUAL", "USMV", "SHY")}
    ctx = _ctx(assets, {}, ["QE", "QT", "end_of_qt", "neutral"])
    w = _weights("cash_quality", ctx, **given)
    for t, v in book.items():
        assert w[t].iloc[1] == pytest.approx(v)
    for row in (0, 2, 3):
        assert w.iloc[row].to_dict() == {"SPY": 1.0, "QUAL": 0.0, "USMV": 0.0, "SHY": 0.0}


# ----- causality of the building blocks -------------------------------------------------------

_flag = st.sampled_from([0.0, 1.0, NAN])


@settings(max_examples=60, deadline=None)
@given(enter=st.lists(_flag, min_size=2, max_size=40), stay=st.lists(_flag, min_size=40,
                                                                      max_size=40),
       cut=st.integers(min_value=1, max_value=39))
def test_latch_and_sessions_since_never_look_ahead(enter: list[float], stay: list[float],
                                                   cut: int) -> None:
    e = pd.Series((enter * 40)[:40])
    s = pd.Series(stay)
    full_latch, full_since = latch(e, s), sessions_since(e)
    pd.testing.assert_series_equal(latch(e.iloc[:cut], s.iloc[:cut]), full_latch.iloc[:cut])
    pd.testing.assert_series_equal(sessions_since(e.iloc[:cut]), full_since.iloc[:cut])
