"""Stationary block bootstrap (Politis and Romano, 1994) with seeded, reproducible intervals.

Conventions
-----------
* Resampling is that of :class:`arch.bootstrap.StationaryBootstrap` (the same
  draws, laid out for all resamples at once by :func:`resample_indices`): blocks of
  consecutive rows with geometrically distributed lengths (mean
  :attr:`BootstrapSpec.block` sessions), wrapping around the end of the
  sample. Rows of a 2-D sample are resampled together, so statistics of
  several series (a strategy and its benchmarks) keep their co-movement.
* Intervals are percentile intervals: the ``(1 - level) / 2`` and
  ``(1 + level) / 2`` quantiles (numpy's linear rule) of the replicates.
* Every bootstrap draws from its own generator, seeded with
  ``(BootstrapSpec.seed, crc32(key))`` where ``key`` names what is being
  resampled (``"regime/QT"``, say): the same data and settings give the same
  bytes, and adding a regime never changes another regime's interval.
* A statistic that is undefined in more than 5 % of the replicates (a Sharpe
  ratio of mostly flat resamples) gets no interval (NaN).
"""

from __future__ import annotations

import math
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from backtest.exceptions import ParameterError

__all__ = [
    "MAX_REPS",
    "REPLICATE_BYTES",
    "BootstrapSpec",
    "annualised_mean",
    "percentile_interval",
    "replicates",
    "resample_indices",
    "verdict",
]

_MAX_UNDEFINED = 0.05
#: most resamples accepted (100,000 keeps a run report under a minute and ~5 MB per table)
MAX_REPS = 100_000
#: bytes held per resample by a run's interval table (6 statistics x 8 bytes)
REPLICATE_BYTES = 48
#: bytes of resample indices held at once (a chunk of resamples)
_CHUNK_BYTES = 32 * 1024**2
#: bytes of resampled data per batch given to a batched statistic (cache-sized chunks)
_BATCH_BYTES = 4 * 1024**2
StatFunc = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class BootstrapSpec:
    """Settings of the stationary block bootstrap behind every interval.

    Parameters
    ----------
    block : int
        Mean block length, in observations (sessions for daily data; a weekly
        statistic uses ``max(1, block // 5)`` weeks). Default 20 (about a
        month), long enough to keep volatility clustering and autocorrelated
        changes inside blocks.
    reps : int
        Number of resamples. Default 1000.
    level : float
        Coverage of the two-sided percentile interval, in (0, 1). Default 0.95.
    seed : int
        Base seed; each bootstrap mixes in a hash of its key.
    """

    block: int = 20
    reps: int = 1000
    level: float = 0.95
    seed: int = 20170920

    def __post_init__(self) -> None:
        if not isinstance(self.block, int) or self.block < 1:
            raise ParameterError(
                f"bootstrap block must be a whole number of sessions >= 1, got {self.block!r}."
            )
        if isinstance(self.reps, bool) or not isinstance(self.reps, int) or self.reps < 100:
            raise ParameterError(
                f"bootstrap reps must be a whole number >= 100, got {self.reps!r}."
            )
        if self.reps > MAX_REPS:
            raise ParameterError(
                f"bootstrap reps must be at most {MAX_REPS:,}, got {self.reps:,}: that many "
                f"resamples would hold about {_size(self.reps * REPLICATE_BYTES)} of replicates "
                "per interval table and take correspondingly long. The default 1000 gives "
                "stable 95 % intervals; use up to 10,000 for smoother tails."
            )
        if not 0.5 <= float(self.level) < 1.0:
            raise ParameterError(
                f"interval level must be in [0.5, 1), e.g. 0.95; got {self.level!r}."
            )

    def weekly(self) -> BootstrapSpec:
        """The same settings for weekly observations (block in weeks)."""
        return BootstrapSpec(max(1, self.block // 5), self.reps, self.level, self.seed)

    def describe(self) -> str:
        """One line for reports: method, block, resamples, level, seed."""
        return (f"stationary block bootstrap (Politis-Romano), mean block {self.block} "
                f"sessions, {self.reps} resamples, {self.level:.0%} percentile intervals, "
                f"seed {self.seed}")


def _size(n_bytes: float) -> str:
    """``n_bytes`` in binary units (``43.7 TiB``)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n_bytes < 1024.0 or unit == "TiB":
            return f"{n_bytes:,.1f} {unit}"
        n_bytes /= 1024.0
    return f"{n_bytes:,.1f} TiB"


def _generator(spec: BootstrapSpec, key: str) -> np.random.Generator:
    return np.random.default_rng([spec.seed, zlib.crc32(key.encode("utf-8"))])


def replicates(data: np.ndarray, stat: StatFunc, spec: BootstrapSpec, key: str,
               batched: bool = False) -> np.ndarray:
    """Bootstrap replicates of ``stat`` over stationary-block resamples of ``data``'s rows.

    Parameters
    ----------
    data : ndarray
        1-D (observations) or 2-D (observations x series) array, no NaN.
    stat : callable
        Maps a resample (same shape as ``data``) to a 1-D array of statistics.
    spec : BootstrapSpec
        Block length, number of resamples and seed.
    key : str
        Names the bootstrap (mixed into the seed).
    batched : bool
        ``stat`` also takes a stack of resamples, ``(k, *data.shape)``, and returns
        ``(k, m)``, each row equal to its value on that resample alone: it is then
        called once per chunk of resamples instead of once per resample.

    Returns
    -------
    ndarray
        ``(spec.reps, m)`` replicates; all NaN when ``data`` has fewer than
        two rows (no interval from a single observation).
    """
    arr = np.asarray(data, dtype="float64")
    if len(arr) < 2:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # a statistic of one row
            m = int(np.asarray(stat(arr)).size) if len(arr) else 1
        return np.full((spec.reps, max(m, 1)), np.nan)
    rows: list[np.ndarray] = []
    # indices are 8 bytes a row, like the data of a 1-column sample
    chunk = _BATCH_BYTES // max(1, arr[0].size) if batched else _CHUNK_BYTES
    for idx in resample_indices(len(arr), spec, key, chunk_bytes=chunk):
        if batched:
            rows.append(np.asarray(stat(arr[idx]), dtype="float64").reshape(len(idx), -1))
        else:
            rows.extend(np.atleast_1d(np.asarray(stat(arr[i]), dtype="float64")).reshape(1, -1)
                        for i in idx)
    return np.concatenate(rows).reshape(spec.reps, -1)


def resample_indices(n: int, spec: BootstrapSpec, key: str,
                     chunk_bytes: int = _CHUNK_BYTES) -> Iterator[np.ndarray]:
    """Row indices of every stationary-block resample, in chunks of ``(resamples, n)``.

    The draws are those of ``arch.bootstrap.StationaryBootstrap`` seeded with the same
    generator, in the same order (per resample: ``n`` block starts, then ``n`` uniforms),
    so the resamples are identical to arch's; the blocks are then laid out for all the
    resamples of a chunk at once by a numba kernel instead of one sampler call each.

    Parameters
    ----------
    n : int
        Observations in the sample (at least 1).
    spec : BootstrapSpec
        Mean block length (observations), resamples and seed.
    key : str
        Names the bootstrap (mixed into the seed).
    chunk_bytes : int
        Bytes of index array per chunk (as many again of uniforms are held while it is
        laid out; bounds memory for large ``spec.reps``).

    Yields
    ------
    ndarray
        ``(k, n)`` int64 row indices, ``k`` resamples each, ``spec.reps`` in all.
    """
    from backtest.report.bootstrap_nb import lay_out_blocks

    gen = _generator(spec, key)
    p = 1.0 / spec.block
    per_chunk = max(1, chunk_bytes // (8 * n))
    for first in range(0, spec.reps, per_chunk):
        k = min(per_chunk, spec.reps - first)
        starts = np.empty((k, n), dtype=np.int64)
        uniforms = np.empty((k, n))
        for r in range(k):  # the generator's order: a resample's integers, then its uniforms
            starts[r] = gen.integers(n, size=n, dtype=np.int64)
            gen.random(n, out=uniforms[r])
        yield lay_out_blocks(starts, uniforms, p)


def percentile_interval(reps: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper percentile bounds per column of ``reps`` (NaN when undefined).

    ``reps`` is ``(resamples,)`` or ``(resamples, statistics)``. A column
    whose replicates are NaN more than 5 % of the time has no interval;
    otherwise NaN replicates are ignored.
    """
    arr = np.asarray(reps, dtype="float64")
    r = arr.reshape(len(arr), -1)
    lo = np.full(r.shape[1], np.nan)
    hi = np.full(r.shape[1], np.nan)
    tail = (1.0 - level) / 2.0
    for j in range(r.shape[1]):
        col = r[:, j]
        ok = col[np.isfinite(col)]
        if len(ok) == 0 or 1.0 - len(ok) / len(col) > _MAX_UNDEFINED:
            continue
        lo[j], hi[j] = np.quantile(ok, [tail, 1.0 - tail])
    return lo, hi


def annualised_mean(x: np.ndarray, periods: int) -> np.ndarray:
    """Column means times ``periods`` (252 for daily, 52 for weekly data)."""
    return np.atleast_1d(np.mean(x, axis=0) * periods)


def verdict(low: float, high: float, direction: int) -> str:
    """``supported``, ``contradicted`` or ``inconclusive`` for a claimed sign.

    Parameters
    ----------
    low, high : float
        Interval bounds.
    direction : {1, -1}
        The sign the claim predicts for the statistic.

    Returns
    -------
    str
        ``supported`` when the interval excludes zero on the claimed side,
        ``contradicted`` when it excludes zero on the other side, otherwise
        (or when the interval is undefined) ``inconclusive``.
    """
    if direction not in (1, -1):
        raise ParameterError(f"direction must be 1 or -1, got {direction!r}.")
    if not (math.isfinite(low) and math.isfinite(high)):
        return "inconclusive"
    if direction * low > 0 and direction * high > 0:
        return "supported"
    if direction * low < 0 and direction * high < 0:
        return "contradicted"
    return "inconclusive"
