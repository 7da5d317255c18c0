"""Events file validation and the calendar classifier."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from backtest.data.calendar import sessions_between
from backtest.exceptions import ConfigError, ParameterError
from backtest.regimes import CalendarClassifier, event_set, load_events

HEADER = "announced,effective,label,kind,description,source\n"


def write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "events.csv"
    p.write_text(HEADER + body)
    return p


def test_shipped_events_are_valid_and_cover_2008_2025() -> None:
    ev = load_events()
    assert ev[0].announced == pd.Timestamp("2008-11-25")
    assert ev[-1].effective == pd.Timestamp("2025-12-12")
    assert {e.label for e in ev} == {"QE", "taper", "QT", "end_of_qt", "neutral"}
    assert all(e.effective >= e.announced for e in ev)
    assert len(event_set("qe")) >= 6
    assert [e.announced.year for e in event_set("qt_start")] == [2017, 2022, 2022]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("2020-13-01,2020-03-16,QE,qe,x,y\n", r"line 2: announced '2020-13-01' is not a date"),
        ("2020-03-15,2020-03-16,QE,qe,x,y\n2020-03-15,2020-03-16,QQ,qe,x,y\n",
         r"line 3: unknown label 'QQ'; allowed: QE, taper, QT, end_of_qt, neutral"),
        ("2020-03-15,2020-03-10,QE,qe,x,y\n",
         r"line 2: effective date 2020-03-10 is before the announcement 2020-03-15"),
        ("2020-03-15,2020-03-16,QE,buy,x,y\n", r"line 2: unknown kind 'buy'"),
    ],
)
def test_bad_events_name_the_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_events(write(tmp_path, body))


def test_missing_column_is_explained(tmp_path: Path) -> None:
    p = tmp_path / "e.csv"
    p.write_text("announced,effective,label\n2020-03-15,2020-03-16,QE\n")
    with pytest.raises(ConfigError, match=r"line 1: missing column\(s\) \['kind'"):
        load_events(p)


def test_anchor_on_announcement_maps_sunday_to_monday(tmp_path: Path) -> None:
    p = write(tmp_path, "2020-03-15,2020-03-23,QE,qe,QE4,x\n")
    sessions = sessions_between("2020-03-12", "2020-03-24")
    ann = CalendarClassifier(anchor="announce", events=p).fit().predict(sessions)
    eff = CalendarClassifier(anchor="effective", events=p).fit().predict(sessions)
    assert ann.loc["2020-03-13"] == "neutral"
    assert ann.loc["2020-03-16"] == "QE"  # Sunday statement, first session Monday
    assert eff.loc["2020-03-20"] == "neutral"
    assert eff.loc["2020-03-23"] == "QE"


def test_end_of_qt_horizon(tmp_path: Path) -> None:
    p = write(tmp_path, "2019-07-31,2019-08-01,end_of_qt,qt_end,end,x\n"
                        "2019-10-11,2019-10-15,neutral,rmp,bills,x\n")
    sessions = sessions_between("2019-07-25", "2019-10-31")
    until_next = CalendarClassifier(events=p).fit().predict(sessions)
    assert until_next.loc["2019-10-14"] == "end_of_qt"
    short = CalendarClassifier(events=p, end_of_qt_days=30).fit().predict(sessions)
    assert short.loc["2019-08-30"] == "end_of_qt"  # day 29
    assert short.loc["2019-09-03"] == "neutral"  # 08-31 expiry is a Saturday
    with pytest.raises(ParameterError, match="end_of_qt_days must be a positive"):
        CalendarClassifier(end_of_qt_days=0).fit()
    with pytest.raises(ParameterError, match="anchor must be 'announce' or 'effective'"):
        CalendarClassifier(anchor="close").fit()  # type: ignore[arg-type]


def test_known_calendar_episodes() -> None:
    s = CalendarClassifier().fit().predict(sessions_between("2007-01-02", "2026-06-30"))
    assert (s.loc["2014-11-03":"2017-09-29"] == "neutral").all()
    assert (s.loc["2022-06-01":"2024-05-31"] == "QT").all()
    assert s.loc["2007-06-01"] == "neutral"
    assert s.loc["2013-12-31"] == "QE" and s.loc["2014-01-02"] == "taper"
