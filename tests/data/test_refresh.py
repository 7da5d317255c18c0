"""Schedule-aware refresh (``backtest.data.refresh``), offline.

FRED downloads are served by ``responses`` with bodies in FRED's keyless CSV
format (as recorded in ``tests/fixtures/net/fred_WALCL.csv``); an unregistered
URL is refused, so a test that expects no download fails if one happens. The
clock is passed as ``now``; all times below are checked by hand against the
2026 calendar (Thanksgiving: Thursday 2026-11-26).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import responses

from backtest.data.catalog import get_spec
from backtest.data.providers.base import Fetched, content_sha256
from backtest.data.providers.fred import FredProvider
from backtest.data.refresh import due_at, expand_ids, next_observation, refresh
from backtest.data.store import DataStore
from backtest.exceptions import ParameterError, UnknownSeriesError

WALCL_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id=WALCL"
CPI_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id=CPIAUCSL"
WEDNESDAYS = ["2026-11-04", "2026-11-11", "2026-11-18", "2026-11-25", "2026-12-02"]


def fred_csv(sid: str, days: list[str], start: float = 6_500_000.0) -> str:
    """A FRED keyless CSV body: ``observation_date,<ID>`` then one row per day."""
    rows = [f"{d},{start + 1000 * i:.0f}" for i, d in enumerate(days)]
    return "\n".join([f"observation_date,{sid}", *rows]) + "\n"


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"test tried to open a network connection to {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    monkeypatch.delenv("QTBT_DATA_DIR", raising=False)


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def make_store(cache: Path) -> DataStore:
    fred = FredProvider(timeout=1.0, retries=1, backoff=0.0)
    return DataStore(cache_dir=cache, providers={"fred": fred})


def seed(store: DataStore, sid: str, days: list[str], fetched_at: str = "2026-11-26T12:00:00+00:00"
         ) -> Fetched:
    """Put ``days`` of ``sid`` in the cache as if downloaded at ``fetched_at``."""
    data = pd.DataFrame({sid: [float(i) for i in range(len(days))]},
                        index=pd.DatetimeIndex(pd.to_datetime(days), name="date").as_unit("ns"))
    fetched = Fetched(data, "fred-csv", f"https://fred/{sid}", content_sha256(data), fetched_at)
    store.cache.write(get_spec(sid), fetched)
    return fetched


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# --- the schedule ----------------------------------------------------------------------


def test_h41_due_thursday_1630_et_after_the_next_wednesday() -> None:
    walcl = get_spec("WALCL")
    assert next_observation(walcl, pd.Timestamp("2026-11-25")) == pd.Timestamp("2026-12-02")
    due = due_at(walcl, pd.Timestamp("2026-11-25"))
    assert due == pd.Timestamp("2026-12-03 16:30", tz="America/New_York")
    assert due == utc("2026-12-03 21:30")  # EST is UTC-5


def test_h41_thursday_holiday_moves_to_the_next_fed_business_day() -> None:
    # Wednesday 2026-11-25's level: Thursday 11-26 is Thanksgiving, so Friday 11-27 16:30 ET
    due = due_at(get_spec("WALCL"), pd.Timestamp("2026-11-18"))
    assert due == pd.Timestamp("2026-11-27 16:30", tz="America/New_York")


def test_monthly_series_due_at_period_end_plus_lag() -> None:
    # CPI (20 days after the month): September (dated 09-01) cached -> October's value is due
    # 2026-10-31 + 20 days = Friday 2026-11-20, by the close
    cpi = get_spec("CPIAUCSL")
    assert cpi.release.lag == 20 and cpi.release.anchor == "period_end"
    assert due_at(cpi, pd.Timestamp("2026-09-01")) == pd.Timestamp("2026-11-20 16:00",
                                                                   tz="America/New_York")
    # GDP (quarterly, 30 days after quarter end): Q2 cached -> Q3 due 2026-10-30
    gdp_due = due_at(get_spec("GDP"), pd.Timestamp("2026-04-01"))
    assert gdp_due == pd.Timestamp("2026-10-30 16:00", tz="America/New_York")


def test_daily_market_series_due_after_the_next_session_close() -> None:
    spy = get_spec("SPY")
    # Wednesday 2026-11-25 -> Friday 11-27 (no session on Thanksgiving)
    assert due_at(spy, pd.Timestamp("2026-11-25")) == pd.Timestamp("2026-11-27 16:00",
                                                                   tz="America/New_York")
    # SOFR (New York Fed, next business day): 11-25's rate... the next observation is 11-27,
    # published the next Reserve Bank business day, Monday 11-30
    sofr = get_spec("SOFR")
    assert next_observation(sofr, pd.Timestamp("2026-11-25")) == pd.Timestamp("2026-11-27")
    assert due_at(sofr, pd.Timestamp("2026-11-25")).date() == pd.Timestamp("2026-11-30").date()


def test_expand_ids_drops_fields_and_expands_derived_series() -> None:
    assert expand_ids(["SPY.Close", "NETLIQ", "WALCL", "SOFR_IORB"]) == [
        "SPY", "WALCL", "WTREGEN", "RRPONTSYD", "SOFR", "IOER", "IORB"]
    with pytest.raises(UnknownSeriesError):
        expand_ids(["WALCLL"])


# --- refreshing the cache --------------------------------------------------------------


def test_release_not_happened_yet_downloads_nothing(tmp_path: Path,
                                                    rsps: responses.RequestsMock) -> None:
    store = make_store(tmp_path)
    old = seed(store, "WALCL", WEDNESDAYS[:4])
    # 16:29 ET on the release Thursday: one minute early
    result = refresh(store, ["WALCL"], now=utc("2026-12-03 21:29"))
    assert len(rsps.calls) == 0
    (row,) = result.rows
    assert row.action == "not due"
    assert row.cached_last == row.new_last == pd.Timestamp("2026-11-25")
    assert row.next_release == pd.Timestamp("2026-12-03 16:30", tz="America/New_York")
    assert store.cache.read(get_spec("WALCL")).fetched_at == old.fetched_at
    assert result.summary().to_dict("records") == [{
        "id": "WALCL", "cached_last": "2026-11-25", "next_release": "2026-12-03 16:30 ET",
        "action": "not due", "new_last": "2026-11-25"}]
    assert not result.failed and result.error_message() == ""


def test_release_that_happened_is_downloaded_and_provenance_updated(
        tmp_path: Path, rsps: responses.RequestsMock) -> None:
    store = make_store(tmp_path)
    seed(store, "WALCL", WEDNESDAYS[:4])
    rsps.add(responses.GET, WALCL_URL, body=fred_csv("WALCL", WEDNESDAYS))
    result = refresh(store, ["WALCL"], now=utc("2026-12-03 21:31"))
    assert len(rsps.calls) == 1
    (row,) = result.rows
    assert row.action == "downloaded" and row.new_last == pd.Timestamp("2026-12-02")
    cached = store.cache.read(get_spec("WALCL"))
    assert cached.data.index[-1] == pd.Timestamp("2026-12-02")
    assert cached.data["WALCL"].iloc[-1] == 6_504_000.0
    assert cached.fetched_at != "2026-11-26T12:00:00+00:00"  # the new download's time
    assert pd.Timestamp(cached.fetched_at) > utc("2026-11-26 12:00")
    text = result.to_text()
    assert "WALCL" in text and "downloaded" in text and "1 downloaded" in text


def test_due_but_source_has_nothing_newer_is_up_to_date(
        tmp_path: Path, rsps: responses.RequestsMock) -> None:
    store = make_store(tmp_path)
    seed(store, "WALCL", WEDNESDAYS[:4])
    rsps.add(responses.GET, WALCL_URL, body=fred_csv("WALCL", WEDNESDAYS[:4]))
    (row,) = refresh(store, ["WALCL"], now=utc("2026-12-04 12:00")).rows
    assert row.action == "up to date" and row.new_last == pd.Timestamp("2026-11-25")


def test_failure_keeps_the_old_cache_and_tries_everything(
        tmp_path: Path, rsps: responses.RequestsMock) -> None:
    store = make_store(tmp_path)
    old = seed(store, "WALCL", WEDNESDAYS[:4])
    seed(store, "CPIAUCSL", ["2026-08-01", "2026-09-01"])
    rsps.add(responses.GET, WALCL_URL, status=500)
    rsps.add(responses.GET, CPI_URL, body=fred_csv("CPIAUCSL", ["2026-09-01", "2026-10-01"]))
    result = refresh(store, ["WALCL", "CPIAUCSL"], now=utc("2026-12-04 12:00"))
    assert len([c for c in rsps.calls if c.request.url == WALCL_URL]) == 2  # 1 retry
    walcl, cpi = result.rows
    assert walcl.action == "failed" and walcl.new_last == pd.Timestamp("2026-11-25")
    assert "500" in walcl.detail
    assert cpi.action == "downloaded" and cpi.new_last == pd.Timestamp("2026-10-01")
    kept = store.cache.read(get_spec("WALCL"))
    assert kept.sha256 == old.sha256 and kept.fetched_at == old.fetched_at
    assert [r.id for r in result.failed] == ["WALCL"]
    assert result.error_message().startswith("1 of 2 series failed to download")
    assert "WALCL (" in result.error_message()


def test_force_downloads_what_is_not_due(tmp_path: Path, rsps: responses.RequestsMock) -> None:
    store = make_store(tmp_path)
    seed(store, "WALCL", WEDNESDAYS[:4])
    rsps.add(responses.GET, WALCL_URL, body=fred_csv("WALCL", WEDNESDAYS[:4]))
    now = utc("2026-11-30 12:00")
    assert refresh(store, ["WALCL"], now=now).rows[0].action == "not due"
    assert len(rsps.calls) == 0
    (row,) = refresh(store, ["WALCL"], now=now, force=True).rows
    assert len(rsps.calls) == 1 and row.action == "up to date"


def test_thanksgiving_week_h41_waits_for_friday(tmp_path: Path,
                                                 rsps: responses.RequestsMock) -> None:
    store = make_store(tmp_path)
    seed(store, "WALCL", WEDNESDAYS[:3])  # through 2026-11-18
    rsps.add(responses.GET, WALCL_URL, body=fred_csv("WALCL", WEDNESDAYS[:4]))
    # Thanksgiving evening: nothing yet
    assert refresh(store, ["WALCL"], now=utc("2026-11-26 23:00")).rows[0].action == "not due"
    assert len(rsps.calls) == 0
    (row,) = refresh(store, ["WALCL"], now=utc("2026-11-27 21:31")).rows
    assert row.action == "downloaded" and row.new_last == pd.Timestamp("2026-11-25")


def test_monthly_series_refreshed_only_after_period_end_plus_lag(
        tmp_path: Path, rsps: responses.RequestsMock) -> None:
    store = make_store(tmp_path)
    seed(store, "CPIAUCSL", ["2026-08-01", "2026-09-01"])
    rsps.add(responses.GET, CPI_URL, body=fred_csv("CPIAUCSL", ["2026-09-01", "2026-10-01"]))
    # the close of Thursday 2026-11-19 (21:00 UTC) is before 2026-11-20 16:00 ET
    assert refresh(store, ["CPIAUCSL"], now=utc("2026-11-19 21:00")).rows[0].action == "not due"
    (row,) = refresh(store, ["CPIAUCSL"], now=utc("2026-11-20 21:00")).rows
    assert row.action == "downloaded" and row.new_last == pd.Timestamp("2026-10-01")


def test_missing_series_is_downloaded_and_offline_only_reports(
        tmp_path: Path, rsps: responses.RequestsMock) -> None:
    store = make_store(tmp_path)
    seed(store, "WALCL", WEDNESDAYS[:3])
    result = refresh(store, ["WALCL", "CPIAUCSL"], now=utc("2026-12-04 12:00"), offline=True)
    assert [r.action for r in result.rows] == ["due", "due"]
    assert result.rows[1].cached_last is None and result.rows[1].next_release is None
    assert len(rsps.calls) == 0
    rsps.add(responses.GET, CPI_URL, body=fred_csv("CPIAUCSL", ["2026-09-01", "2026-10-01"]))
    (row,) = refresh(store, ["CPIAUCSL"], now=utc("2026-12-04 12:00")).rows
    assert row.action == "downloaded" and row.cached_last is None


def test_bad_arguments_are_parameter_errors(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    with pytest.raises(ParameterError, match="now"):
        refresh(store, ["WALCL"], now=20261203)
    with pytest.raises(ParameterError, match="--offline"):
        refresh(store, ["WALCL"], force=True, offline=True)
    with pytest.raises(ParameterError, match="no series"):
        refresh(store, [])
    with pytest.raises(ParameterError, match="snapshots are not refreshed"):
        refresh(DataStore(data_dir=tmp_path), ["WALCL"])


def test_naive_now_is_utc(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    seed(store, "WALCL", WEDNESDAYS[:4])
    result = refresh(store, ["WALCL"], now="2026-12-03T21:29", offline=True)
    assert result.now == utc("2026-12-03 21:29") and result.rows[0].action == "not due"


def test_due_at_agrees_with_known_sessions_on_the_snapshot(snapshot_dir: Path) -> None:
    """For every snapshot series: the next observation is first known at the session the
    panel's release rule gives, i.e. the session of ``due_at`` (strictly after it for
    after-close rules). Uses each series' own last date, wherever the snapshot ends."""
    from backtest.data.calendar import next_session_on_or_after
    from backtest.data.release import known_sessions

    store = DataStore(data_dir=snapshot_dir)
    checked = 0
    for spec in store.available():
        last = pd.Timestamp(store.load(spec).data.index[-1])
        nxt = next_observation(spec, last)
        assert nxt > last
        due = due_at(spec, last)
        assert due.tz is not None and due.date() >= nxt.date()
        strictly = spec.release.timing == "after_close"
        session = next_session_on_or_after(
            pd.DatetimeIndex([pd.Timestamp(due.date())]), strictly_after=strictly)[0]
        assert known_sessions(pd.DatetimeIndex([nxt]), spec)[0] == session, spec.id
        checked += 1
    assert checked >= 40
