"""Sweep and walk-forward results print themselves, summarise and plot (the CLI prints to_text)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from backtest.cli import main
from backtest.data.store import DataStore
from backtest.exceptions import ParameterError
from backtest.metrics.fields import SWEEP_COLUMNS, SWEEP_REGIME_MEASURES
from backtest.regimes.labels import LABELS
from backtest.runner import RunConfig
from backtest.sweep import SweepConfig, WalkForwardConfig, run_sweep, run_walkforward

# the default benchmarks, as the CLI uses them
CFG = RunConfig("value_tilt", start="2016-01-04", end="2023-12-29")
GRID = {"qt_tilt": (0.2, 1.0), "qt_cash": (0.0, 0.3)}


@pytest.fixture(scope="module")
def walked(snapshot_store: DataStore) -> tuple[object, object]:
    settings = SweepConfig(n_splits=8, walkforward=WalkForwardConfig(24, 12, ("QT",)))
    return run_walkforward(CFG, GRID, snapshot_store, settings=settings)


def test_sweep_result_convention(walked: tuple, snapshot_dir: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    sweep, _ = walked
    table = sweep.summary()
    params = sweep.config_columns
    assert {"qt_cash", "qt_tilt"} <= set(params) and sweep.varying == ["qt_tilt", "qt_cash"]
    assert len(table) == 4 and list(table.columns[:len(params) + 1]) == [*params, "dsr"]
    assert table["sharpe"].is_monotonic_decreasing
    assert len(sweep.summary(top=2)) == 2
    assert list(sweep.table.columns) == [*params, *SWEEP_COLUMNS, *[
        f"{m}_{r}" for r in LABELS for m in SWEEP_REGIME_MEASURES]]
    fig = sweep.plot()
    assert fig.data[0].type == "bar" and len(fig.data[0].y) == 4
    assert "QT" in {t.name for t in fig.data}
    # the CLI prints exactly to_text()
    code = main(["walkforward", "value_tilt", "--grid", "qt_tilt=0.2,1.0", "--grid",
                 "qt_cash=0,0.3", "--start", "2016-01-04", "--end", "2023-12-29",
                 "--train-months", "24", "--test-months", "12", "--regimes", "QT",
                 "--splits", "8", "--top", "3", "--data-dir", str(snapshot_dir), "--out",
                 str(tmp_path), "--run-id", "wf"])
    out = capsys.readouterr().out
    assert code == 0
    _, wf = walked
    assert out == f"{sweep.to_text(3)}\n\n{wf.to_text()}\n\nwrote {tmp_path / 'wf'}\n"


def test_walkforward_result_convention(walked: tuple) -> None:
    sweep, wf = walked
    schemes = wf.summary()
    assert list(schemes["scheme"]) == ["rolling", "expanding", "leave-one-out QT"]
    schemes.loc[0, "windows"] = -1  # a copy: the result is not changed
    assert (wf.schemes["windows"] > 0).all()
    text = wf.to_text()
    assert text.startswith("Walk-forward windows (chosen = best in-sample Sharpe):")
    assert "QT#1 2017-10-02..2019-04-30" in text
    fig = wf.plot()
    names = [t.name for t in fig.data]
    assert names == ["rolling", "expanding", "leave-one-out QT", "out = in"]
    assert len(fig.data[0].x) == len(wf.windows[wf.windows.scheme == "rolling"])
    assert sweep.settings.segments_by_month


def test_options_override_settings(snapshot_store: DataStore) -> None:
    cfg = RunConfig("sixty_forty", start="2018-01-02", end="2019-12-31", benchmarks=())
    res = run_sweep(cfg, {"equity_weight": (0.4, 0.6)}, snapshot_store,
                    settings=SweepConfig(n_splits=8), n_splits=4, chunk_size=1)
    assert res.pbo.n_splits == 4 and len(res.chunks.chunks) == 2
    assert res.settings.n_splits == 4 and dict(res.settings.grid) == {"equity_weight": (0.4, 0.6)}
    with pytest.raises(ParameterError, match="settings must be a SweepConfig"):
        run_sweep(cfg, None, snapshot_store, settings={"n_splits": 4})  # type: ignore[arg-type]
    text = res.to_text()
    assert text.splitlines()[0].startswith("sixty_forty sweep: 2 configurations (equity_weight)")
    assert isinstance(res.summary(), pd.DataFrame)
