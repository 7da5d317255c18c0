"""The panel on the real snapshot: known facts, a holiday, gaps, and truncation invariance."""

from __future__ import annotations

import warnings

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.data.panel import build_panel
from backtest.data.store import DataStore

SERIES = ["WALCL", "WSHOSHO", "RRPONTSYD", "SOFR", "DGS10", "GDP", "SPY", "NETLIQ",
          "SOFR_IORB", "T2S10S", "FF3_DAILY.HML"]


def test_walcl_peak_first_known_after_good_friday(snapshot_store: DataStore) -> None:
    p = build_panel(["WALCL"], start="2022-04-11", end="2022-04-22", store=snapshot_store)
    w = p["WALCL"]
    assert w.loc["2022-04-14"] == 8_937_592  # still the 04-06 level on release day
    assert pd.Timestamp("2022-04-15") not in w.index  # Good Friday
    assert w.loc["2022-04-18"] == 8_965_487  # the 2022-04-13 peak
    assert w.max() == 8_965_487


def test_holiday_rows_absent_and_gap_filled(snapshot_store: DataStore) -> None:
    # Juneteenth 2023-06-19 (Mon): NYSE closed; DGS10 has no row for it either
    p = build_panel(["DGS10", "SOFR"], start="2023-06-15", end="2023-06-21", store=snapshot_store)
    assert pd.Timestamp("2023-06-19") not in p.index
    raw = snapshot_store.load("DGS10").data["DGS10"]
    assert p["DGS10"].loc["2023-06-20"] == raw.loc["2023-06-20"]
    # SOFR of Fri 06-16 is published Tue 06-20 (Fed closed Mon): 06-20 shows 06-16's rate
    sofr = snapshot_store.load("SOFR").data["SOFR"]
    assert p["SOFR"].loc["2023-06-20"] == sofr.loc["2023-06-16"]


def test_rrp_series_with_gaps(snapshot_store: DataStore) -> None:
    raw = snapshot_store.load("RRPONTSYD").data["RRPONTSYD"]
    assert raw.index.to_series().diff().max() > pd.Timedelta(days=300)  # long 2000s gaps
    p = build_panel(["RRPONTSYD"], start="2005-01-03", end="2005-12-30", store=snapshot_store)
    assert p["RRPONTSYD"].notna().all()


def test_netliq_matches_formula_on_real_data(snapshot_store: DataStore) -> None:
    p = build_panel(["WALCL", "WTREGEN", "RRPONTSYD", "NETLIQ"], start="2022-12-28",
                    end="2023-01-06", store=snapshot_store)
    expected = p["WALCL"] - p["WTREGEN"] - p["RRPONTSYD"] * 1000
    pd.testing.assert_series_equal(p["NETLIQ"], expected, check_names=False)


def _panel(store: DataStore, end: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_panel(SERIES, start="2017-01-01", end=end, store=store)


@settings(max_examples=25, deadline=None)
@given(cut=st.dates(min_value=pd.Timestamp("2018-01-01").date(),
                    max_value=pd.Timestamp("2026-04-30").date()))
def test_truncating_data_never_changes_the_past(snapshot_store: DataStore, cut: object) -> None:
    cutoff = pd.Timestamp(cut)  # type: ignore[arg-type]
    full = _panel(snapshot_store, "2026-05-01")
    part = _panel(snapshot_store.truncated(cutoff), str(cutoff.date()))
    pd.testing.assert_frame_equal(part, full.loc[: cutoff], check_freq=False)
