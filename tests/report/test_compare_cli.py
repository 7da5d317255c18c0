"""`qtbt report` and `qtbt compare` on hand-made run directories, including bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from backtest.cli import main
from backtest.report.compare import DifferentDataError, compare_runs, flatten
from backtest.report.compare_report import comparison_html
from tests.report.helpers import SHA, make_run_dir


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_flatten() -> None:
    assert flatten({"b": {"y": 1, "x": [1, 2]}, "a": "s", "e": {}}) == {
        "a": '"s"', "b.x": "[1, 2]", "b.y": "1"}


def test_parameter_differences_are_found_and_highlighted(tmp_path: Path) -> None:
    a = make_run_dir(tmp_path, "a", params={"lookback": 63})
    b = make_run_dir(tmp_path, "b", params={"lookback": 126})
    c = compare_runs([a, b])
    diff = c.parameters[c.parameters["differs"]]
    assert diff["key"].tolist() == ["config.params.lookback", "parameters.lookback"]
    assert diff.iloc[1][["a", "b"]].tolist() == ["63", "126"]
    assert not c.different_data and c.warnings == []
    md = c.to_markdown()
    assert "| parameters.lookback | 63 | 126 |" in md
    assert "## Data: 0 of 2 series differ" in md
    html = comparison_html(c)
    assert html.count('<tr class="diff">') == 2
    assert html.count("Plotly.newPlot(") == 2


def test_refuses_runs_on_different_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    a = make_run_dir(tmp_path, "a")
    b = make_run_dir(tmp_path, "b", data={**SHA, "SPY": "f" * 64})
    with pytest.raises(DifferentDataError, match=r"SPY \(sha256 differs\)"):
        compare_runs([a, b])
    code, out, err = run(["compare", str(a), str(b)], capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: Refusing to compare") and "--allow-different-data" in err
    assert "Traceback" not in err
    code, out, err = run(["compare", str(a), str(b), "--allow-different-data", "--out",
                          str(tmp_path / "c.html")], capsys)
    assert code == 0
    assert err.startswith("warning: the runs were computed on different data: SPY")
    assert "## Overall (strategy" in out
    html = (tmp_path / "c.html").read_text()
    assert "Warning" in html and html.count('<tr class="diff">') == 1


def test_a_series_read_by_one_run_only_is_information_not_different_data(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = make_run_dir(tmp_path, "a")
    b = make_run_dir(tmp_path, "b", data={**SHA, "GLD": "d" * 64})
    c = compare_runs([a, b])  # no flag needed: every common series has the same checksum
    assert not c.different_data and c.warnings == []
    assert c.info == ["series read by some runs only (the strategies read different assets or "
                      "series; their common series have the same checksums): GLD (not read by "
                      "a)."]
    assert "Information: series read by some runs only" in c.to_markdown()
    assert "<strong>Information</strong>" in comparison_html(c)
    code, out, err = run(["compare", str(a), str(b)], capsys)
    assert code == 0 and err == "" and "GLD (not read by a)" in out


def test_a_checksum_difference_is_refused_even_beside_a_partial_series(tmp_path: Path) -> None:
    a = make_run_dir(tmp_path, "a")
    b = make_run_dir(tmp_path, "b", data={**SHA, "GLD": "d" * 64, "SPY": "f" * 64})
    with pytest.raises(DifferentDataError, match=r"SPY \(sha256 differs\)") as err:
        compare_runs([a, b])
    assert "GLD" not in str(err.value)
    c = compare_runs([a, b], allow_different_data=True)
    assert c.different_data and len(c.warnings) == 1 and "GLD (not read by a)" in c.info[0]


def test_two_strategies_on_the_snapshot_compare_without_flags(
        snapshot_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--start", "2019-01-02", "--end", "2019-12-31", "--out", str(tmp_path),
              "--data-dir", str(snapshot_dir), "--benchmark", "none"]
    for strategy in ("dollar", "sixty_forty"):
        code, _, err = run(["run", strategy, "--run-id", strategy, *common], capsys)
        assert code == 0, err
    code, out, err = run(["compare", str(tmp_path / "dollar"), str(tmp_path / "sixty_forty")],
                         capsys)
    assert code == 0, err
    assert "Information: series read by some runs only" in out
    assert "IEF (not read by dollar)" in out and "UUP (not read by sixty_forty)" in out


def test_report_command_rerenders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = make_run_dir(tmp_path, "r")
    code, out, err = run(["report", str(d), "--reps", "200"], capsys)
    assert code == 0, err
    assert (d / "report.html").is_file() and f"wrote {d / 'report.html'}" in out
    assert "QT" in out and "two episodes only" in out


@pytest.mark.parametrize("case", ["missing", "not_run", "damaged", "one_run", "bad_level"])
def test_bad_input_is_one_error_line(case: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    d = make_run_dir(tmp_path, "r")
    if case == "missing":
        argv, text = ["report", str(tmp_path / "nope")], "does not exist"
    elif case == "not_run":
        (d / "metrics.json").unlink()
        argv, text = ["report", str(d)], "missing metrics.json"
    elif case == "damaged":
        (d / "targets.parquet").write_bytes(b"\x00" * 40)
        argv, text = ["compare", str(d), str(d)], "targets.parquet is damaged"
    elif case == "one_run":
        argv, text = ["compare", str(d)], "at least two run directories"
    else:
        argv, text = ["report", str(d), "--level", "1.5"], "interval level must be in"
    code, _, err = run(argv, capsys)
    assert code == 2
    assert err.startswith("error: ") and text in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
