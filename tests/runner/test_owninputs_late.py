"""A declared series first known after the backtest starts is named in a note, never silent."""

from __future__ import annotations

import numpy as np
import pandas as pd

from backtest.runner.owninputs import late_series_note


def test_late_series_are_named_with_their_first_date() -> None:
    idx = pd.bdate_range("2020-01-01", periods=6)
    panel = pd.DataFrame({"EARLY": [1.0] * 6, "LATE": [np.nan, np.nan, 2.0, 2.0, 2.0, 2.0],
                          "NONE": [np.nan] * 6}, index=idx)
    note = late_series_note(panel, idx[1])
    assert note == ("series first known after the backtest starts (2020-01-02): LATE (from "
                    "2020-01-03), NONE (never, in this range); the strategy reads NaN for them "
                    "before that.")
    assert late_series_note(panel[["EARLY"]], idx[1]) is None
    # known on the first session of the backtest: not late
    assert late_series_note(panel[["LATE"]], idx[2]) is None


def test_a_real_run_says_when_its_series_starts(snapshot_store: object) -> None:
    from backtest import RunConfig, prepare_inputs

    inputs = prepare_inputs(RunConfig("funding_stress", start="2005-01-03", end="2009-12-31"),
                            snapshot_store)  # type: ignore[arg-type]
    note = next(n for n in inputs.notes if n.startswith("series first known after"))
    first = inputs.context.panel["EFFR_IORB"].first_valid_index()
    assert f"EFFR_IORB (from {first:%Y-%m-%d})" in note and first > pd.Timestamp("2005-01-03")


def test_an_unknown_ticker_in_a_table_names_the_strategy_and_the_row(
        snapshot_store: object) -> None:
    import pytest

    from backtest import ParameterError, RunConfig, prepare_inputs

    cfg = RunConfig("playbook", params={"table": {"QT": {"SPX": 0.5, "SHY": 0.5}}})
    with pytest.raises(ParameterError, match=r"^Strategy 'playbook' trades 'SPX' \(parameter "
                       r"table\.QT\): Unknown series 'SPX'\. Did you mean: SPY"):
        prepare_inputs(cfg, snapshot_store)  # type: ignore[arg-type]
