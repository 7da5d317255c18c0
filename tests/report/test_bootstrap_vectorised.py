"""The vectorised stationary bootstrap draws exactly arch's resamples (issue #11).

``resample_indices`` lays out every resample's blocks at once with numpy; these tests pin it
to :class:`arch.bootstrap.StationaryBootstrap` fed the same generator (same seed contract, so
reports stay byte-identical), and the batched statistic of the report to the per-resample one.
"""

from __future__ import annotations

import numpy as np
import pytest
from arch.bootstrap import StationaryBootstrap

from backtest.report.bootstrap import (
    BootstrapSpec,
    _generator,
    replicates,
    resample_indices,
)
from backtest.report.stats import _joint_replicates, _joint_stat


def arch_indices(n: int, spec: BootstrapSpec, key: str) -> np.ndarray:
    """Every resample's row indices as arch draws them, one resample at a time."""
    bs = StationaryBootstrap(spec.block, np.arange(n), seed=_generator(spec, key))
    return np.array([bs.update_indices() for _ in range(spec.reps)])


def arch_replicates(data: np.ndarray, stat: object, spec: BootstrapSpec, key: str) -> np.ndarray:
    """The replicates as computed before vectorising: arch's ``apply``."""
    bs = StationaryBootstrap(spec.block, data, seed=_generator(spec, key))
    out = bs.apply(lambda x: np.atleast_1d(np.asarray(stat(x), dtype="float64")),  # type: ignore[operator]
                   spec.reps)
    return np.asarray(out, dtype="float64").reshape(spec.reps, -1)


@pytest.mark.parametrize(("n", "block"), [(2, 1), (3, 20), (57, 5), (500, 20), (1000, 1)])
def test_indices_are_archs(n: int, block: int) -> None:
    spec = BootstrapSpec(block=block, reps=150)
    ours = np.concatenate(list(resample_indices(n, spec, "regime/QT")))
    assert ours.shape == (150, n) and ours.dtype == np.int64
    np.testing.assert_array_equal(ours, arch_indices(n, spec, "regime/QT"))


def test_chunks_do_not_change_the_draws() -> None:
    spec = BootstrapSpec(reps=300)
    whole = np.concatenate(list(resample_indices(40, spec, "k")))
    pieces = list(resample_indices(40, spec, "k", chunk_bytes=8 * 40 * 7))
    assert [len(p) for p in pieces][:2] == [7, 7] and sum(map(len, pieces)) == 300
    np.testing.assert_array_equal(np.concatenate(pieces), whole)


def test_blocks_by_hand() -> None:
    """Block 1: every row is a fresh draw. A block longer than the sample: one wrapped run."""
    iid = np.concatenate(list(resample_indices(6, BootstrapSpec(block=1, reps=100), "k")))
    gen = _generator(BootstrapSpec(block=1, reps=100), "k")
    first = gen.integers(6, size=6, dtype=np.int64)
    np.testing.assert_array_equal(iid[0], first)  # u <= 1 always: a new block at every row
    runs = np.concatenate(list(resample_indices(5, BootstrapSpec(block=10**9, reps=100), "k")))
    for row in runs:  # p = 1e-9: no new block after row 0, so consecutive rows modulo 5
        np.testing.assert_array_equal(row, (row[0] + np.arange(5)) % 5)


@pytest.mark.parametrize("shape", [(300,), (300, 3), (2, 2)])
def test_replicates_are_archs(shape: tuple[int, ...]) -> None:
    data = np.random.default_rng(7).normal(0.0, 0.01, shape)
    spec = BootstrapSpec(block=10, reps=200)

    def stat(a: np.ndarray) -> np.ndarray:
        return np.atleast_1d(np.mean(a, axis=0) * 252)

    assert replicates(data, stat, spec, "x").tobytes() == \
        arch_replicates(data, stat, spec, "x").tobytes()


def test_batched_report_statistic_is_byte_identical() -> None:
    rng = np.random.default_rng(3)
    data = np.column_stack([rng.normal(0.0, 0.01, (800, 3)), np.full(800, 1e-4)])
    data[:, 2] = 0.0  # a flat series: its Sharpe is NaN in every resample
    spec = BootstrapSpec(reps=300)
    stat = _joint_stat(3)
    batched = replicates(data, stat, spec, "regime/ALL", batched=True)
    one_by_one = replicates(data, stat, spec, "regime/ALL")
    assert batched.shape == (300, 6) and np.isnan(batched[:, 5]).all()
    assert batched.tobytes() == one_by_one.tobytes()
    assert one_by_one.tobytes() == arch_replicates(data, stat, spec, "regime/ALL").tobytes()


@pytest.mark.parametrize(("n", "k"), [(2, 2), (7, 2), (800, 3), (1500, 5)])
def test_numba_kernel_is_byte_identical_to_the_numpy_statistic(n: int, k: int) -> None:
    """The report's kernel computes the joint statistic from row indices, bit for bit."""
    rng = np.random.default_rng(n + k)
    data = np.column_stack([rng.normal(3e-4, 0.01, (n, k)), rng.uniform(0.0, 1e-4, n)])
    data[:, 1] = 1e-4  # a flat column: its excess over a varying rate is not flat
    data[:, 0] = data[:, k] if n > 2 else data[:, 0]  # excess exactly zero: Sharpe NaN
    spec = BootstrapSpec(reps=250)
    ours = _joint_replicates(data, _joint_stat(k), spec, "regime/QT")
    numpy = replicates(data, _joint_stat(k), spec, "regime/QT", batched=True)
    assert ours.shape == (250, 2 * k)
    assert ours.tobytes() == numpy.tobytes()
    if n > 2:
        assert np.isnan(ours[:, k]).all()


def test_one_column_keeps_the_numpy_statistic() -> None:
    """numpy sums a single column pairwise, which the kernel does not: numpy runs then."""
    data = np.column_stack([np.random.default_rng(5).normal(0.0, 0.01, 500), np.full(500, 1e-4)])
    spec = BootstrapSpec(reps=120)
    assert _joint_replicates(data, _joint_stat(1), spec, "k").tobytes() == \
        arch_replicates(data, _joint_stat(1), spec, "k").tobytes()


@pytest.mark.parametrize("n", [2, 9, 128, 129, 1000, 5001])
def test_batched_mean_is_byte_identical(n: int) -> None:
    """The scorecard's mean statistic over a stack of resamples equals one call each."""
    values = np.random.default_rng(n).normal(1e-3, 0.02, n)
    spec = BootstrapSpec(reps=150)
    batched = replicates(values, lambda a: np.atleast_1d(np.mean(a, axis=-1) * 252), spec, "m",
                         batched=True)
    assert batched.tobytes() == arch_replicates(
        values, lambda a: np.atleast_1d(np.mean(a) * 252), spec, "m").tobytes()
