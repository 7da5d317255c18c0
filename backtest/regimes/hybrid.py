"""Hybrid classifier: the label from each Fed announcement, confirmed by the balance sheet.

An FOMC statement is public information on its date, so a label taken from
it (``anchor="announce"``) is causal. What the calendar cannot tell is
whether the balance sheet then did what was announced; this classifier
checks it with the v2 rules classifier and *flags* every announcement the
balance sheet does not follow within ``confirm_weeks`` weeks. The label is
never changed by the check: a flag is information for the user, not a
silent correction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtest.data.store import DataStore
from backtest.exceptions import ParameterError
from backtest.regimes.base import check_sessions
from backtest.regimes.calendar import CalendarClassifier
from backtest.regimes.events import Event
from backtest.regimes.rules import RulesClassifier

__all__ = ["FOLLOWS", "HybridClassifier"]

# data labels that count as "the balance sheet follows" an announced label
FOLLOWS: dict[str, frozenset[str]] = {
    "QE": frozenset({"QE"}),
    "taper": frozenset({"taper", "neutral"}),
    "QT": frozenset({"QT"}),
    "end_of_qt": frozenset({"end_of_qt", "neutral"}),
    "neutral": frozenset({"neutral", "end_of_qt"}),
}


class HybridClassifier:
    """Calendar labels, each regime change checked against the rules classifier.

    Parameters
    ----------
    anchor : {"announce", "effective"}
        Date a regime starts (``announce``: the statement's date, the
        hybrid's purpose; ``effective``: the operations' start).
    confirm_weeks : int
        Weeks after a change within which the rules classifier must show a
        label in ``FOLLOWS[label]`` (1..52).
    events : path or list of Event, optional
        Events file (the shipped one by default).

    Attributes
    ----------
    calendar_ : CalendarClassifier
        The fitted calendar.
    data_ : RulesClassifier
        The fitted balance-sheet check.
    checks_ : DataFrame
        One row per calendar change: ``session``, ``label``, ``confirmed``
        (bool), ``confirmed_on`` (first release session the data followed,
        NaT if not), ``decided_on`` (the session from which the outcome is
        known: ``confirmed_on``, or the change plus ``confirm_weeks`` weeks).
    """

    def __init__(self, anchor: str = "announce", confirm_weeks: int = 13,
                 events: str | Path | list[Event] | None = None) -> None:
        self.anchor = anchor
        self.confirm_weeks = confirm_weeks
        self.events = events

    def get_params(self) -> dict[str, Any]:
        """Tunable parameters (``anchor`` and ``events`` are options, not parameters)."""
        return {"confirm_weeks": self.confirm_weeks}

    @staticmethod
    def load_inputs(store: DataStore) -> pd.DataFrame:
        """What ``fit`` takes: the rules classifier's release-lagged inputs (USD bn)."""
        return RulesClassifier.load_inputs(store)

    def fit_store(self, store: DataStore) -> HybridClassifier:
        """Fit on the release-lagged H.4.1 series of ``store``."""
        return self.fit(self.load_inputs(store))

    def fit(self, levels: pd.DataFrame) -> HybridClassifier:
        """Load the calendar, fit the balance-sheet check and confirm every change."""
        cw = self.confirm_weeks
        if isinstance(cw, bool) or not isinstance(cw, int | np.integer) or not 1 <= cw <= 52:
            raise ParameterError(
                f"confirm_weeks = {cw!r} is out of range; allowed: whole weeks from 1 to 52."
            )
        self.calendar_ = CalendarClassifier(anchor=self.anchor, events=self.events).fit()  # type: ignore[arg-type]
        self.data_ = RulesClassifier().fit(levels)
        weekly = self.data_.predict()
        rows = []
        for session, label in zip(self.calendar_.changes()["session"],
                                  self.calendar_.changes()["label"], strict=True):
            t0 = pd.Timestamp(session)
            horizon = t0 + pd.Timedelta(weeks=cw)
            seg = weekly.loc[t0:horizon]
            ok = seg.index[seg.isin(FOLLOWS[str(label)])]
            hit = pd.Timestamp(ok[0]) if len(ok) else pd.NaT
            rows.append([t0, str(label), len(ok) > 0, hit, hit if len(ok) else horizon])
        self.checks_ = pd.DataFrame(rows, columns=["session", "label", "confirmed",
                                                   "confirmed_on", "decided_on"])
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "checks_"):
            raise ParameterError("Call HybridClassifier.fit() (or fit_store()) first.")

    def predict(self, sessions: pd.DatetimeIndex | None = None) -> pd.Series:
        """Daily labels: the calendar's, from each announcement (never altered by the check)."""
        self._fitted()
        idx = check_sessions(sessions, "HybridClassifier.predict")
        return self.calendar_.predict(idx)

    def status(self, sessions: pd.DatetimeIndex) -> pd.Series:
        """Per session, what is known of the current regime's confirmation.

        ``confirmed`` once the balance sheet followed; ``pending`` before
        that, up to ``confirm_weeks`` weeks; ``unconfirmed`` after (the flag);
        ``none`` before the first event.
        Causal: each value uses only releases known at that session.
        """
        self._fitted()
        idx = check_sessions(sessions, "HybridClassifier.status")
        out = pd.Series("none", index=idx, dtype=object, name="status")
        checks = self.checks_.sort_values("session")
        nxt = [*checks["session"].iloc[1:], pd.Timestamp.max]
        for (_, c), end in zip(checks.iterrows(), nxt, strict=True):
            decided = "confirmed" if c["confirmed"] else "unconfirmed"
            out[(idx >= c["session"]) & (idx < end)] = "pending"
            out[(idx >= c["decided_on"]) & (idx < end)] = decided
        return out

    def flags(self) -> pd.DataFrame:
        """The announcements the balance sheet did not follow within ``confirm_weeks``."""
        self._fitted()
        return self.checks_[~self.checks_["confirmed"]].reset_index(drop=True)
