"""Sharpe ratios within the documented tolerance are ties: CSCV, walk-forward choice and rank."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from backtest.data.calendar import sessions_between
from backtest.sweep.measures import measure
from backtest.sweep.segments import Segments, cscv_blocks
from backtest.sweep.stats import (
    SHARPE_ATOL,
    SHARPE_RTOL,
    block_sums,
    pbo_from_blocks,
    sharpe_tolerance,
)
from backtest.sweep.walkforward import walk_forward

NOISE = np.random.default_rng(5).normal(0, 0.01, 50)


def _two_blocks(block0: list[float], block1: list[float], scale_b: float = 1.0) -> np.ndarray:
    """Four configurations over two blocks of 50 sessions: the same noise, these means."""
    r = np.empty((100, 4))
    for c in range(4):
        r[:50, c] = NOISE + block0[c]
        r[50:, c] = NOISE + block1[c]
    r[:50, 1] *= scale_b  # B = A in block 0, up to a scale: same Sharpe but for rounding
    return r


def test_tolerance_is_relative_and_tiny() -> None:
    assert sharpe_tolerance(1.0) == SHARPE_ATOL + SHARPE_RTOL
    assert sharpe_tolerance(-2.0) == SHARPE_ATOL + 2 * SHARPE_RTOL
    assert sharpe_tolerance(0.0) == SHARPE_ATOL > 0


@pytest.mark.parametrize("scale_b", [1.0, 1.0 + 1e-12])
def test_cscv_counts_tied_selections_equally(scale_b: float) -> None:
    # configurations A, B, C, D; A and B tie in block 0 (bit for bit, or up to rounding).
    # Split 1, block 0 in sample: A and B tie for best; out of sample (block 1) A ranks 4 of 4
    #   (w = 4/5, logit log 4 > 0) and B ranks 1 (w = 1/5, logit -log 4 <= 0): half overfit.
    # Split 2, block 1 in sample: A is best alone; in block 0 it ties B above C and D:
    #   rank 1 + 2 + 1/2 = 3.5, w = 0.7, logit > 0: not overfit.
    # PBO = (1/2 + 0) / 2 = 1/4. Breaking the tie by order or by rounding gives 0 or 1/2.
    r = _two_blocks([0.003, 0.003, 0.001, 0.0], [0.003, -0.003, 0.001, 0.0], scale_b)
    res = pbo_from_blocks(block_sums(r, 2))
    assert res.pbo == pytest.approx(0.25, abs=1e-15)
    np.testing.assert_allclose(res.overfit, [0.5, 0.0])
    assert res.logits[0] == pytest.approx(0.0, abs=1e-12)  # mean of log 4 and -log 4
    assert res.logits[1] == pytest.approx(math.log(0.7 / 0.3))


def test_cscv_out_of_sample_ties_share_the_mid_rank() -> None:
    # A best in block 0 alone; in block 1 all four are the same series: mid-rank (1+4)/2 of 4
    r = _two_blocks([0.003, 0.002, 0.001, 0.0], [0.001] * 4)
    r[50:, 1:] *= 1 + 1e-13
    res = pbo_from_blocks(block_sums(r, 2))
    assert res.logits[0] == pytest.approx(0.0, abs=1e-12)  # w = 2.5 / 5
    assert res.overfit[0] == 1.0  # at the median counts as overfit, as in the paper


IDX = sessions_between("2015-01-01", "2020-12-31")
LAB = pd.Series("QE", index=IDX, dtype=object)
LAB[(IDX >= "2017-01-01") & (IDX < "2019-01-01")] = "QT"
PARAMS = [{"qt": q} for q in (0.0, 0.5, 1.0, 1.5)]


def _differ_only_in_qt() -> np.ndarray:
    """Configurations that hold the same weights outside QT: bit-identical returns there."""
    rng = np.random.default_rng(11)
    base = rng.normal(0.0003, 0.01, len(IDX))
    r = np.tile(base, (len(PARAMS), 1))
    qt = (LAB == "QT").to_numpy()
    for i, p in enumerate(PARAMS):
        r[i, qt] = base[qt] * (1 - 0.3 * p["qt"]) + rng.normal(0, 0.004, qt.sum())
    return r


def _walk(r: np.ndarray) -> tuple[object, Segments, np.ndarray]:
    seg = Segments.build(IDX, LAB, n_splits=8, monthly=True)
    m = measure(r, np.zeros(len(r)), np.zeros(len(IDX)), seg.seg, seg.n_seg)
    wf = walk_forward(IDX, LAB, seg.seg, m.segments, PARAMS, ["qt"], train_months=12,
                      test_months=12)
    return wf, seg, m.segments


def test_walk_forward_treats_identical_windows_as_ties() -> None:
    r = _differ_only_in_qt()
    wf, _, _ = _walk(r)
    w = wf.windows.set_index(["scheme", "window"])
    # rolling window 1 trains on 2015 (no QT): all four tie in sample, the first in grid
    # order is chosen; it tests on 2016 (no QT): all four tie again, percentile 1/2
    no_qt = w.loc[("rolling", 1)]
    assert no_qt["tied"] == 4 and no_qt["chosen"] == "qt=0"
    assert no_qt["oos_percentile"] == 0.5
    assert w.loc[("rolling", 3), "tied"] == 1  # trained on 2017, QT: one best
    assert w.loc[("rolling", 3), "oos_percentile"] in (0.0, 1 / 3, 2 / 3, 1.0)


def test_walk_forward_ties_survive_rounding() -> None:
    r = _differ_only_in_qt() * np.array([1.0, 1 + 1e-13, 1 - 1e-13, 1 + 2e-13])[:, None]
    wf, _, _ = _walk(r)
    w = wf.windows.set_index(["scheme", "window"])
    assert w.loc[("rolling", 1), "oos_percentile"] == 0.5
    assert w.loc[("rolling", 1), "chosen"] == "qt=0"
    assert w.loc[("rolling", 1), "tied"] == 4


def test_one_pbo_whatever_the_segments() -> None:
    # the sweep cuts at regimes and CSCV blocks; walk-forward also at months: the block
    # moments differ by rounding, the PBO must not
    r = _differ_only_in_qt()
    pbos = []
    for monthly in (False, True):
        seg = Segments.build(IDX, LAB, n_splits=8, monthly=monthly)
        m = measure(r, np.zeros(len(r)), np.zeros(len(IDX)), seg.seg, seg.n_seg)
        pbos.append(pbo_from_blocks(cscv_blocks(m, seg)))
    assert pbos[0].pbo == pbos[1].pbo
    np.testing.assert_allclose(pbos[0].logits, pbos[1].logits, rtol=0, atol=1e-9)
    # ties were present: some splits kept two or more selections
    assert ((pbos[0].overfit > 0) & (pbos[0].overfit < 1)).any()
