"""The factor block a run writes into metrics.json (real snapshot, and without factors)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from backtest.data.store import DataStore
from backtest.runner import RunConfig, run
from backtest.runner.factors import run_factors


def test_value_tilt_loads_on_hml_under_qt(snapshot_store: DataStore) -> None:
    out = run(RunConfig("value_tilt", start="2015-01-02", end="2024-12-31"), snapshot_store)
    block = out.metrics["factors"]
    assert block["model"] == "FF5_DAILY" and block["factors"] == ["Mkt-RF", "SMB", "HML",
                                                                   "RMW", "CMA"]
    qt = block["by_regime"]["QT"]
    lo, hi = qt["beta_ci95"]["HML"]
    assert 0.0 < lo < qt["beta"]["HML"] < hi  # tilted to value under QT: a positive loading
    assert block["overall"]["beta"]["Mkt-RF"] > 0.8  # a fully invested equity book
    assert qt["days"] == out.metrics["by_regime"]["QT"]["days"]
    assert "FF5_DAILY" in out.provenance  # the factors read are recorded in the manifest
    assert block["end"] <= "2024-12-31"


def test_no_factor_data_says_why(tmp_path: Path) -> None:
    idx = pd.bdate_range("2020-01-01", periods=100)
    ret = pd.Series(np.full(100, 0.001), index=idx)
    block, prov = run_factors(ret, pd.Series("QT", index=idx), DataStore(data_dir=tmp_path))
    assert set(block) == {"unavailable"} and "FF5_DAILY" in block["unavailable"]
    assert prov == {}
