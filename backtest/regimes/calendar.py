"""Calendar classifier: daily regime labels from the Fed's announcement calendar."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from backtest._typing import EventAnchor
from backtest.data.calendar import next_session_on_or_after
from backtest.exceptions import ParameterError
from backtest.regimes.base import check_sessions
from backtest.regimes.events import Event, load_events

__all__ = ["MAX_END_OF_QT_DAYS", "CalendarClassifier"]

MAX_END_OF_QT_DAYS = 3650  # ten years: longer is "until the next event" (None)


class CalendarClassifier:
    """Label each session with the regime set by the latest Fed event.

    Parameters
    ----------
    anchor : {"effective", "announce"}
        Start each regime on the event's effective date (balances move) or on
        its announcement date (markets move). An announcement on a non-trading
        day (the Sunday 2020-03-15 QE4 statement) starts on the next session.
    end_of_qt_days : int or None
        How long ``end_of_qt`` lasts after runoff *stops* (events of kind
        ``qt_end``), in calendar days; afterwards the label is ``neutral``
        unless another event comes first. None (default) keeps ``end_of_qt``
        until the next event. Runoff *slowdowns* (``qt_slowdown``) are
        ``end_of_qt`` until the next event either way.
    events : path or list of Event, optional
        A user events file or parsed events; the shipped file by default.

    Attributes
    ----------
    events_ : list of Event
        Validated events, sorted by effective date (set by ``fit``).

    Notes
    -----
    Sessions before the first event are ``neutral`` (pre-2008). Both dates of
    every event were public on the announcement day, so the labels use no
    information that was not known at each session's close.
    """

    def __init__(
        self,
        anchor: EventAnchor = "effective",
        end_of_qt_days: int | None = None,
        events: str | Path | list[Event] | None = None,
    ) -> None:
        self.anchor = anchor
        self.end_of_qt_days = end_of_qt_days
        self.events = events

    def fit(self, X: object = None) -> CalendarClassifier:
        """Validate parameters and load the events; ``X`` is ignored (sklearn-style)."""
        if self.anchor not in ("announce", "effective"):
            raise ParameterError(
                f"anchor must be 'announce' or 'effective', got {self.anchor!r}."
            )
        days = self.end_of_qt_days
        if days is not None and (
            isinstance(days, bool) or not isinstance(days, int | np.integer)
            or not 1 <= days <= MAX_END_OF_QT_DAYS
        ):
            raise ParameterError(
                f"end_of_qt_days must be a positive whole number of days or None, "
                f"got {days!r}; allowed: 1 to {MAX_END_OF_QT_DAYS} (ten years), or None to "
                f"keep end_of_qt until the next event."
            )
        if isinstance(self.events, list):
            evs = sorted(self.events, key=lambda e: e.effective)
        else:
            evs = load_events(self.events)
        self.events_ = evs
        return self

    def _starts(self) -> pd.DataFrame:
        """Regime starts as (session, label) rows, including end-of-QT expiries."""
        rows: list[tuple[pd.Timestamp, str, int]] = []
        for order, e in enumerate(self.events_):
            day = e.announced if self.anchor == "announce" else e.effective
            rows.append((day, e.label, order))
        starts = pd.DataFrame(rows, columns=["day", "label", "order"])
        if self.end_of_qt_days is not None:
            extra = []
            for i, e in enumerate(self.events_):
                if e.kind != "qt_end":
                    continue
                day = (e.announced if self.anchor == "announce" else e.effective)
                expiry = day + pd.Timedelta(days=self.end_of_qt_days)
                later = starts["day"][starts["order"] > i]
                if later.empty or later.min() > expiry:
                    extra.append((expiry, "neutral", i))
            if extra:
                starts = pd.concat([starts, pd.DataFrame(extra, columns=starts.columns)])
        session = next_session_on_or_after(pd.DatetimeIndex(starts["day"]))
        starts = starts.assign(session=session).sort_values(["session", "day", "order"],
                                                            kind="stable")
        return starts.drop_duplicates("session", keep="last")

    def predict(self, sessions: pd.DatetimeIndex) -> pd.Series:
        """Daily labels on ``sessions`` (a string Series named ``regime``)."""
        sessions = check_sessions(sessions, "CalendarClassifier.predict")
        if not hasattr(self, "events_"):
            self.fit()
        starts = self._starts()
        lab = pd.Series(starts["label"].to_numpy(), index=pd.DatetimeIndex(starts["session"]))
        out = lab.reindex(sessions, method="ffill").fillna("neutral")
        out.index = pd.DatetimeIndex(sessions, name="date")
        return out.astype(object).rename("regime")

    def changes(self) -> pd.DataFrame:
        """Regime starts (session, label) after collapsing repeats of the same label."""
        if not hasattr(self, "events_"):
            self.fit()
        s = self._starts()
        s = s[s["label"].ne(s["label"].shift())]
        return s[["session", "label"]].reset_index(drop=True)
