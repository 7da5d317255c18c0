"""Event studies on the real data snapshot (values checked against the snapshot files)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from backtest.cli import main
from backtest.data.store import DataStore
from backtest.eventstudy import event_study, select_events
from backtest.regimes.events import EVENT_SETS

pytestmark = pytest.mark.snapshot


def test_qe1_expansion_10y_fell_51bp(snapshot_store: DataStore) -> None:
    res = event_study(["DGS10"], ["2009-03-18"], store=snapshot_store)
    row = res.moves.iloc[0]
    assert row["start_close_date"] == pd.Timestamp("2009-03-17")
    assert (row["start_value"], row["end_value"]) == (3.02, 2.51)
    assert row["change_bp"] == pytest.approx(-51.0)


def test_event_sets_from_the_shipped_file() -> None:
    assert len(select_events("qe")) >= 6
    assert {e.kind for e in select_events("qt_end")} == {"qt_slowdown", "qt_end"}
    assert len(select_events("rmp")) == 2
    for name in EVENT_SETS:
        assert select_events(name)


def test_qe_set_dgs10_and_spy(snapshot_store: DataStore) -> None:
    res = event_study(["DGS10", "SPY"], select_events("qe"), store=snapshot_store)
    m = res.moves.set_index(["date", "series"])
    assert m.loc[(pd.Timestamp("2009-03-18"), "DGS10"), "change_bp"] == pytest.approx(-51.0)
    # QE4 was announced on Sunday 2020-03-15: measured Friday 03-13 close -> Monday 03-16 close
    sunday = m.loc[(pd.Timestamp("2020-03-15"), "SPY")]
    assert sunday["event_session"] == pd.Timestamp("2020-03-16")
    assert sunday["start_close_date"] == pd.Timestamp("2020-03-13")
    assert sunday["return"] < -0.05
    summary = res.summary().set_index("series")
    n_qe = len(select_events("qe"))
    assert summary.loc["DGS10", "n"] == n_qe and summary.loc["SPY", "n"] == n_qe
    dgs10 = res.moves.loc[res.moves["series"] == "DGS10", "change_bp"]
    assert summary.loc["DGS10", "total"] == pytest.approx(dgs10.sum())
    assert summary.loc["DGS10", "t_stat"] == pytest.approx(
        dgs10.mean() / (dgs10.std(ddof=1) / len(dgs10) ** 0.5))


def test_spy_return_matches_adjusted_closes(snapshot_dir: Path,
                                            snapshot_store: DataStore) -> None:
    raw = pd.read_csv(snapshot_dir / "yahoo" / "SPY.csv", index_col="Date", parse_dates=True)
    adj = raw["Adj Close"]
    want = adj.loc["2009-03-18"] / adj.loc["2009-03-17"] - 1.0
    row = event_study(["SPY"], ["2009-03-18"], store=snapshot_store).moves.iloc[0]
    assert row["return"] == pytest.approx(want)


def test_factor_return_is_the_days_factor(snapshot_dir: Path,
                                          snapshot_store: DataStore) -> None:
    row = event_study(["FF3_DAILY.HML"], ["2009-03-18"], store=snapshot_store).moves.iloc[0]
    ff = snapshot_store.load("FF3_DAILY").data
    assert row["return"] == pytest.approx(ff.loc["2009-03-18", "HML"] / 100.0)


def test_abnormal_tlt_vs_spy(snapshot_store: DataStore) -> None:
    res = event_study(["TLT"], select_events("qt_end"), window=5, store=snapshot_store,
                      benchmark="SPY")
    m = res.moves
    assert m["beta"].notna().all()
    assert (m["abnormal_return"] - (m["return"] - m["beta"] * m["benchmark_return"])).abs().max() \
        < 1e-12


def test_cli_real_snapshot(snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["events", "--series", "DGS10", "--set", "qe", "--format", "csv", "--show",
                 "moves", "--data-dir", str(snapshot_dir)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("date,series,")
    moves = pd.read_csv(io.StringIO(out))
    assert len(moves) >= 6
    assert moves.set_index("date").loc["2009-03-18", "change_bp"] == -51.0


def test_cli_window_past_snapshot_end(snapshot_dir: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    from backtest.data.calendar import sessions_between
    from backtest.data.store import DataStore

    last = DataStore(data_dir=snapshot_dir).load("DGS10").data["DGS10"].dropna().index[-1]
    event = sessions_between(last - pd.Timedelta(days=7), last)[-2]
    code = main(["events", "--series", "DGS10", "--dates", f"{event:%Y-%m-%d}", "--window", "5",
                 "--data-dir", str(snapshot_dir)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"past the last DGS10 data ({last:%Y-%m-%d})" in err


def test_levels_around_the_end_of_qt2(snapshot_store: DataStore, snapshot_dir: Path) -> None:
    """WALCL (weekly) and RRPONTSYD (daily, USD bn) changes over 21 sessions from the close
    before 2025-10-29, against plain pandas on the FRED files."""
    res = event_study(["WALCL", "RRPONTSYD"], ["2025-10-29"], window=21, store=snapshot_store)
    spy = pd.read_csv(snapshot_dir / "yahoo" / "SPY.csv", index_col=0, parse_dates=True).index
    p = int(spy.searchsorted(pd.Timestamp("2025-10-29")))
    start, end = spy[p - 1], spy[p + 20]
    for sid in ("WALCL", "RRPONTSYD"):
        f = pd.read_csv(snapshot_dir / "fred" / f"{sid}.csv", index_col=0,
                        parse_dates=True)[sid].dropna()
        expected = float(f.loc[:end].iloc[-1] - f.loc[:start].iloc[-1])
        row = res.moves.set_index("series").loc[sid]
        assert row["change"] == pytest.approx(expected)
        assert row["end_close_date"] == f.loc[:end].index[-1]
