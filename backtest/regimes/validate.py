"""Judge the data classifier against the calendar: agreement, precision/recall, delays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from backtest.regimes.labels import LABELS

__all__ = [
    "ValidationReport",
    "false_episodes",
    "rmp_windows",
    "validate_against_calendar",
    "validation_row",
    "weekly",
]


def weekly(labels: pd.Series) -> pd.Series:
    """Label at the last session of each week (Friday-ending weeks)."""
    return labels.resample("W-FRI").last().dropna()


@dataclass(frozen=True)
class ValidationReport:
    """How well the data classifier reproduces the calendar.

    Attributes
    ----------
    start, end : Timestamp
        First and last week compared.
    weeks : int
        Weeks compared.
    agreement : float
        Share of weeks with the same label (0..1).
    per_label : DataFrame
        Index label; columns ``calendar_weeks``, ``data_weeks``, ``precision``,
        ``recall`` (NaN when undefined).
    delays : DataFrame
        One row per calendar regime change: ``change`` (session), ``label``,
        ``detected`` (first week-end the data classifier shows that label,
        before the next calendar change; NaT if never) and ``delay_weeks``.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    weeks: int
    agreement: float
    per_label: pd.DataFrame
    delays: pd.DataFrame

    @property
    def median_delay(self) -> float:
        """Median detection delay in weeks over detected changes (missed ones excluded)."""
        d = self.delays["delay_weeks"].dropna()
        return float(d.median()) if len(d) else float("nan")

    @property
    def max_delay(self) -> float:
        """Longest detection delay in weeks over detected changes."""
        d = self.delays["delay_weeks"].dropna()
        return float(d.max()) if len(d) else float("nan")

    @property
    def missed(self) -> int:
        """Calendar changes the data classifier never matched before the next one."""
        return int(self.delays["detected"].isna().sum())

    def summary(self) -> dict[str, object]:
        """Headline numbers as plain Python values (JSON-ready)."""
        return {
            "start": str(self.start.date()),
            "end": str(self.end.date()),
            "weeks": self.weeks,
            "agreement": round(self.agreement, 4),
            "median_delay_weeks": round(self.median_delay, 1),
            "max_delay_weeks": round(self.max_delay, 1),
            "changes": len(self.delays),
            "missed": self.missed,
            "over_13_weeks": int((self.delays["delay_weeks"] > 13).sum()),
        }


def validate_against_calendar(
    data_labels: pd.Series,
    calendar_labels: pd.Series,
    calendar_changes: pd.DataFrame,
    start: str | pd.Timestamp = "2008-11-01",
) -> ValidationReport:
    """Compare daily labels week by week and time each calendar change.

    Parameters
    ----------
    data_labels, calendar_labels : Series
        Daily labels on the same sessions.
    calendar_changes : DataFrame
        ``session`` and ``label`` of each calendar regime start
        (``CalendarClassifier.changes()``).
    start : date-like
        First date compared (the issue's 2008-11).
    """
    lo = pd.Timestamp(start)
    both = pd.DataFrame({"cal": calendar_labels, "data": data_labels}).loc[lo:]
    wk = both.resample("W-FRI").last().dropna()
    agree = float((wk["cal"] == wk["data"]).mean()) if len(wk) else float("nan")
    rows = []
    for lab in LABELS:
        cal_n = int((wk["cal"] == lab).sum())
        dat_n = int((wk["data"] == lab).sum())
        tp = int(((wk["cal"] == lab) & (wk["data"] == lab)).sum())
        rows.append([lab, cal_n, dat_n, tp / dat_n if dat_n else np.nan,
                     tp / cal_n if cal_n else np.nan])
    per_label = pd.DataFrame(rows, columns=["label", "calendar_weeks", "data_weeks",
                                            "precision", "recall"]).set_index("label")
    ch = calendar_changes[(calendar_changes["session"] >= lo)
                          & (calendar_changes["session"] <= wk.index[-1])].reset_index(drop=True)
    delays = []
    for i, r in ch.iterrows():
        nxt = ch["session"].iloc[i + 1] if i + 1 < len(ch) else wk.index[-1] + pd.Timedelta(days=1)
        seg = wk[(wk.index >= r["session"]) & (wk.index < nxt)]
        hit = seg.index[seg["data"] == r["label"]]
        det = hit[0] if len(hit) else pd.NaT
        delay = round((det - r["session"]).days / 7.0, 1) if len(hit) else np.nan
        delays.append([r["session"], r["label"], det, delay])
    delay_df = pd.DataFrame(delays, columns=["change", "label", "detected", "delay_weeks"])
    return ValidationReport(wk.index[0], wk.index[-1], len(wk), agree, per_label, delay_df)


def false_episodes(labels: pd.Series, calendar_labels: pd.Series,
                   start: str | pd.Timestamp = "2008-11-01") -> int:
    """Runs of a label (from ``start``) during which the calendar never shows that label.

    Compared week by week (Friday-ending weeks), so a run shorter than a week
    that the calendar never matches still counts.
    """
    lo = pd.Timestamp(start)
    wk = pd.DataFrame({"cal": calendar_labels, "lab": labels}).loc[lo:]
    wk = wk.resample("W-FRI").last().dropna()
    run_id = wk["lab"].ne(wk["lab"].shift()).cumsum()
    matched = (wk["lab"] == wk["cal"]).groupby(run_id).any()
    return int((~matched).sum())


def rmp_windows(events: list[Any]) -> list[tuple[pd.Timestamp, pd.Timestamp | None]]:
    """(start, end) of each reserve-management episode: an ``rmp`` event to the next event."""
    evs = sorted(events, key=lambda e: e.effective)
    out = []
    for i, e in enumerate(evs):
        if e.kind == "rmp":
            nxt = evs[i + 1].effective if i + 1 < len(evs) else None
            out.append((pd.Timestamp(e.effective), nxt))
    return out


def validation_row(labels: pd.Series, calendar_labels: pd.Series,
                   calendar_changes: pd.DataFrame, events: list[Any],
                   start: str | pd.Timestamp = "2008-11-01") -> dict[str, object]:
    """Headline figures of one classifier: agreement, delays, false regimes, checks.

    Returns the :meth:`ValidationReport.summary` numbers plus
    ``false_episodes``, ``qt_episodes`` (QT runs from 2003 on),
    ``qt_weeks_before_2008_11`` (weeks labelled QT or end_of_qt before
    2008-11-01), ``qe_weeks_on_rmp`` (weeks labelled QE while the calendar is
    in reserve-management purchases) and ``precision_<label>`` /
    ``recall_<label>`` for every label.
    """
    rep = validate_against_calendar(labels, calendar_labels, calendar_changes, start)
    row: dict[str, object] = rep.summary()
    row["false_episodes"] = false_episodes(labels, calendar_labels, start)
    runs = labels[labels.ne(labels.shift())]
    row["qt_episodes"] = int((runs == "QT").sum())
    early = weekly(labels.loc[:pd.Timestamp("2008-10-31")])
    row["qt_weeks_before_2008_11"] = int(early.isin(["QT", "end_of_qt"]).sum())
    qe_rmp = 0
    for t0, t1 in rmp_windows(events):
        seg = labels.loc[t0:] if t1 is None else labels.loc[t0:t1 - pd.Timedelta(days=1)]
        qe_rmp += int((weekly(seg) == "QE").sum()) if len(seg) else 0
    row["qe_weeks_on_rmp"] = qe_rmp
    for lab in LABELS:
        for col in ("precision", "recall"):
            v = float(rep.per_label[col].to_dict()[lab])
            row[f"{col}_{lab}"] = None if np.isnan(v) else round(v, 3)
    return row
