"""The strategy contract: registry, typed parameters, errors that teach."""

from __future__ import annotations

import pytest

import strategies
from backtest.exceptions import ParameterError
from backtest.strategy import Param, get_strategy, load_registry, validate_params

EXPECTED = {"value_tilt", "duration", "curve", "dollar", "net_liquidity", "funding_stress",
            "playbook", "buy_and_hold", "sixty_forty", "yield_peak", "early_qt_dollar",
            "divergence", "sell_rallies", "cash_quality"}


def test_registry_lists_every_playbook_strategy() -> None:
    reg = load_registry()
    assert set(reg) == EXPECTED
    for name, spec in reg.items():
        assert spec.name == name
        assert spec.description and spec.claim
        params = spec.resolve()
        assert spec.assets_for(params)
        module = __import__(spec.weights.__module__, fromlist=["x"])
        assert module.__doc__ and len(module.__doc__) > 80, name  # docstring states the claim


def test_unknown_strategy_suggests_names() -> None:
    with pytest.raises(ParameterError, match=r"Unknown strategy 'playbok'\. Did you mean: "
                                             r"playbook"):
        get_strategy("playbok")


def test_parameter_errors() -> None:
    spec = get_strategy("value_tilt")
    with pytest.raises(ParameterError, match=r"no parameter 'qt_tlt'\. Did you mean qt_tilt"):
        spec.resolve({"qt_tlt": 0.3})
    with pytest.raises(ParameterError, match=r"qt_tilt must be a number, got 'lots'"):
        spec.resolve({"qt_tilt": "lots"})
    with pytest.raises(ParameterError, match=r"qt_cash = 1.5 is out of range; allowed: 0.0 to "
                                             r"1.0"):
        spec.resolve({"qt_cash": 1.5})
    with pytest.raises(ParameterError, match=r"pair = 'SPY/QQQ' is not allowed; choose one of "
                                             r"IWD/IWF, VTV/VUG"):
        spec.resolve({"pair": "SPY/QQQ"})
    with pytest.raises(ParameterError, match=r"lookback must be a whole number, got 2\.5"):
        get_strategy("net_liquidity").resolve({"lookback": 2.5})


def test_validate_params_fills_defaults_and_coerces() -> None:
    params = (Param("n", 3, "int", 1, 10), Param("flag", False, "bool"))
    assert validate_params(params, {"n": "7", "flag": "true"}, "s") == {"n": 7, "flag": True}
    assert validate_params(params, {}, "s") == {"n": 3, "flag": False}


def test_playbook_table_validation() -> None:
    from backtest.regimes import LABELS
    from backtest.strategy.building import check_table

    check_table(strategies.playbook.DEFAULT_TABLE, "playbook")
    assert set(strategies.playbook.DEFAULT_TABLE) == set(LABELS)
    with pytest.raises(ParameterError, match=r"weights for QT add up to gross 1\.3"):
        check_table({"QT": {"SPY": 1.0, "SHY": 0.3}}, "playbook")
    with pytest.raises(ParameterError, match="unknown regime 'qt'"):
        check_table({"qt": {"SPY": 1.0}}, "playbook")


def test_every_strategy_names_a_known_claim() -> None:
    from backtest.claims import BENCHMARK, claim_ids, get_claim

    reg = load_registry()
    for name, spec in reg.items():
        assert spec.claim in claim_ids(), name
        expected_benchmark = name in ("buy_and_hold", "sixty_forty")
        assert (get_claim(spec.claim) is BENCHMARK) == expected_benchmark, name
    assert get_claim(reg["value_tilt"].claim).statement == "Value beats growth under QT"


def test_an_unknown_claim_id_is_refused_when_the_spec_is_made() -> None:
    from dataclasses import replace

    spec = get_strategy("value_tilt")
    with pytest.raises(ParameterError, match=r"Strategy 'value_tilt': Unknown claim id "
                                             r"'value_beats_growth'; did you mean "
                                             r"value_beats_growth_qt"):
        replace(spec, claim="value_beats_growth")
    with pytest.raises(ParameterError, match=r"Unknown claim id 'zzz'; known: "
                                             r"value_beats_growth_qt, "):
        replace(spec, claim="zzz")


def test_the_scorecard_tests_the_same_claim_objects() -> None:
    from backtest import claims
    from backtest.report.scorecard import CLAIMS

    assert CLAIMS is claims.SCORED
    assert all(c is claims.get_claim(c.id) for c in CLAIMS)
    assert {claims.PLAYBOOK.id, claims.BENCHMARK.id}.isdisjoint(c.id for c in CLAIMS)
    assert len(set(claims.claim_ids())) == len(claims.CLAIMS)


def test_a_strategy_of_your_own_may_test_no_claim() -> None:
    import pandas as pd

    from backtest import claims
    from backtest.strategy import StrategySpec

    spec = StrategySpec(name="mine", description="My idea.", claim="none", params=(),
                        assets=("SPY",),
                        weights=lambda ctx, p: pd.DataFrame({"SPY": 1.0}, index=ctx.index))
    assert claims.get_claim(spec.claim).statement.startswith("None: a strategy of your own")
    assert "none" not in {c.id for c in claims.SCORED}  # the scorecard has no row for it


def test_a_spec_with_an_unknown_schedule_names_the_strategy() -> None:
    import pandas as pd

    from backtest.strategy import StrategySpec

    with pytest.raises(ParameterError, match=r"Strategy 'mine': rebalance = 'regime-change' is "
                       r"not a schedule; did you mean 'regime_change'\?"):
        StrategySpec(name="mine", description="My idea.", claim="none", params=(),
                     assets=("SPY",), rebalance="regime-change",  # type: ignore[arg-type]
                     weights=lambda ctx, p: pd.DataFrame({"SPY": 1.0}, index=ctx.index))
