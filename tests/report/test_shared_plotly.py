"""Run reports share their results folder's one plotly.js (issue #11: reports under 1.5 MB)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from backtest.report.html import page, plotly_asset, share_plotly, write_plotly_asset
from backtest.report.save import write_run_page


def _page() -> str:
    return page("t", "s", [("a", "A")], "<section>body</section>", "f")


def test_asset_name_is_content_addressed() -> None:
    name, data = plotly_asset()
    assert name == f"plotly-{hashlib.sha256(data).hexdigest()[:16]}.min.js"
    assert data.startswith(b"/**") and len(data) > 1_000_000


def test_share_writes_one_copy_beside_run_folders(tmp_path: Path) -> None:
    name, data = plotly_asset()
    inline = _page()
    runs = [tmp_path / "results" / r for r in ("one", "two")]
    texts = []
    for run in runs:
        run.mkdir(parents=True)
        texts.append(write_run_page(run, inline).read_text(encoding="utf-8"))
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == sorted([name, "one", "two"])
    assert (tmp_path / "results" / name).read_bytes() == data
    assert texts[0] == texts[1]  # same bytes whatever the run folder
    assert f'<script src="../{name}" onerror=' in texts[0]
    assert len(inline) - len(texts[0]) > len(data) - 2_000  # the library left the page
    assert "Charts need ../" + name in texts[0].replace("&quot;", '"')


def test_share_repairs_a_damaged_copy_and_keeps_a_good_one(tmp_path: Path) -> None:
    name, data = plotly_asset()
    run = tmp_path / "run"
    run.mkdir()
    (tmp_path / name).write_bytes(b"truncated")
    assert write_plotly_asset(tmp_path) == tmp_path / name
    assert (tmp_path / name).read_bytes() == data
    before = (tmp_path / name).stat().st_mtime_ns
    write_run_page(run, _page())
    assert (tmp_path / name).stat().st_mtime_ns == before


def test_share_elsewhere_and_refuses_a_page_without_inline_library(tmp_path: Path) -> None:
    name, _ = plotly_asset()
    text = share_plotly(_page(), tmp_path / "a" / "b", tmp_path / "assets")
    assert f'src="../../assets/{name}"' in text
    assert not (tmp_path / "assets").exists()  # only write_plotly_asset writes
    with pytest.raises(ValueError, match=r"one inline plotly\.js"):
        share_plotly(text, tmp_path)
