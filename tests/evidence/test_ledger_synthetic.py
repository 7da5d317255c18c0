"""The forecast ledger on tiny synthetic snapshots: outcomes and verdicts worked out by hand."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
import pytest

from backtest.cli import main
from backtest.data.calendar import sessions_between
from backtest.data.store import DataStore
from backtest.evidence import NYM, Leg, combine_verdicts, leg_verdict, load_ledger
from backtest.exceptions import ConfigError
from backtest.report.forecasts import forecast_report
from tests.conftest import MakeSnapshot

LEDGER = """
[[forecast]]
id = "two_year"
statement = "2y falls 15 to 20 bp"
anchor = "2022-03-16"
horizons = [1, 3, 30]
series = "DGS2"
direction = "down"
low = -20
high = -15

[[forecast]]
id = "spy"
statement = "SPY up and beats TLT"
anchor = "2022-03-16"
horizons = [2]
series = "SPY"
direction = "up"

[[forecast]]
id = "spy"
series = "SPY"
versus = "TLT"
direction = "up"
"""


@pytest.fixture
def store(make_snapshot: MakeSnapshot) -> DataStore:
    """DGS2 at 1.50 until 03-15, then 1.32, 1.30, 1.31; SPY 100 -> 102 -> 103; TLT 100 -> 101."""
    days = sessions_between("2022-03-01", "2022-03-31")
    dgs2 = pd.Series(1.50, index=days)
    dgs2[days >= "2022-03-16"] = 1.32  # -18 bp on the anchor session
    dgs2[days >= "2022-03-17"] = 1.30  # -20 bp
    dgs2[days >= "2022-03-18"] = 1.31  # -19 bp after 3 sessions
    spy = pd.Series(100.0, index=days)
    spy[days >= "2022-03-16"] = 102.0
    spy[days >= "2022-03-17"] = 103.0  # +3 % over 2 sessions
    tlt = pd.Series(100.0, index=days)
    tlt[days >= "2022-03-17"] = 101.0  # +1 %: SPY - TLT = +2 points
    return DataStore(make_snapshot({"DGS2": dgs2, "SPY": spy, "TLT": tlt}))


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    p = tmp_path / "mine.toml"
    p.write_text(LEDGER)
    return p


def test_outcomes_by_hand(store: DataStore, ledger: Path) -> None:
    r = forecast_report(ledger, store)
    o = r.outcomes.set_index(["id", "horizon", "leg"])
    assert o.loc[("two_year", 1, "DGS2"), "outcome"] == pytest.approx(-18.0)
    assert o.loc[("two_year", 1, "DGS2"), "start_date"] == pd.Timestamp("2022-03-15")
    assert o.loc[("two_year", 3, "DGS2"), "outcome"] == pytest.approx(-19.0)
    assert o.loc[("two_year", 3, "DGS2"), "end_date"] == pd.Timestamp("2022-03-18")
    assert math.isnan(o.loc[("two_year", 30, "DGS2"), "outcome"])  # past the data
    assert o.loc[("spy", 2, "SPY"), "outcome"] == pytest.approx(3.0)
    assert o.loc[("spy", 2, "SPY - TLT"), "outcome"] == pytest.approx(2.0)
    v = r.verdicts.set_index(["id", "horizon"])["verdict"]
    assert v[("two_year", 1)] == "right"
    assert v[("two_year", 3)] == "right"
    assert v[("two_year", 30)] == NYM
    assert v[("spy", 2)] == "right"


def test_path_starts_at_zero(store: DataStore, ledger: Path) -> None:
    r = forecast_report(ledger, store)
    p = r.paths[(r.paths["id"] == "two_year")]
    assert p["outcome"].iloc[0] == 0.0
    assert p["day"].iloc[0] == 0
    assert p["session"].iloc[-1] == pd.Timestamp("2022-03-31")  # stops at the data's end


def test_leg_verdict_rules() -> None:
    down = Leg("DGS2", None, "change", "down", -20.0, -15.0)
    assert leg_verdict(down, -17.0) == "right"
    assert leg_verdict(down, -2.0) == "partly"  # right sign, too small
    assert leg_verdict(down, -25.0) == "partly"  # right sign, too big
    assert leg_verdict(down, 6.0) == "wrong"
    assert leg_verdict(down, 0.0) == "wrong"
    assert leg_verdict(down, math.nan) == NYM
    flat = Leg("DFEDTARU", None, "change", "flat", -1.0, 1.0)
    assert leg_verdict(flat, 0.0) == "right"
    assert leg_verdict(flat, -25.0) == "wrong"
    up = Leg("GLD", None, "change", "up", None, None)
    assert leg_verdict(up, 0.1) == "right"


def test_combine_rules() -> None:
    assert combine_verdicts(["right", "right"], "all") == "right"
    assert combine_verdicts(["right", "wrong"], "all") == "partly"
    assert combine_verdicts(["wrong", "wrong"], "all") == "wrong"
    assert combine_verdicts(["right", NYM], "all") == NYM
    assert combine_verdicts(["wrong", "right"], "any") == "right"
    assert combine_verdicts(["wrong", NYM], "any") == NYM
    assert combine_verdicts(["wrong", "partly"], "any") == "partly"
    assert combine_verdicts(["wrong", "wrong"], "any") == "wrong"


def test_csv_ledger_matches_toml(store: DataStore, tmp_path: Path, ledger: Path) -> None:
    p = tmp_path / "mine.csv"
    p.write_text("id,statement,anchor,horizons,series,versus,direction,low,high\n"
                 "two_year,2y falls 15 to 20 bp,2022-03-16,1 3;30,DGS2,,down,-20,-15\n"
                 "spy,SPY up and beats TLT,2022-03-16,2,SPY,,up,,\n"
                 "spy,,,,SPY,TLT,up,,\n")
    a, b = forecast_report(p, store), forecast_report(ledger, store)
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)


@pytest.mark.parametrize(("row", "match"), [
    ('series = "DGS22"', r"series 'DGS22' cannot be measured.*DGS2"),
    ('series = "DGS2"\ndirection = "sideways"', r"direction must be one of up, down, flat; "
     r"got 'sideways'"),
    ('series = "DGS2"\ndirection = "flat"', r"'flat' needs both low and high"),
    ('series = "DGS2"\ndirection = "down"\nlow = 5\nhigh = 1', r"low 5 is above high 1"),
    ('series = "DGS2"\nversus = "SPY"\ndirection = "down"', r"compare rates with rates"),
    ('series = "SPY"\nmeasure = "level"\ndirection = "up"', r"measure 'level' applies"),
    ('series = "SPY.Volume"\ndirection = "up"', r"trading volume"),
    ('series = "DGS2"\ndirection = "up"\ncolour = "red"', r"unknown column\(s\) 'colour'"),
])
def test_bad_rows_teach(tmp_path: Path, row: str, match: str) -> None:
    p = tmp_path / "bad.toml"
    p.write_text('[[forecast]]\nid = "x"\nstatement = "s"\nanchor = "2022-03-16"\n'
                 f"horizons = [21]\n{row}\n")
    with pytest.raises(ConfigError, match=match) as info:
        load_ledger(p)
    assert "bad.toml [[forecast]] #1" in str(info.value)


@pytest.mark.parametrize(("head", "match"), [
    ('anchor = "2022-13-45"', r"not a valid date"),
    ('anchor = "next week"', r"anchor must be YYYY-MM-DD"),
    ('anchor = "event:2022-03-17"', r"no event in the events file was announced on 2022-03-17"),
    ('anchor = "2022-03-16"\nhorizons = [0]', r"horizons must be whole numbers of sessions"),
])
def test_bad_anchor_or_horizon(tmp_path: Path, head: str, match: str) -> None:
    p = tmp_path / "bad.toml"
    hz = "" if "horizons" in head else "horizons = [21]\n"
    p.write_text(f'[[forecast]]\nid = "x"\nstatement = "s"\n{head}\n{hz}series = "DGS2"\n'
                 'direction = "up"\n')
    with pytest.raises(ConfigError, match=match):
        load_ledger(p)


def test_malformed_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[forecast]\nid=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_ledger(bad)
    other = tmp_path / "bad.txt"
    other.write_text("x")
    with pytest.raises(ConfigError, match=r"a ledger is a .toml or .csv file"):
        load_ledger(other)
    csv = tmp_path / "bad.csv"
    csv.write_text("id,statement,anchor,horizons,series,direction\nx,s,2022-03-16,21,DGS2,up,9\n")
    with pytest.raises(ConfigError, match=r"bad.csv line 2: more cells than header"):
        load_ledger(csv)


def test_later_leg_may_not_change_the_anchor(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(LEDGER + '\n[[forecast]]\nid = "spy"\nanchor = "2022-03-17"\n'
                 'series = "TLT"\ndirection = "down"\n')
    with pytest.raises(ConfigError, match=r"anchor of 'spy' differs from its first row"):
        load_ledger(p)


def test_event_anchor_resolves_to_the_events_file() -> None:
    by_id = {f.id: f for f in load_ledger()}
    assert by_id["qt_end_2y"].date == pd.Timestamp("2025-10-29")
    assert by_id["qt_end_no_cut"].date == pd.Timestamp("2025-12-01")  # the effective date
    assert len(by_id) == 11
    assert all(f.horizons == (21, 63, 126) for f in by_id.values())


def test_cli_formats_and_errors(store: DataStore, ledger: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    root = str(tmp_path / "snap")
    assert main(["forecasts", "--forecasts", str(ledger), "--data-dir", root]) == 0
    out = capsys.readouterr().out
    assert "two_year" in out and "-18.0 bp" in out and NYM in out
    assert main(["forecasts", "--forecasts", str(ledger), "--data-dir", root,
                 "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(frame["verdict"]) == ["right", "right", NYM, "right", "right"]
    html = tmp_path / "f.html"
    assert main(["forecasts", "--forecasts", str(ledger), "--data-dir", root,
                 "--format", "json", "--out", str(html)]) == 0
    assert '"verdict": "right"' in capsys.readouterr().out
    text = html.read_text()
    assert text.count('class="figure"') == 2 and '<script src=' not in text
    bad = tmp_path / "bad.toml"
    bad.write_text(LEDGER.replace('direction = "down"', 'direction = "lower"'))
    assert main(["forecasts", "--forecasts", str(bad), "--data-dir", root]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: bad.toml [[forecast]] #1: direction must be one of")
    assert err.count("\n") == 1


def test_level_series_leg_in_own_units(make_snapshot: MakeSnapshot, tmp_path: Path) -> None:
    """A forecast on WALCL (weekly, USD millions): the change in its own units."""
    weds = pd.DatetimeIndex(["2022-03-02", "2022-03-09", "2022-03-16", "2022-03-23"])
    store = DataStore(make_snapshot({"WALCL": pd.Series([100.0, 100.0, 90.0, 85.0],
                                                        index=weds)}))
    p = tmp_path / "walcl.toml"
    p.write_text('[[forecast]]\nid = "bs"\nstatement = "assets shrink"\nanchor = "2022-03-16"\n'
                 'horizons = [1, 6]\nseries = "WALCL"\ndirection = "down"\nlow = -12\n'
                 'high = -8\n')
    r = forecast_report(p, store)
    o = r.outcomes.set_index("horizon")
    assert o.loc[1, "outcome"] == pytest.approx(-10.0)
    assert str(o.loc[1, "unit"]).startswith("USD millions")
    assert o.loc[6, "outcome"] == pytest.approx(-15.0)
    assert r.verdicts["verdict"].tolist() == ["right", "partly"]
    assert "-10 (USD millions" in r.to_text()
