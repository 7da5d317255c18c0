"""Grid parsing and expansion: values checked by their Param, errors that teach."""

from __future__ import annotations

import pytest

from backtest.exceptions import ParameterError
from backtest.strategy import get_strategy
from backtest.sweep.grid import default_grid, expand_grid, format_params, grid_size, parse_grid

VT = get_strategy("value_tilt")


def test_default_grid_is_declared_on_params() -> None:
    grid = default_grid(VT)
    assert grid == {"qt_tilt": (0.2, 0.4, 0.6, 0.8, 1.0), "qt_cash": (0.0, 0.1, 0.2, 0.3),
                    "qe_tilt": (-0.6, -0.4, -0.2, 0.0)}
    assert grid_size(grid) == 80
    assert len(expand_grid(VT, grid)) == 80


def test_parse_grid_coerces_and_dedupes() -> None:
    grid = parse_grid(["qt_tilt=0.2,0.5,0.2", "cash_asset=SHY,BIL"], VT)
    assert grid == {"qt_tilt": (0.2, 0.5), "cash_asset": ("SHY", "BIL")}
    fs = parse_grid(["smooth_days=1,5"], get_strategy("funding_stress"))
    assert fs == {"smooth_days": (1, 5)} and isinstance(fs["smooth_days"][0], int)


def test_expand_order_is_declaration_order_first_slowest() -> None:
    rows = expand_grid(VT, {"qe_tilt": (-0.6, 0.0), "qt_tilt": (0.2, 0.4)}, {"qt_cash": 0.1})
    assert [(r["qt_tilt"], r["qe_tilt"]) for r in rows] == [(0.2, -0.6), (0.2, 0.0),
                                                             (0.4, -0.6), (0.4, 0.0)]
    assert all(r["qt_cash"] == 0.1 and r["pair"] == "IWD/IWF" for r in rows)
    assert format_params(rows[0], ["qt_tilt", "qe_tilt"]) == "qt_tilt=0.2 qe_tilt=-0.6"


@pytest.mark.parametrize(("items", "match"), [
    (["qt_tilt=0.2,1.5"], r"qt_tilt = 1.5 is out of range; allowed: -1.0 to 1.0"),
    (["qt_tlt=0.2"], r"no parameter 'qt_tlt'. Did you mean qt_tilt"),
    (["cash_asset=SHY,TLT"], r"cash_asset = 'TLT' is not allowed; choose one of SHY, BIL"),
    (["qt_tilt"], r"--grid takes name=v1,v2"),
    (["qt_tilt=0.2", "qt_tilt=0.4"], r"given twice"),
    (["qt_tilt=abc"], r"qt_tilt must be a number, got 'abc'"),
])
def test_bad_grid_values_teach(items: list[str], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        parse_grid(items, VT)


def test_tables_cannot_be_swept_and_clashes_are_caught() -> None:
    with pytest.raises(ParameterError, match="table; it cannot be swept"):
        parse_grid(["table=1"], get_strategy("playbook"))
    with pytest.raises(ParameterError, match="both as --param and --grid"):
        expand_grid(VT, {"qt_tilt": (0.2,)}, {"qt_tilt": 0.4})
