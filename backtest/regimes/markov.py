"""Statistical classifier: a Markov-switching model of the weekly pace, filtered only.

The model is statsmodels' ``MarkovRegression`` (``statsmodels.tsa.regime_switching``)
with three regimes (switching mean and variance) on the compressed pace of
securities held, ``y = arcsinh(pace / scale)`` (``pace`` = trailing
``fast_weeks`` change in USD bn per month; the arcsinh keeps March 2020's
trillion-a-month burst from swamping the $10-100bn paces of other years).

Causality, by construction:

* **Expanding-window refits.** The model is refitted every ``refit_weeks``
  weeks, at positions counted from the first pace (not from the end), once
  ``min_train_weeks`` paces exist. Each fit uses only the paces known at its
  week.
* **Filtered probabilities only.** The weeks from one refit to the next are
  labelled with that fit's parameters and the Hamilton *filter*
  (``filtered_marginal_probabilities``: P(regime at t | data up to t)), never
  the smoother or a Viterbi path, which would read later weeks.
* Weeks before the first fit are ``neutral``.

Each fitted regime means "purchases" (mean pace above ``up_pace``), "runoff"
(below ``down_pace``) or "flat"; the most probable regime each week gives the
direction. Direction becomes a label with the same balance-sheet context as
the rules classifier (sterilised sales are not QT, post-QT Treasury growth
without MBS purchases is reserve management, a taper is a QE pace falling
below ``taper_ratio`` of its plateau, end_of_qt is a runoff slowed below
``slow_ratio`` of its fastest, or no runoff after QT).

A model can only name a regime it has seen: before the first purchases in
the data (QE1), no fitted regime means "purchases", so QE1 shows up only
after the next refit. That delay is reported, not hidden.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from backtest.data.store import DataStore
from backtest.exceptions import EmptyRangeError, ParameterError
from backtest.regimes.base import WeeklyLabelsMixin, input_frame, pace, weekly_inputs
from backtest.regimes.rules import RULES_INPUTS, RulesClassifier

__all__ = ["MarkovClassifier"]

_K = 3  # regimes: runoff, flat, purchases
_CONFIRM = 2  # weeks in a row a change must be signalled
_BURST = 150.0  # USD bn/month in one week: a crisis programme, taken at once
_TSY_NOISE = 2.5  # USD bn: largest weekly Treasury step-up that still reads as runoff
_Z_NOVEL = 4.0  # standard deviations beyond which the fitted regime does not explain a week
_EM_ITER = 40  # EM iterations per refit (on the snapshot: the same labels as 100)


class MarkovClassifier(WeeklyLabelsMixin):
    """Regimes from a three-state Markov-switching model of the pace, refitted causally.

    Parameters
    ----------
    refit_weeks : int
        Weeks between refits (4..260).
    min_train_weeks : int
        Paces needed before the first fit (52..520).
    fast_weeks : int
        Window of the modelled pace, weeks (2..13).
    scale : float
        Pace scale of the arcsinh compression, USD bn per month (> 0).
    up_pace, down_pace : float
        A regime whose mean pace is above ``up_pace`` means purchases, below
        ``down_pace`` runoff (USD bn per month; down_pace < 0 < up_pace).
    taper_ratio, slow_ratio : float
        As in :class:`RulesClassifier` (shares strictly between 0 and 1).

    Attributes
    ----------
    weekly_ : DataFrame
        Per release session: ``pace``, ``p_down``, ``p_flat``, ``p_up``
        (filtered probabilities; NaN before the first fit), ``direction``,
        ``fit_week`` (release session of the fit used) and ``regime``.
    fits_ : DataFrame
        One row per refit: ``week``, ``n`` (paces used), ``llf``, regime
        mean paces (USD bn per month) and whether EM converged.
    """

    def __init__(self, refit_weeks: int = 52, min_train_weeks: int = 156,
                 fast_weeks: int = 4, scale: float = 10.0, up_pace: float = 15.0,
                 down_pace: float = -3.0, taper_ratio: float = 0.85,
                 slow_ratio: float = 0.6) -> None:
        self.refit_weeks = refit_weeks
        self.min_train_weeks = min_train_weeks
        self.fast_weeks = fast_weeks
        self.scale = scale
        self.up_pace = up_pace
        self.down_pace = down_pace
        self.taper_ratio = taper_ratio
        self.slow_ratio = slow_ratio

    _PARAMS = ("refit_weeks", "min_train_weeks", "fast_weeks", "scale", "up_pace",
               "down_pace", "taper_ratio", "slow_ratio")

    def get_params(self) -> dict[str, float]:
        """Parameters as a dict."""
        return {k: getattr(self, k) for k in self._PARAMS}

    def _validate(self) -> None:
        def whole(v: Any, lo: int, hi: int) -> bool:
            return isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi

        def num(v: Any) -> bool:
            return isinstance(v, int | float | np.number) and not isinstance(v, bool) \
                and bool(np.isfinite(v))

        checks = [
            (whole(self.refit_weeks, 4, 260), "refit_weeks", "whole weeks from 4 to 260"),
            (whole(self.min_train_weeks, 52, 520), "min_train_weeks",
             "whole weeks from 52 to 520"),
            (whole(self.fast_weeks, 2, 13), "fast_weeks", "whole weeks from 2 to 13"),
            (num(self.scale) and self.scale > 0, "scale", "a positive pace, USD bn/month"),
            (num(self.up_pace) and self.up_pace > 0, "up_pace", "a positive pace"),
            (num(self.down_pace) and self.down_pace < 0, "down_pace", "a negative pace"),
            (num(self.taper_ratio) and 0 < self.taper_ratio < 1, "taper_ratio",
             "a share strictly between 0 and 1"),
            (num(self.slow_ratio) and 0 < self.slow_ratio < 1, "slow_ratio",
             "a share strictly between 0 and 1"),
        ]
        for ok, name, allowed in checks:
            if not ok:
                raise ParameterError(
                    f"{name} = {getattr(self, name)!r} is out of range; allowed: {allowed}."
                )

    @staticmethod
    def load_inputs(store: DataStore) -> pd.DataFrame:
        """What ``fit`` takes, from ``store``: release-lagged weekly levels, USD bn."""
        return weekly_inputs(store, RULES_INPUTS)

    def fit_store(self, store: DataStore) -> MarkovClassifier:
        """Fit on the release-lagged H.4.1 series of ``store``."""
        return self.fit(self.load_inputs(store))

    def fit(self, levels: pd.DataFrame) -> MarkovClassifier:
        """Refit the model along the history and label every week.

        Parameters
        ----------
        levels : DataFrame
            As :meth:`RulesClassifier.fit` takes (``WSHOSHO``, ``TREAST``,
            ``WSHOMCB``, ``WALCL``; USD bn; indexed by release session).
        """
        self._validate()
        frame = input_frame(levels, RULES_INPUTS, "MarkovClassifier.fit")
        x = pace(frame["WSHOSHO"].to_numpy(), self.fast_weeks)
        start = self.fast_weeks
        if len(x) - start < self.min_train_weeks:
            raise EmptyRangeError(
                f"The markov classifier needs min_train_weeks={self.min_train_weeks} paces; "
                f"got {max(0, len(x) - start)} weeks."
            )
        y = np.arcsinh(x / self.scale)
        probs, means, fit_at, fits = self._filtered(y, start, pd.DatetimeIndex(frame.index))
        direction = self._directions(y, probs, means, self._sds)
        ctx = RulesClassifier(fast_weeks=self.fast_weeks,
                              slow_ratio=self.slow_ratio, taper_ratio=self.taper_ratio
                              ).paces(frame)
        labels = self._label(direction, ctx)
        self.fits_ = pd.DataFrame(fits)
        self.weekly_ = pd.DataFrame({
            "pace": x, "p_down": probs[:, 0], "p_flat": probs[:, 1], "p_up": probs[:, 2],
            "direction": direction, "fit_week": fit_at, "regime": labels,
        }, index=frame.index)
        return self

    def _fit_once(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool, float]:
        """Fit on ``y``: parameters, regime constants (model order), finite, log-likelihood."""
        from statsmodels.tsa.regime_switching.markov_regression import (  # type: ignore[import-untyped]
            MarkovRegression,
        )

        model = MarkovRegression(y, k_regimes=_K, trend="c", switching_variance=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # EM rescaling notes; convergence is recorded
            res = model.fit(em_iter=_EM_ITER, maxiter=0, cov_type="none", disp=False)
        params = np.asarray(res.params)
        consts = params[_K * (_K - 1): _K * (_K - 1) + _K]
        return params, consts, bool(np.all(np.isfinite(params))), float(res.llf)

    def _filtered(self, y: np.ndarray, start: int, index: pd.DatetimeIndex
                  ) -> tuple[np.ndarray, np.ndarray, list[Any], list[dict[str, Any]]]:
        """Filtered probabilities (columns ordered down, flat, up) and each week's means."""
        from statsmodels.tsa.regime_switching.markov_regression import (
            MarkovRegression,
        )

        n = len(y)
        probs = np.full((n, _K), np.nan)
        means = np.full((n, _K), np.nan)
        sds = np.full((n, _K), np.nan)
        fit_at: list[Any] = [pd.NaT] * n
        fits: list[dict[str, Any]] = []
        first = start + self.min_train_weeks - 1
        for r in range(first, n, self.refit_weeks):
            params, consts, ok, llf = self._fit_once(y[start: r + 1])
            end = min(r + self.refit_weeks, n)
            model = MarkovRegression(y[start:end], k_regimes=_K, trend="c",
                                     switching_variance=True)
            filt = np.asarray(model.filter(params).filtered_marginal_probabilities)
            order = np.argsort(consts)
            probs[r:end] = filt[r - start: end - start][:, order]
            mean_pace = np.sinh(consts[order]) * self.scale
            means[r:end] = consts[order]
            sds[r:end] = np.sqrt(params[-_K:][order])
            fit_at[r:end] = [index[r]] * (end - r)
            fits.append({"week": index[r], "n": r + 1 - start, "llf": llf,
                         "mean_low": mean_pace[0], "mean_mid": mean_pace[1],
                         "mean_high": mean_pace[2], "converged": ok})
        self._sds = sds
        return probs, means, fit_at, fits

    def _directions(self, y: np.ndarray, probs: np.ndarray, means: np.ndarray,
                    sds: np.ndarray) -> np.ndarray:
        """``up`` / ``flat`` / ``down`` per week ('' before the first fit).

        The most probable regime's mean (in pace units) gives the direction;
        a week that regime does not explain (more than ``_Z_NOVEL`` of its
        standard deviations away: a pace the model has never seen, such as the
        first purchases or the first runoff) is read from its own pace.
        """
        out = np.full(len(probs), "", dtype=object)
        ok = ~np.isnan(probs).any(axis=1)
        rows = np.arange(len(probs))
        best = np.argmax(np.where(ok[:, None], probs, 0.0), axis=1)
        mu, sd = means[rows, best], sds[rows, best]
        novel = np.abs(y - mu) > _Z_NOVEL * sd
        level = np.sinh(np.where(novel, y, mu)) * self.scale
        out[ok & (level > self.up_pace)] = "up"
        out[ok & (level < self.down_pace)] = "down"
        out[ok & (level >= self.down_pace) & (level <= self.up_pace)] = "flat"
        return out

    def _label(self, direction: np.ndarray, ctx: dict[str, np.ndarray]) -> list[str]:
        """Directions to labels, a change taken once signalled ``_CONFIRM`` weeks in a row."""
        state, post_qt, trough = "neutral", False, 0.0
        pending, streak = "", 0
        out: list[str] = []
        for i, d in enumerate(direction):
            cand, cand_post, cand_trough = self._next(state, str(d), post_qt, trough, ctx, i)
            if cand == state:
                post_qt, trough, pending, streak = cand_post, cand_trough, "", 0
            else:
                streak = streak + 1 if cand == pending else 1
                pending = cand
                if streak >= _CONFIRM or float(ctx["burst"][i]) > _BURST:
                    state, post_qt, trough, pending, streak = (cand, cand_post, cand_trough,
                                                               "", 0)
            out.append(state)
        return out

    def _next(self, state: str, d: str, post_qt: bool, trough: float,
              ctx: dict[str, np.ndarray], i: int) -> tuple[str, bool, float]:
        """One week of the direction-to-label machine: (label, post_qt, trough)."""
        tsy_mid, tsy_slow = float(ctx["tsy_mid"][i]), float(ctx["tsy_slow"][i])
        if d == "up" and ctx["pace_fast"][i] > self.up_pace:
            if state in ("QE", "taper"):
                ref = float(ctx["ref"][i])
                taper = state == "taper" or (not np.isnan(ref)
                                             and ctx["pace_mid"][i] < self.taper_ratio * ref)
                return ("taper" if taper else "QE"), False, trough
            rmp = post_qt and ctx["mbs_slow"][i] <= 0 and ctx["pace_fast"][i] < _BURST
            return ("neutral", True, trough) if rmp else ("QE", False, trough)
        if d == "up" and state in ("QE", "taper"):
            return state, post_qt, trough
        if d == "down":
            if state == "QT":
                trough = min(trough, tsy_slow)
                slowed = trough < 2 * self.down_pace and tsy_mid > self.slow_ratio * trough
                return ("end_of_qt" if slowed else "QT"), True, trough
            if state == "end_of_qt":
                return ("QT" if tsy_slow < trough else "end_of_qt"), True, trough
            # the rules' runoff test: Treasuries fall without step-ups, not sterilised
            runoff = (ctx["tsy_fast"][i] < self.down_pace and tsy_slow < self.down_pace / 4
                      and ctx["tsy_step"][i] <= _TSY_NOISE and not bool(ctx["sterilised"][i]))
            if runoff:
                return "QT", True, min(0.0, tsy_slow)
            return "neutral", post_qt, trough
        if d == "flat" and state in ("QT", "end_of_qt"):
            return "end_of_qt", True, trough
        return "neutral", post_qt, trough
