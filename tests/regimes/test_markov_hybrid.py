"""Markov-switching and hybrid classifiers: synthetic regimes, causality, real-data checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest.data.calendar import sessions_between
from backtest.data.panel import last_known_session
from backtest.data.store import DataStore
from backtest.exceptions import EmptyRangeError, ParameterError
from backtest.regimes import make_classifier
from backtest.regimes.hybrid import HybridClassifier
from backtest.regimes.markov import MarkovClassifier
from tests.regimes.test_rules_classifier import synthetic_levels


def noisy_levels() -> tuple[pd.DataFrame, list[tuple[int, int, str]]]:
    """The rules' synthetic balance sheet plus seeded weekly noise (USD bn)."""
    levels, truth = synthetic_levels()
    rng = np.random.default_rng(7)
    noise = np.cumsum(rng.normal(0.0, 0.3, len(levels)))
    out = levels.copy()
    for col in ("WSHOMCB", "WSHOSHO", "WALCL"):
        out[col] = out[col] + noise
    return out, truth


def test_markov_recovers_synthetic_regimes() -> None:
    levels, truth = noisy_levels()
    clf = MarkovClassifier(refit_weeks=26, min_train_weeks=52).fit(levels)
    labels = clf.weekly_["regime"].to_numpy()
    # QE (3rd segment) is first seen after min_train; QT and the crisis QE after refits
    for k in (3, 5, 8):
        start, end, lab = truth[k]
        tail = labels[start + 26: end]
        assert (tail == lab).mean() >= 0.8, (lab, list(tail))
    s0, e0, _ = truth[1]  # sterilised sales
    assert not set(labels[s0:e0]) & {"QT", "end_of_qt"}
    s1, e1, _ = truth[7]  # Treasury growth after QT, MBS running off
    assert "QE" not in set(labels[s1:e1])
    probs = clf.weekly_[["p_down", "p_flat", "p_up"]].dropna()
    assert np.allclose(probs.sum(axis=1), 1.0)
    # first fit at the 52nd pace (week 4 + 52 - 1): no probability from an unfitted model
    assert clf.weekly_["p_up"].iloc[:55].isna().all() and clf.weekly_["p_up"].notna().iloc[55]


@pytest.mark.parametrize("cut", [120, 250, 333])
def test_markov_labels_before_t_ignore_later_data(cut: int) -> None:
    levels, _ = noisy_levels()
    kw = {"refit_weeks": 26, "min_train_weeks": 52}
    full = MarkovClassifier(**kw).fit(levels).weekly_
    part = MarkovClassifier(**kw).fit(levels.iloc[:cut]).weekly_
    pd.testing.assert_frame_equal(part, full.iloc[:cut])


def test_markov_bad_input() -> None:
    levels, _ = noisy_levels()
    with pytest.raises(ParameterError, match=r"refit_weeks = 2 is out of range"):
        MarkovClassifier(refit_weeks=2).fit(levels)
    with pytest.raises(ParameterError, match=r"down_pace = 3.0 is out of range"):
        MarkovClassifier(down_pace=3.0).fit(levels)
    with pytest.raises(EmptyRangeError, match="needs min_train_weeks=156"):
        MarkovClassifier().fit(levels.iloc[:100])
    with pytest.raises(ParameterError, match=r"Unknown markov-classifier parameter\(s\)"):
        make_classifier("markov", speed=1)


def _sessions(store: DataStore) -> pd.DatetimeIndex:
    last = last_known_session("WSHOSHO", store)
    assert last is not None
    return sessions_between("2003-01-02", last)


@pytest.mark.parametrize("cut", ["2012-08-15", "2022-07-01"])
def test_markov_real_truncation(snapshot_store: DataStore, cut: str) -> None:
    sessions = _sessions(snapshot_store)
    full = MarkovClassifier().fit_store(snapshot_store).predict(sessions)
    part = MarkovClassifier().fit_store(snapshot_store.truncated(cut)).predict(sessions)
    pd.testing.assert_series_equal(part.loc[:cut], full.loc[:cut])


def test_markov_real_checks(snapshot_store: DataStore) -> None:
    clf = MarkovClassifier().fit_store(snapshot_store)
    labels = clf.predict(_sessions(snapshot_store))
    assert not labels.loc[:"2008-10-31"].isin(["QT", "end_of_qt"]).any()
    assert not (labels.loc["2019-10-15":"2020-03-13"] == "QE").any()
    assert not (labels.loc["2025-12-12":] == "QE").any()
    assert labels.loc["2020-03-27"] == "QE"
    assert clf.fits_["converged"].all() and len(clf.fits_) >= 18


def test_hybrid_labels_are_the_announcements_and_flags_are_kept(
        snapshot_store: DataStore) -> None:
    sessions = _sessions(snapshot_store)
    hyb = HybridClassifier().fit_store(snapshot_store)
    cal = make_classifier("calendar", anchor="announce").fit().predict(sessions)
    pd.testing.assert_series_equal(hyb.predict(sessions), cal)
    flags = hyb.flags()
    # the 2019-03 slowdown announcement: Treasury runoff did not visibly slow for months
    assert pd.Timestamp("2019-03-20") in set(flags["session"])
    assert not flags["session"].isin([pd.Timestamp("2020-03-16")]).any()
    status = hyb.status(sessions)
    assert status.loc["2019-04-01"] == "pending"
    assert status.loc["2019-07-01"] == "unconfirmed"
    assert status.loc["2020-03-20"] == "confirmed"
    assert status.loc["2005-01-03"] == "none"


def test_hybrid_truncation_and_bad_input(snapshot_store: DataStore) -> None:
    sessions = _sessions(snapshot_store)
    cut = "2019-05-15"
    full = HybridClassifier().fit_store(snapshot_store).status(sessions)
    part = HybridClassifier().fit_store(snapshot_store.truncated(cut)).status(sessions)
    pd.testing.assert_series_equal(part.loc[:cut], full.loc[:cut])
    with pytest.raises(ParameterError, match="confirm_weeks = 0 is out of range"):
        HybridClassifier(confirm_weeks=0).fit_store(snapshot_store)
    with pytest.raises(ParameterError, match=r"HybridClassifier\.predict needs the sessions"):
        HybridClassifier().fit_store(snapshot_store).predict(None)
