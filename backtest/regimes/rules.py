"""Rule-based classifier v2: Treasury and MBS holdings, total assets, two pace windows.

What it adds to the v1 ``data`` classifier (:class:`BalanceSheetClassifier`):

* **Runoff is read from Treasuries** (TREAST). Under full reinvestment the
  Fed rolls every maturing Treasury at auction, so Treasury holdings are
  flat to the dollar; a decline is redemption. Entering QT needs Treasuries
  falling at ``qt_enter`` or faster over ``fast_weeks`` *and* over
  ``slow_weeks``.
* **Sterilised sales are not QT.** Runoff must show in total assets: if
  WALCL fell by less than ``sterilised_share`` of the decline in securities
  (or in Treasuries, whichever fell more) over ``slow_weeks`` (Jan-Sep
  2008: Treasuries sold while the Fed lent the cash back through TAF and
  other facilities; Oct-Nov 2008: total assets exploding), the week is not
  QT.
* **Reserve-management purchases are not QE.** After a runoff, growth of
  Treasury holdings while MBS keep running off (no MBS purchases) is read as
  reserve management (``neutral``) unless its pace exceeds ``qe_burst``
  (a crisis programme such as March 2020).
* **Bursts are caught at once**: a one-week pace above ``qe_burst`` is QE
  without confirmation (QE4: the first release after 2020-03-16).
* **end_of_qt from the Treasury runoff pace**: a runoff slower than
  ``slow_ratio`` of the episode's fastest (``slowdown``) or Treasuries no
  longer falling (``stopped``).

MBS purchases settle one to two months after the trade (TBA settlement), so
an MBS-led programme (QE1, QE3) shows in the data weeks after its start:
that delay is in the data, not in the rules.

All inputs are H.4.1 weekly levels, release-lagged by the point-in-time
panel (:func:`backtest.regimes.base.weekly_inputs`). Each week's label
depends only on releases known by that week and on the previous state, so
labels before t never change when data after t is removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.data.store import DataStore
from backtest.exceptions import EmptyRangeError, ParameterError
from backtest.regimes.base import WeeklyLabelsMixin, input_frame, pace, weekly_inputs

__all__ = ["RULES_INPUTS", "RulesClassifier"]

RULES_INPUTS: tuple[str, ...] = ("WSHOSHO", "TREAST", "WSHOMCB", "WALCL")

_REF_WEEKS = 26  # reach of the taper reference window


@dataclass
class _Week:
    """The paces of one week (USD bn per month)."""

    fast: float  # securities held, fast window
    slow: float  # securities held, slow window
    burst: float  # securities held, one week
    mid: float  # securities held, mid window (taper)
    tsy_fast: float
    tsy_mid: float
    tsy_slow: float
    tsy_step: float  # largest one-week rise of Treasuries over the slow window
    mbs_slow: float
    sterilised: bool
    ref: float  # taper reference (NaN unless QE ran on a plateau)


@dataclass
class _State:
    label: str = "neutral"
    since: int = 10**9
    trough: float = 0.0  # fastest Treasury runoff of the episode (<= 0)
    plateau: float = float("inf")
    post_qt: bool = False
    pending: str = ""
    streak: int = 0


class RulesClassifier(WeeklyLabelsMixin):
    """Label weeks QE, taper, QT, end_of_qt or neutral from H.4.1 holdings.

    Parameters
    ----------
    fast_weeks, slow_weeks : int
        The two pace windows, weeks (2 <= fast < slow <= 26).
    qe_enter : float
        Securities pace (fast and half of it over the slow window) above
        which purchases are QE, USD bn per month (> 0).
    qe_burst : float
        One-week pace that is QE at once, and the pace purchases must beat
        after a runoff to count as QE rather than reserve management (USD bn
        per month, > qe_enter).
    flat : float
        QE or taper ends when the fast pace falls below this (USD bn/month).
    flat_up : float
        end_of_qt gives way to neutral when holdings grow faster than this.
    qt_enter : float
        Treasury pace over ``fast_weeks`` below which Treasuries run off
        (USD bn per month, < 0); the slow-window pace must be below a quarter
        of it.
    tsy_noise : float
        Largest one-week *rise* of Treasury holdings over ``slow_weeks`` that
        still reads as runoff, USD bn (>= 0). Redemptions only ever lower
        holdings (TIPS inflation compensation adds about 1bn a week); the
        size-neutral Operation Twist stepped holdings up by 3-9bn at its
        purchase settlements, so a Twist-era dip is not QT.
    sterilised_share : float
        Runoff must show in total assets: WALCL's slow-window fall must be at
        least this share of the fall of securities (or of Treasuries, if they
        fell more), 0..1.
    slow_ratio : float
        QT turns end_of_qt when the Treasury runoff is slower than this share
        of the episode's fastest (0..1).
    taper_ratio : float
        QE turns taper when the fast pace falls below this share of the
        plateau pace of the previous half year (0..1).
    plateau_ratio : float
        Largest fastest/slowest pace ratio for that window to be a plateau.
    confirm_weeks : int
        Weeks in a row a change must be signalled (1..13).
    min_weeks : int
        Minimum weeks in a state before it may change (1..52).

    Attributes
    ----------
    weekly_ : DataFrame
        Per release session: the input levels (USD bn), ``pace_fast``,
        ``pace_slow``, ``tsy_fast``, ``sterilised`` and ``regime``.
    """

    def __init__(
        self,
        fast_weeks: int = 4,
        slow_weeks: int = 13,
        qe_enter: float = 20.0,
        qe_burst: float = 150.0,
        flat: float = 20.0,
        flat_up: float = 10.0,
        qt_enter: float = -4.0,
        tsy_noise: float = 2.5,
        sterilised_share: float = 0.5,
        slow_ratio: float = 0.6,
        taper_ratio: float = 0.85,
        plateau_ratio: float = 2.5,
        confirm_weeks: int = 2,
        min_weeks: int = 4,
    ) -> None:
        self.fast_weeks = fast_weeks
        self.slow_weeks = slow_weeks
        self.qe_enter = qe_enter
        self.qe_burst = qe_burst
        self.flat = flat
        self.flat_up = flat_up
        self.qt_enter = qt_enter
        self.tsy_noise = tsy_noise
        self.sterilised_share = sterilised_share
        self.slow_ratio = slow_ratio
        self.taper_ratio = taper_ratio
        self.plateau_ratio = plateau_ratio
        self.confirm_weeks = confirm_weeks
        self.min_weeks = min_weeks

    _PARAMS = ("fast_weeks", "slow_weeks", "qe_enter", "qe_burst", "flat", "flat_up",
               "qt_enter", "tsy_noise", "sterilised_share", "slow_ratio", "taper_ratio",
               "plateau_ratio", "confirm_weeks", "min_weeks")

    def get_params(self) -> dict[str, float]:
        """Parameters as a dict (for manifests, reports and grid searches)."""
        return {k: getattr(self, k) for k in self._PARAMS}

    def set_params(self, **params: float) -> RulesClassifier:
        """Set parameters by name (sklearn-style); unknown names are an error."""
        for k, v in params.items():
            if k not in self._PARAMS:
                raise ParameterError(
                    f"Unknown rules-classifier parameter {k!r}; allowed: {list(self._PARAMS)}."
                )
            setattr(self, k, v)
        return self

    def _validate(self) -> None:
        for name, value in self.get_params().items():
            if isinstance(value, bool) or not isinstance(value, int | float | np.number) \
                    or not np.isfinite(value):
                raise ParameterError(
                    f"{name} = {value!r} is not a number; rules-classifier parameters are "
                    f"numbers (see RulesClassifier's docstring)."
                )
        checks = [
            (isinstance(self.fast_weeks, int) and isinstance(self.slow_weeks, int)
             and 2 <= self.fast_weeks < self.slow_weeks <= 26, "fast_weeks",
             "whole weeks with 2 <= fast_weeks < slow_weeks <= 26"),
            (self.qe_enter > 0, "qe_enter", "a positive pace in USD bn per month"),
            (self.qe_burst > self.qe_enter, "qe_burst", "a pace above qe_enter"),
            (0 <= self.flat <= self.qe_enter, "flat", "0 <= flat <= qe_enter"),
            (0 <= self.flat_up < self.qe_enter, "flat_up", "0 <= flat_up < qe_enter"),
            (self.qt_enter < 0, "qt_enter", "a negative pace in USD bn per month"),
            (self.tsy_noise >= 0, "tsy_noise", "a weekly change >= 0 in USD bn"),
            (0 <= self.sterilised_share <= 1, "sterilised_share", "a share from 0 to 1"),
            (0 < self.slow_ratio < 1, "slow_ratio", "a share strictly between 0 and 1"),
            (0 < self.taper_ratio < 1, "taper_ratio", "a share strictly between 0 and 1"),
            (self.plateau_ratio > 1, "plateau_ratio", "a ratio above 1"),
            (isinstance(self.confirm_weeks, int) and 1 <= self.confirm_weeks <= 13,
             "confirm_weeks", "a whole number of weeks from 1 to 13"),
            (isinstance(self.min_weeks, int) and 1 <= self.min_weeks <= 52,
             "min_weeks", "a whole number of weeks from 1 to 52"),
        ]
        for ok, name, allowed in checks:
            if not ok:
                raise ParameterError(
                    f"{name} = {getattr(self, name)!r} is out of range; allowed: {allowed}."
                )

    def fit(self, levels: pd.DataFrame) -> RulesClassifier:
        """Classify every week of ``levels``.

        Parameters
        ----------
        levels : DataFrame
            Columns ``WSHOSHO``, ``TREAST``, ``WSHOMCB``, ``WALCL``: weekly
            H.4.1 levels in USD billions indexed by the session at which each
            became known (as built by :func:`weekly_inputs`).
        """
        self._validate()
        frame = input_frame(levels, RULES_INPUTS, "RulesClassifier.fit")
        if len(frame) <= self.slow_weeks:
            raise EmptyRangeError(
                f"The rules classifier needs more than slow_weeks={self.slow_weeks} weekly "
                f"observations; got {len(frame)}."
            )
        cols = self.paces(frame)
        labels = self._run(cols)
        self.weekly_ = frame.assign(**{k: cols[k] for k in (
            "pace_fast", "pace_slow", "tsy_fast", "tsy_slow")},
            sterilised=cols["sterilised"], regime=labels)
        return self

    @staticmethod
    def load_inputs(store: DataStore) -> pd.DataFrame:
        """What ``fit`` takes, from ``store``: release-lagged weekly levels, USD bn."""
        return weekly_inputs(store, RULES_INPUTS)

    def fit_store(self, store: DataStore) -> RulesClassifier:
        """Fit on the release-lagged H.4.1 series of ``store``."""
        return self.fit(self.load_inputs(store))

    def paces(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        """Every pace and context column the rules read, one value per week (USD bn/month)."""
        f, s = self.fast_weeks, self.slow_weeks
        m = (f + s) // 2
        sec = frame["WSHOSHO"].to_numpy()
        tsy = frame["TREAST"].to_numpy()
        step = pd.Series(np.diff(tsy, prepend=np.nan)).rolling(s, min_periods=s).max()
        sec_slow = pace(sec, s)
        walcl_slow = pace(frame["WALCL"].to_numpy(), s)
        # runoff that total assets do not show: other assets replaced the securities
        fall = np.fmin(sec_slow, pace(tsy, s))
        sterilised = (fall < 0) & (walcl_slow > self.sterilised_share * fall)
        return {
            "pace_fast": pace(sec, f), "pace_slow": sec_slow, "burst": pace(sec, 1),
            "pace_mid": pace(sec, m), "tsy_fast": pace(tsy, f), "tsy_mid": pace(tsy, m),
            "tsy_slow": pace(tsy, s), "tsy_step": step.to_numpy(),
            "mbs_slow": pace(frame["WSHOMCB"].to_numpy(), s),
            "sterilised": sterilised,
            "ref": self._references(pace(sec, m)),
        }

    def _references(self, mid: np.ndarray) -> np.ndarray:
        """Taper reference of every week (USD bn per month, NaN where none).

        The median mid-window pace from half a year to a mid window ago, where
        that window was a plateau (fastest <= ``plateau_ratio`` x slowest, all
        above ``qe_enter``).
        """
        lag = (self.fast_weeks + self.slow_weeks) // 2
        roll = pd.Series(mid).rolling(_REF_WEEKS - lag + 1, min_periods=4)
        med, lo, hi = (x.shift(lag).to_numpy() for x in (roll.median(), roll.min(), roll.max()))
        ok = (lo > self.qe_enter) & (hi <= self.plateau_ratio * lo)
        return np.where(ok, med, np.nan)

    def _is_qe(self, w: _Week, st: _State) -> bool:
        """Purchases at QE pace, and not reserve management after a runoff."""
        if w.burst > self.qe_burst and w.fast > self.qe_enter:
            return True
        if not (w.fast > self.qe_enter and w.slow > self.qe_enter / 2):
            return False
        rmp = st.post_qt and w.mbs_slow <= 0 and w.fast < self.qe_burst
        return not rmp

    def _candidate(self, w: _Week, st: _State) -> str:
        """The state this week points to (before confirmation)."""
        lab = st.label
        # redemptions only: Treasuries fall and never step up (Twist swaps do)
        runoff = (w.tsy_fast < self.qt_enter and w.tsy_slow < self.qt_enter / 4
                  and w.tsy_step <= self.tsy_noise)
        if lab in ("neutral", "QT", "end_of_qt") and self._is_qe(w, st):
            return "QE"
        if lab == "neutral" and runoff and not w.sterilised:
            return "QT"
        if lab == "QE":
            if w.fast < self.flat:
                return "neutral"
            if not np.isnan(w.ref) and w.mid < self.taper_ratio * w.ref:
                return "taper"
        elif lab == "taper":
            if w.fast < self.flat:
                return "neutral"
            if w.fast > st.plateau:
                return "QE"
        elif lab == "QT":
            if st.trough < 2 * self.qt_enter and w.tsy_mid > self.slow_ratio * st.trough:
                return "end_of_qt"
        elif lab == "end_of_qt":
            if w.fast > self.flat_up:
                return "neutral"
            if w.tsy_slow < st.trough:
                return "QT"
        return lab

    def _week(self, cols: dict[str, np.ndarray], i: int) -> _Week:
        return _Week(
            fast=float(cols["pace_fast"][i]), slow=float(cols["pace_slow"][i]),
            burst=float(cols["burst"][i]), mid=float(cols["pace_mid"][i]),
            tsy_fast=float(cols["tsy_fast"][i]), tsy_mid=float(cols["tsy_mid"][i]),
            tsy_slow=float(cols["tsy_slow"][i]), tsy_step=float(cols["tsy_step"][i]),
            mbs_slow=float(cols["mbs_slow"][i]), sterilised=bool(cols["sterilised"][i]),
            ref=float(cols["ref"][i]),
        )

    def _step(self, w: _Week, st: _State) -> None:
        """Advance the state machine by one week (in place)."""
        st.since += 1
        cand = self._candidate(w, st)
        if cand != st.label:
            st.streak = st.streak + 1 if cand == st.pending else 1
            st.pending = cand
        else:
            st.pending, st.streak = "", 0
        burst = cand == "QE" and w.burst > self.qe_burst
        if cand != st.label and (burst or (st.streak >= self.confirm_weeks
                                           and st.since >= self.min_weeks)):
            if cand == "QT" and st.label != "end_of_qt":
                st.trough = w.tsy_slow
            if cand == "taper":
                st.plateau = w.ref
            if cand == "QT":
                st.post_qt = True
            if cand == "QE":
                st.post_qt = False
            st.label, st.since, st.pending, st.streak = cand, 0, "", 0
        if st.label == "QT":
            st.trough = min(st.trough, w.tsy_slow)

    def _run(self, cols: dict[str, np.ndarray]) -> list[str]:
        st = _State()
        out: list[str] = []
        for i in range(len(cols["pace_fast"])):
            if np.isnan(cols["pace_slow"][i]):
                out.append(st.label)
                continue
            self._step(self._week(cols, i), st)
            out.append(st.label)
        return out
