"""EngineConfig validation and run_backtest input errors: messages that teach."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from backtest.engine import EngineConfig, run_backtest
from backtest.exceptions import ParameterError
from tests.engine.helpers import no_targets, prices, sessions

IDX = sessions("2024-01-02", 5)
CLOSE = prices(IDX, {"A": [10.0, 11.0, 12.0, 13.0, 14.0], "B": [20.0, 21.0, 22.0, 23.0, 24.0]})


def _targets(weights: list[float], row: int = 1) -> pd.DataFrame:
    t = no_targets(CLOSE)
    t.iloc[row] = weights
    return t


def test_defaults_and_to_dict() -> None:
    cfg = EngineConfig()
    assert cfg.to_dict() == {
        "execution": "close",
        "rebalance": "monthly",
        "drift_threshold": 0.05,
        "costs_bps": 2.0,
        "slippage_bps": 0.0,
        "borrow_bps": 0.0,
        "max_gross_leverage": 1.0,
        "init_cash": 1_000_000.0,
    }
    assert isinstance(EngineConfig(costs_bps=5).to_dict()["costs_bps"], float)


def test_config_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        EngineConfig().costs_bps = 3.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rebalance": "yearly"}, r"rebalance must be one of 'daily', .*; got 'yearly'"),
        ({"execution": "vwap"}, r"execution must be one of 'close', 'open'; got 'vwap'"),
        ({"costs_bps": -1.0}, r"costs_bps must be a finite number of basis points >= 0; got -1\.0"),
        ({"slippage_bps": float("nan")}, r"slippage_bps .*>= 0; got nan"),
        ({"borrow_bps": "5"}, r"borrow_bps .*; got '5'"),
        ({"drift_threshold": 0.0}, r"drift_threshold must be a finite number > 0.*; got 0\.0"),
        ({"max_gross_leverage": -2.0}, r"max_gross_leverage must be .*> 0.*; got -2\.0"),
        ({"init_cash": 0}, r"init_cash must be a finite amount > 0; got 0"),
        ({"costs_bps": True}, r"costs_bps .*; got True"),
    ],
)
def test_bad_config_values(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        EngineConfig(**kwargs)  # type: ignore[arg-type]


def test_target_on_asset_without_price_names_asset_and_date() -> None:
    close = CLOSE.copy()
    close.iloc[:3, 1] = np.nan  # B first priced on day 4
    with pytest.raises(
        ParameterError,
        match=r"0\.5 on 'B' decided on 2024-01-03 executes on 2024-01-04, where 'B' has no close",
    ):
        run_backtest(_targets([0.5, 0.5]), close, EngineConfig())


def test_open_execution_without_an_open_price() -> None:
    open_ = CLOSE.copy()
    open_.iloc[2, 0] = np.nan
    cfg = EngineConfig(execution="open")
    with pytest.raises(ParameterError, match=r"'A' decided on 2024-01-03 .* has no open price"):
        run_backtest(_targets([1.0, 0.0]), CLOSE, cfg, open_=open_)
    with pytest.raises(ParameterError, match=r"execution='open' needs open prices"):
        run_backtest(_targets([1.0, 0.0]), CLOSE, cfg)


def test_price_gap_and_bad_prices() -> None:
    close = CLOSE.copy()
    close.iloc[3, 0] = np.nan
    with pytest.raises(ParameterError, match=r"close for 'A' is missing on 2024-01-05"):
        run_backtest(_targets([1.0, 0.0]), close, EngineConfig())
    close = CLOSE.copy()
    close.iloc[2, 1] = -1.0
    with pytest.raises(ParameterError, match=r"close for 'B' on 2024-01-04 is -1\.0"):
        run_backtest(_targets([1.0, 0.0]), close, EngineConfig())


def test_mismatched_inputs() -> None:
    with pytest.raises(ParameterError, match=r"same sessions .*first difference 2024-01-08"):
        run_backtest(_targets([1.0, 0.0]), CLOSE.iloc[:4], EngineConfig())
    with pytest.raises(ParameterError, match=r"no column for target asset\(s\) \['B'\]"):
        run_backtest(_targets([1.0, 0.0]), CLOSE[["A"]], EngineConfig())
    t = _targets([1.0, 0.0]).rename(columns={"B": "cash"})
    with pytest.raises(ParameterError, match="column named 'cash'"):
        run_backtest(t, CLOSE.rename(columns={"B": "cash"}), EngineConfig())
    with pytest.raises(ParameterError, match=r"targets for 'A' on 2024-01-03 is infinite"):
        run_backtest(_targets([np.inf, 0.0]), CLOSE, EngineConfig())
    with pytest.raises(ParameterError, match="targets must be a pandas DataFrame"):
        run_backtest(CLOSE["A"], CLOSE, EngineConfig())  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="config must be an EngineConfig; got dict"):
        run_backtest(_targets([1.0, 0.0]), CLOSE, {})  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="duplicate session 2024-01-03"):
        run_backtest(_targets([1.0, 0.0]).iloc[[0, 1, 1]], CLOSE, EngineConfig())


def test_regime_change_without_labels() -> None:
    with pytest.raises(ParameterError, match=r"regime_change.*regimes="):
        run_backtest(_targets([1.0, 0.0]), CLOSE, EngineConfig(rebalance="regime_change"))


def test_cash_rate_must_cover_every_session_after_the_first() -> None:
    rate = pd.Series(0.0001, index=IDX).drop(IDX[3])
    with pytest.raises(ParameterError, match=r"cash_rate has no finite value on 2024-01-05"):
        run_backtest(_targets([1.0, 0.0]), CLOSE, EngineConfig(), cash_rate=rate)
    # the first session's rate is never used
    first_missing = pd.Series(0.0001, index=IDX).drop(IDX[0])
    run_backtest(_targets([1.0, 0.0]), CLOSE, EngineConfig(), cash_rate=first_missing)
