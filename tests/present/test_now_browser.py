"""The desk report page loads in headless chromium: no console error, no network, 3 charts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backtest.data.store import DataStore
from backtest.present import now
from backtest.report.now_report import NOW_HTML, write_now
from tests.report.cdp import open_page
from tests.report.test_browser import _need_chromium  # noqa: F401  (autouse: skip or fail)

pytestmark = pytest.mark.browser


def test_now_html_renders_offline(snapshot_store: DataStore, tmp_path: Path) -> None:
    folder = write_now(now(snapshot_store), tmp_path)
    rep = open_page(folder / NOW_HTML)
    keep = os.environ.get("QTBT_SCREENSHOT_DIR")
    shots = Path(keep) if keep else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    (shots / "now.png").write_bytes(rep.screenshot)
    assert rep.errors == [], rep.errors
    assert rep.figures == 3 and rep.plots == 3 and rep.drawn == 3
    assert all(n > 0 for n in rep.traces)
    offline = [u for u in rep.requests if not u.startswith(("file:", "data:", "blob:"))]
    assert offline == [], f"the page asked the network for {offline}"
    assert len(rep.screenshot) > 10_000
