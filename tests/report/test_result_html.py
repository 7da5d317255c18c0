"""RunResult loading, summary and plots; the run report's escaping and self-containment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from backtest.exceptions import DataFormatError, ParameterError
from backtest.report import RunResult, render_run_report, write_report
from backtest.report.html import plotly_asset
from tests.report.helpers import IDX6, make_run_dir

EVIL = "<script>alert(1)</script>"


def test_load_summary_and_plots(tmp_path: Path) -> None:
    res = RunResult.load(make_run_dir(tmp_path, "r1"))
    assert res.run_id == "r1" and res.benchmarks == ["buy_and_hold"]
    s = res.summary()
    assert s.index.names == ["regime", "series"]
    assert s.loc[("QT", "strategy"), "days"] == 4
    for kind in ("performance", "equity", "drawdown", "rolling_sharpe", "weights", "regimes"):
        fig = res.plot(kind)  # type: ignore[arg-type]
        assert type(fig).__name__ == "Figure"
    with pytest.raises(ParameterError, match="plot kind must be one of"):
        res.plot("pie")  # type: ignore[arg-type]


def test_sharpe_uses_the_stored_cash_yield(tmp_path: Path) -> None:
    bare = RunResult.load(make_run_dir(tmp_path, "bare"))
    cash = RunResult.load(make_run_dir(tmp_path, "cash", cash=pd.Series(0.001, index=IDX6)))
    assert "raw returns" in bare.sharpe_basis and "DGS3MO" in cash.sharpe_basis
    s0 = bare.summary().loc[("all", "strategy"), "sharpe"]
    s1 = cash.summary().loc[("all", "strategy"), "sharpe"]
    assert s1 < s0


def test_not_a_run_dir_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="does not exist"):
        RunResult.load(tmp_path / "nope")
    d = make_run_dir(tmp_path, "r")
    (d / "regimes.parquet").unlink()
    with pytest.raises(ParameterError, match=r"missing regimes\.parquet"):
        RunResult.load(d)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ParameterError, match="is a file"):
        RunResult.load(tmp_path / "file")


def test_damaged_files_are_named(tmp_path: Path) -> None:
    d = make_run_dir(tmp_path, "r")
    (d / "returns.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(DataFormatError, match=r"returns\.parquet is damaged"):
        RunResult.load(d)
    d2 = make_run_dir(tmp_path, "r2")
    (d2 / "manifest.json").write_text("{ half")
    with pytest.raises(DataFormatError, match=r"manifest\.json is damaged: not valid JSON"):
        RunResult.load(d2)
    d3 = make_run_dir(tmp_path, "r3")
    pd.DataFrame({"label": ["QT"] * 6}, index=IDX6).to_parquet(d3 / "regimes.parquet")
    with pytest.raises(DataFormatError, match=r"lacks column\(s\) \['regime'\]"):
        RunResult.load(d3)


def test_user_strings_are_escaped(tmp_path: Path) -> None:
    d = make_run_dir(tmp_path, "evil", strategy=f"demo{EVIL}", params={"note": EVIL},
                     data={f"X{EVIL}": "c" * 64})
    html = render_run_report(RunResult.load(d))
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # figure JSON cannot close its <script> element either
    for chunk in html.split("<script>")[2:]:
        assert "</script" not in chunk.split("</script>")[0]


def test_self_contained_one_plotly_and_byte_stable(tmp_path: Path) -> None:
    d = make_run_dir(tmp_path, "r")
    path = write_report(d)
    html = path.read_text(encoding="utf-8")
    assert html.count("Plotly.newPlot(") == 3
    # in its run folder the page loads the results folder's one copy of plotly.js
    name = plotly_asset()[0]
    assert (d.parent / name).is_file()
    assert html.count("<script>") == 3 and html.count(f'<script src="../{name}"') == 1
    ours = html.replace(f'src="../{name}"', "")
    for remote in ("http://", "https://", "<link", "src="):
        assert remote not in ours
    first = path.read_bytes()
    write_report(d)
    assert path.read_bytes() == first
    # the interval settings are stated in the footer; no generated-at timestamp
    assert "1000 resamples, 95% percentile intervals" in html
    # written anywhere else, the page carries its own inline copy
    inline = write_report(d, tmp_path / "elsewhere.html").read_text(encoding="utf-8")
    assert inline.count("plotly.js v") <= 2  # the banner of the one inline copy
    assert inline.count("<script>") == 4  # plotly.js + three figures
    head, _, rest = inline.partition("<script>")
    alone = head + rest.partition("</script>")[2]  # the page without the plotly.js bundle
    for remote in ("http://", "https://", "<link", "src="):
        assert remote not in alone


def test_import_opens_nothing_and_writes_nothing(tmp_path: Path) -> None:
    code = ("import sys, backtest.report, backtest.cli.report; "
            "print(json.dumps(sorted(m for m in ('plotly', 'arch', 'matplotlib.pyplot') "
            "if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", "import json; " + code], cwd=tmp_path,
                         capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(out.stdout) == []
    assert list(tmp_path.iterdir()) == []
