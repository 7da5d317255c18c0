"""RunConfig is frozen and hashable, validates its fields, and builds from TOML + --param."""

from __future__ import annotations

from pathlib import Path

import pytest

from backtest.exceptions import ConfigError, ParameterError
from backtest.runner import FrozenMap, RunConfig, build_run_config

TABLE = {"table": {"QT": {"IWD": 0.4}}}


def test_hashable_and_equal_by_value() -> None:
    a = RunConfig("playbook", params=TABLE, engine={"costs_bps": 5})
    b = RunConfig("playbook", params={"table": {"QT": {"IWD": 0.4}}}, engine={"costs_bps": 5})
    assert hash(a) == hash(b) and a == b
    assert len({a, b, RunConfig("playbook")}) == 2
    assert a.params == TABLE  # a frozen mapping equals the plain dict it came from
    with pytest.raises(TypeError):
        a.params["table"] = {}  # type: ignore[index]
    assert isinstance(a.params["table"], FrozenMap)


def test_to_dict_and_digest_unchanged() -> None:
    cfg = RunConfig("playbook", params=TABLE, engine={"costs_bps": 5})
    d = cfg.to_dict()
    assert d == {"strategy": "playbook", "params": TABLE, "start": None, "end": None,
                 "classifier": "calendar", "anchor": "effective", "end_of_qt_days": None,
                 "classifier_params": {}, "engine": {"costs_bps": 5}, "cash_yield": "DGS3MO",
                 "benchmarks": ["buy_and_hold", "sixty_forty"]}
    assert type(d["params"]) is dict and type(d["params"]["table"]["QT"]) is dict
    # the digest main computed for this configuration before RunConfig became hashable
    assert cfg.digest() == "ec1efce6511639346a13ddc099a865c0a2cdd7d46457144546ccf40bf28553b2"


def test_overrides_keep_it_frozen() -> None:
    cfg = RunConfig("dollar").with_overrides(start="2020-01-02", end=None, engine={"costs_bps": 1})
    assert cfg.start == "2020-01-02" and cfg.end is None and hash(cfg)
    with pytest.raises(ParameterError, match=r"Unknown RunConfig field\(s\) \['strat'\]"):
        cfg.with_overrides(strat="x")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"strategy": 123}, r"RunConfig.strategy must be a strategy name \(str\), e.g. "
                        r"RunConfig\('playbook'\); got 123 \(int\)"),
    ({"strategy": "playbook", "engine": "monthly"},
     r"RunConfig.engine must be a mapping of EngineConfig fields, e.g. engine=\{'rebalance': "
     r"'monthly'.*got 'monthly' \(str\)"),
    ({"strategy": "playbook", "params": "lookback=63"},
     r"RunConfig.params must be a mapping of strategy parameters.*got 'lookback=63'"),
    ({"strategy": "playbook", "params": [("lookback", 63)]}, r"RunConfig.params must be a mapping"),
    ({"strategy": "playbook", "classifier_params": 3}, "RunConfig.classifier_params must be"),
    ({"strategy": "playbook", "end_of_qt_days": 0}, r"end_of_qt_days must be a whole number of "
                                                    r"calendar days from 1 to 3650.*got 0"),
    ({"strategy": "playbook", "end_of_qt_days": 99999999999}, "from 1 to 3650"),
    ({"strategy": "playbook", "end_of_qt_days": 30.5}, "from 1 to 3650"),
    ({"strategy": "playbook", "end_of_qt_days": True}, "from 1 to 3650"),
    ({"strategy": "playbook", "benchmarks": "sixty_forty"},
     r"RunConfig.benchmarks must be a tuple of strategy names, e.g. \('sixty_forty',\)"),
    ({"strategy": "playbook", "classifier": "hmm"}, "RunConfig.classifier must be one of"),
    ({"strategy": "playbook", "anchor": "later"}, "RunConfig.anchor must be one of"),
    ({"strategy": "playbook", "engine": {"costs_bps": 1e9}}, "allowed: 0 to 1000 bps"),
    ({"strategy": "playbook", "engine": {"speed": 1}}, r"Unknown engine setting\(s\) \['speed'\]"),
    ({"strategy": "playbook", "cash_yield": "gold"}, "cash_yield must be one of"),
])
def test_bad_fields_are_teaching_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        RunConfig(**kwargs)  # type: ignore[arg-type]


def test_end_of_qt_days_bounds_are_inclusive() -> None:
    assert RunConfig("playbook", end_of_qt_days=1).end_of_qt_days == 1
    assert RunConfig("playbook", end_of_qt_days=3650).end_of_qt_days == 3650


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.toml"
    path.write_text(text)
    return path


def test_build_merges_toml_params_and_overrides(tmp_path: Path) -> None:
    path = _toml(tmp_path, 'strategy = "value_tilt"\nstart = 2019-01-02\n'
                           "[params]\nqt_tilt = 0.2\nqe_tilt = 0.1\n[engine]\ncosts_bps = 3.0\n"
                           '[regimes]\nend_of_qt_days = 90\n')
    cfg = build_run_config(None, path, ["qt_tilt=0.5"], engine={"costs_bps": None,
                                                                "execution": "open"},
                           end="2020-12-31", classifier=None)
    assert cfg.strategy == "value_tilt" and cfg.start == "2019-01-02" and cfg.end == "2020-12-31"
    assert cfg.params == {"qt_tilt": 0.5, "qe_tilt": 0.1}  # --param wins, the rest is kept
    assert cfg.engine == {"costs_bps": 3.0, "execution": "open"}
    assert cfg.end_of_qt_days == 90 and cfg.classifier == "calendar"
    same = build_run_config("value_tilt", path, {"qt_tilt": 0.5}, engine={"execution": "open"},
                            end="2020-12-31")
    assert same == cfg and hash(same) == hash(cfg)


def test_build_refuses_a_toml_naming_another_strategy(tmp_path: Path) -> None:
    path = _toml(tmp_path, 'strategy = "value_tilt"\n')
    with pytest.raises(ConfigError, match=r"sets strategy = 'value_tilt' but 'playbook' was "
                                          r"named too; name one strategy"):
        build_run_config("playbook", path)
    assert build_run_config("value_tilt", path).strategy == "value_tilt"


@pytest.mark.parametrize(("text", "error", "message"), [
    ("params = 3\n", ConfigError, r"params must be a table \(\[params\]"),
    ("[regimes]\nparams = 1\n", ConfigError, r"\[regimes\] params must be a table"),
    ('benchmarks = "sixty_forty"\n', ParameterError, "RunConfig.benchmarks must be a tuple"),
    ("[regimes]\nend_of_qt_days = 99999999999\n", ParameterError, "from 1 to 3650"),
])
def test_bad_toml_values_are_teaching_errors(tmp_path: Path, text: str,
                                             error: type[Exception], message: str) -> None:
    path = _toml(tmp_path, 'strategy = "playbook"\n' + text)
    with pytest.raises(error, match=message):
        build_run_config(None, path)


def test_build_needs_a_strategy_and_known_fields() -> None:
    with pytest.raises(ParameterError, match="name a strategy"):
        build_run_config()
    with pytest.raises(ParameterError, match=r"unknown field\(s\) \['begin'\]"):
        build_run_config("playbook", begin="2020-01-02")
    with pytest.raises(ParameterError, match="bare string 'lookback=63'"):
        build_run_config("net_liquidity", None, "lookback=63")
