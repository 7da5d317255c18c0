"""The curated public API: every name resolves, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import backtest
from tests.conftest import REPO


def test_every_public_name_resolves() -> None:
    for name in backtest.__all__:
        assert getattr(backtest, name) is not None, name
    assert set(backtest.__all__) <= set(dir(backtest))


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'runn'"):
        backtest.runn  # noqa: B018


def test_the_journey_is_covered() -> None:
    journey = {"DataStore", "build_panel", "CalendarClassifier", "regime_labels", "StrategySpec",
               "Param", "run", "RunConfig", "save_run", "load_run", "run_sweep",
               "run_walkforward", "event_study", "scorecard", "compare_runs"}
    assert journey <= set(backtest.__all__)


def test_import_backtest_loads_no_heavy_library() -> None:
    code = ("import sys, backtest; heavy = [m for m in ('vectorbt', 'numba', 'dask', 'plotly', "
            "'scipy', 'arch', 'matplotlib', 'statsmodels') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_subpackage_shadows_a_public_name() -> None:
    # importing a subpackage binds it on the package; none may share a public name
    import importlib
    import pkgutil
    import types

    for info in pkgutil.walk_packages(backtest.__path__, "backtest."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    shadowed = [n for n in backtest.__all__ if isinstance(getattr(backtest, n), types.ModuleType)]
    assert not shadowed
