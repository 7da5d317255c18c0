"""Point-in-time panel on tiny synthetic snapshots whose answers are checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest.data.panel import build_panel
from backtest.data.store import DataStore
from backtest.exceptions import (
    DataFormatError,
    EmptyRangeError,
    StaleSeriesWarning,
    UnknownSeriesError,
)
from tests.conftest import MakeSnapshot


def weekly(values: list[float], start: str = "2022-03-30") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="W-WED"))


def test_weekly_h41_appears_after_release(make_snapshot: MakeSnapshot) -> None:
    root = make_snapshot({"WALCL": weekly([1.0, 2.0, 3.0, 4.0])})  # 03-30, 04-06, 04-13, 04-20
    panel = build_panel(["WALCL"], start="2022-04-01", end="2022-04-26", store=DataStore(root))
    got = panel["WALCL"]
    # 03-30 level known Fri 04-01; 04-06 known Fri 04-08; 04-13 known Mon 04-18 (Good Friday)
    assert got.loc["2022-04-01"] == 1.0
    assert got.loc["2022-04-07"] == 1.0
    assert got.loc["2022-04-08"] == 2.0
    assert got.loc["2022-04-14"] == 2.0
    assert pd.Timestamp("2022-04-15") not in got.index  # Good Friday is no session
    assert got.loc["2022-04-18"] == 3.0
    assert got.loc["2022-04-22"] == 4.0


def test_observation_view_has_no_lag(make_snapshot: MakeSnapshot) -> None:
    root = make_snapshot({"WALCL": weekly([1.0, 2.0, 3.0, 4.0])})
    panel = build_panel(["WALCL"], start="2022-04-01", end="2022-04-26", store=DataStore(root),
                        asof="observation")
    assert panel["WALCL"].loc["2022-04-06"] == 2.0
    assert panel["WALCL"].loc["2022-04-13"] == 3.0


def test_net_liquidity_by_hand(make_snapshot: MakeSnapshot) -> None:
    days = pd.bdate_range("2022-04-04", "2022-04-08")
    root = make_snapshot({
        "WALCL": weekly([100.0, 110.0], start="2022-03-30"),
        "WTREGEN": weekly([10.0, 20.0], start="2022-03-30"),
        "RRPONTSYD": pd.Series([0.001, 0.002, 0.003, 0.004, 0.005], index=days),
    })
    p = build_panel(["NETLIQ"], start="2022-04-04", end="2022-04-08", store=DataStore(root))
    # Mon-Thu: WALCL 100, TGA 10 (03-30 levels); Fri 04-08: 110 and 20 (04-06 levels)
    expected = [100 - 10 - 1, 100 - 10 - 2, 100 - 10 - 3, 100 - 10 - 4, 110 - 20 - 5]
    np.testing.assert_allclose(p["NETLIQ"].to_numpy(), expected)


def test_funding_spread_splices_ioer_and_iorb(make_snapshot: MakeSnapshot) -> None:
    cal = pd.date_range("2021-07-20", "2021-08-01", freq="D")
    root = make_snapshot({
        "IOER": pd.Series(0.15, index=cal[cal <= "2021-07-28"]),
        "IORB": pd.Series(0.15, index=cal[cal >= "2021-07-29"]) + 0.01,
        "SOFR": pd.Series(0.05, index=pd.bdate_range("2021-07-23", "2021-07-30")),
    })
    p = build_panel(["SOFR_IORB", "IORB_IOER"], start="2021-07-26", end="2021-08-02",
                    store=DataStore(root), on_stale="ignore")
    assert p["IORB_IOER"].loc["2021-07-28"] == pytest.approx(0.15)
    assert p["IORB_IOER"].loc["2021-07-29"] == pytest.approx(0.16)
    # SOFR of Fri 07-23 is published Mon 07-26: spread against 07-23's IOER
    assert p["SOFR_IORB"].loc["2021-07-26"] == pytest.approx(-0.10)
    # 07-29's SOFR (published 07-30) is set against 07-29's IORB, not a day later
    assert p["SOFR_IORB"].loc["2021-07-29"] == pytest.approx(0.05 - 0.15)
    assert p["SOFR_IORB"].loc["2021-07-30"] == pytest.approx(0.05 - 0.16)


def test_spread_has_no_spike_on_a_rate_change_day(make_snapshot: MakeSnapshot) -> None:
    # 2024-09-18 cut: IORB 5.40 -> 4.90 from Thu 09-19; EFFR 5.33 -> 4.83 from 09-19,
    # published the next morning. Same-date alignment keeps the spread at -7 bp throughout.
    cal = pd.date_range("2024-09-09", "2024-09-27", freq="D")
    days = pd.bdate_range("2024-09-09", "2024-09-27")
    iorb = pd.Series(np.where(cal < "2024-09-19", 5.40, 4.90), index=cal)
    effr = pd.Series(np.where(days < "2024-09-19", 5.33, 4.83), index=days)
    root = make_snapshot({"IORB": iorb, "IOER": pd.Series([0.15], index=[pd.Timestamp(
        "2021-07-28")]), "EFFR": effr})
    p = build_panel(["EFFR_IORB", "EFFR", "IORB"], start="2024-09-16", end="2024-09-24",
                    store=DataStore(root), on_stale="ignore")
    np.testing.assert_allclose(p["EFFR_IORB"].to_numpy(), -0.07, atol=1e-12)
    # the raw columns do move a day apart: the naive difference would spike by +50 bp
    naive = p["EFFR"] - p["IORB"]
    assert naive.loc["2024-09-19"] == pytest.approx(5.33 - 4.90)


def test_gaps_carry_last_known_value(make_snapshot: MakeSnapshot) -> None:
    s = pd.Series([1.0, np.nan, 3.0], index=pd.to_datetime(["2022-01-03", "2022-01-04",
                                                              "2022-01-06"]))
    root = make_snapshot({"DGS10": s})
    p = build_panel(["DGS10"], start="2022-01-03", end="2022-01-06", store=DataStore(root))
    assert p["DGS10"].tolist() == [1.0, 1.0, 1.0, 3.0]


def test_unknown_series_lists_close_matches(make_snapshot: MakeSnapshot) -> None:
    root = make_snapshot({"DGS10": weekly([1.0])})
    with pytest.raises(UnknownSeriesError, match=r"'WALC'.*Did you mean: WALCL"):
        build_panel(["WALC"], store=DataStore(root))


def test_empty_range_is_explained(make_snapshot: MakeSnapshot) -> None:
    root = make_snapshot({"DGS10": weekly([1.0, 2.0])})
    with pytest.raises(EmptyRangeError, match="No NYSE session"):
        build_panel(["DGS10"], start="2022-04-16", end="2022-04-17", store=DataStore(root))
    with pytest.raises(EmptyRangeError, match="No data for DGS10"):
        build_panel(["DGS10"], start="2001-01-01", end="2001-02-01", store=DataStore(root))
    with pytest.raises(EmptyRangeError, match="after end"):
        build_panel(["DGS10"], start="2022-05-01", end="2022-04-01", store=DataStore(root))


def test_series_ending_early_warns_and_names_it(make_snapshot: MakeSnapshot) -> None:
    root = make_snapshot({"DGS10": weekly([1.0, 2.0])})
    with pytest.warns(StaleSeriesWarning, match=r"DGS10 \(last known 2022-04-06\)"):
        p = build_panel(["DGS10"], start="2022-04-01", end="2022-06-30", store=DataStore(root))
    assert p["DGS10"].iloc[-1] == 2.0
    with pytest.raises(EmptyRangeError, match="carried forward"):
        build_panel(["DGS10"], start="2022-04-01", end="2022-06-30", store=DataStore(root),
                    on_stale="raise")


def test_malformed_csv_names_file_and_line(make_snapshot: MakeSnapshot) -> None:
    root = make_snapshot({"DGS10": weekly([1.0, 2.0, 3.0])})
    path = root / "fred" / "DGS10.csv"
    lines = path.read_text().splitlines()
    lines[2] = "2022-04-06,1.2.3"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFormatError, match=r"DGS10.csv, line 3: value '1.2.3'"):
        build_panel(["DGS10"], store=DataStore(root))
    lines[2] = "2022-13-06,1.0"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFormatError, match=r"line 3: date '2022-13-06'"):
        build_panel(["DGS10"], store=DataStore(root))
