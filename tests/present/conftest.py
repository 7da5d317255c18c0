"""A synthetic snapshot for ``now``: every core input, GDP ending early, TLT ending early."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from backtest.data.store import DataStore
from tests.conftest import MakeSnapshot

WEDS = pd.date_range("2024-01-03", "2024-06-26", freq="W-WED")  # 26 H.4.1 weeks, k = 0..25
DAYS = pd.bdate_range("2024-01-02", "2024-06-28")


def synthetic_series() -> dict[str, pd.Series]:
    """Levels chosen so every figure of ``now`` on 2024-06-28 is checkable by hand."""
    k = pd.Series(range(len(WEDS)), index=WEDS, dtype="float64")
    rrp = pd.Series([100.0 if d < pd.Timestamp("2024-06-01") else 50.5 for d in DAYS], index=DAYS)
    flat = pd.Series(1.0, index=DAYS)
    px = pd.Series(100.0 + pd.RangeIndex(len(DAYS)).to_numpy() * 0.1, index=DAYS)
    return {
        "WALCL": 7_000_000 + 1000 * k, "WTREGEN": 800_000 + 500 * k, "WRESBAL": 3_000_000 + 100 * k,
        "WSHOSHO": 5_000_000 - 20_000 * k,
        "RRPONTSYD": rrp, "SOFR": 5.31 * flat, "EFFR": 5.33 * flat, "IORB": 5.40 * flat,
        "DFEDTARU": 5.50 * flat,
        "IOER": pd.Series([0.15, 0.15], index=pd.DatetimeIndex(["2021-07-27", "2021-07-28"])),
        "GDP": pd.Series([27_000.0, 27_500.0, 28_000.0],
                         index=pd.DatetimeIndex(["2023-01-01", "2023-04-01", "2023-07-01"])),
        "SPY": px, "TLT": px.loc[:"2024-05-31"],
    }


@pytest.fixture
def synthetic_dir(make_snapshot: MakeSnapshot, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The synthetic snapshot folder; strategies come from ``tests.present.fake_strategies``.

    The module is added to the registry (names resolve), and ``now``'s default list is
    limited to it: the shipped strategies trade assets this snapshot does not hold.
    """
    from tests.present import fake_strategies

    monkeypatch.setenv("QTBT_STRATEGY_MODULES", "tests.present.fake_strategies")
    monkeypatch.setattr("backtest.present.targets.load_registry",
                        lambda *args, **kwargs: dict(fake_strategies.REGISTRY))
    return make_snapshot(synthetic_series())


@pytest.fixture
def synthetic_store(synthetic_dir: Path) -> DataStore:
    return DataStore(data_dir=synthetic_dir, cache_dir=synthetic_dir / "__never__", offline=True)
