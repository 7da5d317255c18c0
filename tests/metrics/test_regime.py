"""Per-regime metrics and episodes by hand."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from backtest.exceptions import ParameterError
from backtest.metrics import by_regime, episodes, to_jsonable

IDX = pd.DatetimeIndex(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08"])


def test_episode_counts_qt_qt_qe_qt() -> None:
    idx = IDX[:4]
    labels = pd.Series(["QT", "QT", "QE", "QT"], index=idx)
    returns = pd.Series([0.1, -0.1, 0.05, 0.2], index=idx)
    out = by_regime(returns, labels)
    assert list(out) == ["QT", "QE"]  # order of first appearance
    qt, qe = out["QT"], out["QE"]
    assert (qt["days"], qt["episodes"]) == (3, 2)
    assert (qe["days"], qe["episodes"]) == (1, 1)
    # QT days concatenated: 0.1, -0.1, 0.2
    assert qt["total_return"] == pytest.approx(1.1 * 0.9 * 1.2 - 1, abs=1e-12)
    assert qt["max_drawdown"] == pytest.approx(-0.1, abs=1e-12)
    assert qt["hit_rate"] == pytest.approx(2 / 3, abs=1e-12)
    assert qt["ann_return"] == pytest.approx(0.2 / 3 * 252, abs=1e-9)
    assert qe["total_return"] == pytest.approx(0.05, abs=1e-12)
    assert math.isnan(qe["ann_vol"]) and math.isnan(qe["sharpe"])


def test_episodes_table() -> None:
    labels = pd.Series(["QT", "QT", "QE", "QT", "QT"], index=IDX)
    ep = episodes(labels)
    assert ep.columns.tolist() == ["label", "start", "end", "days"]
    assert ep["label"].tolist() == ["QT", "QE", "QT"]
    assert ep["start"].tolist() == [IDX[0], IDX[2], IDX[3]]
    assert ep["end"].tolist() == [IDX[1], IDX[2], IDX[4]]
    assert ep["days"].tolist() == [2, 1, 2]


def test_missing_labels_break_runs_and_belong_to_no_regime() -> None:
    labels = pd.Series(["QE", None, "QE", np.nan, "QE"], index=IDX, dtype=object)
    assert episodes(labels)["days"].tolist() == [1, 1, 1]
    assert episodes(pd.Series([], dtype=object, index=IDX[:0])).empty


def test_labels_forward_filled_onto_returns() -> None:
    returns = pd.Series([0.01, 0.02, 0.03, 0.04, 0.05], index=IDX)
    # sparse labels at change dates; the first label comes after the first return
    labels = pd.Series(["QE", "QT"], index=pd.DatetimeIndex(["2024-01-03", "2024-01-06"]))
    out = by_regime(returns, labels)
    assert out["QE"]["days"] == 3  # Jan 3, 4, 5
    assert out["QT"]["days"] == 1  # Jan 8 (label from Saturday Jan 6)
    assert sum(v["days"] for v in out.values()) == 4  # Jan 2 is unlabelled


def test_json_is_byte_stable_and_nan_is_null() -> None:
    returns = pd.Series([0.1, -0.1, 0.05, 0.2, 0.0], index=IDX)
    labels = pd.Series(["QT", "QT", "QE", "QT", "QT"], index=IDX)
    a = json.dumps(to_jsonable(by_regime(returns, labels)), sort_keys=True)
    b = json.dumps(to_jsonable(by_regime(returns.copy(), labels.copy())), sort_keys=True)
    assert a == b
    assert '"sharpe": null' in a  # QE has a single day


def test_bad_labels() -> None:
    returns = pd.Series([0.1], index=IDX[:1])
    with pytest.raises(ParameterError, match="indexed by session"):
        by_regime(returns, pd.Series(["QE"]))
    with pytest.raises(ParameterError, match="must be a pandas Series"):
        by_regime(returns, ["QE"])  # type: ignore[arg-type]
