"""The horizon rules on the real snapshot: each rule's weights, checked against the data."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from backtest.data.store import DataStore
from backtest.runner import RunConfig
from backtest.runner.run import prepare_context
from backtest.strategy import StrategyContext, get_strategy

START, END = pd.Timestamp("2016-01-04"), pd.Timestamp("2025-06-30")


def _run(name: str, store: DataStore) -> tuple[StrategyContext, pd.DataFrame, dict[str, Any]]:
    spec = get_strategy(name)
    params = spec.resolve()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ctx = prepare_context(spec, params, RunConfig(name), store, START, END)
    w = spec.target_weights(ctx, params)
    return ctx, w.loc[START:], params


def _qt(ctx: StrategyContext) -> pd.Series:
    return (ctx.regimes == "QT").loc[START:]


def test_yield_peak_on_the_snapshot(snapshot_store: DataStore) -> None:
    ctx, w, _ = _run("yield_peak", snapshot_store)
    qt = _qt(ctx)
    yld = ctx.panel["DGS10"]
    new_high = yld >= yld.rolling(130).max()
    last_high = pd.Series(np.where(new_high, np.arange(len(yld)), np.nan),
                          index=yld.index).ffill()
    quiet = (pd.Series(np.arange(len(yld)), index=yld.index) - last_high >= 40).loc[START:]
    tlt = w["TLT"]
    assert (tlt[qt & quiet] == 1.0).all() and (tlt[qt & ~quiet] == 0.0).all()
    assert (tlt[qt] == 1.0).any() and (tlt[qt] == 0.0).any()  # both states happen under QT
    assert (tlt[~qt] == 0.5).all()


def test_early_qt_dollar_on_the_snapshot(snapshot_store: DataStore) -> None:
    ctx, w, _ = _run("early_qt_dollar", snapshot_store)
    qt = _qt(ctx)
    held = w["UUP"] == 1.0
    assert not held[~qt].any()
    episodes = qt.ne(qt.shift()).cumsum()[qt]
    assert episodes.nunique() == 2  # QT1 and QT2 in 2016..2025
    for _, sess in episodes.groupby(episodes):
        first = sess.index[0]
        expect = (sess.index - first).days / 7.0 < 26.0
        assert held.loc[sess.index].tolist() == list(expect)
        assert held.loc[first]


def test_divergence_on_the_snapshot(snapshot_store: DataStore) -> None:
    ctx, w, _ = _run("divergence", snapshot_store)
    qt = _qt(ctx)
    spy = ctx.prices["SPY"]
    rise = (spy / spy.rolling(130).min() - 1.0).loc[START:]
    assert (w["SPY"][~qt] == 1.0).all()
    on = qt & (w["SPY"] == 1.0)
    assert on.any() and (qt & (w["SHY"] == 1.0)).any()
    assert (rise[on] >= 0.05 - 1e-12).all()  # ridden only while the rally holds
    starts = on & ~on.shift(fill_value=False)
    assert (rise[starts] >= 0.10 - 1e-12).all()  # and entered 10% off the low
    netliq = ctx.panel["NETLIQ"]
    assert (netliq < netliq.shift(65)).loc[START:][starts].all()


def test_sell_rallies_on_the_snapshot(snapshot_store: DataStore) -> None:
    ctx, w, _ = _run("sell_rallies", snapshot_store)
    qt = _qt(ctx)
    spy = ctx.prices["SPY"]
    trimmed = w["SPY"] == 0.5
    assert trimmed.any() and not trimmed[~qt].any()
    assert ((w["SPY"] == 1.0) | trimmed).all()
    starts = trimmed & ~trimmed.shift(fill_value=False)
    rally = (spy / spy.rolling(21).min() - 1.0).loc[START:]
    assert (rally[starts] >= 0.05 - 1e-12).all()


def test_cash_quality_on_the_snapshot(snapshot_store: DataStore) -> None:
    ctx, w, _ = _run("cash_quality", snapshot_store)
    qt = _qt(ctx)
    book = {"SPY": 0.0, "QUAL": 0.35, "USMV": 0.35, "SHY": 0.3}
    for t, v in book.items():
        assert np.allclose(w.loc[qt, t], v)
    assert (w.loc[~qt, "SPY"] == 1.0).all() and qt.sum() > 400


@pytest.mark.parametrize("name", ["yield_peak", "early_qt_dollar", "divergence",
                                  "sell_rallies", "cash_quality"])
def test_horizon_strategy_states_its_horizon_claim(name: str) -> None:
    from backtest.claims import HORIZON

    assert get_strategy(name).claim in {c.id for c in HORIZON}


def test_now_shows_the_horizon_rules_and_a_field_input(snapshot_store: DataStore) -> None:
    from backtest.present.api import now

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = now(snapshot_store, strategies=["divergence", "early_qt_dollar"],
                  classifiers=["calendar"])
    assert set(res.targets) == {"divergence", "early_qt_dollar"}
    vol = res.inputs["SPY.Volume"]  # a field of a price series is an input like any other
    assert vol.role == "strategy divergence" and vol.value > 0


GRIDS: dict[str, dict[str, tuple[Any, ...]]] = {
    "yield_peak": {"high_weeks": (13, 26), "quiet_weeks": (4, 8)},
    "early_qt_dollar": {"months": (3, 6, 12)},
    "divergence": {"rise_pct": (5.0, 10.0), "liquidity_weeks": (4, 13)},
    "sell_rallies": {"rally_pct": (3.0, 5.0), "trim_weight": (0.25, 0.5)},
    "cash_quality": {"qt_cash": (0.0, 0.3), "usmv_share": (0.0, 1.0)},
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(GRIDS))
def test_horizon_strategy_sweeps_and_walks_forward(name: str,
                                                   snapshot_store: DataStore) -> None:
    from backtest.sweep import SweepConfig
    from backtest.sweep.config import WalkForwardConfig
    from backtest.sweep.walkforward import run_walkforward

    cfg = RunConfig(name, start="2013-07-18", end="2025-06-30", benchmarks=())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sweep, wf = run_walkforward(cfg, GRIDS[name], snapshot_store,
                                    settings=SweepConfig(n_splits=4, walkforward=WalkForwardConfig(
                                        regimes=("QT",))))
    n = int(np.prod([len(v) for v in GRIDS[name].values()]))
    assert len(sweep.table) == n and "sharpe_QT" in sweep.table
    assert {"rolling", "expanding", "leave-one-out QT"} <= set(wf.schemes["scheme"])
    assert len(wf.episodes) == 2  # QT1 and QT2, each chosen on the other
