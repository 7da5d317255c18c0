"""The playbook scorecard: verdict rules by hand, a synthetic market, the real snapshot."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest.cli import main
from backtest.data.store import DataStore
from backtest.exceptions import ParameterError
from backtest.regimes.events import Event
from backtest.report.bootstrap import BootstrapSpec
from backtest.report.scorecard import (
    CLAIMS,
    SERIES,
    Scorecard,
    ScoreData,
    claim_verdict,
    load_score_data,
    scorecard,
)
from backtest.report.scorecard_horizon import early_sessions, sessions_since_high
from backtest.report.scorecard_qt import halves
from backtest.report.scorecard_report import (
    scorecard_csv,
    scorecard_html,
    scorecard_json,
    scorecard_markdown,
    scorecard_text,
)

FAST = BootstrapSpec(reps=200)


@pytest.mark.parametrize(("tests", "expected"), [
    (["supported", "supported"], "supported"),
    (["supported", "inconclusive"], "inconclusive"),
    (["supported", "contradicted"], "contradicted"),
    (["inconclusive"], "inconclusive"),
    ([], "inconclusive"),
])
def test_a_claim_is_the_conjunction_of_its_tests(tests: list[str], expected: str) -> None:
    assert claim_verdict(tests) == expected


def _synthetic() -> ScoreData:
    """300 sessions: QE, QT, end_of_qt (100 each); QT ends at session 200.

    Under QT, IWD gains 0.1 % a day more than IWF and HML 0.05 %: value beats growth
    every single day (a degenerate interval). UUP and the broad dollar lose 0.02 % a
    day in QT: the dollar claim is contradicted. Everything else is noise.
    """
    idx = pd.bdate_range("2021-01-04", periods=300)
    rng = np.random.default_rng(5)
    qt = np.r_[np.zeros(100), np.ones(100), np.zeros(100)].astype(bool)
    panel = pd.DataFrame({s: 100 * np.cumprod(1 + rng.normal(0, 0.01, 300)) for s in SERIES},
                         index=idx)
    panel["IWF"] = 100.0
    panel["IWD"] = 100 * np.cumprod(np.where(qt, 1.001, 1.0))
    panel["FF3_DAILY.HML"] = np.where(qt, 0.05, 0.0)
    panel["UUP"] = 100 * np.cumprod(np.where(qt, 0.9998, 1.0))
    panel["DTWEXBGS"] = panel["UUP"]
    labels = pd.Series(["QE"] * 100 + ["QT"] * 100 + ["end_of_qt"] * 100, index=idx)
    end = Event(idx[190], idx[200], "end_of_qt", "qt_end", "QT ends", "")
    return ScoreData(panel, labels, [end], {}, "calendar")


def test_synthetic_market_by_hand() -> None:
    sc = scorecard(data=_synthetic(), bootstrap=FAST)
    verdicts = dict(zip(sc.claims["claim"], sc.claims["verdict"], strict=True))
    assert verdicts["value_beats_growth_qt"] == "supported"
    assert verdicts["dollar_rises_qt"] == "contradicted"
    t = sc.tests()
    iwd = t[(t["claim"] == "value_beats_growth_qt") & (t["test"] == "IWD - IWF return")].iloc[0]
    assert iwd["value"] == pytest.approx(0.001 * 252)
    assert iwd["low"] == pytest.approx(0.252) and iwd["high"] == pytest.approx(0.252)
    assert (iwd["days"], iwd["episodes"]) == (100, 1)
    flags = dict(zip(sc.claims["claim"], sc.claims["flag"], strict=True))
    assert flags["value_beats_growth_qt"] == "rests on 1 episode(s)"
    after = t[t["window"] == "126 sessions after QT ends"]
    assert set(after["days"]) == {100}  # the window is cut at the end of the data


def test_real_snapshot_scorecard(real_scorecard: Scorecard) -> None:
    sc = real_scorecard
    assert sc.claims["claim"].tolist() == [c.id for c in CLAIMS]
    assert set(sc.claims["verdict"]) <= {"supported", "contradicted", "inconclusive"}
    t = sc.tests()
    assert (t["days"] > 0).all() and (t["episodes"] >= 1).all()
    assert t["verdict"].isin(["supported", "contradicted", "inconclusive"]).all()
    assert ((t["low"] <= t["value"]) | t["low"].isna()).all()
    # two QT episodes so far (2017-2019, 2022-2024): every QT claim is flagged
    for claim in ("value_beats_growth_qt", "dollar_rises_qt", "duration_suffers_qt"):
        row = sc.claims[sc.claims["claim"] == claim].iloc[0]
        assert row["episodes"] == 2 and row["flag"] == "rests on 2 episode(s)"
    # a fact of the data: growth (IWF) beat value (IWD) through both QT episodes
    iwd = t[(t["claim"] == "value_beats_growth_qt") & (t["test"] == "IWD - IWF return")]
    assert float(iwd["value"].iloc[0]) < 0
    assert set(sc.provenance) >= {"IWD", "WALCL", "SOFR", "IORB", "IOER", "GSPC"}


def test_renderings(real_scorecard: Scorecard) -> None:
    sc = real_scorecard
    doc = json.loads(scorecard_json(sc))
    assert len(doc["claims"]) == len(CLAIMS) >= 20 and len(doc["rows"]) == len(sc.rows)
    assert doc["bootstrap"] == {"block": 20, "reps": 1000, "level": 0.95, "seed": 20170920}
    assert scorecard_csv(sc).splitlines()[0].startswith("claim,test,window,role,direction")
    md = scorecard_markdown(sc)
    assert "| value_beats_growth_qt |" in md and "conjunction" in md
    assert "verdict" in scorecard_text(sc)
    html = scorecard_html(sc)
    # the forest plot and the net-liquidity decomposition
    assert html.count("Plotly.newPlot(") == 2 and html.count('class="v-') >= len(CLAIMS)


def test_same_data_same_bytes(snapshot_store: DataStore) -> None:
    data = load_score_data(snapshot_store)
    a = scorecard_csv(scorecard(data=data, bootstrap=FAST))
    assert scorecard_csv(scorecard(data=data, bootstrap=FAST)) == a


def test_cli_json_and_html(snapshot_dir: Path, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sc.html"
    code = main(["scorecard", "--format", "json", "--reps", "200", "--out", str(out),
                 "--data-dir", str(snapshot_dir)])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    doc = json.loads(cap.out)
    assert {c["claim"] for c in doc["claims"]} == {c.id for c in CLAIMS}
    assert out.is_file() and f"wrote {out}" in cap.err
    code = main(["scorecard", "--classifier", "weather", "--data-dir", str(snapshot_dir)])
    assert code == 2


@pytest.mark.parametrize(("tests", "expected"), [
    (["no data", "no data"], "no data"),
    (["supported", "no data"], "inconclusive"),
    (["contradicted", "no data"], "contradicted"),
])
def test_no_data_is_its_own_verdict(tests: list[str], expected: str) -> None:
    assert claim_verdict(tests) == expected


def test_a_claim_with_no_session_of_data_says_so() -> None:
    data = _synthetic()
    data.panel["TLT"] = np.nan  # duration: both tests lose their data
    data.panel["DGS10"] = np.nan
    data.panel["GLD"] = np.nan  # one of the after-QT tests loses its data
    sc = scorecard(data=data, bootstrap=FAST)
    row = sc.claims.set_index("claim").loc["duration_suffers_qt"]
    assert row["verdict"] == "no data" and row["flag"] == "no session of data"
    assert (row["tests"], row["no_data"], row["days"]) == (2, 2, 0)
    t = sc.tests()
    dur = t[t["claim"] == "duration_suffers_qt"]
    assert dur["verdict"].tolist() == ["no data", "no data"]
    assert dur["window"].tolist() == ["QT", "QT"] and dur["value"].isna().all()
    gld = t[t["test"] == "GLD return"]
    assert gld["verdict"].tolist() == ["no data", "no data"]
    after = sc.claims.set_index("claim").loc["dollar_down_gold_em_up_after_qt"]
    assert after["verdict"] != "no data" and after["no_data"] == 2
    assert "no data" in sc.to_text() and 'class="v-no-data"' in sc.to_html()


def test_to_text_is_what_the_cli_prints(snapshot_dir: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    sc = scorecard(DataStore(snapshot_dir), bootstrap=FAST)
    for fmt in ("table", "markdown", "csv", "json"):
        assert main(["scorecard", "--format", fmt, "--reps", "200", "--data-dir",
                     str(snapshot_dir)]) == 0
        out = capsys.readouterr().out
        text = sc.to_text(fmt)  # type: ignore[arg-type]
        assert out == (text if text.endswith("\n") else text + "\n"), fmt
    with pytest.raises(ParameterError, match="format must be one of table, csv, json, markdown"):
        sc.to_text("html")  # type: ignore[arg-type]


# ---- scorecard v2: the rest of the playbook's claims, each measure by hand ----


def _row(sc: Scorecard, claim: str, test: str, window: str | None = None) -> pd.Series:
    t = sc.rows[(sc.rows["claim"] == claim) & (sc.rows["test"] == test)]
    if window is not None:
        t = t[t["window"] == window]
    assert len(t) == 1, (claim, test, window, t)
    return t.iloc[0]


def _v2_synthetic() -> ScoreData:
    """The 300-session market of ``_synthetic`` with hand-set QT, after-QT and QE moves.

    QE (sessions 0-99): DGS10 falls 1 bp a day; SPY gains 0.1 % a day.
    QT (100-199): VIX is 30 (20 elsewhere); HY OAS widens 1 bp a day; WRESBAL falls 0.1 % a
    day; SPY is flat in the first half of QT and gains 0.2 % a day in the second; WALCL falls
    USD 1 bn a day, the TGA falls USD 0.2 bn and the RRP USD 0.5 bn a day.
    After QT ends (200-299): the policy rate is cut 25 bp on session 250; DGS2 falls 2 bp a day.
    """
    d = _synthetic()
    p = d.panel
    n = len(p)
    i = np.arange(n)
    qe, qt = i < 100, (i >= 100) & (i < 200)
    p["DGS10"] = 3.0 - 0.01 * np.minimum(i, 99)
    p["SPY"] = 100 * np.cumprod(np.where(qe, 1.001, np.where(qt & (i >= 150), 1.002, 1.0)))
    p["VIXCLS"] = np.where(qt, 30.0, 20.0)
    p["BAMLH0A0HYM2"] = 4.0 + 0.01 * np.clip(i - 99, 0, 100)
    p["WRESBAL"] = 3e6 * np.cumprod(np.where(qt, 0.999, 1.0))
    p["WALCL"] = 8e6 - 1000.0 * np.clip(i - 99, 0, 100)  # USD millions
    p["WTREGEN"] = 7e5 - 200.0 * np.clip(i - 99, 0, 100)
    p["RRPONTSYD"] = 2000.0 - 0.5 * np.clip(i - 99, 0, 100)  # USD billions
    p["DFEDTARU"] = np.where(i >= 250, 4.25, 4.5)
    p["DGS2"] = 4.0 - 0.02 * np.clip(i - 199, 0, 100)
    return d


@pytest.fixture(scope="module")
def v2() -> Scorecard:
    return scorecard(data=_v2_synthetic(), bootstrap=FAST)


def test_v2_covers_every_playbook_claim(v2: Scorecard) -> None:
    assert v2.claims["claim"].tolist() == [c.id for c in CLAIMS]
    assert len(CLAIMS) >= 20
    from backtest import claims
    for c in claims.HORIZON:  # the horizon rules are scored too
        assert c.id in set(v2.claims["claim"])


def test_vix_and_credit_by_hand(v2: Scorecard) -> None:
    vix = _row(v2, "vix_elevated_qt", "VIX minus its all-session mean", "QT")
    # all-session mean = (200 * 20 + 100 * 30) / 300; QT sessions are 30
    assert vix["value"] == pytest.approx(30 - 70 / 3)
    assert vix["verdict"] == "supported" and vix["unit"] == "points"
    hy = _row(v2, "credit_widens_qt", "high-yield OAS change", "QT")
    assert hy["value"] == pytest.approx(252.0)  # 1 bp a day, 252 a year
    assert hy["verdict"] == "supported"


def test_reserves_growth_by_hand(v2: Scorecard) -> None:
    r = _row(v2, "reserves_m2_fall_qt", "reserve balances (WRESBAL) growth", "QT")
    assert r["value"] == pytest.approx(-0.001 * 252)
    assert r["verdict"] == "supported"


def test_late_qt_halves_by_hand(v2: Scorecard) -> None:
    r = _row(v2, "equities_recover_late_qt", "SPY return, second half minus first half")
    # the first half (sessions 100-149) is flat, the second (150-199) gains 0.2 % a day
    assert r["value"] == pytest.approx(0.002 * 252)
    assert r["verdict"] == "supported" and r["episodes"] == 1 and r["days"] == 100
    w = _row(v2, "equities_recover_late_qt", "Fed assets (WALCL) growth in the second half")
    assert w["value"] < 0 and w["verdict"] == "supported"


def test_halves_and_early_sessions() -> None:
    idx = pd.bdate_range("2024-01-01", periods=12)
    lab = pd.Series(["QE"] * 2 + ["QT"] * 5 + ["neutral"] * 2 + ["QT"] * 3, index=idx)
    first, second = halves(lab)
    assert list(first) == [idx[2], idx[3], idx[9]]
    assert list(second) == [idx[4], idx[5], idx[6], idx[10], idx[11]]
    assert list(early_sessions(lab, n=2)) == [idx[2], idx[3], idx[9], idx[10]]


def test_sessions_since_high_by_hand() -> None:
    x = pd.Series([1.0, 2.0, 3.0, 2.5, 2.0, 1.0, 4.0])
    s = sessions_since_high(x, window=3)
    # rolling 3-high known from index 2: 3 (new high), 3 (1 since), 3 (2), 2.5 (3? no: the
    # window 2.5,2,1 has high 2.5 > 1, so no new high), then 4 a new high
    assert s.iloc[:2].isna().all()
    assert s.iloc[2:].tolist() == [0.0, 1.0, 2.0, 3.0, 0.0]


def test_decomposition_by_hand(v2: Scorecard) -> None:
    dec = v2.decomposition
    assert len(dec) == 1
    r = dec.iloc[0]
    # over the 100 QT sessions (from the close before the first): WALCL -100 bn,
    # TGA -20 bn (contributes +20), RRP -50 bn (contributes +50): net liquidity -30 bn
    assert r["walcl_change"] == pytest.approx(-100.0)
    assert r["tga_contribution"] == pytest.approx(20.0)
    assert r["rrp_contribution"] == pytest.approx(50.0)
    assert r["netliq_change"] == pytest.approx(-30.0)
    assert (r["offset_share"], r["tga_share"], r["rrp_share"]) == pytest.approx((0.7, 0.2, 0.5))
    off = _row(v2, "tga_rrp_offset_qt", "TGA + RRP contribution to net liquidity", "QT")
    assert off["value"] == pytest.approx(0.7 * 252) and off["verdict"] == "supported"
    assert "Net liquidity under QT" in v2.to_text() and "-100 bn" in v2.to_text()
    assert json.loads(v2.to_text("json"))["decomposition"][0]["netliq_change"] == \
        pytest.approx(-30.0)


def test_after_qt_and_qe_by_hand(v2: Scorecard) -> None:
    after = "126 sessions after QT ends"
    cut = _row(v2, "no_cut_after_qt", "policy rate (DFEDTARU) change", after)
    assert cut["value"] == pytest.approx(-25.0 * 252 / 100)  # one 25 bp cut in 100 sessions
    two = _row(v2, "bull_steepener_after_qt", "2-year yield change", after)
    assert two["value"] == pytest.approx(-2.0 * 252) and two["verdict"] == "supported"
    y = _row(v2, "long_yields_fall_qe", "DGS10 change", "QE")
    assert y["value"] == pytest.approx(-252.0) and y["verdict"] == "supported"
    eq = _row(v2, "equities_rise_qe", "SPY return", "QE")
    assert eq["value"] == pytest.approx(0.001 * 252) and eq["verdict"] == "supported"


def test_real_qt2_decomposition_matches_the_csv_files(real_scorecard: Scorecard,
                                                      snapshot_dir: Path) -> None:
    """Each QT episode's decomposition, recomputed with plain pandas on the FRED files."""
    def last_on_or_before(sid: str, day: pd.Timestamp) -> float:
        f = pd.read_csv(snapshot_dir / "fred" / f"{sid}.csv", index_col=0, parse_dates=True)
        return float(f[sid].dropna().loc[:day].iloc[-1])

    dec = real_scorecard.decomposition
    assert len(dec) == 2  # QT1 and QT2 under the calendar
    for r in dec.to_dict("records"):
        a, z = pd.Timestamp(r["start"]), pd.Timestamp(r["end"])
        walcl = (last_on_or_before("WALCL", z) - last_on_or_before("WALCL", a)) / 1000
        tga = -(last_on_or_before("WTREGEN", z) - last_on_or_before("WTREGEN", a)) / 1000
        rrp = -(last_on_or_before("RRPONTSYD", z) - last_on_or_before("RRPONTSYD", a))
        assert r["walcl_change"] == pytest.approx(walcl)
        assert r["tga_contribution"] == pytest.approx(tga)
        assert r["rrp_contribution"] == pytest.approx(rrp)
        assert r["netliq_change"] == pytest.approx(walcl + tga + rrp)
    qt2 = dec.iloc[1]
    assert pd.Timestamp(qt2["start"]).year == 2022
    # the facts the playbook leans on: QT2 shrank Fed assets by about USD 1.6 tn while the
    # reverse repo drained about USD 1.5 tn of it, so net liquidity barely moved
    assert -1700 < qt2["walcl_change"] < -1550
    assert 1450 < qt2["rrp_contribution"] < 1600
    assert abs(qt2["netliq_change"]) < 100
    assert qt2["offset_share"] > 0.9


def test_real_vix_row_matches_plain_pandas(real_scorecard: Scorecard,
                                           snapshot_dir: Path) -> None:
    """VIX in QT minus its all-session mean, recomputed from VIXCLS.csv on the QT sessions."""
    from backtest.data.calendar import sessions_between

    vix = pd.read_csv(snapshot_dir / "fred" / "VIXCLS.csv", index_col=0,
                      parse_dates=True)["VIXCLS"].dropna()
    days = sessions_between(real_scorecard.start, vix.index[-1])
    v = vix.reindex(days.union(vix.index)).ffill().reindex(days)
    qt = pd.Series(False, index=days)
    for r in real_scorecard.decomposition.to_dict("records"):
        qt[(days > pd.Timestamp(r["start"])) & (days <= pd.Timestamp(r["end"]))] = True
    expected = float(v[qt].mean() - v.mean())
    row = _row(real_scorecard, "vix_elevated_qt", "VIX minus its all-session mean", "QT")
    assert row["value"] == pytest.approx(expected, rel=1e-9)
    verdict = ("supported" if row["low"] > 0 else "contradicted" if row["high"] < 0
               else "inconclusive")
    assert row["verdict"] == verdict
    assert expected < 0  # a fact of the data: VIX was *below* its average in both QTs


def test_dollar_early_in_qt_by_hand(v2: Scorecard) -> None:
    # UUP loses 0.02 % a day through QT (100 sessions, all within the first 6 months) and is
    # flat in end_of_qt: early minus later = -0.0002 * 252 a year
    r = _row(v2, "dollar_early_qt", "UUP return, first 6 months minus later")
    assert r["value"] == pytest.approx(-0.0002 * 252)
    assert r["verdict"] == "contradicted" and r["days"] == 200


def test_user_claims_by_hand(tmp_path: Path) -> None:
    from backtest.report.scorecard_user import load_user_claims

    f = tmp_path / "mine.toml"
    f.write_text('[[claim]]\nid = "hy_widens_qt"\nstatement = "HY spreads widen in QT"\n'
                 'series = "BAMLH0A0HYM2"\nwindow = "QT"\ndirection = "up"\n\n'
                 '[[claim]]\nid = "two_falls_after"\nstatement = "2y falls after QT"\n'
                 'series = "DGS2"\nwindow = "after QT ends"\ndirection = "down"\n')
    user = load_user_claims(f)
    sc = scorecard(data=_v2_synthetic(), bootstrap=FAST, user_claims=user)
    assert sc.claims["claim"].tolist()[-2:] == ["hy_widens_qt", "two_falls_after"]
    hy = _row(sc, "hy_widens_qt", "BAMLH0A0HYM2", "QT")
    assert hy["value"] == pytest.approx(252.0) and hy["verdict"] == "supported"
    two = _row(sc, "two_falls_after", "DGS2", "126 sessions after QT ends")
    assert two["value"] == pytest.approx(-2.0 * 252) and two["verdict"] == "supported"
    bad = tmp_path / "bad.toml"
    bad.write_text('[[claim]]\nid = "x"\nstatement = "s"\nseries = "GLD"\nwindow = "QT"\n'
                   'direction = "up"\n')
    d = _v2_synthetic()
    no_gold = dataclasses.replace(d, panel=d.panel.drop(columns="GLD"))
    with pytest.raises(ParameterError, match="user claims read GLD"):  # not in this panel
        scorecard(data=no_gold, bootstrap=FAST, user_claims=load_user_claims(bad))


@pytest.mark.parametrize(("body", "match"), [
    ('id = "value_beats_growth_qt"', r"id 'value_beats_growth_qt' is already taken"),
    ('id = "x"\nwindow = "QTT"', r"window must be one of QE, taper, QT, end_of_qt, neutral"),
    ('id = "x"\nseries = "GLDD"', r"series 'GLDD' cannot be measured.*GLD"),
    ('id = "x"\ndirection = "sideways"', r"direction must be up or down; got 'sideways'"),
    ('id = "x"\nversus = "DGS10"', r"compare rates with rates"),
    ('id = "x"\ncolour = "red"', r"unknown key\(s\) 'colour'"),
])
def test_user_claims_errors_teach(tmp_path: Path, body: str, match: str) -> None:
    from backtest.exceptions import ConfigError
    from backtest.report.scorecard_user import load_user_claims

    fields = {"statement": '"s"', "series": '"GLD"', "window": '"QT"', "direction": '"up"'}
    lines = dict(line.split(" = ", 1) for line in body.splitlines())
    text = "[[claim]]\n" + "".join(f"{k} = {v}\n" for k, v in {**fields, **lines}.items())
    f = tmp_path / "c.toml"
    f.write_text(text)
    with pytest.raises(ConfigError, match=match) as info:
        load_user_claims(f)
    assert "c.toml [[claim]] #1" in str(info.value)


def test_cli_user_claims(snapshot_dir: Path, tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "mine.toml"
    f.write_text('[[claim]]\nid = "gold_rises_qt"\nstatement = "Gold rises in QT"\n'
                 'series = "GLD"\nwindow = "QT"\ndirection = "up"\n')
    assert main(["scorecard", "--format", "csv", "--reps", "100", "--claims", str(f),
                 "--data-dir", str(snapshot_dir)]) == 0
    rows = pd.read_csv(io.StringIO(capsys.readouterr().out))
    gold = rows[(rows["claim"] == "gold_rises_qt") & (rows["role"] == "test")]
    assert gold["window"].tolist() == ["QT"] and gold["episodes"].tolist() == [2]
    f.write_text('[[claim]]\nid = "gold"\n')
    assert main(["scorecard", "--claims", str(f), "--data-dir", str(snapshot_dir)]) == 2
    assert capsys.readouterr().err.startswith("error: mine.toml [[claim]] #1: statement")
