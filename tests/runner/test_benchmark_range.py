"""The backtest range is the strategy's own: a benchmark that ends early never shortens it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest.data.calendar import sessions_between
from backtest.runner import RunConfig, prepare_inputs, run
from backtest.sweep import run_sweep
from tests.conftest import MakeSnapshot

FREE = {"costs_bps": 0.0}


@pytest.fixture
def short_ief(make_snapshot: MakeSnapshot) -> str:
    """SPY from 2019-01-02 to 2021-06-30; IEF ends 2021-03-31; cash yields 0."""
    days = pd.bdate_range("2019-01-02", "2021-06-30")
    spy = pd.Series(np.linspace(100, 130, len(days)), index=days)
    ief = pd.Series(np.linspace(50, 55, len(days)), index=days).loc[:"2021-03-31"]
    return str(make_snapshot({"SPY": spy, "IEF": ief, "DGS3MO": spy * 0.0}))


def test_a_benchmark_ending_early_keeps_the_strategys_range(short_ief: str) -> None:
    cfg = RunConfig("buy_and_hold", start="2020-01-02", engine=FREE,
                    benchmarks=("sixty_forty",))
    out = run(cfg, short_ief)
    idx = out.result.returns.index
    assert idx[0] == pd.Timestamp("2020-01-02") and idx[-1] == pd.Timestamp("2021-06-30")
    bench = out.benchmarks["sixty_forty"].returns
    assert bench.index[-1] == pd.Timestamp("2021-03-31")
    frame = pd.DataFrame({"strategy": out.result.returns, "sixty_forty": bench})
    tail = frame.loc["2021-04-01":, "sixty_forty"]
    assert len(tail) == len(sessions_between("2021-04-01", "2021-06-30")) and tail.isna().all()
    m = out.metrics["benchmarks"]["sixty_forty"]
    assert (m["start"], m["end"]) == ("2020-01-02", "2021-03-31")
    # its metrics are those of sixty_forty run alone on its own sessions
    alone = run(RunConfig("sixty_forty", start="2020-01-02", end="2021-03-31", engine=FREE,
                          benchmarks=()), short_ief)
    assert m["overall"] == alone.metrics["overall"]
    assert m["by_regime"] == alone.metrics["by_regime"]
    # the strategy: SPY from 100 to 130 linearly, held from the second session's close
    # (the target decided at the first close is traded at the next)
    spy = np.linspace(100, 130, len(pd.bdate_range("2019-01-02", "2021-06-30")))
    px = pd.Series(spy, index=pd.bdate_range("2019-01-02", "2021-06-30"))
    held = px.loc["2020-01-02":"2021-06-30"].reindex(idx)
    assert out.metrics["overall"]["total_return"] == pytest.approx(
        held.iloc[-1] / held.iloc[1] - 1, rel=1e-9)
    note = [n for n in out.notes if n.startswith("benchmark sixty_forty")]
    assert note == ["benchmark sixty_forty: IEF ends 2021-03-31; it is evaluated on 2020-01-02 "
                    "to 2021-03-31 and its returns are missing (NaN) on the backtest's other "
                    "sessions (2020-01-02 to 2021-06-30)."]
    assert f"note: {note[0]}" in out.to_text().splitlines()  # printed by `qtbt run` too
    # the printed days per regime are the strategy's, not the shorter benchmark's
    table = out.to_text().split("Sharpe by regime (days, episodes):")[1].splitlines()[2:]
    days = {row.split()[0]: int(row.split()[-2]) for row in table if row.strip()
            and not row.startswith("note")
            and row.split()[0] in out.metrics["by_regime"]}
    assert days == {k: v["days"] for k, v in out.metrics["by_regime"].items()}


def test_a_strategy_asset_ending_early_ends_the_run_with_a_note(short_ief: str) -> None:
    out = run(RunConfig("sixty_forty", start="2020-01-02", engine=FREE,
                        benchmarks=("buy_and_hold",)), short_ief)
    assert out.result.returns.index[-1] == pd.Timestamp("2021-03-31")
    assert out.benchmarks["buy_and_hold"].returns.index.equals(out.result.returns.index)
    assert "start" not in out.metrics["benchmarks"]["buy_and_hold"]
    assert ("Prices of IEF (last 2021-03-31) end before those of SPY (last 2021-06-30); the "
            "backtest ends on 2021-03-31") in " ".join(out.notes)


def test_a_benchmark_starting_late_is_evaluated_from_its_first_price(
        make_snapshot: MakeSnapshot) -> None:
    days = pd.bdate_range("2019-01-02", "2020-12-31")
    spy = pd.Series(np.linspace(100, 130, len(days)), index=days)
    root = make_snapshot({"SPY": spy, "IEF": spy.loc["2020-06-01":] / 2, "DGS3MO": spy * 0})
    out = run(RunConfig("buy_and_hold", start="2020-01-02", engine=FREE,
                        benchmarks=("sixty_forty",)), str(root))
    assert out.result.returns.index[0] == pd.Timestamp("2020-01-02")
    m = out.metrics["benchmarks"]["sixty_forty"]
    assert (m["start"], m["end"]) == ("2020-06-01", "2020-12-31")
    assert any("IEF starts 2020-06-01" in n for n in out.notes)


def test_a_benchmark_with_no_sessions_in_range_is_left_out_with_a_note(short_ief: str) -> None:
    out = run(RunConfig("buy_and_hold", start="2021-04-05", engine=FREE,
                        benchmarks=("sixty_forty",)), short_ief)
    assert out.benchmarks == {} and out.metrics["benchmarks"] == {}
    assert any(n.startswith("benchmark sixty_forty left out: IEF ends 2021-03-31")
               for n in out.notes)


def test_run_and_sweep_use_the_same_range(short_ief: str) -> None:
    cfg = RunConfig("buy_and_hold", start="2020-01-02", engine=FREE)
    inp = prepare_inputs(cfg, short_ief)
    swept = prepare_inputs(cfg, short_ief, variants=[inp.params])
    assert (inp.start, inp.end) == (swept.start, swept.end)
    assert inp.end == pd.Timestamp("2021-06-30")
    res = run_sweep(cfg, None, short_ief)
    assert res is not None


def test_none_means_no_benchmark(short_ief: str) -> None:
    out = run(RunConfig("buy_and_hold", start="2020-01-02", benchmarks=("none",)), short_ief)
    assert out.metrics["benchmarks"] == {} and out.benchmarks == {}
    assert RunConfig("buy_and_hold", benchmarks=("none",)).to_dict()["benchmarks"] == []


def test_the_saved_run_and_its_report_keep_the_strategys_range(short_ief: str,
                                                              tmp_path: Path) -> None:
    from backtest.report import load_run, save_run

    out = run(RunConfig("buy_and_hold", start="2020-01-02", engine=FREE,
                        benchmarks=("sixty_forty",)), short_ief)
    folder = save_run(out, tmp_path, "r")
    saved = load_run(folder)
    returns = saved.returns
    assert returns["sixty_forty"].loc["2021-04-01":].isna().all()
    table = saved.regime_table
    whole = table[table["regime"] == "all"]
    # the joint per-regime table keeps every strategy session; the short benchmark
    # keeps its own figures in metrics.json and the overall table
    assert whole["series"].tolist() == ["strategy"]
    assert int(whole["days"].iloc[0]) == len(out.result.returns)
    html = (folder / "report.html").read_text()
    assert "benchmark sixty_forty: IEF ends 2021-03-31" in html
