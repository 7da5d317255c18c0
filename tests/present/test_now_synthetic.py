"""``now`` on a synthetic snapshot: as_of, the net-liquidity identity, staleness, targets."""

from __future__ import annotations

import pandas as pd
import pytest

from backtest.data.store import DataStore
from backtest.exceptions import ParameterError
from backtest.present import now
from backtest.present.inputs import CORE, STALE_SESSIONS


@pytest.fixture
def result(synthetic_store: DataStore):  # type: ignore[no-untyped-def]
    return now(synthetic_store, classifiers=["calendar", "data"])


def test_as_of_is_the_last_session_every_core_input_is_known(result) -> None:  # type: ignore[no-untyped-def]
    # WALCL of Wednesday 2024-06-26 is published Thursday after the close: known Friday 06-28
    assert result.as_of == pd.Timestamp("2024-06-28")
    assert result.next_session == pd.Timestamp("2024-07-01")
    assert result.inputs["WALCL"].observed == pd.Timestamp("2024-06-26")
    assert result.inputs["WALCL"].known == pd.Timestamp("2024-06-28")
    assert min(result.inputs[r].known for r in CORE) == result.as_of
    assert not any(result.inputs[r].stale for r in CORE)


def test_net_liquidity_by_hand_and_the_identity_exactly(result) -> None:  # type: ignore[no-untyped-def]
    nl = result.to_dict()["net_liquidity"]
    # k = 25 on 2024-06-26; ON RRP 50.5 bn from June
    assert nl["level"] == {"date": "2024-06-28", "walcl": 7_025_000.0, "tga": 812_500.0,
                           "rrp": 50_500.0, "netliq": 6_162_000.0}
    c4 = nl["change_4w"]  # from 2024-05-31: WALCL of 05-29 (k = 21), RRP 100 bn
    assert c4["from"] == "2024-05-31"
    assert (c4["walcl"], c4["tga"], c4["rrp"], c4["netliq"]) == (4000.0, 2000.0, -49_500.0,
                                                                 51_500.0)
    for key in ("change_4w", "change_13w"):
        c = nl[key]
        assert c["netliq"] == c["walcl"] - c["tga"] - c["rrp"]
    # from Thursday 2024-03-28: WALCL of 03-27 is published after that close and Good Friday
    # is closed, so the level known is that of 03-20 (k = 11)
    c13 = nl["change_13w"]
    assert c13["from"] == "2024-03-28" and c13["walcl"] == 14_000.0 and c13["tga"] == 7_000.0


def test_funding_by_hand(result) -> None:  # type: ignore[no-untyped-def]
    f = result.to_dict()["funding"]
    assert f["sofr_iorb_bp"]["value"] == pytest.approx(-9.0)
    assert f["effr_iorb_bp"]["value"] == pytest.approx(-7.0)
    assert f["sofr_minus_top_bp"]["value"] == pytest.approx(-19.0)
    assert f["reserves"]["value"] == 3_002_500.0
    assert f["reserves"]["percentile"] == 100.0  # reserves rise every week: a new high
    # GDP of 2023-Q3 (28,000 bn SAAR) is the latest known: 3,002,500 / 28,000,000
    assert f["reserves_gdp_pct"]["value"] == pytest.approx(round(3_002_500 / 28_000_000 * 100, 2))


def test_stale_inputs_are_named_never_silently_carried(result) -> None:  # type: ignore[no-untyped-def]
    gdp = result.inputs["GDP"]
    assert gdp.observed == pd.Timestamp("2023-07-01") and gdp.stale
    assert gdp.sessions_stale > STALE_SESSIONS["quarterly"]
    tlt = result.inputs["TLT"]
    assert tlt.stale and tlt.observed == pd.Timestamp("2024-05-31")
    assert tlt.sessions_stale == 19  # June 2024 had 19 sessions after May 31 (Juneteenth closed)
    assert result.stale == ["GDP", "TLT"]
    text = result.to_text()
    assert "stale inputs (last value used, see Inputs): GDP, TLT" in text


def test_targets_of_each_strategy_from_its_own_data(result) -> None:  # type: ignore[no-untyped-def]
    assert list(result.targets) == ["hold_spy", "hold_tlt"]  # the benchmark is left out
    assert result.targets == {"hold_spy": {"SPY": 0.5}, "hold_tlt": {"TLT": 0.25}}
    spy, tlt = result.strategies["hold_spy"], result.strategies["hold_tlt"]
    assert spy["evaluated_at"] == "2024-06-28" and not spy["stale"]
    assert spy["changed"] == "2024-04-01" and spy["cash"] == 0.5
    assert tlt["evaluated_at"] == "2024-05-31" and tlt["stale"]
    assert any("hold_tlt" in n and "2024-05-31" in n for n in result.notes)
    assert spy["regime"] == result.regimes["calendar"]["label"]


def test_regimes_and_disagreement(result) -> None:  # type: ignore[no-untyped-def]
    d = result.to_dict()
    assert set(d["regimes"]) == {"calendar", "data"}
    for r in d["regimes"].values():
        assert {"label", "since", "weeks", "phase"} <= set(r)
        assert pd.Timestamp(r["since"]) <= result.as_of
    labels = {r["label"] for r in d["regimes"].values()}
    assert d["regimes_disagree"] == (len(labels) > 1)


def test_truncated_store_gives_the_same_now(synthetic_store: DataStore) -> None:
    day = "2024-05-15"
    full = now(synthetic_store, classifiers=["calendar", "data"], as_of=day)
    cut = now(synthetic_store.truncated(day), classifiers=["calendar", "data"], as_of=day)
    assert full.to_dict() == cut.to_dict()
    pd.testing.assert_frame_equal(full.history, cut.history)
    pd.testing.assert_frame_equal(full.labels, cut.labels)
    assert full.as_of == pd.Timestamp(day)


def test_formats_and_summary(result) -> None:  # type: ignore[no-untyped-def]
    import json

    assert json.loads(result.to_text("json")) == result.to_dict()
    md = result.to_text("markdown")
    assert md.startswith("# qtbt now: as of the close of 2024-06-28")
    assert "| = net liquidity | 6,162,000 | 51,500 |" in md
    s = result.summary()
    assert {"section", "item"} <= set(s.columns) and len(s) > 10
    with pytest.raises(ParameterError, match="choose one of table, json, markdown"):
        result.to_text("html")


def test_bad_arguments_teach(synthetic_store: DataStore) -> None:
    with pytest.raises(ParameterError, match="Did you mean 'rules'"):
        now(synthetic_store, classifiers=["rulez"])
    with pytest.raises(ParameterError, match="Unknown strategy 'nope'"):
        now(synthetic_store, strategies=["nope"])
    with pytest.raises(ParameterError, match="as_of must be a date"):
        now(synthetic_store, as_of=20240101)


def test_an_early_as_of_teaches_and_early_changes_are_none(synthetic_store: DataStore) -> None:
    from backtest.exceptions import EmptyRangeError

    with pytest.raises(EmptyRangeError, match="pass as_of 2024-01-05 or later"):
        now(synthetic_store, classifiers=["calendar"], as_of="2024-01-03")
    early = now(synthetic_store, classifiers=["calendar"], strategies=["hold_spy"],
                as_of="2024-01-19").to_dict()
    nl = early["net_liquidity"]
    assert nl["level"]["walcl"] == 7_002_000.0  # WALCL of Wed 01-17 (k = 2), known Fri 01-19
    assert nl["change_13w"]["netliq"] is None and nl["change_4w"]["walcl"] is None
    assert early["funding"]["reserves_gdp_pct"]["value"] is not None


def test_plot_returns_figures(result) -> None:  # type: ignore[no-untyped-def]
    for kind, traces in (("liquidity", 4), ("funding", 3)):
        assert len(result.plot(kind).data) == traces
    assert len(result.plot("regimes").data) >= 2  # one bar per regime run and classifier
    with pytest.raises(ParameterError, match="plot kind 'pie'"):
        result.plot("pie")
