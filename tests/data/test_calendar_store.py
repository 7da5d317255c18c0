"""Calendars kept between processes equal the ones built, and a bad file is never used."""

from __future__ import annotations

import os
from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest

from backtest.data.calendar import fed_holidays, nyse_sessions
from backtest.data.calendar_store import CALENDAR_FOLDER, stored_dates

DATES = np.array(["2020-01-02", "2020-01-03", "2020-01-06"], dtype="datetime64[ns]")


def _counting() -> tuple[list[int], object]:
    calls: list[int] = []

    def build() -> np.ndarray:
        calls.append(1)
        return DATES.copy()

    return calls, build


def _folder() -> Path:
    return Path(os.environ["QTBT_CACHE_DIR"]) / CALENDAR_FOLDER


def test_built_once_then_read() -> None:
    calls, build = _counting()
    first = stored_dates("cal", "k1", build)  # type: ignore[arg-type]
    again = stored_dates("cal", "k1", build)  # type: ignore[arg-type]
    assert len(calls) == 1
    assert first.tobytes() == again.tobytes() == DATES.tobytes()
    assert [p.name for p in _folder().iterdir()] == ["cal@k1.npy"]


def test_a_new_key_builds_afresh_and_drops_the_old_file() -> None:
    calls, build = _counting()
    stored_dates("cal", "k1", build)  # type: ignore[arg-type]
    stored_dates("cal", "k2", build)  # type: ignore[arg-type]
    assert len(calls) == 2
    assert [p.name for p in _folder().iterdir()] == ["cal@k2.npy"]


@pytest.mark.parametrize("damage", [b"", b"not numpy", "unsorted", "wrong dtype"])
def test_a_damaged_file_is_rebuilt(damage: bytes | str) -> None:
    calls, build = _counting()
    path = _folder() / "cal@k1.npy"
    path.parent.mkdir(parents=True)
    if damage == "unsorted":
        np.save(path, DATES[::-1])
    elif damage == "wrong dtype":
        np.save(path, np.arange(3))
    else:
        assert isinstance(damage, bytes)
        path.write_bytes(damage)
    assert stored_dates("cal", "k1", build).tobytes() == DATES.tobytes()  # type: ignore[arg-type]
    assert len(calls) == 1
    assert np.load(path).tobytes() == DATES.tobytes()  # rewritten


def test_an_unwritable_cache_still_gives_the_dates(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("QTBT_CACHE_DIR", str(blocker))
    calls, build = _counting()
    assert stored_dates("cal", "k1", build).tobytes() == DATES.tobytes()  # type: ignore[arg-type]
    assert stored_dates("cal", "k1", build).tobytes() == DATES.tobytes()  # type: ignore[arg-type]
    assert len(calls) == 2


def test_names_are_plain() -> None:
    with pytest.raises(ValueError, match="plain names"):
        stored_dates("../x", "k", lambda: DATES)


def test_stored_calendars_equal_the_libraries() -> None:
    """What a later process reads is exactly what exchange_calendars and pandas build."""
    nyse_sessions.cache_clear()
    fed_holidays.cache_clear()
    try:
        built = (nyse_sessions(), fed_holidays("federal"), fed_holidays("reserve_banks"))
        assert len(list(_folder().glob("*.npy"))) == 3
        nyse_sessions.cache_clear()
        fed_holidays.cache_clear()
        read = (nyse_sessions(), fed_holidays("federal"), fed_holidays("reserve_banks"))
    finally:
        nyse_sessions.cache_clear()
        fed_holidays.cache_clear()
    for a, b in zip(built, read, strict=True):
        assert a.equals(b) and a.name == b.name == "date" and b.dtype == "datetime64[ns]"
    end = pd.Timestamp.now().floor("D") + pd.DateOffset(years=1)
    lib = pd.DatetimeIndex(xcals.get_calendar("XNYS", start="1962-01-02", end=end).sessions)
    assert read[0].equals(lib.tz_localize(None) if lib.tz is not None else lib)
    assert pd.Timestamp("2021-06-18") in read[1] and pd.Timestamp("2021-06-18") not in read[2]


def test_a_local_version_is_a_plain_file_name() -> None:
    calls, build = _counting()
    stored_dates("cal", "3.2.0.dev0+123.gabc-r1", build)  # type: ignore[arg-type]
    stored_dates("cal", "3.2.0.dev0+123.gabc-r1", build)  # type: ignore[arg-type]
    assert len(calls) == 1
    assert [p.name for p in _folder().iterdir()] == ["cal@3.2.0.dev0_123.gabc-r1.npy"]


def test_an_unknown_version_keeps_nothing() -> None:
    calls, build = _counting()
    stored_dates("cal", None, build)  # type: ignore[arg-type]
    stored_dates("cal", None, build)  # type: ignore[arg-type]
    assert len(calls) == 2 and not _folder().exists()
