"""The shipped ledger on the real snapshot, checked against plain pandas on the CSV files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from backtest.data.store import DataStore
from backtest.evidence import NYM
from backtest.report.forecasts import ForecastReport, forecast_report

pytestmark = pytest.mark.snapshot

ANCHOR = pd.Timestamp("2025-10-29")


@pytest.fixture(scope="module")
def report(snapshot_store: DataStore) -> ForecastReport:
    return forecast_report(None, snapshot_store)


def _fred(root: Path, sid: str) -> pd.Series:
    f = pd.read_csv(root / "fred" / f"{sid}.csv", index_col=0, parse_dates=True)
    return f[sid].dropna()


def _yahoo(root: Path, ticker: str) -> pd.Series:
    return pd.read_csv(root / "yahoo" / f"{ticker}.csv", index_col=0,
                       parse_dates=True)["Adj Close"].dropna()


def _sessions(root: Path) -> pd.DatetimeIndex:
    """NYSE sessions as SPY trades them (independent of the package's calendar)."""
    return pd.DatetimeIndex(_yahoo(root, "SPY").index)


def _ends(root: Path, h: int, anchor: pd.Timestamp = ANCHOR
          ) -> tuple[pd.Timestamp, pd.Timestamp | None]:
    s = _sessions(root)
    p = int(s.searchsorted(anchor))
    return s[p - 1], (s[p - 1 + h] if p - 1 + h < len(s) else None)


def _at(x: pd.Series, day: pd.Timestamp) -> float:
    return float(x.loc[:day].iloc[-1])


def _expect(report: ForecastReport, fid: str, leg: str, h: int, value: float | None,
            verdict: str, tol: float = 1e-6) -> None:
    o = report.outcomes.set_index(["id", "leg", "horizon"]).loc[(fid, leg, h)]
    v = report.verdicts.set_index(["id", "horizon"]).loc[(fid, h), "verdict"]
    if value is None:
        assert pd.isna(o["outcome"]) and v == NYM
    else:
        assert o["outcome"] == pytest.approx(value, abs=tol)
        assert v == verdict


@pytest.mark.parametrize("h", [21, 63, 126])
def test_two_year(report: ForecastReport, snapshot_dir: Path, h: int) -> None:
    x = _fred(snapshot_dir, "DGS2")
    start, end = _ends(snapshot_dir, h)
    if end is None or end > x.index[-1]:
        _expect(report, "qt_end_2y", "DGS2", h, None, NYM)
        return
    bp = round(100 * (_at(x, end) - _at(x, start)), 6)
    verdict = ("right" if -20 <= bp <= -15 else "partly") if bp < 0 else "wrong"
    _expect(report, "qt_end_2y", "DGS2", h, bp, verdict)


@pytest.mark.parametrize("h", [21, 63, 126])
def test_spx_range(report: ForecastReport, snapshot_dir: Path, h: int) -> None:
    x = _yahoo(snapshot_dir, "GSPC")
    start, end = _ends(snapshot_dir, h)
    if end is None or end > x.index[-1]:
        _expect(report, "qt_end_spx", "GSPC", h, None, NYM)
        return
    pct = 100 * (_at(x, end) / _at(x, start) - 1)
    verdict = ("right" if 5 <= pct <= 8 else "partly") if pct > 0 else "wrong"
    _expect(report, "qt_end_spx", "GSPC", h, pct, verdict)


@pytest.mark.parametrize("h", [21, 63, 126])
def test_growth_versus_value(report: ForecastReport, snapshot_dir: Path, h: int) -> None:
    f, v = _yahoo(snapshot_dir, "IWF"), _yahoo(snapshot_dir, "IWD")
    start, end = _ends(snapshot_dir, h)
    if end is None or end > min(f.index[-1], v.index[-1]):
        _expect(report, "qt_end_growth", "IWF - IWD", h, None, NYM)
        return
    diff = 100 * (_at(f, end) / _at(f, start) - _at(v, end) / _at(v, start))
    _expect(report, "qt_end_growth", "IWF - IWD", h, diff, "right" if diff > 0 else "wrong")


@pytest.mark.parametrize("h", [21, 63, 126])
def test_em_both_legs(report: ForecastReport, snapshot_dir: Path, h: int) -> None:
    e, s = _yahoo(snapshot_dir, "EEM"), _yahoo(snapshot_dir, "SPY")
    start, end = _ends(snapshot_dir, h)
    if end is None or end > e.index[-1]:
        _expect(report, "qt_end_em", "EEM", h, None, NYM)
        return
    re_, rs = _at(e, end) / _at(e, start) - 1, _at(s, end) / _at(s, start) - 1
    legs = [re_ > 0, re_ > rs]
    verdict = "right" if all(legs) else "wrong" if not any(legs) else "partly"
    _expect(report, "qt_end_em", "EEM", h, 100 * re_, verdict)
    _expect(report, "qt_end_em", "EEM - SPY", h, 100 * (re_ - rs), verdict)


@pytest.mark.parametrize("h", [21, 63, 126])
def test_policy_rate_from_the_effective_date(report: ForecastReport, snapshot_dir: Path,
                                             h: int) -> None:
    x = _fred(snapshot_dir, "DFEDTARU")
    start, end = _ends(snapshot_dir, h, pd.Timestamp("2025-12-01"))
    if end is None or end > x.index[-1]:
        _expect(report, "qt_end_no_cut", "DFEDTARU", h, None, NYM)
        return
    bp = round(100 * (_at(x, end) - _at(x, start)), 6)
    _expect(report, "qt_end_no_cut", "DFEDTARU", h, bp, "right" if abs(bp) <= 1 else "wrong")


def test_every_forecast_scored_at_every_horizon(report: ForecastReport) -> None:
    assert len(report.verdicts) == 11 * 3
    assert set(report.verdicts["verdict"]) <= {"right", "wrong", "partly", NYM}
    # the day-0 point of every path is the close before the anchor: no move yet
    first = report.paths.groupby(["id", "leg"])["outcome"].first()
    levels = first.index.get_level_values("leg").str.endswith("level")
    assert (first[~levels] == 0).all()
