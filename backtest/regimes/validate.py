"""Judge the data classifier against the calendar: agreement, precision/recall, delays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.regimes.labels import LABELS

__all__ = ["ValidationReport", "validate_against_calendar", "weekly"]


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
