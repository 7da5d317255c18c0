"""Choosing a classifier by name, and wrong arguments that must teach."""

from __future__ import annotations

import pandas as pd
import pytest

from backtest.data.calendar import sessions_between
from backtest.exceptions import ParameterError
from backtest.regimes import CalendarClassifier, RulesClassifier, make_classifier


@pytest.mark.parametrize(("name", "closest"), [("calender", "calendar"), ("rule", "rules"),
                                                ("Data", "data")])
def test_unknown_classifier_names_the_closest(name: str, closest: str) -> None:
    with pytest.raises(ParameterError, match=rf"{name!r} is not a classifier; choose one of "
                                             rf"calendar, data, rules.*Did you mean {closest!r}"):
        make_classifier(name)


def test_make_classifier_builds_and_checks_params() -> None:
    assert isinstance(make_classifier("rules", qe_enter=30.0), RulesClassifier)
    with pytest.raises(ParameterError, match=r"Unknown rules-classifier parameter\(s\) \['x'\]"):
        make_classifier("rules", x=1)
    with pytest.raises(ParameterError, match="calendar classifier takes anchor"):
        make_classifier("calendar", qe_enter=3)


@pytest.mark.parametrize("days", [0, -5, 3651, 10**12, 2.5, True])
def test_end_of_qt_days_is_bounded(days: object) -> None:
    with pytest.raises(ParameterError, match=r"end_of_qt_days must be a positive whole number "
                                             r"of days or None, got .*allowed: 1 to 3650"):
        CalendarClassifier(end_of_qt_days=days).fit()  # type: ignore[arg-type]


def test_end_of_qt_days_upper_bound_works() -> None:
    sessions = sessions_between("2019-07-25", "2019-10-31")
    labels = CalendarClassifier(end_of_qt_days=3650).fit().predict(sessions)
    assert labels.loc["2019-10-14"] == "end_of_qt"


@pytest.mark.parametrize("bad", [None, "2020-01-01", 5, ["x", "y"]])
def test_calendar_predict_wrong_types_teach(bad: object) -> None:
    with pytest.raises(ParameterError, match=r"CalendarClassifier.predict.*sessions"):
        CalendarClassifier().fit().predict(bad)  # type: ignore[arg-type]


def test_calendar_predict_unsorted_sessions() -> None:
    idx = pd.DatetimeIndex(["2020-03-17", "2020-03-16"])
    with pytest.raises(ParameterError, match="increasing and unique"):
        CalendarClassifier().fit().predict(idx)
