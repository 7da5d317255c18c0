"""Walk-forward on synthetic problems whose right answer is known."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from backtest.data.calendar import sessions_between
from backtest.sweep.measures import measure
from backtest.sweep.segments import Segments
from backtest.sweep.walkforward import walk_forward

IDX = sessions_between("2015-01-01", "2022-12-31")
# two QT episodes, QE in between and around
LAB = pd.Series("QE", index=IDX, dtype=object)
LAB[(IDX >= "2016-01-01") & (IDX < "2018-01-01")] = "QT"
LAB[(IDX >= "2020-01-01") & (IDX < "2022-01-01")] = "QT"
PARAMS = [{"a": a, "b": b} for a, b in itertools.product((1, 2, 3), (10, 20))]


def _run(returns: np.ndarray, **kw: object) -> pd.DataFrame:
    seg = Segments.build(IDX, LAB, n_splits=8, monthly=True)
    m = measure(returns, np.zeros(len(returns)), np.zeros(len(IDX)), seg.seg, seg.n_seg)
    return walk_forward(IDX, LAB, seg.seg, m.segments, PARAMS, ["a", "b"], **kw)  # type: ignore


def test_a_dominating_configuration_is_always_chosen() -> None:
    rng = np.random.default_rng(0)
    r = rng.normal(0, 0.01, size=(len(PARAMS), len(IDX)))
    r[3] += 0.003  # a=2, b=20: Sharpe ~4.8 a year, best in every window
    wf = _run(r, train_months=24, test_months=12)
    assert set(wf.windows["scheme"]) == {"rolling", "expanding"}
    assert (wf.windows["chosen"] == "a=2 b=20").all()
    assert (wf.windows["oos_percentile"] == 1.0).all()
    assert len(wf.windows[wf.windows.scheme == "rolling"]) == 6  # 2017 .. 2022
    first = wf.windows.iloc[0]
    assert (first["train_start"], first["test_start"], first["test_end"]) == (
        pd.Timestamp("2015-01-02"), pd.Timestamp("2017-01-03"), pd.Timestamp("2017-12-29"))
    summary = wf.summary().set_index("scheme")
    assert summary.loc["rolling", "oos_sharpe_stitched"] > 3.0
    # hindsight = the full-sample best is the same configuration
    assert summary.loc["rolling", "full_sample_best_oos_sharpe"] == pytest.approx(
        summary.loc["rolling", "oos_sharpe_stitched"])


def test_selection_on_noise_degrades_out_of_sample() -> None:
    r = np.random.default_rng(1).normal(0, 0.01, size=(len(PARAMS), len(IDX)))
    wf = _run(r, train_months=12, test_months=12)
    s = wf.summary().set_index("scheme")
    for scheme in ("rolling", "expanding"):
        # the in-sample winner of pure noise looks good in sample and is nothing out of sample
        assert s.loc[scheme, "is_sharpe_mean"] > s.loc[scheme, "oos_sharpe_stitched"]
        assert s.loc[scheme, "degradation"] < 0


def test_leave_one_episode_out_exposes_a_regime_flip() -> None:
    # a=1 wins only in the first QT episode, a=3 only in the second
    rng = np.random.default_rng(2)
    r = rng.normal(0, 0.01, size=(len(PARAMS), len(IDX)))
    qt1 = ((IDX >= "2016-01-01") & (IDX < "2018-01-01"))
    qt2 = ((IDX >= "2020-01-01") & (IDX < "2022-01-01"))
    r[0, qt1] += 0.004
    r[0, qt2] -= 0.004
    r[4, qt2] += 0.004
    r[4, qt1] -= 0.004
    wf = _run(r, regimes=["QT"])
    eps = wf.episodes.set_index("test_episode")
    assert list(eps.index) == ["QT#1 2016-01-04..2017-12-29", "QT#2 2020-01-02..2021-12-31"]
    assert eps["train_episodes"].tolist() == ["QT#2", "QT#1"]
    # chosen on QT#2 (a=3 b=10) and tested on QT#1: worst out of sample
    assert eps["chosen"].tolist() == ["a=3 b=10", "a=1 b=10"]
    assert (eps["is_sharpe"] > 2).all() and (eps["oos_sharpe"] < -2).all()
    assert (eps["oos_percentile"] == 0.0).all()
    row = wf.summary().set_index("scheme").loc["leave-one-out QT"]
    assert row["windows"] == 2 and row["degradation"] < -4
