"""Out-of-sample parameter choice on a case small enough to check by hand."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from backtest.exceptions import ParameterError
from backtest.regimes.oos import grid_points, out_of_sample


def setup() -> tuple[pd.Series, Any]:
    """Calendar: QE for 20 weeks, neutral 20, QE 20. Parameter ``lag`` delays every change."""
    idx = pd.date_range("2009-01-02", periods=60 * 5, freq="B")
    weeks = (idx - idx[0]).days // 7
    cal = pd.Series(["QE" if (w < 20 or w >= 40) else "neutral" for w in weeks], index=idx)

    def fit(params: dict[str, Any]) -> pd.Series:
        lag = params.get("lag", 3)
        shifted = [w - lag for w in weeks]
        return pd.Series(["QE" if (s < 20 or s >= 40) else "neutral" for s in shifted],
                         index=idx)

    return cal, fit


def test_grid_points_order() -> None:
    assert grid_points({"a": [1, 2], "b": ["x"]}) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]


def test_loeo_picks_best_on_other_episodes() -> None:
    cal, fit = setup()
    res = out_of_sample(fit, {"lag": [2, 0, 1]}, cal, "loeo", start="2009-01-01")
    assert list(res.choices["params"]) == [{"lag": 0}] * 3
    pd.testing.assert_series_equal(res.labels, fit({"lag": 0}).rename("regime"))


def test_walk_forward_uses_defaults_without_history() -> None:
    cal, fit = setup()
    res = out_of_sample(fit, {"lag": [2, 0]}, cal, "walk_forward", start="2009-01-01",
                        min_history_weeks=15)
    assert res.choices["params"].iloc[0] == {}  # no history: defaults (lag 3)
    assert res.choices["train_weeks"].iloc[0] == 0
    # history of the 2nd episode is all QE: both lags fit it, the first grid point wins
    assert res.choices["params"].iloc[1] == {"lag": 2}
    assert res.choices["params"].iloc[2] == {"lag": 0}  # the week-20 change tells them apart
    first = res.choices["end"].iloc[0]
    pd.testing.assert_series_equal(res.labels.loc[:first], fit({}).loc[:first].rename("regime"))


def test_bad_protocol_and_empty_grid() -> None:
    cal, fit = setup()
    with pytest.raises(ParameterError, match="protocol must be 'loeo' or 'walk_forward'"):
        out_of_sample(fit, {"lag": [1]}, cal, "kfold")

    def broken(params: dict[str, Any]) -> pd.Series:
        raise ParameterError("bad")

    with pytest.raises(ParameterError, match="No grid point could be fitted"):
        out_of_sample(broken, {"lag": [1]}, cal)
