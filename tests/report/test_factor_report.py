"""The factor section of a run report, its chart, and factor rows in compare."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtest.metrics import to_jsonable
from backtest.metrics.factors import FF5, factor_attribution
from backtest.report.compare import compare_runs
from backtest.report.factor_report import (
    factor_compare_markdown,
    factor_exposure_figure,
    factor_frame,
    factor_section_html,
    factor_table_html,
)


def _block(hml_qt: float = 0.8, seed: int = 1) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2016-01-01", periods=600)
    f = pd.DataFrame(rng.normal(0, 0.01, (600, 5)), index=idx, columns=list(FF5))
    f["RF"] = 0.0
    labels = pd.Series(np.where(np.arange(600) < 300, "QT", "QE"), index=idx)
    hml = np.where(labels == "QT", hml_qt, 0.0)
    r = f["Mkt-RF"] + hml * f["HML"] + rng.normal(0, 0.001, 600)
    return to_jsonable(factor_attribution(r, f, labels))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_table_has_overall_then_regimes_in_canonical_order() -> None:
    text = _text(factor_table_html(_block()))
    assert text.index("overall") < text.index(" QE ") < text.index(" QT ")
    assert "β HML" in text and "R²" in text and "HAC lags" in text


def test_bars_are_the_betas_with_their_intervals() -> None:
    block = _block()
    fig = factor_exposure_figure(block)
    assert [t.name for t in fig.data] == list(FF5)
    hml = next(t for t in fig.data if t.name == "HML")
    assert [x.split("<br>")[0] for x in hml.x] == ["overall", "QE", "QT"]
    qt = block["by_regime"]["QT"]
    assert np.isclose(hml.y[2], qt["beta"]["HML"], atol=1e-8) and abs(hml.y[2] - 0.8) < 0.05
    assert np.isclose(hml.error_y.array[2], qt["beta_ci95"]["HML"][1] - qt["beta"]["HML"],
                      atol=1e-8)


def test_section_explains_missing_or_unavailable_factors() -> None:
    assert "written before factor attribution existed" in factor_section_html({})
    why = factor_section_html({"factors": {"unavailable": "FF5_DAILY is not in the snapshot"}})
    assert "Factor attribution unavailable: FF5_DAILY is not in the snapshot" in why
    full = factor_section_html({"factors": _block()})
    assert "fig-factors" in full and "Factor premia" in full


def test_factor_frame_lines_up_runs_and_skips_runs_without_factors() -> None:
    frame = factor_frame({"a": {"factors": _block(0.8)}, "b": {"factors": _block(0.2, 2)},
                          "old": {}})
    assert list(frame.index) == [("overall", "a"), ("overall", "b"), ("QE", "a"), ("QE", "b"),
                                 ("QT", "a"), ("QT", "b")]
    assert frame.loc[("QT", "a"), "beta_HML"] > frame.loc[("QT", "b"), "beta_HML"] + 0.4
    md = factor_compare_markdown(frame)
    assert md.splitlines()[0].startswith("| regression | run | days | Alpha / yr | β Mkt-RF")
    assert factor_compare_markdown(factor_frame({"old": {}})) == ""


def test_real_runs_show_factors_in_report_and_compare(real_runs: tuple[Path, Path]) -> None:
    full, short = real_runs
    html = (full / "report.html").read_text()
    assert 'id="factors"' in html and "fig-factors" in html
    c = compare_runs([full, short])
    frame = c.factors()
    assert {r for r, _ in frame.index} >= {"overall", "QT"}
    assert "## Factor exposures" in c.to_markdown()
    assert 'id="factors"' in c.to_html()
