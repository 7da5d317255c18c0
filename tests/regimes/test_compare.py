"""Disagreement between classifiers, and the episode-count warning."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from backtest.data.calendar import sessions_between
from backtest.data.store import DataStore
from backtest.exceptions import ClassifierDisagreementWarning, ParameterError
from backtest.regimes import BalanceSheetClassifier, CalendarClassifier
from backtest.regimes.compare import compare_labels, warn_if_episode_counts_differ


def two() -> tuple[pd.Series, pd.Series]:
    idx = pd.date_range("2020-01-01", periods=8, freq="D")
    a = pd.Series(["neutral", "QT", "QT", "QT", "neutral", "QT", "QT", "neutral"], index=idx)
    b = pd.Series(["neutral", "neutral", "QT", "QT", "QT", "QT", "QT", "neutral"], index=idx)
    return a, b


def test_hand_checked_disagreement() -> None:
    a, b = two()
    d = compare_labels(a, b, ("cal", "data"))
    assert d.sessions == 8 and d.share == pytest.approx(2 / 8)
    assert list(d.periods["sessions"]) == [1, 1]
    assert list(d.periods["cal"]) == ["QT", "neutral"]
    assert list(d.periods["data"]) == ["neutral", "QT"]
    assert d.episodes.loc["QT", "cal"] == 2 and d.episodes.loc["QT", "data"] == 1
    assert d.summary()["episodes"]["cal"]["QT"] == 2  # type: ignore[index]


def test_identical_labels_agree() -> None:
    a, _ = two()
    d = compare_labels(a, a.copy(), ("x", "y"))
    assert d.share == 0 and d.periods.empty


def test_episode_count_warning() -> None:
    a, b = two()
    with pytest.warns(ClassifierDisagreementWarning,
                      match=r"The cal classifier sees 2 QT episode\(s\); data: 1"):
        counts = warn_if_episode_counts_differ("cal", {"cal": a, "data": b})
    assert counts == {"cal": 2, "data": 1}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_episode_counts_differ("cal", {"cal": a, "data": a}, "QT")
    with pytest.raises(ParameterError, match="chosen = 'rules' is not among"):
        warn_if_episode_counts_differ("rules", {"cal": a})
    with pytest.raises(ParameterError, match="label = 'qt' is not a regime"):
        warn_if_episode_counts_differ("cal", {"cal": a}, "qt")
    with pytest.raises(ParameterError, match="two different names"):
        compare_labels(a, b, ("x", "x"))


def test_real_v1_sees_four_qt_episodes(snapshot_store: DataStore) -> None:
    sessions = sessions_between("2003-01-02", "2026-06-30")
    cal = CalendarClassifier().fit().predict(sessions)
    data = BalanceSheetClassifier().fit_store(snapshot_store).predict(sessions)
    d = compare_labels(cal, data, ("calendar", "data"))
    assert d.episodes.loc["QT", "calendar"] == 2
    assert d.episodes.loc["QT", "data"] == 4  # the 2008 sterilised sales read as QT by v1
    assert 0.1 < d.share < 0.3
    assert (d.periods["start"] < pd.Timestamp("2008-11-01")).any()
