"""The scorecard's measurements: one function per claim adds its test and context rows.

See :mod:`backtest.report.scorecard` for what is measured and the verdict rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from backtest import claims as cl
from backtest.claims import Claim
from backtest.metrics import TRADING_DAYS, episodes
from backtest.report.bootstrap import BootstrapSpec, percentile_interval, replicates, verdict
from backtest.report.scorecard_data import NO_DATA, ScoreData, WindowSpec
from backtest.report.stats import regime_order

__all__ = ["CORE_MEASURES", "Builder", "bp_change", "regime_runs", "returns"]


def returns(panel: pd.DataFrame, ref: str) -> pd.Series:
    """Daily simple returns of ``panel[ref]`` (fractions)."""
    return panel[ref].pct_change(fill_method=None)


def bp_change(panel: pd.DataFrame, ref: str) -> pd.Series:
    """Daily changes of ``panel[ref]`` (percent) in basis points."""
    return panel[ref].diff() * 100.0


def regime_runs(labels: pd.Series, regime: str) -> list[pd.DatetimeIndex]:
    """The sessions of every episode (contiguous run) of ``regime``, in time order."""
    idx = pd.DatetimeIndex(labels.index)
    runs = episodes(labels)
    out = []
    for start, end, lab in zip(pd.DatetimeIndex(runs["start"]), pd.DatetimeIndex(runs["end"]),
                               runs["label"].tolist(), strict=True):
        if lab == regime:
            out.append(idx[(idx >= start) & (idx <= end)])
    return out


@dataclass
class Builder:
    """Accumulates rows; one bootstrap per row, keyed by claim and row."""

    data: ScoreData
    spec: BootstrapSpec
    windows: WindowSpec
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, claim: Claim, test: str, window: str, role: str, direction: int, unit: str,
            value: float, lo: float, hi: float, days: int, obs: int, n_ep: int) -> None:
        """Append one row; a test row with no day of data gets the verdict ``no data``."""
        judged = (NO_DATA if days == 0 else verdict(lo, hi, direction)) if role == "test" else ""
        self.rows.append({
            "claim": claim.id, "test": test, "window": window, "role": role,
            "direction": direction if role == "test" else 0, "unit": unit,
            "value": float(value), "low": float(lo), "high": float(hi), "days": int(days),
            "obs": int(obs), "episodes": int(n_ep), "verdict": judged,
        })

    def mean_ci(self, values: np.ndarray, scale: float, key: str,
                spec: BootstrapSpec | None = None) -> tuple[float, float, float, np.ndarray]:
        """Scaled mean, its interval, and the replicates."""
        sp = spec or self.spec
        if np.ndim(values) != 1:  # the batched statistic averages the last axis
            raise ValueError(f"mean_ci takes a 1-D array, got shape {np.shape(values)}")
        value = float(np.mean(values)) * scale if len(values) else float("nan")
        # batched: numpy reduces each row of a (resamples, n) stack pairwise, exactly as it
        # reduces one resample, so the replicates are byte-identical to one call per resample
        reps = replicates(values, lambda a: np.atleast_1d(np.mean(a, axis=-1) * scale), sp,
                          key, batched=True)
        lo, hi = percentile_interval(reps, sp.level)
        return value, float(lo[0]), float(hi[0]), reps[:, 0]

    def by_regime(self, claim: Claim, test: str, x: pd.Series, unit: str, scale: float,
                  direction: int, tests: Sequence[str]) -> None:
        """One row per regime for the daily series ``x``; ``tests`` are the claimed regimes.

        Without any observation, each claimed regime gets a ``no data`` row.
        """
        x = x.dropna()
        if x.empty:
            for reg in tests:
                self.add(claim, test, reg, "test", direction, unit, np.nan, np.nan, np.nan,
                         0, 0, 0)
            return
        lab = self.data.labels.reindex(x.index)
        runs = episodes(self.data.labels.loc[x.index[0]:x.index[-1]])
        for reg in regime_order(lab.dropna().tolist()):
            v = x[(lab == reg).to_numpy()].to_numpy()
            value, lo, hi, _ = self.mean_ci(v, scale, f"{claim.id}/{test}/{reg}")
            n_ep = int((runs["label"] == reg).sum())
            self.add(claim, test, reg, "test" if reg in tests else "context", direction, unit,
                     value, lo, hi, len(v), len(v), n_ep)

    def episodes_of(self, dates: pd.Index) -> int:
        """How many regime episodes (runs of one label) hold at least one of ``dates``."""
        if len(dates) == 0:
            return 0
        runs = episodes(self.data.labels)
        ends = pd.DatetimeIndex(runs["end"])
        pos = ends.searchsorted(pd.DatetimeIndex(dates))
        return len(set(pos[pos < len(runs)].tolist()))

    def contrast(self, claim: Claim, test: str, window: str, a: pd.Series, b: pd.Series,
                 unit: str, scale: float, direction: int, role: str = "test") -> None:
        """Row for mean(``a``) minus mean(``b``) (scaled), each resampled on its own.

        ``a`` and ``b`` are daily values indexed by session (NaN dropped); the
        episodes are those holding a session of ``a``; ``days`` counts each
        session once (``b`` may include ``a``'s sessions), ``obs`` both groups.
        """
        a, b = a.dropna(), b.dropna()
        ma, _, _, ra = self.mean_ci(a.to_numpy(), scale, f"{claim.id}/{test}/{window}/a")
        mb, _, _, rb = self.mean_ci(b.to_numpy(), scale, f"{claim.id}/{test}/{window}/b")
        lo, hi = percentile_interval(ra - rb, self.spec.level)
        days = len(a.index.union(b.index)) if len(a) and len(b) else 0  # each session once
        self.add(claim, test, window, role, direction, unit, ma - mb, float(lo[0]),
                 float(hi[0]), days, len(a) + len(b), self.episodes_of(a.index))

    def event_windows(self, kind: str, anchor: str, offset: int, length: int
                      ) -> list[pd.DatetimeIndex]:
        """Session windows ``[t + offset, t + offset + length)`` around each event of ``kind``."""
        idx = pd.DatetimeIndex(self.data.panel.index)
        out = []
        for e in self.data.events:
            if e.kind != kind:
                continue
            pos = int(idx.searchsorted(e.effective if anchor == "effective" else e.announced))
            lo, hi = max(0, pos + offset), min(len(idx), pos + offset + length)
            if hi > lo:
                out.append(idx[lo:hi])
        return out

    def pooled(self, x: pd.Series, windows: list[pd.DatetimeIndex]) -> tuple[np.ndarray, int]:
        """Values of ``x`` in the windows (concatenated) and how many windows had any."""
        parts = [x.reindex(w).dropna().to_numpy() for w in windows]
        used = [p for p in parts if len(p)]
        return (np.concatenate(used) if used else np.array([])), len(used)

    def after_qt(self, claim: Claim, test: str, x: pd.Series, unit: str, scale: float,
                 direction: int, role: str = "test", before: bool = False) -> None:
        """Row for the sessions after (or before) each QT end, pooled."""
        n = self.windows.after
        wins = self.event_windows("qt_end", "effective", -n if before else 0, n)
        v, n_ep = self.pooled(x.dropna(), wins)
        where = f"{n} sessions {'before' if before else 'after'} QT ends"
        value, lo, hi, _ = self.mean_ci(v, scale, f"{claim.id}/{test}/{where}")
        self.add(claim, test, where, role, direction, unit, value, lo, hi, len(v), len(v), n_ep)


def _value(b: Builder, c: Claim) -> None:
    p = b.data.panel
    b.by_regime(c, "IWD - IWF return", returns(p, "IWD") - returns(p, "IWF"), "ann_return",
                TRADING_DAYS, 1, ["QT"])
    b.by_regime(c, "HML factor return", p["FF3_DAILY.HML"] / 100.0, "ann_return",
                TRADING_DAYS, 1, ["QT"])


def _dollar(b: Builder, c: Claim) -> None:
    p = b.data.panel
    for ref, name in (("UUP", "UUP return"), ("DTWEXBGS", "broad dollar (DTWEXBGS) return")):
        b.by_regime(c, name, returns(p, ref), "ann_return", TRADING_DAYS, 1, ["QT"])


def _duration(b: Builder, c: Claim) -> None:
    p = b.data.panel
    b.by_regime(c, "TLT return", returns(p, "TLT"), "ann_return", TRADING_DAYS, -1, ["QT"])
    b.by_regime(c, "10-year yield change", bp_change(p, "DGS10"), "bp_per_year",
                TRADING_DAYS, 1, ["QT"])


def _curve(b: Builder, c: Claim) -> None:
    x = bp_change(b.data.panel, "T2S10S")
    test = "2s10s change"
    b.by_regime(c, test, x, "bp_per_year", TRADING_DAYS, 1, ["end_of_qt"])
    b.after_qt(c, test, x, "bp_per_year", TRADING_DAYS, 1)
    b.after_qt(c, test, x, "bp_per_year", TRADING_DAYS, 1, role="context", before=True)


def _after_qt(b: Builder, c: Claim) -> None:
    p = b.data.panel
    for ref, direction in (("UUP", -1), ("GLD", 1), ("EEM", 1)):
        x = returns(p, ref).dropna()
        lab = b.data.labels.reindex(x.index)
        v = x[(lab == "end_of_qt").to_numpy()].to_numpy()
        value, lo, hi, _ = b.mean_ci(v, TRADING_DAYS, f"{c.id}/{ref}/end_of_qt")
        span = b.data.labels.loc[x.index[0]:x.index[-1]] if len(x) else b.data.labels.iloc[:0]
        runs = episodes(span)
        b.add(c, f"{ref} return", "end_of_qt", "test", direction, "ann_return", value, lo,
              hi, len(v), len(v), int((runs["label"] == "end_of_qt").sum()))
        b.after_qt(c, f"{ref} return", x, "ann_return", TRADING_DAYS, direction)


def _corr_stat(a: np.ndarray) -> np.ndarray:
    sd = np.std(a, axis=0)
    if np.any(sd == 0.0):
        return np.array([np.nan])
    return np.array([float(np.corrcoef(a[:, 0], a[:, 1])[0, 1])])


def _netliq(b: Builder, c: Claim) -> None:
    p = b.data.panel[["NETLIQ", "GSPC"]]
    weeks = p.resample("W-WED").last()
    nl = weeks["NETLIQ"].pct_change(fill_method=None)
    sp = weeks["GSPC"].pct_change(fill_method=None)
    week_of = pd.Series(p.index, index=p.index).resample("W-WED").last()
    lab = b.data.labels.reindex(pd.DatetimeIndex(week_of.to_numpy()))
    lab.index = weeks.index
    session_week = pd.Series(1, index=p.index).resample("W-WED").sum()
    spec = b.spec.weekly()
    cases: list[tuple[str, pd.Series, str, str | None, str]] = [
        ("weekly correlation", sp, "all weeks", None, "test"),
        ("NETLIQ leads S&P 500 by a week", sp.shift(-1), "all weeks", None, "context"),
        ("S&P 500 leads NETLIQ by a week", sp.shift(1), "all weeks", None, "context")]
    cases += [("weekly correlation", sp, reg, reg, "context")
              for reg in regime_order(lab.dropna().tolist())]
    all_runs = episodes(b.data.labels)
    for test, other, window, reg, role in cases:
        pair = pd.DataFrame({"nl": nl, "sp": other})
        if reg is not None:
            pair = pair[(lab == reg).to_numpy()]
        pair = pair.dropna()
        arr = pair.to_numpy()
        value = float(_corr_stat(arr)[0]) if len(arr) > 2 else float("nan")
        reps = replicates(arr, _corr_stat, spec, f"{c.id}/{test}/{window}")
        lo, hi = percentile_interval(reps, spec.level)
        days = int(session_week.reindex(pair.index).sum())
        n_ep = (int((all_runs["label"] == reg).sum()) if reg is not None else len(all_runs))
        b.add(c, test, window, role, 1, "correlation", value, float(lo[0]), float(hi[0]),
              days, len(arr), n_ep)


def _funding(b: Builder, c: Claim) -> None:
    w = b.windows
    pre = b.event_windows("qt_end", "announce", -w.pre, w.pre)
    base = b.event_windows("qt_end", "announce", -(w.pre + w.baseline), w.baseline)
    for ref in ("SOFR_IORB", "EFFR_IORB"):
        x = b.data.panel[ref].dropna() * 100.0
        name = f"{ref.replace('_', ' - ')} spread"
        # per event: mean over the pre window minus mean over its baseline, each window
        # resampled on its own (level differences between events are not the claim)
        diffs, reps, days = [], [], 0
        for k, (wp, wb) in enumerate(zip(pre, base, strict=True)):
            vp, vb = x.reindex(wp).dropna().to_numpy(), x.reindex(wb).dropna().to_numpy()
            if len(vp) < 2 or len(vb) < 2:
                continue
            mp, _, _, rp = b.mean_ci(vp, 1.0, f"{c.id}/{ref}/pre/{k}")
            mb, _, _, rb = b.mean_ci(vb, 1.0, f"{c.id}/{ref}/baseline/{k}")
            diffs.append(mp - mb)
            reps.append(rp - rb)
            days += len(vp) + len(vb)
        value = float(np.mean(diffs)) if diffs else float("nan")
        both = np.mean(np.vstack(reps), axis=0) if reps else np.full(b.spec.reps, np.nan)
        lo, hi = percentile_interval(both, b.spec.level)
        b.add(c, f"{name}: last {w.pre} minus prior {w.baseline} sessions",
              "before QT-end announcements", "test", 1, "bp", value, float(lo[0]),
              float(hi[0]), days, days, len(diffs))
        b.by_regime(c, f"{name} level", x, "bp", 1.0, 1, [])


#: the first seven claims with the function that adds their rows (tests and context)
CORE_MEASURES: tuple[tuple[Claim, Callable[[Builder, Claim], None]], ...] = (
    (cl.VALUE, _value), (cl.DOLLAR, _dollar), (cl.DURATION, _duration), (cl.CURVE, _curve),
    (cl.AFTER_QT, _after_qt), (cl.NETLIQ, _netliq), (cl.FUNDING, _funding))

