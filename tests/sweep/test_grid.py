"""Grid parsing and expansion: values checked by their Param, errors that teach."""

from __future__ import annotations

from pathlib import Path

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


def test_expansion_is_lazy_and_matches_the_product() -> None:
    import itertools
    grid = {"qt_tilt": (0.2, 0.4, 0.6), "qt_cash": (0.0, 0.1), "qe_tilt": (-0.6, -0.2, 0.0)}
    configs = expand_grid(VT, grid, {"pair": "IWD/IWF"})
    want = [VT.resolve({"pair": "IWD/IWF", "qt_tilt": a, "qt_cash": b, "qe_tilt": c})
            for a, b, c in itertools.product(*grid.values())]
    assert len(configs) == 18
    assert list(configs) == want
    assert [configs[i] for i in range(18)] == want
    assert configs[-1] == want[-1] and configs[-18] == want[0]
    assert configs[3:11] == want[3:11] and configs[::5] == want[::5]
    configs[0]["qt_tilt"] = 9.0  # each access builds a fresh dict
    assert configs[0]["qt_tilt"] == 0.2
    with pytest.raises(IndexError, match="out of range"):
        configs[18]
    with pytest.raises(IndexError):
        configs[-19]
    assert "18 configurations" in repr(configs)


def test_no_varying_parameter_is_one_configuration() -> None:
    configs = expand_grid(VT, {})
    assert len(configs) == 1 and configs[0] == VT.resolve({})


def test_huge_grid_refused_from_the_counts_without_allocating() -> None:
    import tracemalloc
    values = tuple(round(-1 + 2 * i / 4999, 6) for i in range(5000))
    grid = {"qt_tilt": values, "qe_tilt": values, "end_of_qt_tilt": values}
    assert grid_size(grid) == 125_000_000_000
    tracemalloc.start()
    try:
        with pytest.raises(ParameterError) as err:
            expand_grid(VT, grid)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    msg = str(err.value)
    assert "125,000,000,000 configurations" in msg and "limit of 1,000,000" in msg
    assert "5,000 qt_tilt x 5,000 end_of_qt_tilt x 5,000 qe_tilt" in msg
    assert "fewer values" in msg
    assert peak < 20 * 1024**2  # the refusal builds nothing


def test_grid_limit_is_inclusive_and_adjustable() -> None:
    from backtest.sweep.grid import MAX_CONFIGURATIONS, check_grid_size
    assert MAX_CONFIGURATIONS == 1_000_000
    assert check_grid_size({"a": range(1000), "b": range(1000)}) == 1_000_000
    with pytest.raises(ParameterError, match="1,000,001 configurations"):
        check_grid_size({"a": range(1000001)})
    grid = {"qt_tilt": (0.2, 0.4), "qe_tilt": (0.0, -0.2)}
    assert len(expand_grid(VT, grid, limit=4)) == 4
    with pytest.raises(ParameterError, match="over the limit of 3"):
        expand_grid(VT, grid, limit=3)


def test_every_value_is_validated_before_any_configuration_is_built() -> None:
    with pytest.raises(ParameterError, match="out of range"):
        expand_grid(VT, {"qt_tilt": (0.2, 5.0), "qe_tilt": (0.0,)})


def test_cli_refuses_the_huge_grid_before_reading_data(
        tmp_path: Path, snapshot_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from backtest.cli import main
    values = ",".join(str(round(-1 + 2 * i / 4999, 6)) for i in range(5000))
    code = main(["sweep", "value_tilt", "--grid", f"qt_tilt={values}", "--grid",
                 f"qe_tilt={values}", "--grid", f"end_of_qt_tilt={values}",
                 "--data-dir", str(snapshot_dir), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("error: The grid spans 125,000,000,000 configurations")
    assert not any(tmp_path.iterdir())  # nothing written
