"""Strategies from anywhere: registry scan, files, modules, entry points, spec objects."""

from __future__ import annotations

import sys
import textwrap
import types
from pathlib import Path

import pytest

from backtest.exceptions import ParameterError, StrategyError
from backtest.runner import RunConfig, build_run_config
from backtest.strategy import StrategySpec, load_registry, resolve_strategy, strategy_origin
from backtest.strategy import registry as registry_mod

SPEC_SRC = '''
from backtest.strategy import StrategySpec
from backtest.strategy.building import constant


def weights(ctx, p):
    return constant(ctx.index, {{"SPY": {w}}})


{name} = StrategySpec(name="{sname}", description="x", claim="playbook_beats_60_40",
                      params=(), assets=("SPY",), weights=weights)
'''


def write_spec(folder: Path, file: str = "mine.py", specs: tuple[str, ...] = ("alpha",),
               w: float = 0.5) -> Path:
    text = "".join(SPEC_SRC.format(name=n.upper(), sname=n, w=w) for n in specs)
    path = folder / file
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_registry_scans_the_package_without_a_hand_kept_list() -> None:
    reg = load_registry()
    assert {"playbook", "value_tilt", "net_liquidity", "buy_and_hold", "sixty_forty"} <= set(reg)
    assert list(reg)[-2:] == ["buy_and_hold", "sixty_forty"]  # benchmarks listed last


def test_extra_modules_keep_the_benchmarks(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    write_spec(tmp_path, "extra_mod_q.py", ("extra_one",))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("QTBT_STRATEGY_MODULES", "extra_mod_q")
    reg = load_registry()
    assert "extra_one" in reg and "buy_and_hold" in reg and "sixty_forty" in reg


def test_file_with_one_spec(tmp_path: Path) -> None:
    path = write_spec(tmp_path)
    spec = resolve_strategy(str(path))
    assert spec.name == "alpha"
    assert resolve_strategy(str(path)) is spec  # not executed again while unchanged
    origin = strategy_origin(spec)
    assert origin["file"] == str(path.resolve())
    import hashlib
    assert origin["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_file_with_several_specs_needs_a_name(tmp_path: Path) -> None:
    path = write_spec(tmp_path, specs=("alpha", "beta"))
    with pytest.raises(ParameterError, match=r"defines 2 strategies \(alpha, beta\); choose "
                                             r"one with --spec NAME"):
        resolve_strategy(str(path))
    assert resolve_strategy(str(path), "beta").name == "beta"
    assert resolve_strategy(f"{path}:alpha").name == "alpha"
    with pytest.raises(ParameterError, match=r"no strategy named 'betta'\. Did you mean: beta"):
        resolve_strategy(str(path), "betta")


def test_unknown_file_and_name_suggest(tmp_path: Path) -> None:
    write_spec(tmp_path, "momentum.py")
    with pytest.raises(ParameterError, match=r"does not exist\. Did you mean: .*momentum\.py"):
        resolve_strategy(str(tmp_path / "momentun.py"))
    with pytest.raises(ParameterError, match=r"Unknown strategy 'playbok'\. Did you mean: "
                                             r"playbook"):
        resolve_strategy("playbok")
    empty = tmp_path / "empty.py"
    empty.write_text("X = 1\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="defines no StrategySpec"):
        resolve_strategy(str(empty))


def test_file_that_raises_while_loading_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("x = 1\ny = 1 / 0\n", encoding="utf-8")
    with pytest.raises(StrategyError, match=r"ZeroDivisionError: division by zero \(.*bad\.py, "
                                            r"line 2"):
        resolve_strategy(str(bad))


def test_module_reference(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_spec(tmp_path, "user_pkg_mod.py", ("alpha", "beta"))
    monkeypatch.syspath_prepend(str(tmp_path))
    assert resolve_strategy("user_pkg_mod:BETA").name == "beta"
    assert resolve_strategy("user_pkg_mod:alpha").name == "alpha"  # by strategy name too
    with pytest.raises(ParameterError, match=r"has no attribute 'BEAT'\. Did you mean: BETA"):
        resolve_strategy("user_pkg_mod:BEAT")
    with pytest.raises(ParameterError, match=r"No module named 'no_such_mod_q'"):
        resolve_strategy("no_such_mod_q:SPEC")


def test_entry_points(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_spec(tmp_path, "ep_mod_q.py", ("from_ep",))
    monkeypatch.syspath_prepend(str(tmp_path))
    from importlib.metadata import EntryPoint

    eps = [EntryPoint("from_ep", "ep_mod_q:FROM_EP", registry_mod.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(registry_mod, "entry_points", lambda group: eps)
    assert resolve_strategy("from_ep").name == "from_ep"
    bad = [EntryPoint("bad", "ep_mod_q:weights", registry_mod.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(registry_mod, "entry_points", lambda group: bad)
    with pytest.raises(ParameterError, match="gives function; it must give a StrategySpec"):
        load_registry()


def test_duplicate_names_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    dup = types.ModuleType("dup_mod_q")
    playbook = load_registry()["playbook"]
    dup.SPEC = StrategySpec(name="playbook", description="x",  # type: ignore[attr-defined]
                            claim="benchmark", params=(), assets=("SPY",),
                            weights=playbook.weights)
    monkeypatch.setitem(sys.modules, "dup_mod_q", dup)
    with pytest.raises(ParameterError, match="Two strategies are named 'playbook'"):
        load_registry("dup_mod_q")


def test_run_config_takes_a_spec(tmp_path: Path) -> None:
    spec = resolve_strategy(str(write_spec(tmp_path)))
    cfg = RunConfig(spec)
    assert cfg.strategy == "alpha" and cfg.spec is spec and cfg.strategy_spec() is spec
    assert hash(cfg) == hash(RunConfig(strategy=spec))
    d = cfg.to_dict()
    assert d["strategy"] == "alpha"
    assert d["strategy_origin"]["file"] == str((tmp_path / "mine.py").resolve())
    assert RunConfig(str(tmp_path / "mine.py")).spec is spec
    # a registered spec object is the same config as its name (same digest)
    named = RunConfig("playbook")
    assert RunConfig(load_registry()["playbook"]) == named
    assert RunConfig(load_registry()["playbook"]).digest() == named.digest()
    assert "strategy_origin" not in named.to_dict()


def test_build_run_config_resolves_files_and_spec_option(tmp_path: Path) -> None:
    path = write_spec(tmp_path, specs=("alpha", "beta"))
    cfg = build_run_config(str(path), spec="beta")
    assert cfg.strategy == "beta" and cfg.spec is not None
    toml = tmp_path / "run.toml"
    toml.write_text(f'strategy = "{path}:alpha"\n', encoding="utf-8")
    assert build_run_config(config_file=toml).strategy == "alpha"


def test_a_file_spec_pickles_for_another_process(tmp_path: Path) -> None:
    """A Dask worker cannot import the file's module: it reloads the file by path."""
    import os
    import pickle
    import subprocess

    spec = resolve_strategy(str(write_spec(tmp_path)))
    assert pickle.loads(pickle.dumps(spec)) is spec  # same process: the loaded spec
    blob = tmp_path / "spec.pkl"
    blob.write_bytes(pickle.dumps(spec))
    root = Path(__file__).resolve().parents[2]
    code = ("import pickle, sys; s = pickle.loads(open(sys.argv[1], 'rb').read()); "
            "print(s.name, s.assets)")
    done = subprocess.run([sys.executable, "-c", code, str(blob)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(root)}, check=False,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "alpha ('SPY',)"
