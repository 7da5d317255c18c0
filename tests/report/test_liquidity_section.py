"""Net liquidity's parts in every run: the metrics block, the report section, hand-checked cases."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest.metrics.liquidity import decompose
from backtest.report.netliq_chart import liquidity_section_html


def _panel(idx: pd.DatetimeIndex) -> pd.DataFrame:
    # WALCL and WTREGEN in USD millions, RRPONTSYD in USD billions
    return pd.DataFrame({"WALCL": [9000e3, 9000e3, 8800e3, 8500e3, 8500e3, 8400e3],
                         "WTREGEN": [700e3, 700e3, 650e3, 800e3, 800e3, 800e3],
                         "RRPONTSYD": [np.nan, 500.0, 400.0, 100.0, 100.0, 100.0]}, index=idx)


def test_decompose_by_hand() -> None:
    idx = pd.bdate_range("2024-01-01", periods=6)
    labels = pd.Series(["neutral", "QT", "QT", "QT", "neutral", "QT"], index=idx)
    df = decompose(_panel(idx), labels)
    # first QT episode: from the close before it (day 0) to its last session (day 3)
    first = df.iloc[0]
    assert first["start"] == idx[0] and first["end"] == idx[3] and first["days"] == 3
    assert first["walcl_change"] == pytest.approx(-500.0)        # 8500 - 9000 bn
    assert first["tga_contribution"] == pytest.approx(-100.0)    # -(800 - 700)
    assert first["rrp_contribution"] == pytest.approx(-100.0)    # -(100 - 0): missing RRP is 0
    assert first["netliq_change"] == pytest.approx(-700.0)
    assert first["offset_share"] == pytest.approx(-0.4)          # (-700 + 500) / 500
    # the second episode is one session long: day 4 close to day 5 close
    second = df.iloc[1]
    assert second["walcl_change"] == pytest.approx(-100.0) and second["days"] == 1


def test_section_explains_old_or_missing_data() -> None:
    assert "before the net-liquidity decomposition" in liquidity_section_html({})
    assert "WALCL is gone" in liquidity_section_html({"liquidity": {"unavailable":
                                                                    "WALCL is gone"}})
    assert "No QT episode" in liquidity_section_html({"liquidity": {"regime": "QT",
                                                                    "episodes": []}})


def test_real_run_splits_qt2_like_the_data(real_runs: tuple[Path, Path],
                                           snapshot_dir: Path) -> None:
    full = real_runs[0]
    block = json.loads((full / "metrics.json").read_text())["liquidity"]
    qt2 = next(e for e in block["episodes"] if e["start"].startswith("2022"))
    # independently: the FRED CSVs at the episode's first and last dates, carried forward
    fred = snapshot_dir / "fred"

    def level(sid: str, day: str) -> float:
        s = pd.read_csv(fred / f"{sid}.csv", index_col=0, parse_dates=True).iloc[:, 0]
        return float(pd.to_numeric(s, errors="coerce").dropna().loc[:day].iloc[-1])

    a, z = qt2["start"], qt2["end"]
    walcl = (level("WALCL", z) - level("WALCL", a)) / 1000
    tga = -(level("WTREGEN", z) - level("WTREGEN", a)) / 1000
    rrp = -(level("RRPONTSYD", z) - level("RRPONTSYD", a))
    assert qt2["walcl_change"] == pytest.approx(walcl, abs=1e-6)
    assert qt2["tga_contribution"] == pytest.approx(tga, abs=1e-6)
    assert qt2["rrp_contribution"] == pytest.approx(rrp, abs=1e-6)
    assert qt2["walcl_change"] < -1500 and qt2["rrp_contribution"] > 1400  # the RRP offset
    html = (full / "report.html").read_text()
    assert 'id="liquidity"' in html and "fig-liquidity" in html
    manifest = json.loads((full / "manifest.json").read_text())
    assert {"WALCL", "WTREGEN", "RRPONTSYD"} <= set(manifest["data"])
