"""Typed, frozen, hashable settings of a sweep and of its walk-forward validation.

:class:`SweepConfig` replaces the long argument lists of ``run_sweep`` and
the ``sweep``/``walkforward`` commands: the grid, the CSCV block count, how
the work is cut and where it runs, and (for a walk-forward) a
:class:`WalkForwardConfig`. Every field is checked on creation; a bad value
raises :class:`~backtest.exceptions.ParameterError` naming the field (and
its CLI option) and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from backtest.exceptions import ParameterError
from backtest.regimes.labels import LABELS
from backtest.runner.config import FrozenMap

__all__ = ["DEFAULT_SEED", "EXECUTORS", "MAX_MONTHS", "MAX_REPS", "MAX_SPLITS", "MIN_REPS",
           "SweepConfig", "WalkForwardConfig"]

EXECUTORS = ("local", "dask")
MAX_SPLITS = 20  # C(20, 10) = 184,756 CSCV splits
MAX_MONTHS = 600  # fifty years
MAX_SESSIONS = 2520  # ten years of sessions
MAX_CHUNK = 10_000_000  # configurations per chunk
DEFAULT_SEED = 20140101  # the SPA/StepM bootstrap's seed: reruns are identical
MIN_REPS = 100  # bootstrap resamples of SPA/StepM: fewer give p-values too coarse to read
MAX_REPS = 100_000


def _whole(name: str, value: object, low: int, high: int | None, optional: bool = False) -> None:
    if optional and value is None:
        return
    ok = isinstance(value, int) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):  # type: ignore[operator]
        top = f" to {high:,}" if high is not None else " or more"
        none = ", or None" if optional else ""
        raise ParameterError(f"{name} must be a whole number from {low}{top}{none}; got "
                             f"{value!r}.")


@dataclass(frozen=True)
class WalkForwardConfig:
    """How a sweep is validated out of sample.

    Attributes
    ----------
    train_months : int
        In-sample window of the rolling scheme, calendar months (1 to 600).
    test_months : int
        Out-of-sample window and step of rolling and expanding schemes,
        calendar months (1 to 600).
    regimes : tuple of str, optional
        Regimes for leave-one-episode-out (default: every regime with two or
        more episodes).
    min_sessions : int
        Shortest episode and shortest test window kept, sessions (1 to 2520).
    """

    train_months: int = 36
    test_months: int = 12
    regimes: tuple[str, ...] | None = None
    min_sessions: int = 20

    def __post_init__(self) -> None:
        _whole("train_months (--train-months)", self.train_months, 1, MAX_MONTHS)
        _whole("test_months (--test-months)", self.test_months, 1, MAX_MONTHS)
        _whole("min_sessions (--min-sessions)", self.min_sessions, 1, MAX_SESSIONS)
        if self.regimes is not None:
            if isinstance(self.regimes, str) or not isinstance(self.regimes, Sequence):
                raise ParameterError(
                    f"regimes must be a tuple of regime labels, e.g. ('QT',); got "
                    f"{self.regimes!r}."
                )
            unknown = [r for r in self.regimes if r not in LABELS]
            if unknown:
                raise ParameterError(f"--regimes {unknown} unknown; choose from "
                                     f"{', '.join(LABELS)}.")
            object.__setattr__(self, "regimes", tuple(self.regimes))


def _freeze_grid(grid: object) -> FrozenMap:
    if not isinstance(grid, Mapping):
        raise ParameterError(
            f"grid must map parameter names to values, e.g. {{'qt_tilt': (0.2, 0.6)}}; got "
            f"{grid!r}."
        )
    out: dict[str, tuple[Any, ...]] = {}
    for name, values in grid.items():
        if isinstance(values, str | bytes) or not isinstance(values, Sequence):
            raise ParameterError(
                f"grid[{name!r}] must be a sequence of values, e.g. (0.2, 0.6); got {values!r}."
            )
        out[str(name)] = tuple(values)
    return FrozenMap(out)


@dataclass(frozen=True)
class SweepConfig:
    """Everything about a sweep beyond the run configuration.

    Attributes
    ----------
    grid : mapping
        Parameter -> values to sweep; empty means the strategy's default grid.
    n_splits : int
        CSCV blocks for the probability of backtest overfitting (even, 2 to 20).
    max_memory : int, optional
        Working-set budget in bytes; chunks are sized to fit it.
    chunk_size : int, optional
        Configurations per chunk (checked against the budget).
    monthly_segments : bool
        Keep moments per calendar month (always on with ``walkforward``).
    keep_returns : bool
        Keep the daily returns of every configuration.
    executor : {"local", "dask"}
        Where chunks run when no executor object is given.
    scheduler : str, optional
        Dask scheduler address (default: start a local cluster).
    scheduler_timeout : float
        Seconds to wait for the Dask scheduler (> 0, at most 3600).
    workers : int, optional
        Workers of the local Dask cluster (default: CPU count).
    walkforward : WalkForwardConfig, optional
        Validate the sweep out of sample with these settings.
    benchmark : str, optional
        The benchmark the best configuration's deflated Sharpe ratio is
        measured against (default: the run's first benchmark); SPA and StepM
        test every benchmark of the run and this one.
    reps : int
        Bootstrap resamples of the SPA and StepM tests (0 skips them; else
        100 to 100,000).
    seed : int
        Seed of their stationary bootstrap (0 to 2**32 - 1): reruns are identical.
    """

    grid: Mapping[str, tuple[Any, ...]] = field(default_factory=FrozenMap)
    n_splits: int = 16
    max_memory: int | None = None
    chunk_size: int | None = None
    monthly_segments: bool = False
    keep_returns: bool = False
    executor: Literal["local", "dask"] = "local"
    scheduler: str | None = None
    scheduler_timeout: float = 10.0
    workers: int | None = None
    walkforward: WalkForwardConfig | None = None
    benchmark: str | None = None
    reps: int = 1000
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        object.__setattr__(self, "grid", _freeze_grid(self.grid))
        if self.reps != 0:
            _whole("reps (--reps)", self.reps, MIN_REPS, MAX_REPS)
        _whole("seed (--seed)", self.seed, 0, 2**32 - 1)
        if self.benchmark is not None and (not isinstance(self.benchmark, str)
                                           or not self.benchmark.strip()):
            raise ParameterError(f"benchmark (--benchmark) must be a strategy name, e.g. "
                                 f"'sixty_forty'; got {self.benchmark!r}.")
        _whole("n_splits (--splits)", self.n_splits, 2, MAX_SPLITS)
        if self.n_splits % 2:
            raise ParameterError(f"--splits must be an even number >= 2, got {self.n_splits}.")
        _whole("max_memory (bytes)", self.max_memory, 1, None, optional=True)
        _whole("chunk_size (--chunk-size)", self.chunk_size, 1, MAX_CHUNK, optional=True)
        _whole("workers (--workers)", self.workers, 1, 1024, optional=True)
        if self.executor not in EXECUTORS:
            raise ParameterError(f"executor (--executor) must be local or dask, got "
                                 f"{self.executor!r}.")
        t = self.scheduler_timeout
        if isinstance(t, bool) or not isinstance(t, int | float) or not (
                math.isfinite(t) and 0 < t <= 3600):
            raise ParameterError(f"scheduler_timeout (--scheduler-timeout) must be seconds "
                                 f"above 0 and at most 3600; got {t!r}.")
        if self.walkforward is not None and not isinstance(self.walkforward,
                                                           WalkForwardConfig):
            raise ParameterError(f"walkforward must be a WalkForwardConfig or None; got "
                                 f"{self.walkforward!r}.")

    @classmethod
    def given(cls, settings: SweepConfig | None = None,
              grid: Mapping[str, Sequence[Any]] | None = None, **options: Any) -> SweepConfig:
        """``settings`` (default ``SweepConfig()``) with ``grid`` and single fields replaced.

        Raises
        ------
        ParameterError
            ``settings`` not a SweepConfig, or an option that is not a field.
        """
        base = settings if settings is not None else cls()
        if not isinstance(base, SweepConfig):
            raise ParameterError(f"settings must be a SweepConfig; got {base!r}.")
        allowed = [f.name for f in fields(cls) if f.name != "grid"]
        unknown = sorted(set(options) - set(allowed))
        if unknown:
            raise ParameterError(f"run_sweep got unknown option(s) {unknown}; allowed: "
                                 f"{', '.join(allowed)} (or settings=SweepConfig(...)).")
        changes = {**options, **({"grid": grid} if grid is not None else {})}
        return replace(base, **changes) if changes else base

    @property
    def segments_by_month(self) -> bool:
        """Whether the sweep keeps moments per month (asked for, or needed by walk-forward)."""
        return self.monthly_segments or self.walkforward is not None
