"""SweepConfig and WalkForwardConfig: frozen, hashable, every field checked."""

from __future__ import annotations

import pytest

from backtest.exceptions import ParameterError
from backtest.sweep import SweepConfig, WalkForwardConfig


def test_hashable_with_a_grid() -> None:
    a = SweepConfig(grid={"qt_tilt": [0.2, 0.6]}, n_splits=8,
                    walkforward=WalkForwardConfig(24, 12, ["QT"]))
    b = SweepConfig(grid={"qt_tilt": (0.2, 0.6)}, n_splits=8,
                    walkforward=WalkForwardConfig(24, 12, ("QT",)))
    assert a == b and hash(a) == hash(b)
    assert a.grid["qt_tilt"] == (0.2, 0.6) and a.walkforward is not None
    assert a.walkforward.regimes == ("QT",)
    assert a.segments_by_month and not SweepConfig().segments_by_month


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_splits": 3}, r"--splits must be an even number >= 2, got 3\."),
    ({"n_splits": 22}, r"n_splits \(--splits\) must be a whole number from 2 to 20; got 22"),
    ({"n_splits": 0}, "from 2 to 20"),
    ({"chunk_size": 0}, r"chunk_size \(--chunk-size\) must be a whole number from 1 to "
                        r"10,000,000, or None; got 0"),
    ({"max_memory": -5}, r"max_memory \(bytes\) must be a whole number from 1 or more"),
    ({"workers": 0}, r"workers \(--workers\) must be"),
    ({"executor": "spark"}, "must be local or dask, got 'spark'"),
    ({"scheduler_timeout": 0.0}, "seconds above 0 and at most 3600"),
    ({"scheduler_timeout": float("nan")}, "seconds above 0"),
    ({"grid": "qt_tilt=0.2"}, "grid must map parameter names to values"),
    ({"grid": {"qt_tilt": "0.2,0.6"}}, r"grid\['qt_tilt'\] must be a sequence of values"),
    ({"walkforward": {"train_months": 12}}, "walkforward must be a WalkForwardConfig"),
])
def test_bad_sweep_settings(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        SweepConfig(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"train_months": 0}, r"train_months \(--train-months\) must be a whole number from 1 to "
                          r"600; got 0"),
    ({"test_months": 601}, r"test_months \(--test-months\) must be"),
    ({"min_sessions": 99999}, r"min_sessions \(--min-sessions\) must be .* 1 to 2,520"),
    ({"regimes": "QT"}, r"regimes must be a tuple of regime labels, e.g. \('QT',\)"),
    ({"regimes": ("QT", "QTT")}, r"--regimes \['QTT'\] unknown; choose from QE"),
])
def test_bad_walkforward_settings(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        WalkForwardConfig(**kwargs)  # type: ignore[arg-type]
