"""The ``file`` classifier: a user's date,label CSV, checked, carried forward, recorded."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from backtest.data.calendar import sessions_between
from backtest.data.store import DataStore
from backtest.exceptions import DataFormatError, EmptyRangeError, ParameterError
from backtest.regimes import CLASSIFIERS, make_classifier, regime_labels, regime_labels_with_phases
from backtest.regimes.api import BUILT_IN
from backtest.regimes.userfile import PROVENANCE_KEY, FileClassifier, read_regime_file

CHANGES = "date,label\n2022-06-01,QT\n2022-06-04,end_of_qt\n2022-06-08,neutral\n"
# by hand: before the first row neutral; Saturday 06-04 starts on Monday 06-06
EXPECTED = {"2022-05-31": "neutral", "2022-06-01": "QT", "2022-06-02": "QT", "2022-06-03": "QT",
            "2022-06-06": "end_of_qt", "2022-06-07": "end_of_qt", "2022-06-08": "neutral",
            "2022-06-09": "neutral"}


def _file(tmp_path: Path, text: str, name: str = "regimes.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _sessions() -> pd.DatetimeIndex:
    return sessions_between("2022-05-31", "2022-06-09")


def test_labels_per_change_carried_forward(tmp_path: Path) -> None:
    labels = FileClassifier(_file(tmp_path, CHANGES)).fit().predict(_sessions())
    assert {f"{d:%Y-%m-%d}": v for d, v in labels.items()} == EXPECTED
    assert labels.name == "regime" and labels.index.name == "date"


def test_a_label_per_session_gives_the_same_labels(tmp_path: Path) -> None:
    rows = "".join(f"{d},{v}\n" for d, v in EXPECTED.items() if d != "2022-05-31")
    per_session = FileClassifier(_file(tmp_path, "date,label\n" + rows)).predict(_sessions())
    per_change = FileClassifier(_file(tmp_path, CHANGES, "c.csv")).predict(_sessions())
    pd.testing.assert_series_equal(per_session, per_change)


def test_read_regime_file_rolls_dates_to_sessions(tmp_path: Path) -> None:
    rows = read_regime_file(_file(tmp_path, CHANGES))
    assert list(rows["session"]) == list(pd.to_datetime(["2022-06-01", "2022-06-06",
                                                          "2022-06-08"]))
    assert list(rows["label"]) == ["QT", "end_of_qt", "neutral"]


@pytest.mark.parametrize(("text", "message"), [
    ("date,label\n2022-06-01,EndOfQT\n",
     r"line 2: unknown regime label 'EndOfQT'\. Did you mean 'end_of_qt'\? Labels: QE, taper"),
    ("date,label\n2022-06-01,qt\n", r"line 2: unknown regime label 'qt'\. Did you mean 'QT'\?"),
    ("date,label\n2022-06-08,QT\n2022-06-01,QE\n",
     r"line 3: date 2022-06-01 comes before line 2 \(2022-06-08\)\. Sort the rows by date"),
    ("date,label\n2022-06-01,QT\n2022-06-01,QE\n",
     r"line 3: date 2022-06-01 repeats line 2 \(2022-06-01\)\. Keep one row per date"),
    ("date,label\n2022-06-04,QT\n2022-06-05,QE\n",
     r"line 3: date 2022-06-05 and line 2 \(2022-06-04\) both start on session 2022-06-06"),
    ("day,regime\n2022-06-01,QT\n", r"line 1: the header is 'day,regime'\. The first line "
                                    r"must be date,label"),
    ("date,label\n", r"a header but no rows"),
    ("", r"line 1: the header is 'an empty file'"),
    ("date,label\n1950-01-03,QE\n", r"line 2: date 1950-01-03 is outside the NYSE calendar"),
    ("date,label\n2150-01-05,QE\n", r"line 2: date 2150-01-05 is outside the NYSE calendar"),
    ("date,label\n06/01/2022,QT\n", r"line 2: date '06/01/2022' is not YYYY-MM-DD"),
    ("date,label\n2022-06-01,QT,x\n",
     r"line 2: 3 field\(s\) '2022-06-01,QT,x'\. Each row is date,label"),
])
def test_bad_files_are_teaching_errors(tmp_path: Path, text: str, message: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(DataFormatError, match=message) as info:
        read_regime_file(path)
    assert str(path) in str(info.value)


def test_missing_file_names_the_option(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"regimes file .*nope\.csv does not exist\. Pass a "
                                             r"CSV file of date,label rows \(--regimes FILE\)"):
        FileClassifier(tmp_path / "nope.csv").fit()


def test_file_is_a_registered_classifier_built_by_name(tmp_path: Path) -> None:
    path = _file(tmp_path, CHANGES)
    assert "file" in CLASSIFIERS and "file" not in BUILT_IN
    clf = make_classifier("file", path=str(path))
    assert isinstance(clf, FileClassifier)
    with pytest.raises(ParameterError, match=r"takes one parameter, path"):
        make_classifier("file")
    with pytest.raises(ParameterError, match=r"takes one parameter, path"):
        make_classifier("file", path=str(path), window=3)
    store = DataStore(cache_dir=tmp_path / "cache").view()
    labels = regime_labels(_sessions(), store, "file", path=str(path))
    assert labels.tolist() == list(EXPECTED.values())
    prov = store.provenance()[PROVENANCE_KEY]
    assert prov["source"] == "regimes file" and prov["origin"] == str(path.resolve())
    assert prov["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_phases_of_file_labels_are_early_or_late(tmp_path: Path) -> None:
    path = _file(tmp_path, "date,label\n2022-01-03,QT\n2022-06-01,end_of_qt\n")
    sessions = sessions_between("2022-01-03", "2022-09-30")
    phases = regime_labels_with_phases(sessions, DataStore(), "file", path=str(path))
    assert phases.loc["2022-06-01", "phase"] == "early"  # no runoff stage from a file
    assert phases.loc["2022-09-30", "phase"] == "late"  # 17 weeks after 06-01
    assert phases.loc["2022-09-30", "since"] == pd.Timestamp("2022-06-01")
    assert phases.loc["2022-04-04", "weeks"] == pytest.approx(13.0)  # 91 days after 01-03


def test_coverage_refuses_a_range_before_the_first_row(tmp_path: Path) -> None:
    clf = FileClassifier(_file(tmp_path, CHANGES)).fit()
    with pytest.raises(EmptyRangeError, match=r"labels sessions from 2022-06-01, but the "
                                              r"backtest starts 2022-05-31\. Pass --start "
                                              r"2022-06-01 or later"):
        clf.coverage_note(pd.Timestamp("2022-05-31"), pd.Timestamp("2022-06-09"))
    note = clf.coverage_note(pd.Timestamp("2022-06-01"), pd.Timestamp("2022-06-30"))
    assert "3 rows; its last label neutral (from 2022-06-08) holds to 2022-06-30" in note
    assert "qtbt cannot check they were knowable then" in note
    assert clf.sha256_[:12] in note and "unused" not in note
    early = clf.coverage_note(pd.Timestamp("2022-06-01"), pd.Timestamp("2022-06-03"))
    assert "3 rows; 2 row(s) from 2022-06-04 are after the backtest and unused)" in early
