"""For every strategy: weights before t never depend on data after t."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from backtest.data.store import DataStore
from backtest.runner import RunConfig
from backtest.runner.run import prepare_context
from backtest.strategy import StrategySpec, load_registry

CUTS = ["2019-03-15", "2020-03-18", "2022-06-01", "2024-05-31"]
START, END = pd.Timestamp("2018-06-01"), pd.Timestamp("2025-06-30")


def _weights(spec: StrategySpec, store: DataStore, cfg: RunConfig,
             end: pd.Timestamp) -> pd.DataFrame:
    params = spec.resolve()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ctx = prepare_context(spec, params, cfg, store, START, end)
    return spec.target_weights(ctx, params).loc[START:]


@pytest.mark.parametrize("name", sorted(load_registry()))
@pytest.mark.parametrize("classifier", ["calendar", "data"])
def test_cutting_data_after_t_leaves_earlier_weights(
    name: str, classifier: str, snapshot_store: DataStore
) -> None:
    spec = load_registry()[name]
    cfg = RunConfig(name, classifier=classifier)
    full = _weights(spec, snapshot_store, cfg, END)
    assert full.notna().any().any()
    for cut in CUTS:
        t = pd.Timestamp(cut)
        part = _weights(spec, snapshot_store.truncated(t), cfg, t)
        pd.testing.assert_frame_equal(part, full.loc[:t], check_freq=False, obj=f"{name}@{cut}")


@pytest.mark.parametrize("name", sorted(load_registry()))
def test_weights_respect_gross_exposure(name: str, snapshot_store: DataStore) -> None:
    spec = load_registry()[name]
    w = _weights(spec, snapshot_store, RunConfig(name), END)
    gross = w.abs().sum(axis=1)
    assert (gross <= 1.0 + 1e-12).all()
    assert (w.sum(axis=1) <= 1.0 + 1e-12).all()  # the engine does not borrow cash
