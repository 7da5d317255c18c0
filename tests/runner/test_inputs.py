"""prepare_inputs: one preparation for run and sweep; run() checks what it is given."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import backtest.runner.inputs as inputs_mod
from backtest.data.store import DataStore
from backtest.exceptions import ParameterError, StaleSeriesWarning
from backtest.runner import RunConfig, prepare_inputs, run
from backtest.sweep import run_sweep
from tests.conftest import MakeSnapshot

START, END = "2019-01-02", "2020-12-31"


def test_regimes_are_classified_once_per_run(snapshot_store: DataStore,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[pd.DatetimeIndex] = []
    real = inputs_mod.regime_labels_with_phases

    def counting(sessions: pd.DatetimeIndex, *args: Any, **kwargs: Any) -> pd.DataFrame:
        calls.append(sessions)
        return real(sessions, *args, **kwargs)

    monkeypatch.setattr(inputs_mod, "regime_labels_with_phases", counting)
    cfg = RunConfig("duration", start=START, end=END, classifier="data")
    out = run(cfg, snapshot_store)
    assert len(calls) == 1  # strategy and both benchmarks share the data classifier's fit
    assert calls[0][0] <= pd.Timestamp(START) - pd.Timedelta(days=380)  # warm-up included
    assert out.benchmarks["sixty_forty"].returns.index.equals(out.result.returns.index)
    assert out.notes[0].startswith("data-classifier defaults were chosen")


def test_context_is_shared_but_each_strategy_sees_its_own_columns(
        snapshot_store: DataStore) -> None:
    inp = prepare_inputs(RunConfig("net_liquidity", start=START, end=END), snapshot_store)
    assert set(inp.universe) == {*inp.spec.assets_for(inp.params), "SPY", "IEF"}
    assert list(inp.context.panel.columns) == list(inp.spec.series_for(inp.params))
    for b in inp.benchmarks:
        ctx = inp.context_for(b.spec, b.params)
        assert list(ctx.prices.columns) == list(b.spec.assets_for(b.params))
        assert ctx.panel.columns.empty and ctx.regimes is inp.context.regimes
    assert inp.sessions[0] == pd.Timestamp(START) and inp.sessions[-1] == pd.Timestamp(END)
    assert inp.labels.index.equals(inp.sessions) and inp.open_ is None
    assert isinstance(inp.notes, tuple) and hash(inp.config)
    assert inp.cash_rate is not None and inp.cash_rate.index.equals(inp.sessions)


def test_open_execution_prepares_adjusted_opens(snapshot_store: DataStore) -> None:
    cfg = RunConfig("sixty_forty", start=START, end=END, engine={"execution": "open"},
                    benchmarks=())
    inp = prepare_inputs(cfg, snapshot_store)
    assert inp.open_ is not None and list(inp.open_.columns) == ["SPY", "IEF"]
    close, open_ = inp.market(["IEF"])
    assert open_ is not None and list(open_.columns) == ["IEF"]
    assert close.index.equals(inp.sessions)
    assert np.all(np.abs(open_["IEF"] / close["IEF"] - 1) < 0.05)  # same adjusted basis


def test_a_cut_range_warns_once_and_is_noted_once(make_snapshot: MakeSnapshot) -> None:
    days = pd.bdate_range("2019-01-02", "2021-06-30")
    px = pd.Series(np.linspace(100, 120, len(days)), index=days)
    root = make_snapshot({"SPY": px, "IEF": px.loc[:"2021-03-31"], "DGS3MO": px * 0 + 1.0})
    cfg = RunConfig("sixty_forty", start="2020-01-02", end="2021-06-30",
                    benchmarks=("buy_and_hold",))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = run(cfg, str(root))  # a path stands for DataStore(data_dir=path)
    cut = [w for w in caught if issubclass(w.category, StaleSeriesWarning)]
    assert len(cut) == 1 and "the backtest ends on 2021-03-31" in str(cut[0].message)
    assert out.notes == (str(cut[0].message),)
    assert out.result.returns.index[-1] == pd.Timestamp("2021-03-31")


def test_run_accepts_a_path_for_the_store(snapshot_dir: Path) -> None:
    cfg = RunConfig("buy_and_hold", start=START, end="2019-03-29", benchmarks=())
    a = run(cfg, snapshot_dir).metrics
    b = run(cfg, str(snapshot_dir)).metrics
    assert a == b and a["overall"]["days"] > 50


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: run("playbook", s),  # type: ignore[arg-type]
     r"run takes a RunConfig, not a strategy name; pass RunConfig\('playbook'\)"),
    (lambda s: run(None, s),  # type: ignore[arg-type]
     r"run takes a RunConfig as its first argument; got None \(NoneType\)"),
    (lambda s: run(RunConfig("playbook"), 123),  # type: ignore[arg-type]
     r"run: store must be a DataStore or the path of a data folder.*got 123 \(int\)"),
    (lambda s: run(RunConfig("playbook"), ""),
     r"run: store must be a DataStore or the path of a data folder"),
    (lambda s: run_sweep("sixty_forty", None, s),  # type: ignore[arg-type]
     r"run_sweep takes a RunConfig, not a strategy name; pass RunConfig\('sixty_forty'\)"),
    (lambda s: run_sweep(RunConfig("sixty_forty"), None, 1.5),  # type: ignore[arg-type]
     r"run_sweep: store must be a DataStore"),
    (lambda s: run_sweep(RunConfig("sixty_forty"), None, s, splits=8),
     r"run_sweep got unknown option\(s\) \['splits'\]; allowed: n_splits"),
    (lambda s: prepare_inputs({"strategy": "x"}, s),  # type: ignore[arg-type]
     "prepare_inputs takes a RunConfig"),
])
def test_wrong_argument_types_are_teaching_errors(call: Any, message: str,
                                                  snapshot_store: DataStore) -> None:
    with pytest.raises(ParameterError, match=message):
        call(snapshot_store)


def test_registry_lookups_teach(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    from backtest.strategy import get_strategy, load_registry

    with pytest.raises(ParameterError, match=r"named by a string, e.g. 'playbook'; got 123 "
                                             r"\(int\)\. Available: buy_and_hold"):
        get_strategy(123)  # type: ignore[arg-type]
    fake = types.ModuleType("fake_strategies")
    fake.REGISTRY = {"x": "not a spec"}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_strategies", fake)
    with pytest.raises(ParameterError, match=r"REGISTRY entries \['x'\] are not StrategySpec"):
        load_registry("fake_strategies")
