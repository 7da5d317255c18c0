"""Data classifier: regimes from the pace of securities held outright (WSHOSHO).

Uses securities held outright rather than total assets (WALCL), which also
holds emergency lending. Strictly causal: each week's label depends only on
H.4.1 releases known by that week (the input is release-lagged by the
point-in-time panel), on trailing windows, and on the previous state.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from backtest.data.panel import known_observations
from backtest.data.store import DataStore
from backtest.exceptions import EmptyRangeError, ParameterError
from backtest.regimes.base import WeeklyLabelsMixin

__all__ = ["BalanceSheetClassifier"]

_WEEKS_PER_MONTH = 52.0 / 12.0
_LONG_WEEKS = 26  # window of the "sustained runoff" check on entering QT


class BalanceSheetClassifier(WeeklyLabelsMixin):
    """Label weeks QE, taper, QT, end_of_qt or neutral from the pace of holdings.

    The pace is the trailing ``window_weeks`` change of securities held
    outright, in USD billions per month. A state machine with hysteresis moves
    between labels; once in a state it stays at least ``min_weeks``.

    ============  ==============================================================
    from          to, when (pace ``p`` this week)
    ============  ==============================================================
    neutral       QE if ``p > qe_enter``; QT if ``p < qt_enter`` and the
                  26-week pace is below ``qt_enter / 2`` (sustained runoff)
    QE            neutral if ``p < flat``; taper if ``p < taper_ratio * ref``,
                  ``ref`` = median pace between ``taper_ref_weeks`` and
                  ``window_weeks`` weeks ago when that window was a plateau
                  (fastest <= ``plateau_ratio`` x slowest)
    taper         neutral if ``p < flat``; QE if ``p`` is back above the
                  plateau ``ref`` that the taper started from
    QT            end_of_qt if ``p > slow_ratio * trough`` (runoff slowed to
                  less than ``slow_ratio`` of its fastest pace this episode,
                  once that pace has exceeded ``2 * qt_enter``)
    end_of_qt     QE if ``p > qe_enter``; neutral if ``p > flat_up`` (holdings
                  growing again) or after ``end_of_qt_weeks`` weeks of
                  ``|p| < |qt_enter|`` (runoff stopped); QT if ``p < trough``
    ============  ==============================================================

    A candidate change must be signalled ``confirm_weeks`` weeks in a row.
    Defaults were chosen on 2008-2026 against the calendar classifier (an
    in-sample choice: ``qtbt regimes --validate`` reports how well they do).

    Parameters
    ----------
    window_weeks : int
        Trailing window of the pace, weeks (4..26).
    qe_enter : float
        Pace above which purchases count as QE, USD bn per month (> 0).
    qt_enter : float
        Pace below which holdings are running off, USD bn per month (< 0).
    flat : float
        Below this pace, purchases are over (USD bn per month, >= 0).
    flat_up : float
        Above this pace after runoff, holdings grow again (USD bn per month).
    taper_ratio : float
        QE turns taper when the pace falls below this share of the reference
        pace (0 < ratio < 1).
    taper_ref_weeks : int
        How far back the reference pace window reaches, weeks.
    slow_ratio : float
        QT turns end_of_qt when the runoff pace is less than this share of the
        episode's fastest runoff (0 < ratio < 1).
    min_weeks : int
        Minimum weeks in a state before it may change (hysteresis), >= 1.
    confirm_weeks : int
        Weeks in a row a change must be signalled before it is taken (1..13).
    plateau_ratio : float
        Largest fastest/slowest pace ratio for the taper reference window (> 1).
    end_of_qt_weeks : int
        Weeks of stopped runoff (``|p| < |qt_enter|``) after which end_of_qt
        gives way to neutral.

    Attributes
    ----------
    weekly_ : DataFrame
        Per release session: ``level_bn``, ``pace_bn_month`` and ``regime``.
    """

    def __init__(
        self,
        window_weeks: int = 8,
        qe_enter: float = 40.0,
        qt_enter: float = -10.0,
        flat: float = 20.0,
        flat_up: float = 5.0,
        taper_ratio: float = 0.85,
        taper_ref_weeks: int = 26,
        slow_ratio: float = 0.6,
        min_weeks: int = 4,
        confirm_weeks: int = 3,
        plateau_ratio: float = 2.5,
        end_of_qt_weeks: int = 8,
    ) -> None:
        self.window_weeks = window_weeks
        self.qe_enter = qe_enter
        self.qt_enter = qt_enter
        self.flat = flat
        self.flat_up = flat_up
        self.taper_ratio = taper_ratio
        self.taper_ref_weeks = taper_ref_weeks
        self.slow_ratio = slow_ratio
        self.min_weeks = min_weeks
        self.confirm_weeks = confirm_weeks
        self.plateau_ratio = plateau_ratio
        self.end_of_qt_weeks = end_of_qt_weeks

    def get_params(self) -> dict[str, float]:
        """Parameters as a dict (for manifests and reports)."""
        return {k: getattr(self, k) for k in (
            "window_weeks", "qe_enter", "qt_enter", "flat", "flat_up", "taper_ratio",
            "taper_ref_weeks", "slow_ratio", "min_weeks", "confirm_weeks", "plateau_ratio",
            "end_of_qt_weeks")}

    def _validate(self) -> None:
        for name, value in self.get_params().items():
            if isinstance(value, bool) or not isinstance(value, int | float | np.number) \
                    or not np.isfinite(value):
                raise ParameterError(
                    f"{name} = {value!r} is not a number; data-classifier parameters are "
                    f"numbers (see `qtbt regimes --help`)."
                )

        def need(ok: bool, name: str, allowed: str) -> None:
            if not ok:
                raise ParameterError(
                    f"{name} = {getattr(self, name)!r} is out of range; allowed: {allowed}."
                )

        need(isinstance(self.window_weeks, int) and 4 <= self.window_weeks <= 26,
             "window_weeks", "a whole number of weeks from 4 to 26")
        need(self.qe_enter > 0, "qe_enter", "a positive pace in USD bn per month")
        need(self.qt_enter < 0, "qt_enter", "a negative pace in USD bn per month")
        need(0 <= self.flat < self.qe_enter, "flat", "0 <= flat < qe_enter")
        need(0 <= self.flat_up < self.qe_enter, "flat_up", "0 <= flat_up < qe_enter")
        need(0 < self.taper_ratio < 1, "taper_ratio", "a share strictly between 0 and 1")
        need(0 < self.slow_ratio < 1, "slow_ratio", "a share strictly between 0 and 1")
        need(isinstance(self.taper_ref_weeks, int)
             and self.window_weeks < self.taper_ref_weeks <= 104,
             "taper_ref_weeks", "whole weeks, more than window_weeks and at most 104")
        need(isinstance(self.min_weeks, int) and 1 <= self.min_weeks <= 52,
             "min_weeks", "a whole number of weeks from 1 to 52")
        need(isinstance(self.confirm_weeks, int) and 1 <= self.confirm_weeks <= 13,
             "confirm_weeks", "a whole number of weeks from 1 to 13")
        need(self.plateau_ratio > 1, "plateau_ratio", "a ratio above 1")
        need(isinstance(self.end_of_qt_weeks, int) and 1 <= self.end_of_qt_weeks <= 104,
             "end_of_qt_weeks", "a whole number of weeks from 1 to 104")

    def fit(self, securities: pd.Series) -> BalanceSheetClassifier:
        """Classify every week of ``securities``.

        Parameters
        ----------
        securities : Series
            WSHOSHO levels in USD millions, one per weekly release, indexed by
            the NYSE session at which each became known (as returned by
            ``known_observations("WSHOSHO", store)``).

        Returns
        -------
        self
        """
        self._validate()
        s = pd.Series(securities, dtype="float64").dropna()
        if len(s) <= self.window_weeks:
            raise EmptyRangeError(
                f"The data classifier needs more than window_weeks={self.window_weeks} weekly "
                f"observations of securities held; got {len(s)}."
            )
        level = s.to_numpy() / 1000.0  # USD bn
        pace = np.full(len(level), np.nan)
        w = self.window_weeks
        pace[w:] = (level[w:] - level[:-w]) / w * _WEEKS_PER_MONTH
        pace_long = np.full(len(level), np.nan)
        lw = _LONG_WEEKS
        pace_long[lw:] = (level[lw:] - level[:-lw]) / lw * _WEEKS_PER_MONTH
        labels = self._run(pace, pace_long)
        self.weekly_ = pd.DataFrame(
            {"level_bn": level, "pace_bn_month": pace, "regime": labels},
            index=pd.DatetimeIndex(s.index, name="date"),
        )
        return self

    @staticmethod
    def load_inputs(store: DataStore) -> pd.Series:
        """What ``fit`` takes, from ``store``: release-lagged WSHOSHO (USD millions)."""
        return known_observations("WSHOSHO", store)

    def fit_store(self, store: DataStore) -> BalanceSheetClassifier:
        """Fit on the release-lagged WSHOSHO of ``store``."""
        return self.fit(self.load_inputs(store))

    def _reference(self, pace: np.ndarray, i: int) -> float:
        """Median pace over the reference window, if that window was a plateau.

        The window runs from ``taper_ref_weeks`` to ``window_weeks`` weeks ago.
        It counts as a plateau when its fastest pace is at most
        ``plateau_ratio`` times its slowest (so the months after a burst like
        March 2020 do not read as a taper). NaN otherwise.
        """
        lo = max(0, i - self.taper_ref_weeks)
        hist = pace[lo: max(lo, i - self.window_weeks + 1)]
        hist = hist[~np.isnan(hist)]
        if hist.size < 4 or hist.min() <= self.qe_enter:
            return float("nan")
        if hist.max() > self.plateau_ratio * hist.min():
            return float("nan")
        return float(np.median(hist))

    def _candidate(self, state: str, p: float, p_long: float, ref: float, trough: float,
                   plateau: float, flat_weeks: int) -> str:
        """The state this week's pace points to (before confirmation)."""
        if state == "neutral":
            if p > self.qe_enter:
                return "QE"
            # runoff must also show over half a year, not just in one settlement cycle
            if p < self.qt_enter and p_long < self.qt_enter / 2:
                return "QT"
        elif state == "QE":
            if p < self.flat:
                return "neutral"
            if not np.isnan(ref) and p < self.taper_ratio * ref:
                return "taper"
        elif state == "taper":
            if p < self.flat:
                return "neutral"
            if p > plateau:
                return "QE"
        elif state == "QT":
            # a slowdown only counts once runoff has been well under way
            if trough < 2 * self.qt_enter and p > self.slow_ratio * trough:
                return "end_of_qt"
        elif state == "end_of_qt":
            if p > self.qe_enter:
                return "QE"
            if p > self.flat_up or flat_weeks >= self.end_of_qt_weeks:
                return "neutral"
            if p < trough:
                return "QT"
        return state

    def _run(self, pace: np.ndarray, pace_long: np.ndarray) -> list[str]:
        state, since = "neutral", 10**9
        trough, plateau = 0.0, float("inf")
        pending, streak, flat_weeks = "", 0, 0
        out: list[str] = []
        for i, p in enumerate(pace):
            since += 1
            if np.isnan(p):
                out.append(state)
                continue
            # weeks in a row with runoff slower than the QT entry pace ("stopped")
            flat_weeks = flat_weeks + 1 if abs(p) < abs(self.qt_enter) else 0
            ref = self._reference(pace, i)
            p_long = pace_long[i] if not np.isnan(pace_long[i]) else p
            cand = self._candidate(state, p, p_long, ref, trough, plateau, flat_weeks)
            if cand != state:
                streak = streak + 1 if cand == pending else 1
                pending = cand
            else:
                pending, streak = "", 0
            if cand != state and streak >= self.confirm_weeks and since >= self.min_weeks:
                if cand == "QT" and state != "end_of_qt":
                    trough = p
                if cand == "taper":
                    plateau = ref
                state, since, pending, streak = cand, 0, "", 0
            if state == "QT":
                trough = min(trough, p)
            out.append(state)
        return out
