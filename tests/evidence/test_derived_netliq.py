"""Net liquidity's parts as derived series: units, 4- and 13-week changes by component."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest.data.catalog import get_spec
from backtest.data.derived import NETLIQ_PARTS, netliq_part_change, rrp_millions, weeks_change
from backtest.data.panel import build_panel
from backtest.data.store import DataStore


def test_weeks_change_by_hand() -> None:
    idx = pd.DatetimeIndex(["2024-01-03", "2024-01-10", "2024-01-17", "2024-01-31",
                            "2024-02-01"])
    x = pd.Series([10.0, 12.0, np.nan, 20.0, 21.0], index=idx)
    out = weeks_change(x, 2)
    # 01-17 - 2 weeks = 01-03 (10): NaN - 10; 01-31 - 2w = 01-17 (missing) -> 01-10 (12)
    assert np.isnan(out.iloc[0]) and np.isnan(out.iloc[1]) and np.isnan(out.iloc[2])
    assert out.iloc[3] == pytest.approx(8.0)
    assert out.iloc[4] == pytest.approx(9.0)  # 02-01 - 2w = 01-18 -> 01-10 (12)


def test_parts_add_up_by_hand() -> None:
    idx = pd.date_range("2024-01-03", periods=6, freq="7D")
    walcl = pd.Series([100.0, 98.0, 96.0, 94.0, 92.0, 90.0], index=idx)  # -2 a week
    tga = pd.Series([10.0, 11.0, 12.0, 13.0, 14.0, 15.0], index=idx)  # +1 a week
    rrp = pd.Series([0.005, 0.004, 0.003, 0.002, 0.001, np.nan], index=idx)  # USD bn
    parts = {p: netliq_part_change(walcl, tga, rrp, p, 4) for p in ("total", "walcl", "tga",
                                                                     "rrp")}
    assert parts["walcl"].iloc[4] == pytest.approx(-8.0)
    assert parts["tga"].iloc[4] == pytest.approx(-4.0)
    assert parts["rrp"].iloc[4] == pytest.approx(4.0)  # RRP fell USD 4 mn: +4
    assert parts["total"].iloc[4] == pytest.approx(-8.0)
    assert parts["rrp"].iloc[5] == pytest.approx(4.0)  # missing RRP counts as zero
    assert rrp_millions(rrp).iloc[0] == pytest.approx(5.0)


def test_catalog_registers_every_part() -> None:
    assert set(NETLIQ_PARTS) == {f"NETLIQ_{p}_{w}W" for p in ("TOTAL", "WALCL", "TGA", "RRP")
                                 for w in (4, 13)}
    for sid in (*NETLIQ_PARTS, "RRP_MN"):
        spec = get_spec(sid)
        assert spec.source == "derived" and spec.units == "USD millions"


@pytest.mark.snapshot
def test_real_13_week_parts_match_the_csv_files(snapshot_store: DataStore,
                                                snapshot_dir: Path) -> None:
    ids = [f"NETLIQ_{p}_13W" for p in ("TOTAL", "WALCL", "TGA", "RRP")]
    panel = build_panel(ids, start="2022-01-03", end="2024-12-31", asof="observation",
                        store=snapshot_store, on_stale="ignore")
    day = pd.Timestamp("2023-06-07")  # a Wednesday well inside QT2
    row = panel.loc[day]
    assert row[ids[1:]].sum() == pytest.approx(row[ids[0]])

    def change(sid: str, scale: float) -> float:
        f = pd.read_csv(snapshot_dir / "fred" / f"{sid}.csv", index_col=0,
                        parse_dates=True)[sid].dropna()
        return scale * float(f.loc[:day].iloc[-1] - f.loc[:day - pd.Timedelta(weeks=13)].iloc[-1])

    assert row["NETLIQ_WALCL_13W"] == pytest.approx(change("WALCL", 1.0))
    assert row["NETLIQ_TGA_13W"] == pytest.approx(change("WTREGEN", -1.0))
    assert row["NETLIQ_RRP_13W"] == pytest.approx(change("RRPONTSYD", -1000.0))
