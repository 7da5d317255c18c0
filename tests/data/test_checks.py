"""Bad data is an error naming file, line and value; gaps and unverified files are warned."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest.data.catalog import get_spec
from backtest.data.checks import KNOWN_GAPS, MAX_GAP_DAYS, check_series, find_gaps
from backtest.data.panel import build_panel
from backtest.data.store import DataStore
from backtest.exceptions import (
    ChecksumMismatchWarning,
    DataFormatError,
    DataGapWarning,
    UnverifiedDataWarning,
)
from tests.conftest import MakeSnapshot, write_manifest

DAYS = pd.bdate_range("2018-05-01", periods=30)


def prices(adj: np.ndarray | None = None, close: np.ndarray | None = None) -> pd.DataFrame:
    """OHLCV with Close rising 0.1 %/day and Adj Close a dividend-adjusted 0.98..1.0 of it."""
    c = 270.0 * 1.001 ** np.arange(len(DAYS)) if close is None else close
    a = c * np.linspace(0.98, 1.0, len(DAYS)) if adj is None else adj
    return pd.DataFrame({"Open": c, "High": c * 1.01, "Low": c * 0.99, "Close": c,
                         "Adj Close": a, "Volume": 1e6}, index=DAYS)


def edit_line(path: Path, line: int, text: str | None) -> None:
    """Replace (or with None delete) 1-based ``line`` of ``path``, then re-sign the manifest."""
    lines = path.read_text().splitlines()
    if text is None:
        del lines[line - 1]
    else:
        lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n")
    write_manifest(path.parent)


def load(root: Path, sid: str) -> pd.DataFrame:
    return DataStore(root).load(sid).data


def test_a_1e308_adj_close_names_file_line_and_value(make_snapshot: MakeSnapshot) -> None:
    root = make_snapshot({"SPY": prices()})
    path = root / "yahoo" / "SPY.csv"
    row = path.read_text().splitlines()[10].split(",")
    row[5] = "1e308"
    edit_line(path, 11, ",".join(row))
    with pytest.raises(DataFormatError) as err:
        load(root, "SPY")
    msg = str(err.value)
    assert f"{path}, line 11 ({row[0]}): Adj Close 1e+308" in msg
    assert "x4" in msg and "Fix or delete that line" in msg


@pytest.mark.parametrize(("column", "value", "needle"), [
    ("Close", "inf", "Close inf is not a plausible value; it must be finite and positive"),
    ("Adj Close", "-5", "Adj Close -5.0 is not a plausible value"),
    ("Open", "0", "Open 0.0 is not a plausible value"),
    ("Volume", "-1", "Volume -1.0 is not a plausible value; it must be finite and not neg"),
    ("High", "5000", "High 5000.0 is"),
    ("Close", "27.5", "Close 27.5 is 0.1"),
])
def test_implausible_prices(make_snapshot: MakeSnapshot, column: str, value: str,
                            needle: str) -> None:
    root = make_snapshot({"SPY": prices()})
    path = root / "yahoo" / "SPY.csv"
    header = path.read_text().splitlines()[0].split(",")
    row = path.read_text().splitlines()[6].split(",")
    row[header.index(column)] = value
    edit_line(path, 7, ",".join(row))
    with pytest.raises(DataFormatError, match="line 7") as err:
        load(root, "SPY")
    assert needle in str(err.value)


def test_swapped_close_and_adj_close_headers(make_snapshot: MakeSnapshot) -> None:
    root = make_snapshot({"SPY": prices()})
    path = root / "yahoo" / "SPY.csv"
    lines = path.read_text().splitlines()
    lines[0] = "Date,Open,High,Low,Adj Close,Close,Volume"
    path.write_text("\n".join(lines) + "\n")
    write_manifest(path.parent)
    with pytest.raises(DataFormatError, match="headers swapped") as err:
        load(root, "SPY")
    assert "Adj Close exceeds Close on 93% of rows" in str(err.value)


def test_adj_equal_to_close_passes(make_snapshot: MakeSnapshot) -> None:
    p = prices()
    p["Adj Close"] = p["Close"]  # a fund that pays nothing (FXE, FXY, UUP, GLD)
    root = make_snapshot({"SPY": p})
    assert len(load(root, "SPY")) == len(DAYS)


@pytest.mark.snapshot
def test_every_real_file_passes_the_checks(snapshot_dir: Path) -> None:
    """No check trips on the real snapshot: values, adjustment, gaps, manifests."""
    store = DataStore(snapshot_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for spec in store.available():
            store.load(spec)
    assert len(store.provenance()) >= 80


@pytest.mark.snapshot
def test_known_gaps_are_exempt_and_would_trip_otherwise(snapshot_store: DataStore) -> None:
    spec = get_spec("RRPONTSYD")
    data = snapshot_store.load(spec).data["RRPONTSYD"]
    assert find_gaps(data, spec) == []
    early = data[data.index < pd.Timestamp(KNOWN_GAPS["RRPONTSYD"][0])]
    days = np.diff(early.index.asi8) // 86_400_000_000_000
    assert days.max() > MAX_GAP_DAYS["daily"]  # the exemption is needed


def test_two_year_hole_in_walcl_is_a_warning_naming_the_gap(make_snapshot: MakeSnapshot) -> None:
    weeks = pd.date_range("2015-01-07", "2022-12-28", freq="7D")
    keep = (weeks < "2018-01-01") | (weeks > "2019-12-31")
    root = make_snapshot({"WALCL": pd.Series(4e6, index=weeks[keep])})
    with pytest.warns(DataGapWarning) as rec:
        load(root, "WALCL")
    msg = str(rec[0].message)
    assert "WALCL" in msg and "2017-12-27 to 2020-01-01 (735 days)" in msg
    assert "weekly series allows (21 days)" in msg


def test_regular_holiday_gaps_do_not_warn() -> None:
    spec = get_spec("DGS10")
    days = pd.bdate_range("2020-01-01", "2020-12-31")
    assert find_gaps(pd.Series(1.0, index=days.delete([5, 6, 7, 8, 9])), spec) == []
    assert len(find_gaps(pd.Series(1.0, index=days.delete(range(5, 20))), spec)) == 1


@pytest.mark.parametrize(("sid", "value", "needle"), [
    ("DGS10", "inf", "DGS10 inf is not plausible for a FRED value"),
    ("DGS10", "1e308", "DGS10 1e+308 is not plausible"),
    ("WALCL", "-2e13", "WALCL -20000000000000.0 is not plausible"),
])
def test_implausible_fred_values(make_snapshot: MakeSnapshot, sid: str, value: str,
                                 needle: str) -> None:
    days = pd.bdate_range("2022-01-03", periods=10) if sid == "DGS10" \
        else pd.date_range("2022-01-05", periods=10, freq="7D")
    root = make_snapshot({sid: pd.Series(2.0, index=days)})
    path = root / "fred" / f"{sid}.csv"
    edit_line(path, 5, f"{days[3]:%Y-%m-%d},{value}")
    with pytest.raises(DataFormatError, match=f"{sid}.csv, line 5") as err:
        load(root, sid)
    assert needle in str(err.value)


def test_french_factor_bound() -> None:
    spec = get_spec("FF3_DAILY")
    frame = pd.DataFrame({"Mkt-RF": [0.5, 250.0], "SMB": 0.1, "HML": 0.1, "RF": 0.01},
                         index=pd.to_datetime(["2022-01-03", "2022-01-04"]))
    with pytest.raises(DataFormatError, match=r"x\.csv, row dated 2022-01-04: Mkt-RF 250.0"):
        check_series(spec, frame, "x.csv")


@pytest.mark.parametrize("last", ["2022-01-07,272.", "2022-01-07", "2022-01-07,1,2",
                                  "2022-01-07,"])
def test_wrong_field_count_is_malformed_whatever_it_lacks(make_snapshot: MakeSnapshot,
                                                          last: str) -> None:
    root = make_snapshot({"SPY": prices()})
    path = root / "yahoo" / "SPY.csv"
    path.write_text(path.read_text() + last + "\n")
    n = len(path.read_text().splitlines())
    write_manifest(path.parent)
    with pytest.raises(DataFormatError, match=rf"SPY.csv, line {n}: \d field\(s\)") as err:
        load(root, "SPY")
    assert "where the header has 7" in str(err.value)
    fred = make_snapshot({"DGS10": pd.Series(1.0, index=DAYS)})
    p2 = fred / "fred" / "DGS10.csv"
    p2.write_text(p2.read_text() + "2018-06-12,1.5,7\n")
    with pytest.raises(DataFormatError, match="line 32: 3 field"):
        load(fred, "DGS10")


def test_header_only_and_blank_lines(make_snapshot: MakeSnapshot) -> None:
    root = make_snapshot({"DGS10": pd.Series(1.0, index=DAYS)})
    path = root / "fred" / "DGS10.csv"
    text = path.read_text().splitlines()
    path.write_text("\n".join([text[0], "", *text[1:4], "", "2018-05-04,x"]) + "\n")
    with pytest.raises(DataFormatError, match=r"line 7: value 'x'"):  # lines counted honestly
        load(root, "DGS10")
    path.write_text(text[0] + "\n")
    with pytest.raises(DataFormatError, match=r"has a header .* but no data rows"):
        load(root, "DGS10")
    with pytest.raises(DataFormatError, match="no data rows"):
        build_panel(["DGS10"], store=DataStore(root))


def test_manifest_rows_first_last_are_checked(make_snapshot: MakeSnapshot) -> None:
    root = make_snapshot({"DGS10": pd.Series(1.0, index=DAYS)})
    mpath = root / "fred" / "manifest.json"
    m = json.loads(mpath.read_text())
    assert m["DGS10"]["rows"] == 30
    m["DGS10"]["rows"] = 31
    m["DGS10"]["last"] = "2018-06-12"
    mpath.write_text(json.dumps(m))
    with pytest.warns(ChecksumMismatchWarning,
                      match=r"rows 30 != 31 in the manifest; last 2018-06-11 != 2018-06-12"):
        load(root, "DGS10")


@pytest.mark.parametrize(("manifest", "why"), [
    (None, "its folder has no manifest.json"),
    ("{bad", "the manifest is malformed"),
    ("[1, 2]", "the manifest is malformed"),
    ('{"WALCL": {"sha256": "00"}}', "has no entry 'DGS10'"),
    ('{"DGS10": {"rows": 30}}', "the entry 'DGS10'"),
    ('{"DGS10": "abc"}', "has no sha256"),
])
def test_unverified_files_are_warned(make_snapshot: MakeSnapshot, manifest: str | None,
                                     why: str) -> None:
    root = make_snapshot({"DGS10": pd.Series(1.0, index=DAYS)})
    mpath = root / "fred" / "manifest.json"
    if manifest is None:
        mpath.unlink()
    else:
        mpath.write_text(manifest)
    with pytest.warns(UnverifiedDataWarning, match="DGS10.csv is not verified") as rec:
        load(root, "DGS10")
    assert why in str(rec[0].message)


def test_manifest_keyed_by_file_name(make_snapshot: MakeSnapshot) -> None:
    root = make_snapshot({"DGS10": pd.Series(1.0, index=DAYS)})
    mpath = root / "fred" / "manifest.json"
    m = json.loads(mpath.read_text())
    mpath.write_text(json.dumps({"DGS10.csv": m["DGS10"]}))
    assert len(load(root, "DGS10")) == 30  # verified, no warning


@pytest.mark.parametrize("day", ["2263-01-01", "1700-06-30", "9999-12-31"])
def test_dates_outside_the_supported_range(make_snapshot: MakeSnapshot, day: str) -> None:
    root = make_snapshot({"DGS10": pd.Series(1.0, index=DAYS)})
    path = root / "fred" / "DGS10.csv"
    path.write_text(path.read_text() + f"{day},2.0\n")
    with pytest.raises(DataFormatError, match=f"line 32: date '{day}' is outside 1800-01-01"):
        load(root, "DGS10")


def test_downloaded_data_is_checked_before_it_is_cached(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from backtest.data.providers.base import Fetched

    monkeypatch.delenv("QTBT_DATA_DIR", raising=False)
    bad = prices()
    bad.iloc[4, bad.columns.get_loc("Adj Close")] = 1e308

    class Fake:
        name = "yahoo"

        def fetch(self, spec: object) -> Fetched:
            return Fetched(bad, "yfinance", "yfinance:SPY", "x", "t")

    store = DataStore(cache_dir=tmp_path, providers={"yahoo": Fake()})
    with pytest.raises(DataFormatError) as err:
        store.load("SPY")
    msg = str(err.value)
    assert msg.startswith(f"yfinance:SPY, row dated {DAYS[4]:%Y-%m-%d}: Adj Close 1e+308")
    assert "--refresh" in msg and "delete that line" not in msg
    assert not store.cache.has(get_spec("SPY"))
