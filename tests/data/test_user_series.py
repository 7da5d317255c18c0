"""User series: read, checked, point-in-time, checksummed and cached like built-in ids.

Network sources answer from recorded responses (``tests/fixtures/net``): ``responses``
serves FRED's CSV, a fake downloader serves yfinance's frame, and sockets are refused.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import responses

from backtest.data.catalog import get_spec
from backtest.data.panel import build_panel, known_observations
from backtest.data.providers.fred import FredProvider
from backtest.data.providers.yahoo import YahooProvider
from backtest.data.store import DataStore
from backtest.data.usercat import DefaultReleaseWarning, use_catalog
from backtest.exceptions import CacheCorruptError, DataFormatError, SeriesNotAvailableError

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "net"
WALCL_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id=WALCL"


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"test tried to open a network connection to {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def _declare(tmp_path: Path, entries: str, files: dict[str, str] | None = None) -> Path:
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = tmp_path / "qtbt.toml"
    path.write_text(entries, encoding="utf-8")
    use_catalog(path)
    return path


def _csv_entry(sid: str, freq: str, release: str | None, file: str = "s.csv") -> str:
    rule = f"release = {release}\n" if release else ""
    return (f'[series.{sid}]\nsource = "csv"\npath = "{file}"\nunits = "percent"\n'
            f'frequency = "{freq}"\n{rule}')


def _days(*days: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(list(days)), name="date")


def test_release_rules_of_user_series_computed_by_hand(tmp_path: Path) -> None:
    monthly = "date,value\n2022-05-01,1\n2022-06-01,2\n"
    weekly = "date,value\n2022-06-01,5\n"
    daily = "date,value\n2022-07-01,7\n"
    _declare(tmp_path, _csv_entry("M0", "monthly", '{ lag = 0, anchor = "observation" }', "m.csv")
             + _csv_entry("ME", "monthly", "{ lag = 0 }", "m.csv")
             + _csv_entry("MD", "monthly", None, "m.csv")
             + _csv_entry("WD", "weekly", None, "w.csv") + _csv_entry("DD", "daily", None, "d.csv"),
             {"m.csv": monthly, "w.csv": weekly, "d.csv": daily})
    store = DataStore(cache_dir=tmp_path / "cache")
    # lag 0 from the observation: Sunday 2022-05-01 is first known on Monday's close
    assert list(known_observations("M0", store).index) == list(_days("2022-05-02", "2022-06-01"))
    # a monthly lag without an anchor counts from the month's end: May's value at May 31's close
    assert list(known_observations("ME", store).index) == list(_days("2022-05-31", "2022-06-30"))
    with pytest.warns(DefaultReleaseWarning) as caught:
        md = known_observations("MD", store)
        wd = known_observations("WD", store)
        dd = known_observations("DD", store)
    # monthly default: 30 days after the month's end (2022-05-31 + 30 = Thu 06-30;
    # 2022-06-30 + 30 = Sat 07-30, rolled to Monday 08-01)
    assert list(md.index) == list(_days("2022-06-30", "2022-08-01"))
    # weekly default: 7 days, after the close (Wed 06-08 + after close = Thu 06-09)
    assert list(wd.index) == list(_days("2022-06-09"))
    # daily default: the next Fed business day (Mon 07-04 is Independence Day: Tue 07-05)
    assert list(dd.index) == list(_days("2022-07-05"))
    texts = [str(w.message) for w in caught]
    assert len(texts) == 3 and texts[0].startswith("MD (declared in ")
    assert "conservative default for monthly series: published 30 days after period end" \
        in texts[0]
    assert "Add release = { lag = DAYS, ... }" in texts[0]


def test_provenance_names_file_sha_catalog_and_rule(tmp_path: Path) -> None:
    cat = _declare(tmp_path, _csv_entry("CAP", "monthly", '{ lag = 0, anchor = "observation" }'),
                   {"s.csv": "date,value\n2022-05-01,0\n2022-06-01,30\n"})
    store = DataStore(cache_dir=tmp_path / "cache").view()
    panel = build_panel(["CAP"], start="2022-05-31", end="2022-06-02", store=store,
                        on_stale="ignore")
    assert panel["CAP"].tolist() == [0.0, 30.0, 30.0]
    prov = store.provenance()["CAP"]
    assert prov["source"] == "csv" and prov["origin"] == str((tmp_path / "s.csv").resolve())
    assert prov["sha256"] == hashlib.sha256((tmp_path / "s.csv").read_bytes()).hexdigest()
    assert prov["catalog"] == str(cat.resolve())
    assert prov["catalog_sha256"] == hashlib.sha256(cat.read_bytes()).hexdigest()
    assert (prov["units"], prov["frequency"]) == ("percent", "monthly")
    assert prov["release"] == "known by the close of the observation date"
    assert not list((tmp_path / "cache").glob("**/*.parquet"))  # the file is its own copy


@pytest.mark.parametrize(("text", "message"), [
    ("date,value\n2022-06-01,1\n2022-05-01,2\n", r"s\.csv, line 3: date 2022-05-01 repeats or "
                                                  r"goes backwards"),
    ("date,value\n2022-06-01,1\n2022-06-01,2\n", r"line 3: date 2022-06-01 repeats"),
    ("date,value\n2022-06-01,abc\n", r"line 2: value 'abc' in column 'value' is not a number"),
    ("date,value\n06/01/2022,1\n", r"line 2: date '06/01/2022' is not %Y-%m-%d"),
    ("day,value\n2022-06-01,1\n", r"line 1: the first column is 'day'; .* named 'date'"),
    ("date,cap\n2022-06-01,1\n", r"no column 'value' in the header date,cap\. .*column = "),
    ("date,value\n2022-06-01,\n", r"column 'value' has no value on any row"),
    ("date,value\n2022-06-01,1e13\n",
     r"line 2 \(2022-06-01\): X1 10000000000000\.0 is not plausible for a series value"),
    ("date,value\n", r"a header \(date,value\) but no data rows"),
])
def test_malformed_csv_is_a_teaching_error(tmp_path: Path, text: str, message: str) -> None:
    _declare(tmp_path, _csv_entry("X1", "daily", "{ lag = 0 }"), {"s.csv": text})
    with pytest.raises(DataFormatError, match=message):
        DataStore(cache_dir=tmp_path / "cache").load("X1")


def test_missing_csv_names_the_catalog_and_the_fix(tmp_path: Path) -> None:
    cat = _declare(tmp_path, _csv_entry("X1", "daily", "{ lag = 0 }", "gone.csv"))
    with pytest.raises(SeriesNotAvailableError, match=r"X1: the CSV file .*gone\.csv named in "
                                                      rf"{cat.resolve()} does not exist\. Fix "
                                                      r"path in its \[series\.X1\] entry"):
        DataStore(cache_dir=tmp_path / "cache").load("X1")


def test_user_csv_series_next_to_the_real_snapshot(snapshot_dir: Path) -> None:
    use_catalog(REPO / "examples" / "qtbt.toml")
    store = DataStore(data_dir=snapshot_dir).view()
    panel = build_panel(["RUNOFF_CAP", "SPY", "WALCL"], start="2022-05-27", end="2022-09-02",
                        store=store, on_stale="ignore")
    cap = panel["RUNOFF_CAP"]
    # the cap rose to 30 in June 2022 and to 60 in September, each known on its first session
    assert cap.loc["2022-05-31"] == 0.0 and cap.loc["2022-06-01"] == 30.0
    assert cap.loc["2022-08-31"] == 30.0 and cap.loc["2022-09-01"] == 60.0
    assert panel["SPY"].notna().all()
    prov = store.provenance()
    assert prov["RUNOFF_CAP"]["source"] == "csv" and prov["SPY"]["source"] == "snapshot"
    assert "catalog" not in prov["SPY"]


# --- FRED ids and Yahoo tickers of the user's -------------------------------------------

FRED_ENTRY = ('[series.FED_ASSETS]\nsource = "fred"\nsymbol = "WALCL"\n'
              'units = "USD millions"\nfrequency = "weekly"\n'
              'release = { lag = 1, timing = "after_close" }\n')


@pytest.fixture
def fred_recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    monkeypatch.delenv("QTBT_DATA_DIR", raising=False)
    monkeypatch.setattr("backtest.data.store.default_providers", lambda **_: {
        "fred": FredProvider(timeout=1.0, retries=0, backoff=0.0)})
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, WALCL_URL, body=(FIXTURES / "fred_WALCL.csv").read_bytes())
        yield mock


def test_user_fred_id_is_downloaded_cached_and_point_in_time(
        tmp_path: Path, fred_recorded: responses.RequestsMock) -> None:
    _declare(tmp_path, FRED_ENTRY)
    cache = tmp_path / "cache"
    got = DataStore(cache_dir=cache).load("FED_ASSETS")
    assert got.source == "fred-csv" and got.origin == WALCL_URL
    assert list(got.data.columns) == ["FED_ASSETS"] and len(got.data) == 10
    assert (cache / "fred" / "FED_ASSETS.parquet").is_file()
    # offline now: the cached copy, same checksum
    again = DataStore(cache_dir=cache, offline=True).view()
    known = known_observations("FED_ASSETS", again)
    assert again.provenance()["FED_ASSETS"]["sha256"] == got.sha256
    # Wednesday 2020-02-05 level, released Thursday after the close: known Friday 02-07
    assert known.index[0] == pd.Timestamp("2020-02-07") and known.iloc[0] == 4166707.0
    assert len(fred_recorded.calls) == 1


def test_user_ticker_from_yahoo_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    frame = pd.read_csv(FIXTURES / "yfinance_SPY_history.csv", index_col="Date")
    frame.index = pd.to_datetime(frame.index, utc=True).tz_convert("America/New_York")
    seen: list[str] = []

    def downloader(symbol: str, timeout: float) -> pd.DataFrame:
        seen.append(symbol)
        return frame

    monkeypatch.setattr("backtest.data.store.default_providers", lambda **_: {
        "yahoo": YahooProvider(retries=0, downloader=downloader)})
    _declare(tmp_path, '[series.MY_SPY]\nsource = "yahoo"\nsymbol = "SPY"\n')
    monkeypatch.delenv("QTBT_DATA_DIR", raising=False)
    store = DataStore(cache_dir=tmp_path / "cache")
    got = store.load("MY_SPY")
    assert seen == ["SPY"] and got.origin == "yfinance:SPY"
    assert got.data.loc["2024-03-13", "Adj Close"] == 502.15097
    panel = build_panel(["MY_SPY", "MY_SPY.Close"], start="2024-03-06", end="2024-03-13",
                        store=store, on_stale="ignore")
    assert list(panel.columns) == ["MY_SPY", "MY_SPY.Close"]
    assert (tmp_path / "cache" / "yahoo" / "MY_SPY.parquet").is_file()


def test_user_fred_id_next_to_a_snapshot_reads_the_cache(
        tmp_path: Path, snapshot_dir: Path, fred_recorded: responses.RequestsMock) -> None:
    _declare(tmp_path, FRED_ENTRY)
    cache = tmp_path / "cache"
    with pytest.raises(SeriesNotAvailableError, match=r"FED_ASSETS \(declared in .*\) is not "
                                                      r"in the snapshot .* `qtbt data pull "
                                                      r"FED_ASSETS --cache-dir"):
        DataStore(data_dir=snapshot_dir, cache_dir=cache).load("FED_ASSETS")
    DataStore(cache_dir=cache).load("FED_ASSETS")  # a pull, online
    got = DataStore(data_dir=snapshot_dir, cache_dir=cache).load("FED_ASSETS")
    assert got.source == "cache:fred-csv" and len(got.data) == 10


def test_cached_copy_of_another_symbol_is_refused(
        tmp_path: Path, fred_recorded: responses.RequestsMock) -> None:
    cat = _declare(tmp_path, FRED_ENTRY)
    DataStore(cache_dir=tmp_path / "cache").load("FED_ASSETS")
    cat.write_text(FRED_ENTRY.replace('"WALCL"', '"TREAST"'), encoding="utf-8")
    use_catalog(cat)
    with pytest.raises(CacheCorruptError, match=r"holds 'WALCL', but FED_ASSETS now names "
                                                r"'TREAST'.*--refresh"):
        DataStore(cache_dir=tmp_path / "cache", offline=True).load(get_spec("FED_ASSETS"))


def test_a_store_rereads_an_id_declared_anew(tmp_path: Path) -> None:
    _declare(tmp_path, _csv_entry("X1", "daily", "{ lag = 0 }", "a.csv"),
             {"a.csv": "date,value\n2022-06-01,1\n", "b.csv": "date,value\n2022-06-01,2\n"})
    store = DataStore(cache_dir=tmp_path / "cache")
    assert store.load("X1").data["X1"].tolist() == [1.0]
    _declare(tmp_path, _csv_entry("X1", "daily", "{ lag = 0 }", "b.csv"))
    assert store.load("X1").data["X1"].tolist() == [2.0]
