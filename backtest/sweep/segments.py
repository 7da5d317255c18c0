"""Segments: contiguous blocks of sessions whose return moments a sweep keeps.

Sessions are cut at every regime run, at every CSCV block and (for
walk-forward) at every calendar month, so that per-regime metrics, the CSCV
blocks of the PBO, walk-forward windows and regime episodes are all unions of
segments, computed exactly from the moments of
:mod:`backtest.sweep.measures`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.engine.schedule import SCHEDULES, label_changes, run_starts
from backtest.exceptions import EmptyRangeError, ParameterError
from backtest.sweep.measures import Measures, combine, segment_ids

__all__ = ["Segments", "cscv_blocks"]


@dataclass(frozen=True, eq=False)
class Segments:
    """Contiguous blocks of sessions whose moments a sweep keeps.

    Attributes
    ----------
    seg : ndarray of int64, shape (T,)
        Segment of each session.
    n_seg : int
        Number of segments.
    label : ndarray of object, shape (n_seg,)
        Regime label of each segment (None when unlabelled).
    block : ndarray of int64, shape (n_seg,)
        CSCV block of each segment.
    first : ndarray of int64, shape (n_seg,)
        Position of each segment's first session.
    """

    seg: np.ndarray
    n_seg: int
    label: np.ndarray
    block: np.ndarray
    first: np.ndarray

    @classmethod
    def build(cls, sessions: pd.DatetimeIndex, labels: pd.Series, n_splits: int,
              monthly: bool = False) -> Segments:
        """Cut at every regime run, every CSCV block and (``monthly``) every month."""
        t = len(sessions)
        if n_splits < 2 or n_splits % 2:
            raise ParameterError(f"--splits must be an even number >= 2, got {n_splits}.")
        if t < 2 * n_splits:
            raise EmptyRangeError(
                f"{t} sessions are too few for {n_splits} CSCV blocks; widen the range or "
                "lower --splits."
            )
        lab = labels.to_numpy(dtype=object)
        block_of = np.concatenate([np.full(len(p), b) for b, p in
                                   enumerate(np.array_split(np.arange(t), n_splits))])
        cuts = [label_changes(pd.Series(lab)), run_starts(block_of)]
        if monthly:
            cuts.append(run_starts(SCHEDULES["monthly"].period_keys(sessions)))
        seg, n_seg = segment_ids(sessions, *cuts)
        first = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
        seg_label = np.array([None if pd.isna(lab[i]) else str(lab[i]) for i in first],
                             dtype=object)
        return cls(seg, n_seg, seg_label, block_of[first].astype(np.int64), first)


def cscv_blocks(measures: Measures, segments: Segments) -> np.ndarray:
    """Per-configuration ``[n, sum, sum of squares]`` of excess returns per CSCV block."""
    n_blocks = int(segments.block.max()) + 1 if len(segments.block) else 0
    out = np.zeros((measures.segments.shape[0], n_blocks, 3))
    for b in range(n_blocks):
        st = combine(measures.segments, segments.block == b)
        out[:, b, 0] = st[:, 0]
        out[:, b, 1] = st[:, 0] * st[:, 2]
        out[:, b, 2] = st[:, 3] + st[:, 0] * st[:, 2] ** 2
    return out
