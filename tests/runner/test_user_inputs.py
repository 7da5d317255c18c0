"""Runs on the user's own inputs: a series from a CSV file, regimes from a date,label file."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest.data.calendar import sessions_between
from backtest.data.store import DataStore
from backtest.data.usercat import use_catalog
from backtest.exceptions import (
    ClassifierDisagreementWarning,
    ConfigError,
    DataFormatError,
    EmptyRangeError,
    ParameterError,
)
from backtest.regimes.userfile import FileClassifier
from backtest.runner import RunConfig, build_run_config, prepare_inputs, run
from backtest.runner.config import load_config_file
from backtest.strategy import Param, StrategySpec
from tests.conftest import MakeSnapshot

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
REGIMES = "date,label\n2022-05-02,neutral\n2022-06-01,QT\n2022-06-15,end_of_qt\n"


def _regime_weights(ctx, params):  # type: ignore[no-untyped-def]
    qt = (ctx.regimes == "QT").astype(float)
    return pd.DataFrame({"SPY": qt, "SHY": 1.0 - qt}, index=ctx.index)


def _cap_weights(ctx, params):  # type: ignore[no-untyped-def]
    hot = (ctx.panel["CAP"] >= params["threshold"]).astype(float).where(ctx.panel["CAP"].notna())
    return pd.DataFrame({"SPY": hot, "SHY": 1.0 - hot}, index=ctx.index)


BY_REGIME = StrategySpec(name="by_regime_test", description="SPY in QT, SHY otherwise.",
                         claim="duration_suffers_qt", params=(), assets=("SPY", "SHY"),
                         weights=_regime_weights, rebalance="daily")
BY_CAP = StrategySpec(name="by_cap_test", description="SPY while CAP >= threshold.",
                      claim="duration_suffers_qt",
                      params=(Param("threshold", 30.0, "float", 0.0, 100.0),),
                      assets=("SPY", "SHY"), series=("CAP",), weights=_cap_weights,
                      rebalance="daily")


@pytest.fixture
def world(tmp_path: Path, make_snapshot: MakeSnapshot) -> tuple[DataStore, Path]:
    """SPY and SHY over 2021-2022, a user CSV series CAP and a regimes file, all by hand."""
    days = sessions_between("2021-01-04", "2022-07-29")
    spy = pd.Series(np.linspace(100.0, 120.0, len(days)), index=days)
    root = make_snapshot({"SPY": spy, "SHY": spy * 0.0 + 50.0})
    cap = pd.Series(0.0, index=days)  # a value every session: 30 from 06-01, 60, then 0
    cap[days >= "2022-06-01"], cap[days >= "2022-07-01"], cap[days >= "2022-07-15"] = 30, 60, 0
    cap.rename_axis("date").rename("value").to_csv(tmp_path / "cap.csv", date_format="%Y-%m-%d")
    catalog = tmp_path / "qtbt.toml"
    catalog.write_text('[series.CAP]\nsource = "csv"\npath = "cap.csv"\nunits = "USD bn"\n'
                       'frequency = "daily"\nrelease = { lag = 1, business_days = true }\n',
                       encoding="utf-8")
    (tmp_path / "regimes.csv").write_text(REGIMES, encoding="utf-8")
    use_catalog(catalog)
    return DataStore(data_dir=root, cache_dir=tmp_path / "cache"), tmp_path / "regimes.csv"


def _quiet_run(cfg: RunConfig, store: DataStore):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ClassifierDisagreementWarning)
        return run(cfg, store)


def test_regimes_file_drives_the_weights_by_hand(world: tuple[DataStore, Path]) -> None:
    store, regimes = world
    cfg = RunConfig(BY_REGIME, start="2022-05-02", end="2022-07-29", cash_yield="none",
                    benchmarks=(), classifier="file", classifier_params={"path": str(regimes)})
    out = _quiet_run(cfg, store)
    labels = out.regimes
    assert labels.loc["2022-05-31"] == "neutral" and labels.loc["2022-06-01"] == "QT"
    assert labels.loc["2022-06-14"] == "QT" and labels.loc["2022-06-15"] == "end_of_qt"
    spy = out.result.targets["SPY"]
    assert spy.loc["2022-05-31"] == 0.0 and spy.loc["2022-06-01"] == 1.0
    assert spy.loc["2022-06-14"] == 1.0 and spy.loc["2022-06-15"] == 0.0
    prov = out.provenance["regimes_file"]
    assert prov["origin"] == str(regimes.resolve()) and prov["source"] == "regimes file"
    assert out.notes[0].startswith(f"regimes from {regimes.resolve()} (sha256 ")
    assert out.config.to_dict()["classifier_params"] == {"path": str(regimes.resolve())}
    assert f"note: {out.notes[0]}" in out.to_text().splitlines()
    assert set(out.metrics["by_regime"]) == {"neutral", "QT", "end_of_qt"}


def test_user_series_drives_the_weights_one_business_day_late(
        world: tuple[DataStore, Path]) -> None:
    store, _ = world
    out = _quiet_run(RunConfig(BY_CAP, start="2022-05-02", end="2022-07-29", cash_yield="none",
                               benchmarks=()), store)
    spy = out.result.targets["SPY"]
    # CAP=30 dated Wed 2022-06-01 is published the next business day, Thu 06-02
    assert spy.loc["2022-06-01"] == 0.0 and spy.loc["2022-06-02"] == 1.0
    # 60 from Fri 07-01 known Tue 07-05 (Mon 07-04 is a holiday); 0 from Fri 07-15 on Mon 07-18
    assert spy.loc["2022-07-15"] == 1.0 and spy.loc["2022-07-18"] == 0.0
    prov = out.provenance["CAP"]
    assert prov["source"] == "csv" and prov["release"] == \
        "published 1 business day after observation, by the close"
    assert any(n.startswith("user series CAP from ") for n in out.notes)
    assert "note: CAP is your series from " in out.to_text()


def test_a_run_before_the_first_regime_row_is_refused(world: tuple[DataStore, Path]) -> None:
    store, regimes = world
    cfg = RunConfig(BY_REGIME, start="2022-04-01", end="2022-07-29", cash_yield="none",
                    benchmarks=(), classifier="file", classifier_params={"path": str(regimes)})
    with pytest.raises(EmptyRangeError, match=r"labels sessions from 2022-05-02, but the "
                                              r"backtest starts 2022-04-01"):
        prepare_inputs(cfg, store)


def test_run_config_checks_the_file_classifier(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.csv"
    path.write_text(REGIMES, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a relative path resolves against the working directory
    full = RunConfig("playbook", classifier="file", classifier_params={"path": "r.csv"})
    assert full.classifier_params == {"path": str(path.resolve())} and hash(full)
    assert full.digest() != RunConfig("playbook").digest()
    with pytest.raises(ParameterError, match=r"takes classifier_params=\{'path': "):
        RunConfig("playbook", classifier="file")
    with pytest.raises(ParameterError, match=r"and nothing else; got \{'path': .*'x': 1\}"):
        RunConfig("playbook", classifier="file", classifier_params={"path": str(path), "x": 1})
    with pytest.raises(ParameterError, match=r"end_of_qt_days=30 .* drop end_of_qt_days"):
        RunConfig("playbook", classifier="file", classifier_params={"path": str(path)},
                  end_of_qt_days=30)
    with pytest.raises(ParameterError, match=r"does not exist"):
        RunConfig("playbook", classifier="file", classifier_params={"path": str(tmp_path / "n")})
    path.write_text("date,label\n2022-06-01,QTT\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"unknown regime label 'QTT'\. Did you mean 'QT'"):
        RunConfig("playbook", classifier="file", classifier_params={"path": str(path)})


def test_toml_regimes_file_is_relative_to_the_toml(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r.csv").write_text(REGIMES, encoding="utf-8")
    toml = tmp_path / "run.toml"
    toml.write_text('strategy = "playbook"\n[regimes]\nfile = "sub/r.csv"\n', encoding="utf-8")
    kw = load_config_file(toml)
    assert kw["classifier"] == "file"
    assert kw["classifier_params"] == {"path": str(tmp_path.resolve() / "sub" / "r.csv")}
    assert RunConfig(**kw).classifier == "file"
    toml.write_text('strategy = "playbook"\n[regimes]\nfile = "sub/r.csv"\nclassifier = "rules"'
                    '\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[regimes\] file = 'sub/r.csv' gives the labels; "
                                          r"drop classifier"):
        load_config_file(toml)


def test_build_run_config_regimes_option(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(REGIMES, encoding="utf-8")
    cfg = build_run_config("playbook", regimes=path)
    assert (cfg.classifier, cfg.classifier_params["path"]) == ("file", str(path.resolve()))
    with pytest.raises(ParameterError, match=r"--regimes .* and --classifier rules computes "
                                             r"them; pass one of the two"):
        build_run_config("playbook", regimes=path, classifier="rules")
    with pytest.raises(ParameterError, match=r"Drop --anchor"):
        build_run_config("playbook", regimes=path, anchor="announce")


def test_example_regimes_and_series_on_the_real_snapshot(snapshot_dir: Path) -> None:
    regimes = EXAMPLES / "data" / "my_regimes.csv"
    use_catalog(EXAMPLES / "qtbt.toml")
    store = DataStore(data_dir=snapshot_dir)
    cfg = RunConfig(str(EXAMPLES / "runoff_duration.py"), start="2018-01-02", end="2020-12-31",
                    classifier="file", classifier_params={"path": str(regimes)})
    out = _quiet_run(cfg, store)
    expected = FileClassifier(regimes).predict(pd.DatetimeIndex(out.regimes.index))
    pd.testing.assert_series_equal(out.regimes, expected, check_names=False)
    assert out.regimes.loc["2019-05-01"] == "end_of_qt"  # the file's own dating
    shy = out.result.targets["SHY"]
    # the cap was 30 (>= 20) through April 2019 and 15 from May: bonds leave SHY in May 2019
    assert shy.loc["2019-04-30"] == pytest.approx(0.4) and shy.loc["2019-05-01"] == 0.0
    assert {"RUNOFF_CAP", "regimes_file"} <= set(out.provenance)
