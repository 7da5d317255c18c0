"""RunOutput follows the result convention: summary() frame, to_text() str, plot() figure."""

from __future__ import annotations

import pytest

from backtest.data.store import DataStore
from backtest.exceptions import StaleSeriesWarning
from backtest.runner import RunConfig, run


def test_run_output_summary_text_and_plot(snapshot_store: DataStore) -> None:
    out = run(RunConfig("dollar", start="2016-01-04", end="2019-12-31"), snapshot_store)
    summary = out.summary()
    assert list(summary.columns) == ["strategy", "buy_and_hold", "sixty_forty"]
    assert summary.loc["sharpe", "strategy"] == out.metrics["overall"]["sharpe"]
    assert summary.loc["days", "sixty_forty"] == len(out.result.returns)
    text = out.to_text()
    assert text.splitlines()[0] == ("dollar: 2016-01-04 to 2019-12-31, rebalance "
                                    f"{out.engine.rebalance}, costs 2 bps, cash yield DGS3MO")
    assert "Sharpe by regime (days, episodes):" in text
    fig = out.plot()
    names = {t.name for t in fig.data}
    assert {"strategy", "buy_and_hold", "sixty_forty"} <= names
    first = next(t for t in fig.data if t.name == "strategy")
    assert len(first.x) == len(out.result.returns)


def test_to_text_says_why_the_range_ends_where_it_does(snapshot_store: DataStore) -> None:
    """The run's notes are printed under the tables, not only kept in the manifest."""
    with pytest.warns(StaleSeriesWarning):  # an --end past every price: the range is cut
        out = run(RunConfig("dollar", start="2019-01-02", end="2099-12-31"), snapshot_store)
    cut = [n for n in out.notes if n.startswith("Prices end before --end 2099-12-31")]
    assert len(cut) == 1
    lines = out.to_text().splitlines()
    assert f"note: {cut[0]}" in lines
    assert all(f"note: {n}" in lines for n in out.notes)
