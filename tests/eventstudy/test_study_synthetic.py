"""Event studies on tiny synthetic snapshots whose answers are worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from backtest.data.calendar import sessions_between
from backtest.data.store import DataStore
from backtest.eventstudy import (
    MOVE_COLUMNS,
    EventSkippedWarning,
    event_session,
    event_study,
    measure_of,
    parse_dates,
    select_events,
)
from backtest.exceptions import (
    ConfigError,
    EmptyRangeError,
    ParameterError,
    UnknownSeriesError,
)
from backtest.regimes.events import Event
from tests.conftest import MakeSnapshot


def flat(value: float, start: str = "2022-02-22", end: str = "2022-04-08") -> pd.Series:
    """A constant daily series on every NYSE session of the range."""
    return pd.Series(value, index=sessions_between(start, end), dtype="float64")


def ts(d: str) -> pd.Timestamp:
    return pd.Timestamp(d)


@pytest.fixture
def store(make_snapshot: MakeSnapshot) -> DataStore:
    """DGS10 at 2.00 with moves on three FOMC-like Wednesdays; SPY at 100 with a jump."""
    dgs10 = flat(2.00)
    dgs10[ts("2022-03-02")] = 1.80  # -20 bp on Wed 03-02
    dgs10[ts("2022-03-16")] = 1.90  # -10 bp on Wed 03-16
    dgs10[ts("2022-03-17")] = 1.95
    dgs10[ts("2022-03-18")] = 1.97  # window 3 after 03-16: 2.00 -> 1.97 = -3 bp
    dgs10[ts("2022-03-30")] = 2.06  # +6 bp on Wed 03-30
    dgs10[ts("2022-03-14")] = 2.10  # Monday after the Sunday 03-13
    spy = flat(100.0)
    spy[ts("2022-03-16")] = 103.0  # +3 %
    spy[ts("2022-03-17")] = 101.97  # 103 -> 101.97 = -1 %
    dgs2 = flat(1.50)
    dgs2[ts("2022-03-16")] = 1.65  # 2s10s: (1.90 - 1.65) - (2.00 - 1.50) = -25 bp
    return DataStore(make_snapshot({"DGS10": dgs10, "SPY": spy, "DGS2": dgs2}))


def test_yield_change_in_bp_window_1(store: DataStore) -> None:
    res = event_study(["DGS10"], ["2022-03-16"], store=store)
    row = res.moves.iloc[0]
    assert list(res.moves.columns) == list(MOVE_COLUMNS)
    assert row["date"] == ts("2022-03-16")
    assert row["event_session"] == ts("2022-03-16")
    assert row["start_close_date"] == ts("2022-03-15")
    assert row["end_close_date"] == ts("2022-03-16")
    assert row["start_value"] == 2.00 and row["end_value"] == 1.90
    assert row["change_bp"] == -10.0
    assert math.isnan(row["return"]) and math.isnan(row["abnormal_return"])


def test_window_3_runs_to_the_third_close(store: DataStore) -> None:
    row = event_study("DGS10", ["2022-03-16"], window=3, store=store).moves.iloc[0]
    assert row["end_close_date"] == ts("2022-03-18")
    assert row["change_bp"] == -3.0


def test_price_return(store: DataStore) -> None:
    row = event_study(["SPY"], ["2022-03-16"], store=store).moves.iloc[0]
    assert row["start_value"] == 100.0 and row["end_value"] == 103.0
    assert row["return"] == pytest.approx(0.03)
    assert math.isnan(row["change_bp"])
    row = event_study(["SPY"], ["2022-03-16"], window=2, store=store).moves.iloc[0]
    assert row["return"] == pytest.approx(0.0197)  # 100 -> 101.97


def test_sunday_event_maps_to_monday(store: DataStore) -> None:
    row = event_study(["DGS10"], ["2022-03-13"], store=store).moves.iloc[0]
    assert row["date"] == ts("2022-03-13")
    assert row["event_session"] == ts("2022-03-14")
    assert row["start_close_date"] == ts("2022-03-11")  # Friday's close
    assert row["change_bp"] == pytest.approx(10.0)


def test_after_close_moves_to_next_session(store: DataStore) -> None:
    row = event_study(["SPY"], ["2022-03-16"], timing="after_close", store=store).moves.iloc[0]
    assert row["event_session"] == ts("2022-03-17")
    assert row["return"] == pytest.approx(-0.01)  # 103 -> 101.97
    before = event_study(["SPY"], ["2022-03-16"], timing="before_open", store=store)
    assert before.moves.iloc[0]["event_session"] == ts("2022-03-16")


def test_event_session_rule() -> None:
    assert event_session("2020-03-15") == ts("2020-03-16")  # Sunday -> Monday
    assert event_session("2022-04-15") == ts("2022-04-18")  # Good Friday -> Monday
    assert event_session("2022-03-16") == ts("2022-03-16")
    assert event_session("2022-03-16", "before_open") == ts("2022-03-16")
    assert event_session("2022-03-18", "after_close") == ts("2022-03-21")  # Fri -> Mon
    assert event_session("2022-03-13", "after_close") == ts("2022-03-14")


def test_summary_t_stat_by_hand(store: DataStore) -> None:
    res = event_study(["DGS10"], ["2022-03-02", "2022-03-16", "2022-03-30"], store=store)
    assert list(res.moves["change_bp"]) == [-20.0, -10.0, 6.0]
    s = res.summary().iloc[0]
    # mean -8; deviations -12, -2, 14 -> sum of squares 344, variance 172 (n-1 = 2)
    assert s["measure"] == "change_bp" and s["n"] == 3
    assert s["total"] == pytest.approx(-24.0)
    assert s["mean"] == pytest.approx(-8.0)
    assert s["std"] == pytest.approx(math.sqrt(172.0))
    assert s["t_stat"] == pytest.approx(-8.0 / (math.sqrt(172.0) / math.sqrt(3.0)))
    assert 0.0 < s["p_value"] < 1.0


def test_one_event_has_no_t_stat(store: DataStore) -> None:
    s = event_study(["DGS10"], ["2022-03-16"], store=store).summary().iloc[0]
    assert s["n"] == 1 and s["mean"] == -10.0
    assert math.isnan(s["std"]) and math.isnan(s["t_stat"])


def test_derived_spread_in_bp(store: DataStore) -> None:
    row = event_study(["T2S10S"], ["2022-03-16"], store=store).moves.iloc[0]
    assert row["start_value"] == pytest.approx(0.50)
    assert row["change_bp"] == pytest.approx(-25.0)


def test_missing_close_before_uses_last_observation(make_snapshot: MakeSnapshot) -> None:
    s = flat(2.00)
    s[ts("2022-03-15")] = np.nan  # e.g. a bond-market holiday on an NYSE session
    s[ts("2022-03-14")] = 2.20
    s[ts("2022-03-16")] = 2.05
    store = DataStore(make_snapshot({"DGS10": s}))
    row = event_study(["DGS10"], ["2022-03-16"], store=store).moves.iloc[0]
    assert row["start_close_date"] == ts("2022-03-14")
    assert row["change_bp"] == pytest.approx(-15.0)


def test_no_observation_in_window_is_an_error(make_snapshot: MakeSnapshot) -> None:
    s = flat(2.00)
    s[ts("2022-03-16")] = np.nan
    store = DataStore(make_snapshot({"DGS10": s}))
    with pytest.raises(EmptyRangeError, match="no observation between 2022-03-16 and 2022-03-16"):
        event_study(["DGS10"], ["2022-03-16"], store=store)
    row = event_study(["DGS10"], ["2022-03-16"], window=2, store=store).moves.iloc[0]
    assert row["end_close_date"] == ts("2022-03-17")


def test_multiple_series_rows_sorted_by_date_then_series(store: DataStore) -> None:
    res = event_study(["SPY", "DGS10"], ["2022-03-30", "2022-03-16"], store=store)
    got = list(zip(res.moves["date"].dt.strftime("%m-%d"), res.moves["series"], strict=True))
    assert got == [("03-16", "SPY"), ("03-16", "DGS10"), ("03-30", "SPY"), ("03-30", "DGS10")]
    assert list(res.summary()["series"]) == ["SPY", "DGS10"]
    assert list(res.summary()["measure"]) == ["return", "change_bp"]


def test_events_on_the_same_session_count_once(store: DataStore) -> None:
    res = event_study(["DGS10"], ["2022-03-12", "2022-03-13", "2022-03-16"], store=store)
    assert list(res.moves["date"].dt.strftime("%m-%d")) == ["03-12", "03-16"]
    assert res.summary().iloc[0]["n"] == 2


def test_event_objects_and_anchor(store: DataStore) -> None:
    ev = Event(ts("2022-03-02"), ts("2022-03-16"), "QT", "qt_start", "made up", "")
    ann = event_study(["DGS10"], [ev], store=store).moves.iloc[0]
    assert ann["date"] == ts("2022-03-02") and ann["change_bp"] == -20.0
    assert (ann["event"], ann["label"], ann["kind"]) == ("made up", "QT", "qt_start")
    eff = event_study(["DGS10"], [ev], anchor="effective", store=store).moves.iloc[0]
    assert eff["date"] == ts("2022-03-16") and eff["change_bp"] == -10.0


def test_paths_and_plot(store: DataStore) -> None:
    res = event_study(["DGS10", "SPY"], ["2022-03-16", "2022-03-30"], window=2, store=store)
    p = res.paths[(res.paths["series"] == "DGS10") & (res.paths["date"] == ts("2022-03-16"))]
    assert list(p["day"]) == [-5, -4, -3, -2, -1, 0, 1, 2]
    assert p.set_index("day")["move"].loc[0] == 0.0
    assert p.set_index("day")["move"].loc[1] == pytest.approx(-10.0)
    # the path's last day is the window's move
    m = res.moves.set_index(["date", "series"])
    assert p.set_index("day")["move"].loc[2] == pytest.approx(
        m.loc[(ts("2022-03-16"), "DGS10"), "change_bp"])
    fig = res.plot()
    assert [t.name for t in fig.data] == ["DGS10", "SPY"]
    assert list(fig.data[0].x) == [-5, -4, -3, -2, -1, 0, 1, 2]
    # day 1: mean of -10 bp and +6 bp; SPY in percent: mean of +3 % and 0 %
    assert fig.data[0].y[6] == pytest.approx(-2.0)
    assert fig.data[1].y[6] == pytest.approx(1.5)
    with pytest.raises(ParameterError, match="benchmark"):
        res.plot(abnormal=True)


# --- abnormal returns ---------------------------------------------------------------


@pytest.fixture
def beta_store(make_snapshot: MakeSnapshot) -> DataStore:
    """QQQ's daily return is exactly 2 x SPY's, plus +1 % on the event session 2022-03-16."""
    days = sessions_between("2021-01-04", "2022-03-31")
    rng = np.random.default_rng(7)
    r = pd.Series(rng.normal(0.0, 0.01, len(days)), index=days)
    r.iloc[0] = 0.0
    q = 2.0 * r
    q[ts("2022-03-16")] += 0.01
    spy = 100.0 * (1.0 + r).cumprod()
    qqq = 50.0 * (1.0 + q).cumprod()
    return DataStore(make_snapshot({"SPY": spy, "QQQ": qqq}))


def test_abnormal_return_ols_beta(beta_store: DataStore) -> None:
    res = event_study(["QQQ"], ["2022-03-16"], store=beta_store, benchmark="SPY")
    row = res.moves.iloc[0]
    assert row["beta"] == pytest.approx(2.0, abs=1e-9)
    assert row["return"] == pytest.approx(2.0 * row["benchmark_return"] + 0.01)
    assert row["abnormal_return"] == pytest.approx(0.01)
    assert res.summary().iloc[0]["measure"] == "abnormal_return"


def test_abnormal_return_market_model(beta_store: DataStore) -> None:
    row = event_study(["QQQ"], ["2022-03-16"], store=beta_store, benchmark="SPY",
                      abnormal="market").moves.iloc[0]
    assert row["beta"] == 1.0
    assert row["abnormal_return"] == pytest.approx(row["return"] - row["benchmark_return"])


def test_short_estimation_window_is_an_error(beta_store: DataStore) -> None:
    with pytest.raises(EmptyRangeError, match="--abnormal market"):
        event_study(["QQQ"], ["2021-03-16"], store=beta_store, benchmark="SPY")
    row = event_study(["QQQ"], ["2021-03-16"], store=beta_store, benchmark="SPY",
                      abnormal="market").moves.iloc[0]
    assert not math.isnan(row["abnormal_return"])


def test_benchmark_ignored_for_rates_and_must_be_a_price(store: DataStore) -> None:
    with pytest.raises(ParameterError, match="rate, not a price"):
        event_study(["SPY"], ["2022-03-16"], store=store, benchmark="DGS10")


# --- bad input -----------------------------------------------------------------------


def test_event_before_series_start_names_first_date(store: DataStore) -> None:
    with pytest.raises(EmptyRangeError, match="first observation is 2022-02-22"):
        event_study(["DGS10"], ["2021-06-16"], store=store)


def test_window_past_data_names_last_date(store: DataStore) -> None:
    with pytest.raises(EmptyRangeError, match=r"ends on 2022-04-11, past the last DGS10 data "
                       r"\(2022-04-08\)"):
        event_study(["DGS10"], ["2022-04-05"], window=5, store=store)


@pytest.mark.parametrize("window", [0, -1])
def test_window_below_one(store: DataStore, window: int) -> None:
    with pytest.raises(ParameterError, match="at least 1"):
        event_study(["DGS10"], ["2022-03-16"], window=window, store=store)


def test_unknown_series_suggests(store: DataStore) -> None:
    with pytest.raises(UnknownSeriesError, match="Did you mean: DGS1, DGS10"):
        event_study(["DGS1O"], ["2022-03-16"], store=store)


@pytest.mark.parametrize("ref", ["WALCL", "WRESBAL", "WLRRAL", "MMMFFAQ027S", "GDP", "NETLIQ",
                                 "RRPONTSYD"])
def test_levels_are_changes_in_their_own_units(ref: str) -> None:
    # issue #14: weekly, quarterly and quantity series are measured as level changes
    assert measure_of(ref) == "change"


def test_volume_is_refused() -> None:
    with pytest.raises(ParameterError, match="trading volume"):
        measure_of("SPY.Volume")


def test_measures() -> None:
    assert measure_of("DGS10") == "change_bp"
    assert measure_of("T2S10S") == "change_bp"
    assert measure_of("SOFR_IORB") == "change_bp"
    assert measure_of("SPY") == "return"
    assert measure_of("SP500") == "return"
    assert measure_of("VIXCLS") == "return"
    assert measure_of("FF3_DAILY.HML") == "return"


def test_skip_missing_warns_and_records(store: DataStore) -> None:
    with pytest.warns(EventSkippedWarning, match=r"DGS10: 1 event\(s\) left out"):
        res = event_study(["DGS10"], ["2021-06-16", "2022-03-16"], store=store,
                          on_missing="skip")
    assert list(res.moves["date"]) == [ts("2022-03-16")]
    assert list(res.skipped["date"]) == [ts("2021-06-16")]


def test_parse_dates() -> None:
    assert parse_dates("2020-03-15, 2022-05-04") == [ts("2020-03-15"), ts("2022-05-04")]
    assert parse_dates(["2020-03-15,2020-03-23"]) == [ts("2020-03-15"), ts("2020-03-23")]
    with pytest.raises(ParameterError, match="'2020-3-45' does not parse"):
        parse_dates("2020-3-45")
    with pytest.raises(ParameterError, match="No event date"):
        parse_dates(" , ")


def test_unknown_set_lists_sets() -> None:
    with pytest.raises(ConfigError, match="known sets: qe, taper, qt_start, qt_end, rmp"):
        select_events("qee")


def test_no_events(store: DataStore) -> None:
    with pytest.raises(ParameterError, match="No events"):
        event_study(["DGS10"], [], store=store)


# --- a series as its own benchmark, the result convention --------------------------------


@pytest.mark.parametrize(("series", "bench"), [
    (["QQQ", "SPY"], "SPY"), (["SPY.Adj Close"], "SPY"), (["SPY"], "SPY.Adj Close"),
])
def test_a_series_cannot_be_its_own_benchmark(beta_store: DataStore, series: list[str],
                                              bench: str) -> None:
    with pytest.raises(ParameterError, match=r"Benchmark SPY(\.Adj Close)? is also a series "
                                             r"studied .*zero up to rounding"):
        event_study(series, ["2022-03-16"], store=beta_store, benchmark=bench)


def test_the_close_of_the_benchmark_is_another_series(beta_store: DataStore) -> None:
    # SPY.Close differs from the adjusted close by dividends: a legitimate (if odd) study
    from backtest.eventstudy.series import same_series

    assert same_series("SPY", "SPY.Adj Close") and not same_series("SPY.Close", "SPY")
    assert not same_series("DGS10", "DGS2")


def test_summary_is_a_copy_and_plot_comes_from_the_report_layer(store: DataStore) -> None:
    import sys

    res = event_study(["DGS10"], ["2022-03-16"], store=store)
    s = res.summary()
    s.loc[0, "n"] = 99
    assert res.summary().loc[0, "n"] == 1
    fig = res.plot()
    assert type(fig).__module__.startswith("plotly")
    assert "backtest.report.event_chart" in sys.modules


@pytest.mark.parametrize("show", ["both", "moves", "summary"])
@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_to_text_is_what_qtbt_events_prints(make_snapshot: MakeSnapshot, show: str, fmt: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from backtest.cli import main

    dgs10 = flat(2.00)
    dgs10[ts("2022-03-16")] = 1.90
    root = make_snapshot({"DGS10": dgs10, "SPY": flat(100.0)})
    res = event_study(["DGS10", "SPY"], ["2022-03-16"], store=DataStore(root))
    code = main(["events", "--series", "DGS10,SPY", "--dates", "2022-03-16", "--show", show,
                 "--format", fmt, "--data-dir", str(root)])
    out = capsys.readouterr().out
    assert code == 0
    assert out == res.to_text(show, fmt)  # type: ignore[arg-type]
    assert ("summary: window 1" in out) == (show != "moves" and fmt == "table")


def test_weekly_level_change_in_own_units(make_snapshot: MakeSnapshot) -> None:
    """WALCL on Wednesdays (USD millions): 100 until 03-09, 90 from 03-16, 85 from 03-23."""
    weds = pd.DatetimeIndex(["2022-03-02", "2022-03-09", "2022-03-16", "2022-03-23",
                             "2022-03-30"])
    walcl = pd.Series([100.0, 100.0, 90.0, 85.0, 85.0], index=weds)
    store = DataStore(make_snapshot({"WALCL": walcl, "DGS10": flat(2.0)}))
    res = event_study(["WALCL"], ["2022-03-16"], window=1, store=store)
    row = res.moves.iloc[0]
    # the close before Wed 03-16 is Tue 03-15: the last observation is Wed 03-09 (100)
    assert row["start_close_date"] == ts("2022-03-09") and row["end_close_date"] == ts("2022-03-16")
    assert row["change"] == pytest.approx(-10.0)
    assert math.isnan(row["change_bp"]) and math.isnan(row["return"])
    five = event_study(["WALCL"], ["2022-03-16"], window=6, store=store).moves.iloc[0]
    assert five["change"] == pytest.approx(-15.0)  # to the 03-23 observation
    assert res.summary()["measure"].tolist() == ["change"]
    # a window holding no new weekly observation says so
    with pytest.raises(EmptyRangeError, match="no observation between"):
        event_study(["WALCL"], ["2022-03-17"], window=2, store=store)
