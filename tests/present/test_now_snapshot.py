"""``now`` on the real snapshot: a 2026 as_of, the identity exactly, targets for every strategy.

Nothing here pins where the snapshot ends: dates are derived from the data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from backtest.data.store import DataStore
from backtest.present import NowResult, now
from backtest.present.inputs import CORE
from backtest.present.targets import default_strategies


@pytest.fixture(scope="module")
def real_now(snapshot_store: DataStore) -> NowResult:
    return now(snapshot_store)


def test_as_of_in_the_second_half_of_2026(real_now: NowResult) -> None:
    assert real_now.as_of > pd.Timestamp("2026-06-30")
    assert real_now.next_session > real_now.as_of
    assert min(real_now.inputs[r].known for r in CORE) == real_now.as_of  # type: ignore[type-var]
    for status in real_now.inputs.values():  # nothing known after as_of is read
        assert status.known is None or status.known <= real_now.as_of


def test_identity_holds_exactly(real_now: NowResult) -> None:
    d = json.loads(real_now.to_json())
    nl = d["net_liquidity"]
    lv = nl["level"]
    assert lv["netliq"] == lv["walcl"] - lv["tga"] - lv["rrp"]
    for key in ("change_4w", "change_13w"):
        c = nl[key]
        assert set(c) >= {"netliq", "walcl", "tga", "rrp"}
        assert c["netliq"] == c["walcl"] - c["tga"] - c["rrp"]
        for comp in ("walcl", "tga", "rrp", "netliq"):
            assert float(c[comp]).is_integer()


def test_json_keys_and_every_default_strategy_has_targets(real_now: NowResult) -> None:
    d = real_now.to_dict()
    assert {"as_of", "inputs", "regimes", "net_liquidity", "funding", "targets"} <= set(d)
    assert set(d["regimes"]) == {"calendar", "data", "rules"}
    for r in d["regimes"].values():
        assert {"label", "since", "weeks"} <= set(r)
    assert set(d["targets"]) == set(default_strategies())
    assert "buy_and_hold" not in d["targets"]
    for name, weights in d["targets"].items():
        assert weights, name
        assert sum(weights.values()) <= 1.0 + 1e-9
        info = d["strategies"][name]
        assert info["stale"] == (pd.Timestamp(info["evaluated_at"]) < real_now.as_of)
    for key in ("sofr_iorb_bp", "effr_iorb_bp", "sofr_minus_top_bp", "reserves",
                "reserves_gdp_pct"):
        assert d["funding"][key]["value"] is not None
        assert 0.0 <= d["funding"][key]["percentile"] <= 100.0


def test_a_stale_strategy_is_flagged_with_its_own_date(real_now: NowResult) -> None:
    for name, info in real_now.strategies.items():
        if info["stale"]:
            assert any(n.startswith(f"{name}:") and info["evaluated_at"] in n
                       for n in real_now.notes)


def test_truncated_snapshot_gives_the_same_now(snapshot_store: DataStore,
                                               real_now: NowResult) -> None:
    day = real_now.as_of - pd.Timedelta(days=60)
    kw = {"strategies": ["playbook", "funding_stress"], "as_of": day}
    full = now(snapshot_store, **kw)  # type: ignore[arg-type]
    cut = now(snapshot_store.truncated(day), **kw)  # type: ignore[arg-type]
    assert full.to_dict() == cut.to_dict()
    pd.testing.assert_frame_equal(full.history, cut.history)
    pd.testing.assert_frame_equal(full.labels, cut.labels)


def test_a_strategy_file_is_shown_by_its_spec_name(snapshot_store: DataStore) -> None:
    path = Path(__file__).resolve().parents[2] / "examples" / "regime_table.py"
    got = now(snapshot_store, strategies=[str(path)], classifiers=["calendar"])
    assert list(got.strategies) == ["regime_table"]
    assert set(got.strategies["regime_table"]["weights"]) >= {"SPY"}
