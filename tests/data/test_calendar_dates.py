"""Fed holiday calendars, strict dates and the library's argument checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from backtest.data.calendar import fed_business_offset, fed_holidays, parse_date
from backtest.data.catalog import get_spec
from backtest.data.panel import build_panel, known_observations
from backtest.data.release import known_sessions
from backtest.data.store import DataStore
from backtest.exceptions import ParameterError, SeriesNotAvailableError

# Fridays before a Saturday holiday (pandas observes the holiday on them), 2000-2026
SATURDAY_HOLIDAY_FRIDAYS = ["2000-11-10", "2004-12-24", "2004-12-31", "2006-11-10",
                            "2009-07-03", "2010-12-24", "2010-12-31", "2015-07-03",
                            "2017-11-10", "2020-07-03", "2021-06-18", "2021-12-24",
                            "2021-12-31", "2023-11-10", "2026-07-03"]


def test_reserve_banks_open_on_friday_before_saturday_holiday() -> None:
    federal = set(fed_holidays("federal").strftime("%Y-%m-%d"))
    banks = set(fed_holidays("reserve_banks").strftime("%Y-%m-%d"))
    for day in SATURDAY_HOLIDAY_FRIDAYS:
        assert day in federal and day not in banks, day
    # the difference between the two calendars is exactly these Fridays
    assert sorted(d for d in federal - banks if "2000" <= d <= "2026-12-31") \
        == SATURDAY_HOLIDAY_FRIDAYS
    # Fridays that are holidays in their own right stay closed for both
    for day in ("2020-12-25", "2015-12-25", "2022-11-11", "2026-06-19"):
        assert (day in federal) == (day in banks), day
    for day in ("2020-12-25", "2022-11-11", "2026-06-19"):
        assert day in banks
    # Sunday holidays close both on Monday
    assert "2022-12-26" in banks and "2023-01-02" in banks


def test_fed_business_offset_by_calendar() -> None:
    d = pd.DatetimeIndex(["2010-12-30", "2021-06-17"])
    assert list(fed_business_offset(d, 1, "reserve_banks").strftime("%F")) == \
        ["2010-12-31", "2021-06-18"]
    assert list(fed_business_offset(d, 1, "federal").strftime("%F")) == \
        ["2011-01-03", "2021-06-21"]
    with pytest.raises(ParameterError, match="reserve_banks"):
        fed_holidays("board")  # type: ignore[arg-type]


@pytest.mark.parametrize(("sid", "obs", "known"), [
    ("EFFR", "2010-12-30", "2010-12-31"),  # published Friday morning, Reserve Banks open
    ("EFFR", "2010-12-31", "2011-01-03"),
    ("SOFR", "2021-06-17", "2021-06-18"),  # Juneteenth 2021 fell on a Saturday
    ("DFF", "2023-11-09", "2023-11-10"),
    ("DEXUSEU", "2010-12-24", "2011-01-04"),  # Board release (H.10): federal calendar kept
])
def test_new_york_fed_rates_use_reserve_bank_days(sid: str, obs: str, known: str) -> None:
    out = known_sessions(pd.DatetimeIndex([obs]), get_spec(sid))
    assert str(out[0].date()) == known


@pytest.mark.snapshot
def test_effr_sofr_the_twelve_sessions(snapshot_store: DataStore) -> None:
    """Each Friday's own observation appears, the day after the Thursday's, on time."""
    effr = known_observations("EFFR", snapshot_store)
    sofr = known_observations("SOFR", snapshot_store)
    raw_e = snapshot_store.load("EFFR").data["EFFR"].dropna()
    raw_s = snapshot_store.load("SOFR").data["SOFR"].dropna()
    # sessions whose point-in-time value changed with the fix (11 EFFR + 1 SOFR)
    effr_sessions = {"2000-11-10": "2000-11-09", "2000-11-13": "2000-11-10",
                     "2004-12-27": "2004-12-24", "2004-12-31": "2004-12-30",
                     "2005-01-03": "2004-12-31", "2006-11-10": "2006-11-09",
                     "2009-07-06": "2009-07-03", "2010-12-31": "2010-12-30",
                     "2011-01-03": "2010-12-31", "2021-06-18": "2021-06-17",
                     "2022-01-03": "2021-12-31"}
    for session, obs in effr_sessions.items():
        value = effr.reindex(pd.DatetimeIndex([session]), method="ffill").iloc[0]
        assert value == raw_e[obs], (session, obs)
    value = sofr.reindex(pd.DatetimeIndex(["2021-06-18"]), method="ffill").iloc[0]
    assert value == raw_s["2021-06-17"]
    assert effr["2011-01-03"] == 0.13  # EFFR 2010-12-31, never shown before the fix


@pytest.mark.parametrize("bad", ["now", "today", "2020-1-5", "nan", "", " ", "2020-02-30",
                                 "20200105", "2020/01/05", "2020-01-05T00:00"])
def test_parse_date_refuses_what_is_not_yyyy_mm_dd(bad: str) -> None:
    with pytest.raises(ParameterError, match="--start") as err:
        parse_date(bad, "--start")
    assert "YYYY-MM-DD" in str(err.value)


@pytest.mark.parametrize("bad", [20220101, 2022.5, None, True, float("nan"), pd.NaT, [2022]])
def test_parse_date_refuses_other_types(bad: object) -> None:
    with pytest.raises(ParameterError, match="start"):
        parse_date(bad, "start")  # type: ignore[arg-type]


def test_parse_date_accepts_the_documented_forms() -> None:
    want = pd.Timestamp("2022-01-03")
    assert parse_date("2022-01-03", "d") == want
    assert parse_date(" 2022-01-03 ", "d") == want
    assert parse_date(dt.date(2022, 1, 3), "d") == want
    assert parse_date(dt.datetime(2022, 1, 3), "d") == want
    assert parse_date(want, "d") == want


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"series": "WALCL"}, "pass ['WALCL']"),
    ({"series": [None]}, "None (NoneType)"),
    ({"series": ["WALCL", 3]}, "3 (int)"),
    ({"series": [""]}, "non-empty strings"),
    ({"series": 5}, "int 5"),
    ({"series": {"WALCL": 1}}, "list of series ids"),
    ({"series": []}, "at least one"),
    ({"series": ["WALCL"], "start": 20220101}, "20220101 (int)"),
    ({"series": ["WALCL"], "end": "today"}, "'today'"),
    ({"series": ["WALCL"], "store": 123}, "store must be a DataStore"),
])
def test_build_panel_teaches_on_misuse(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(ParameterError) as err:
        build_panel(**kwargs)  # type: ignore[arg-type]
    assert needle in str(err.value)


@pytest.mark.snapshot
def test_build_panel_accepts_a_path_and_dates(snapshot_dir: Path) -> None:
    frame = build_panel(["WALCL"], start=dt.date(2022, 1, 3), end="2022-02-01",
                        store=str(snapshot_dir))
    assert frame.index[0] == pd.Timestamp("2022-01-03")


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    f = tmp_path / "data.csv"
    f.write_text("x")
    with pytest.raises(SeriesNotAvailableError, match="is a file, not a folder"):
        DataStore(data_dir=f)
    with pytest.raises(SeriesNotAvailableError, match="does not exist"):
        DataStore(data_dir=tmp_path / "nope")
    with pytest.raises(ParameterError, match="folder path"):
        DataStore(data_dir=123)  # type: ignore[arg-type]
