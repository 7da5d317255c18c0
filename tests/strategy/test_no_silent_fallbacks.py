"""Each former silent fallback of a strategy is a named error (strategy, name, closest name)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from backtest.exceptions import ParameterError, StrategyError
from backtest.runner import RunConfig
from backtest.strategy import StrategyContext, StrategySpec, load_registry
from backtest.strategy.building import by_regime

IDX = pd.bdate_range("2020-01-01", periods=6)
REGIMES = pd.Series(["QT", "QT", "QE", "QE", "neutral", "neutral"], index=IDX)
CTX = StrategyContext(prices=pd.DataFrame({"SPY": np.linspace(100, 105, 6)}, index=IDX),
                      panel=pd.DataFrame({"NETLIQ": np.linspace(1.0, 2.0, 6)}, index=IDX),
                      regimes=REGIMES)


def spec(weights: Any, assets: tuple[str, ...] = ("SPY",),
         series: tuple[str, ...] = ("NETLIQ",)) -> StrategySpec:
    return StrategySpec(name="mine", description="x", claim="playbook_beats_60_40", params=(),
                        assets=assets, series=series, weights=weights)


def test_declared_columns_pass_through() -> None:
    def good(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
        up = ctx.panel["NETLIQ"].diff() > 0
        return pd.DataFrame({"SPY": up.astype(float)}, index=ctx.index)

    w = spec(good).target_weights(CTX, {})
    assert w["SPY"].tolist() == [0.0, 1.0, 1.0, 1.0, 1.0, 1.0]


def test_a_column_outside_the_assets_is_an_error() -> None:
    def typo(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
        return pd.DataFrame({"SPX": 1.0}, index=ctx.index)

    with pytest.raises(ParameterError, match=r"mine: the weights function returned column "
                                             r"'SPX' \(did you mean SPY\?\), which is not among "
                                             r"the declared assets SPY"):
        spec(typo).target_weights(CTX, {})


def test_reading_an_undeclared_series_names_it() -> None:
    def reads(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
        return pd.DataFrame({"SPY": ctx.panel["NETLIQX"] * 0}, index=ctx.index)

    with pytest.raises(ParameterError, match=r"mine: its weights function reads series "
                                             r"'NETLIQX', which it did not declare\. Did you "
                                             r"mean NETLIQ\?"):
        spec(reads).target_weights(CTX, {})

    def price(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
        return pd.DataFrame({"SPY": ctx.prices["IEF"] * 0}, index=ctx.index)

    with pytest.raises(ParameterError, match=r"reads asset 'IEF'.*Declared assets: SPY"):
        spec(price).target_weights(CTX, {})


def test_a_regime_typo_is_an_error_in_tables_and_by_regime() -> None:
    def typo(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
        return by_regime(ctx.regimes, {"EndOfQT": {"SPY": 1.0}}, ("SPY",))

    with pytest.raises(ParameterError, match=r"mine: by_regime table: unknown regime "
                                             r"'EndOfQT'\. Did you mean 'end_of_qt'\?"):
        spec(typo).target_weights(CTX, {})
    with pytest.raises(ParameterError, match=r"playbook: parameter table: unknown regime "
                                             r"'EndOfQT'\. Did you mean 'end_of_qt'\?"):
        load_registry()["playbook"].resolve({"table": {"EndOfQT": {"SPY": 1.0}}})

    def ticker(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
        return by_regime(ctx.regimes, {"QT": {"SPX": 1.0}}, ("SPY",))

    with pytest.raises(ParameterError, match=r"regime QT holds 'SPX', which is not among the "
                                             r"assets SPY\. Did you mean 'SPY'\?"):
        spec(ticker).target_weights(CTX, {})


def test_a_partial_table_keeps_the_other_regimes_defaults() -> None:
    playbook = load_registry()["playbook"]
    default = playbook.resolve()["table"]
    table = playbook.resolve({"table": {"QT": {"SPY": 0.5}, "neutral": {}}})["table"]
    assert table["QT"] == {"SPY": 0.5} and table["neutral"] == {}  # empty row: cash, said so
    assert {k: table[k] for k in ("QE", "taper", "end_of_qt")} == \
        {k: default[k] for k in ("QE", "taper", "end_of_qt")}
    cfg = RunConfig("playbook", params={"table": {"QT": {"SPY": 0.5}}})
    assert cfg.params == {"table": {"QT": {"SPY": 0.5}}}  # the config keeps what was given


def test_an_exception_in_user_code_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text(
        "import pandas as pd\n"
        "from backtest.strategy import StrategySpec\n\n\n"
        "def weights(ctx, p):\n"
        "    x = {}\n"
        "    return x['missing']\n\n\n"
        "SPEC = StrategySpec(name='broken', description='x', claim='benchmark', params=(),\n"
        "                    assets=('SPY',), weights=weights)\n", encoding="utf-8")
    from backtest.strategy import resolve_strategy

    with pytest.raises(StrategyError, match=r"strategy 'broken' \(.*broken\.py\) raised in its "
                                            r"weights function: KeyError: 'missing' "
                                            r"\(.*broken\.py, line 7, in weights\)") as info:
        resolve_strategy(str(path)).target_weights(CTX, {})
    assert isinstance(info.value.__cause__, KeyError)


def test_reading_an_undeclared_parameter_names_it() -> None:
    from backtest.strategy import Param

    def reads(ctx: StrategyContext, p: Mapping[str, Any]) -> pd.DataFrame:
        return pd.DataFrame({"SPY": p["gld"]}, index=ctx.index)

    s = StrategySpec(name="mine", description="x", claim="benchmark",
                     params=(Param("gold", 1.0, "float", 0.0, 1.0),), assets=("SPY",),
                     weights=reads)
    with pytest.raises(ParameterError, match=r"mine: its weights function reads parameter "
                                             r"'gld', which it does not declare\. Did you mean "
                                             r"gold\?"):
        s.target_weights(CTX, s.resolve())
