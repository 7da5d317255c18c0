"""Phases: causal weeks-in-regime and early/late, end_of_qt stages, ex-post halves."""

from __future__ import annotations

import pandas as pd
import pytest

from backtest.data.calendar import sessions_between
from backtest.data.store import DataStore
from backtest.exceptions import ParameterError
from backtest.regimes import CalendarClassifier, RulesClassifier
from backtest.regimes.phases import end_of_qt_stage, expost_halves, regime_phases
from backtest.strategy.context import StrategyContext


def small_labels() -> pd.Series:
    idx = pd.date_range("2020-01-06", periods=10, freq="W-MON")
    return pd.Series(["neutral"] * 3 + ["QT"] * 5 + ["end_of_qt"] * 2, index=idx)


def test_hand_checked_phases() -> None:
    lab = small_labels()
    ph = regime_phases(lab, early_weeks=2)
    assert list(ph.columns) == ["label", "phase", "since", "weeks"]
    assert list(ph["weeks"]) == [0, 1, 2, 0, 1, 2, 3, 4, 0, 1]
    assert list(ph["phase"].iloc[3:8]) == ["early", "early", "late", "late", "late"]
    assert ph["since"].iloc[7] == lab.index[3]
    stage = pd.Series(["slowdown"] * 9 + ["stopped"], index=lab.index)
    staged = regime_phases(lab, stage=stage, early_weeks=2)
    assert list(staged["phase"].iloc[8:]) == ["slowdown", "stopped"]
    assert list(staged["phase"].iloc[:8]) == list(ph["phase"].iloc[:8])  # only end_of_qt


def test_phases_are_causal() -> None:
    lab = small_labels()
    full = regime_phases(lab)
    for cut in range(1, len(lab)):
        part = regime_phases(lab.iloc[:cut])
        pd.testing.assert_frame_equal(part, full.iloc[:cut])


def test_expost_halves_split_each_episode() -> None:
    halves = expost_halves(small_labels())
    # the middle session of an episode goes to the second half
    assert list(halves) == ["first_half", "second_half", "second_half", "first_half",
                            "first_half", "second_half", "second_half", "second_half",
                            "first_half", "second_half"]


def test_bad_inputs() -> None:
    with pytest.raises(ParameterError, match="labels must be a pandas Series"):
        regime_phases(["QE"])  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="early_weeks = 0 is out of range"):
        regime_phases(small_labels(), early_weeks=0)
    with pytest.raises(ParameterError, match="needs a fitted classifier"):
        end_of_qt_stage(RulesClassifier(), small_labels().index)


def test_calendar_stages_follow_the_events() -> None:
    sessions = sessions_between("2024-05-01", "2025-12-31")
    cal = CalendarClassifier().fit()
    ph = regime_phases(cal.predict(sessions), stage=end_of_qt_stage(cal, sessions))
    assert ph.loc["2024-06-03", "phase"] == "slowdown"
    assert ph.loc["2025-04-01", "phase"] == "slowdown"
    assert ph.loc["2025-12-01", "phase"] == "stopped"
    assert ph.loc["2025-12-12", "label"] == "neutral"
    assert ph.loc["2025-12-12", "phase"] == "early"


def test_rules_stages_on_real_data(snapshot_store: DataStore) -> None:
    sessions = sessions_between("2019-01-02", "2019-10-31")
    clf = RulesClassifier().fit_store(snapshot_store)
    ph = regime_phases(clf.predict(sessions), stage=end_of_qt_stage(clf, sessions))
    eoq = ph[ph["label"] == "end_of_qt"]
    # runoff slowed in July 2019, Treasuries stopped falling from August (MBS into UST)
    assert eoq["phase"].iloc[0] == "slowdown" and eoq["phase"].iloc[-1] == "stopped"


def test_context_truncates_phases() -> None:
    lab = small_labels()
    ctx = StrategyContext(pd.DataFrame({"A": range(10)}, index=lab.index, dtype=float),
                          pd.DataFrame(index=lab.index), lab, phases=regime_phases(lab))
    cut = ctx.truncated(lab.index[4])
    assert cut.phases is not None and len(cut.phases) == 5
    assert StrategyContext(ctx.prices, ctx.panel, lab).truncated(lab.index[4]).phases is None


@pytest.mark.parametrize("classifier", ["calendar", "rules"])
def test_labels_with_phases_match_regime_labels(snapshot_store: DataStore,
                                                classifier: str) -> None:
    from backtest.regimes import regime_labels, regime_labels_with_phases

    sessions = sessions_between("2003-01-02", "2025-12-31")
    ph = regime_labels_with_phases(sessions, snapshot_store, classifier)
    labels = regime_labels(sessions, snapshot_store, classifier)
    pd.testing.assert_series_equal(ph["label"], labels, check_names=False)
    eoq = ph[ph["label"] == "end_of_qt"]
    assert set(eoq["phase"]) <= {"slowdown", "stopped"} and len(eoq)
    cut = "2019-09-30"
    part = regime_labels_with_phases(sessions, snapshot_store.truncated(cut), classifier)
    pd.testing.assert_frame_equal(part.loc[:cut], ph.loc[:cut])
