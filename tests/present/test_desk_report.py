"""The desk report folder, ``--since`` comparisons and the ``qtbt now`` command."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from backtest.cli import main
from backtest.data.store import DataStore
from backtest.exceptions import DataFormatError, ParameterError
from backtest.present import changes_since, now
from backtest.report.now_report import NOW_HTML, NOW_JSON, load_now_json, write_now


def test_write_now_is_a_dated_folder_never_overwritten(synthetic_store: DataStore,
                                                       tmp_path: Path) -> None:
    result = now(synthetic_store, classifiers=["calendar"])
    folder = write_now(result, tmp_path / "desk")
    assert folder == tmp_path / "desk" / "now_2024-06-28"
    assert sorted(p.name for p in folder.iterdir()) == [NOW_HTML, NOW_JSON]
    assert json.loads((folder / NOW_JSON).read_text()) == result.to_dict()
    html = (folder / NOW_HTML).read_text()
    assert html.count("Plotly.newPlot(") == 3 and "<script src=" not in html
    assert html.index('id="summary"') < html.index('id="liquidity"') < html.index('id="funding"')
    assert [p.name for p in (tmp_path / "desk").iterdir()] == ["now_2024-06-28"]  # no temp left
    with pytest.raises(ParameterError, match="already exists; reports are never overwritten"):
        write_now(result, tmp_path / "desk")
    assert load_now_json(tmp_path / "desk") == result.to_dict()  # the --out root: latest report
    assert load_now_json(folder / NOW_JSON) == result.to_dict()


def test_changes_since_lists_regimes_targets_and_crossings(synthetic_store: DataStore) -> None:
    d = now(synthetic_store, classifiers=["calendar"]).to_dict()
    old = copy.deepcopy(d)
    old["as_of"] = "2024-05-31"
    old["regimes"]["calendar"]["label"] = "QE"
    old["targets"]["hold_spy"] = {"SPY": 1.0}
    old["funding"]["sofr_iorb_bp"]["value"] = 4.0  # above 0 then, -9 now
    old["net_liquidity"]["level"]["netliq"] -= 1000.0
    lines = changes_since(d, old)
    assert lines[0] == "since 2024-05-31 (now 2024-06-28):"
    body = "\n".join(lines)
    assert f"regime (calendar): QE -> {d['regimes']['calendar']['label']}" in body
    assert "targets (hold_spy): SPY 100% -> 50%" in body
    assert "funding: sofr_iorb_bp crossed 0 (4 -> -9), now at or below it" in body
    assert "effr_iorb_bp" not in body and "hold_tlt" not in body
    assert lines[-1] == "  net liquidity +1,000 USD mn"
    assert changes_since(d, d)[1] == "  no regime, target or funding-threshold change"
    with pytest.raises(DataFormatError, match=r"not a qtbt now\.json"):
        changes_since(d, {"as_of": "2024-01-01"})


def test_cli_prints_json_writes_the_report_and_compares(synthetic_dir: Path,
                                                        tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    data = str(synthetic_dir)
    out = tmp_path / "desk"
    args = ["now", "--data-dir", data, "--classifier", "calendar"]
    assert main([*args, "--as-of", "2024-05-31", "--out", str(out)]) == 0
    first = capsys.readouterr()
    assert "qtbt now: as of the close of 2024-05-31" in first.out
    assert f"wrote {out / 'now_2024-05-31'}" in first.out
    assert main([*args, "--format", "json", "--since", str(out), "--out", str(out)]) == 0
    second = capsys.readouterr()
    d = json.loads(second.out)  # stdout stays JSON; the comparison goes to stderr
    assert d["as_of"] == "2024-06-28" and d["targets"]["hold_spy"] == {"SPY": 0.5}
    assert "since 2024-05-31 (now 2024-06-28):" in second.err
    assert (out / "now_2024-06-28" / NOW_HTML).is_file()
    assert main([*args, "hold_spy", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# qtbt now") and "hold_tlt" not in md
    # --format html prints the desk page itself, the same page --out writes
    assert main([*args, "--as-of", "2024-05-31", "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.lstrip().lower().startswith("<!doctype html")
    assert page == (out / "now_2024-05-31" / NOW_HTML).read_text(encoding="utf-8")


def test_cli_errors_are_one_line(synthetic_dir: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    data = str(synthetic_dir)
    assert main(["now", "--data-dir", data, "--classifier", "rulez"]) == 2
    assert "error: classifier = 'rulez' is not a classifier" in capsys.readouterr().err
    assert main(["now", "--data-dir", data, "--since", str(tmp_path)]) == 2
    assert "no now.json there" in capsys.readouterr().err
    bad = tmp_path / "now.json"
    bad.write_text("{}")
    assert main(["now", "--data-dir", data, "--since", str(bad)]) == 2
    assert "is not a qtbt now.json" in capsys.readouterr().err
