"""Rebalancing schedules pick the right sessions (decision days, then t+1 execution)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest.data.calendar import sessions_between
from backtest.engine import EngineConfig, decision_days, drift_decision_days, run_backtest
from backtest.exceptions import ParameterError
from tests.engine.helpers import no_targets, prices, sessions

# Jan-Feb 2024: holidays on Mon Jan 1, Mon Jan 15 (MLK) and Mon Feb 19 (Presidents' Day)
IDX = sessions_between("2024-01-02", "2024-02-29")
CLOSE = pd.DataFrame({"A": np.linspace(100.0, 120.0, len(IDX)), "B": 50.0}, index=IDX)


def _every_day() -> pd.DataFrame:
    return pd.DataFrame({"A": 0.6, "B": 0.4}, index=IDX)


def _days(mask: pd.Series) -> list[str]:
    return [f"{d:%Y-%m-%d}" for d in mask.index[mask.to_numpy()]]


def test_weekly_is_first_session_of_each_iso_week() -> None:
    got = _days(decision_days(_every_day(), "weekly"))
    assert got == [
        "2024-01-02", "2024-01-08", "2024-01-16", "2024-01-22", "2024-01-29",
        "2024-02-05", "2024-02-12", "2024-02-20", "2024-02-26",
    ]


def test_weekly_among_sessions_with_a_new_target() -> None:
    t = no_targets(CLOSE)
    wed_fri = IDX[(IDX.day_of_week == 2) | (IDX.day_of_week == 4)]
    t.loc[wed_fri] = [0.6, 0.4]
    got = _days(decision_days(t, "weekly"))
    assert got[:4] == ["2024-01-03", "2024-01-10", "2024-01-17", "2024-01-24"]
    assert all(pd.Timestamp(d).day_of_week == 2 for d in got)


def test_monthly_is_first_session_of_each_month() -> None:
    assert _days(decision_days(_every_day(), "monthly")) == ["2024-01-02", "2024-02-01"]


def test_monthly_with_month_end_targets_only() -> None:
    t = no_targets(CLOSE)
    t.loc[pd.Timestamp("2024-01-31")] = [0.6, 0.4]
    t.loc[pd.Timestamp("2024-02-29")] = [0.5, 0.5]
    assert _days(decision_days(t, "monthly")) == ["2024-01-31", "2024-02-29"]


def test_daily_is_every_session_with_a_new_target() -> None:
    t = no_targets(CLOSE)
    t.iloc[[3, 4, 10]] = [0.6, 0.4]
    assert decision_days(t, "daily").to_numpy().nonzero()[0].tolist() == [3, 4, 10]


def test_regime_change_days_and_first_target() -> None:
    t = no_targets(CLOSE)
    t.iloc[2] = [0.6, 0.4]  # first target after the first label change
    # sparse labels, forward filled: QE from Jan 2, QT from Jan 10, QE from Jan 22
    labels = pd.Series(
        ["QE", "QT", "QT", "QE"],
        index=pd.DatetimeIndex(["2024-01-02", "2024-01-10", "2024-01-12", "2024-01-22"]),
    )
    got = _days(decision_days(t, "regime_change", labels=labels))
    # Jan 2 is a change but no target is known yet; Jan 4 is the first target
    assert got == ["2024-01-04", "2024-01-10", "2024-01-22"]


def test_regime_change_needs_labels() -> None:
    with pytest.raises(ParameterError, match=r"regime_change.*regimes="):
        decision_days(_every_day(), "regime_change")


def test_execution_is_the_session_after_the_decision() -> None:
    res = run_backtest(_every_day(), CLOSE, EngineConfig(costs_bps=0.0))
    assert [f"{d:%Y-%m-%d}" for d in res.rebalance_days] == ["2024-01-03", "2024-02-02"]


def test_regime_change_schedule_through_the_engine() -> None:
    labels = pd.Series(["QE"] * 10 + ["QT"] * (len(IDX) - 10), index=IDX)
    cfg = EngineConfig(costs_bps=0.0, rebalance="regime_change")
    res = run_backtest(_every_day(), CLOSE, cfg, regimes=labels)
    assert list(res.rebalance_days) == [IDX[1], IDX[11]]
    assert res.regimes is not None and res.regimes.iloc[10] == "QT"


# drift: A rises, B flat, target 50/50 decided once
D_IDX = sessions("2024-03-01", 7)
D_CLOSE = prices(D_IDX, {"A": [100, 100, 110, 120, 125, 130, 130], "B": [100] * 7})


def _drift_targets() -> pd.DataFrame:
    t = no_targets(D_CLOSE)
    t.iloc[0] = [0.5, 0.5]
    return t


def test_drift_triggers_when_hand_computed_gap_crosses() -> None:
    # after the fill at day 1's close (A = 100): held A weight = g / (g + 1), g = A / 100
    # day 2: 1.10/2.10 -> gap 0.0238; day 3: 1.2/2.2 -> 0.0455; day 4: 1.25/2.25 -> 0.0556
    mask = drift_decision_days(_drift_targets(), D_CLOSE, 0.05)
    assert mask.to_numpy().tolist() == [True, False, False, False, True, False, False]
    # with 0.06 the first breach is day 5: 1.3/2.3 -> gap 0.0652
    mask = drift_decision_days(_drift_targets(), D_CLOSE, 0.06)
    assert mask.to_numpy().tolist() == [True, False, False, False, False, True, False]
    # a threshold just above the largest gap never triggers again
    mask = drift_decision_days(_drift_targets(), D_CLOSE, 1.3 / 2.3 - 0.5 + 1e-9)
    assert mask.to_numpy().tolist() == [True] + [False] * 6


def test_drift_through_the_engine_resets_weights() -> None:
    cfg = EngineConfig(costs_bps=0.0, rebalance="drift", drift_threshold=0.05)
    res = run_backtest(_drift_targets(), D_CLOSE, cfg)
    assert list(res.rebalance_days) == [D_IDX[1], D_IDX[5]]
    np.testing.assert_allclose(res.positions.iloc[4, :2].to_numpy(), [1.25 / 2.25, 1 / 2.25])
    np.testing.assert_allclose(res.positions.iloc[5, :2].to_numpy(), [0.5, 0.5], atol=1e-12)


def test_drift_with_open_execution_drifts_after_the_open_fill() -> None:
    open_ = D_CLOSE.copy()
    open_.iloc[1, 0] = 80.0  # A opens at 80 on day 1, closes at 100: weight 1.25/2.25
    mask = drift_decision_days(_drift_targets(), D_CLOSE, 0.05, execution="open", open_=open_)
    assert mask.to_numpy().tolist()[:2] == [True, True]


def test_quarterly_is_first_session_of_each_quarter() -> None:
    idx = sessions_between("2023-12-01", "2024-07-31")
    t = pd.DataFrame({"A": 0.6, "B": 0.4}, index=idx)
    # 2023-12-01 is the first target; then Jan 2 (Q1), Apr 1 (Q2), Jul 1 (Q3)
    assert _days(decision_days(t, "quarterly")) == [
        "2023-12-01", "2024-01-02", "2024-04-01", "2024-07-01"]


def test_quarterly_among_sessions_with_a_new_target() -> None:
    idx = sessions_between("2024-01-02", "2024-12-31")
    t = pd.DataFrame(np.nan, index=idx, columns=["A"])
    t.loc[idx[idx.day_of_week == 4]] = 1.0  # Fridays only
    got = _days(decision_days(t, "quarterly"))
    assert got == ["2024-01-05", "2024-04-05", "2024-07-05", "2024-10-04"]


def test_quarterly_through_the_engine_trades_the_next_session() -> None:
    idx = sessions_between("2024-01-02", "2024-12-31")
    close = pd.DataFrame({"A": np.linspace(100.0, 130.0, len(idx)), "B": 50.0}, index=idx)
    t = pd.DataFrame({"A": 0.6, "B": 0.4}, index=idx)
    res = run_backtest(t, close, EngineConfig(costs_bps=0.0, rebalance="quarterly"))
    assert [f"{d:%Y-%m-%d}" for d in res.rebalance_days] == [
        "2024-01-03", "2024-04-02", "2024-07-02", "2024-10-02"]


def test_schedule_table_is_the_one_list_of_names() -> None:
    from typing import get_args

    from backtest.engine.config import REBALANCES, Rebalance
    from backtest.engine.schedule import (
        RULE_EVERY_DECISION,
        RULE_FIRST_IN_PERIOD,
        RULE_ON_DRIFT,
        RULE_ON_REGIME_CHANGE,
        SCHEDULES,
    )

    assert tuple(SCHEDULES) == REBALANCES == get_args(Rebalance)
    rules = {RULE_EVERY_DECISION, RULE_FIRST_IN_PERIOD, RULE_ON_REGIME_CHANGE, RULE_ON_DRIFT}
    assert len(rules) == 4 and {s.rule for s in SCHEDULES.values()} == rules
    for s in SCHEDULES.values():  # calendar rules have a period key, the others none
        assert (s.period_key is not None) == (s.rule == RULE_FIRST_IN_PERIOD)
    keys = SCHEDULES["quarterly"].period_keys(pd.DatetimeIndex(["2024-03-28", "2024-04-01"]))
    assert keys.tolist() == [202401, 202402]
    for name in REBALANCES:
        assert EngineConfig(rebalance=name).rebalance == name  # type: ignore[arg-type]


def test_unknown_schedule_and_drift_in_decision_days() -> None:
    with pytest.raises(ParameterError, match=r"rebalance must be one of 'daily', .*'quarterly'.*"
                                             r"; got 'yearly'"):
        decision_days(_every_day(), "yearly")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="use drift_decision_days for 'drift'"):
        decision_days(_every_day(), "drift")


def test_drift_with_open_execution_needs_opens() -> None:
    with pytest.raises(ParameterError, match=r"execution='open' needs open prices: pass open_="):
        drift_decision_days(_drift_targets(), D_CLOSE, 0.05, execution="open")
