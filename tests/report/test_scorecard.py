"""The playbook scorecard: verdict rules by hand, a synthetic market, the real snapshot."""

from __future__ import annotations

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
