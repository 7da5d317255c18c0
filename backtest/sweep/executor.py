"""Where sweep chunks run: in this process, or on a Dask cluster.

A sweep is cut into chunks of configurations whose working set fits a
memory budget (:func:`plan_chunks`); an executor maps one task function over
the chunks and returns the results in chunk order. Every configuration is
computed by the same code whatever the chunk or the machine, so a Dask run
gives results identical to a local one.

* :class:`LocalExecutor` — a plain loop.
* :class:`DaskExecutor` — ``distributed.Client`` on a scheduler address, or
  on a :class:`distributed.LocalCluster` it starts (and stops) itself. The
  shared inputs are scattered once to every worker.

Both show a progress bar with an ETA on stderr (:class:`ChunkProgress`) when
the work outlasts :data:`PROGRESS_AFTER` seconds and stderr is a terminal;
``QTBT_PROGRESS=1`` forces it on (e.g. in logs), ``QTBT_PROGRESS=0`` off.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any, Protocol

from backtest.exceptions import ParameterError, QtbtError

__all__ = [
    "DEFAULT_MAX_MEMORY",
    "PROGRESS_AFTER",
    "ChunkPlan",
    "ChunkProgress",
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "SchedulerUnreachableError",
    "format_bytes",
    "make_executor",
    "parse_bytes",
    "plan_chunks",
]

DEFAULT_MAX_MEMORY = 2 * 1024**3  # bytes of working set per process
MAX_CHUNK = 2000  # configurations per chunk, so progress and load balance stay fine-grained
PROGRESS_AFTER = 2.0  # seconds of work before a progress bar appears
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3,
          "gb": 1000**3, "t": 1000**4, "tb": 1000**4, "kib": 1024, "mib": 1024**2,
          "gib": 1024**3, "tib": 1024**4}


class SchedulerUnreachableError(QtbtError):
    """The Dask scheduler named by ``--scheduler`` could not be reached."""


def parse_bytes(text: str | int | float) -> int:
    """``"4GiB"``, ``"512MB"``, ``"1e9"`` or a number -> bytes.

    Raises
    ------
    ParameterError
        Unreadable text or a non-positive size.
    """
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([a-zA-Z]*)\s*", str(text))
        unit = m.group(2).lower() if m else ""
        if not m or unit not in _UNITS:
            raise ParameterError(
                f"--max-memory {text!r} is not a size; use e.g. 4GiB, 512MB or 2000000000."
            )
        value = float(m.group(1)) * _UNITS[unit]
    if not value > 0:
        raise ParameterError(f"--max-memory must be positive, got {text!r}.")
    return int(value)


def format_bytes(n: float) -> str:
    """Human-readable size in binary units (``1.5 GiB``)."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


@dataclass(frozen=True)
class ChunkPlan:
    """How a sweep is cut.

    Attributes
    ----------
    chunks : list of range
        Configuration positions per chunk, in order.
    per_variant : int
        Estimated working-set bytes of one configuration while its chunk runs.
    kept : int
        Estimated bytes of everything kept for all configurations
        (metrics, segment moments, daily returns if asked for).
    peak : int
        Estimated peak: ``kept + largest chunk * per_variant``.
    """

    chunks: list[range]
    per_variant: int
    kept: int
    peak: int


def plan_chunks(n_variants: int, per_variant: int, kept_per_variant: int,
                max_memory: int | None = None, chunk_size: int | None = None,
                min_chunks: int = 1) -> ChunkPlan:
    """Cut ``n_variants`` configurations into chunks that fit ``max_memory``.

    Parameters
    ----------
    n_variants : int
        Configurations in the sweep.
    per_variant : int
        Working-set bytes per configuration of a chunk (e.g. sessions x
        assets x 8 x k, see :func:`backtest.sweep.sweep.estimate_bytes`).
    kept_per_variant : int
        Bytes kept per configuration until the end.
    max_memory : int, optional
        Budget in bytes (default :data:`DEFAULT_MAX_MEMORY`).
    chunk_size : int, optional
        Configurations per chunk, overriding the automatic choice (still
        checked against the budget).
    min_chunks : int
        At least this many chunks (e.g. the number of Dask workers).

    Raises
    ------
    ParameterError
        When the kept results alone, or one chunk, exceed the budget; the
        message gives the estimate and what to change.
    """
    budget = DEFAULT_MAX_MEMORY if max_memory is None else int(max_memory)
    kept = n_variants * kept_per_variant
    room = budget - kept
    if room < per_variant:
        raise ParameterError(
            f"A sweep of {n_variants:,} configurations needs about {format_bytes(kept)} for its "
            f"results plus {format_bytes(per_variant)} per configuration being evaluated; "
            f"--max-memory {format_bytes(budget)} is too small. Raise --max-memory to at least "
            f"{format_bytes(kept + per_variant)} or sweep a smaller grid."
        )
    fit = max(1, room // max(per_variant, 1))
    if chunk_size is not None:
        if chunk_size < 1:
            raise ParameterError(f"--chunk-size must be at least 1, got {chunk_size}.")
        if chunk_size > fit:
            raise ParameterError(
                f"--chunk-size {chunk_size:,} needs about "
                f"{format_bytes(kept + chunk_size * per_variant)} "
                f"({format_bytes(per_variant)} per configuration); --max-memory "
                f"{format_bytes(budget)} allows {fit:,}. Lower --chunk-size or raise --max-memory."
            )
        size = chunk_size
    else:
        size = int(min(fit, MAX_CHUNK, max(1, -(-n_variants // max(min_chunks, 1)))))
    chunks = [range(a, min(a + size, n_variants)) for a in range(0, n_variants, size)]
    return ChunkPlan(chunks, per_variant, kept, kept + min(size, n_variants) * per_variant)


class ChunkProgress:
    """A progress bar with an ETA over chunks, on stderr, only for long work.

    The bar appears once ``after`` seconds have passed with chunks still to
    run, so short sweeps print nothing. It is drawn by ``rich`` and removed
    when done.

    Parameters
    ----------
    total : int
        Chunks to run.
    enabled : bool, optional
        Show the bar at all; default: ``$QTBT_PROGRESS`` (``1``/``0``) if
        set, else whether ``stream`` is a terminal.
    after : float
        Seconds before the bar appears (:data:`PROGRESS_AFTER`).
    stream : file, optional
        Where to draw (default ``sys.stderr``).
    label : str
        What is counted, shown before the bar.
    """

    def __init__(self, total: int, enabled: bool | None = None, after: float = PROGRESS_AFTER,
                 stream: IO[str] | None = None, label: str = "chunks") -> None:
        self.total = int(total)
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _progress_wanted(self.stream) if enabled is None else bool(enabled)
        self.after = float(after)
        self.label = label
        self.done = 0
        self.shown = False
        self._t0 = time.monotonic()
        self._bar: Any = None
        self._task: Any = None

    def advance(self, n: int = 1) -> None:
        """Count ``n`` finished chunks; start the bar once the work is long enough."""
        self.done += n
        if self._bar is None and self.enabled and self.done < self.total \
                and time.monotonic() - self._t0 >= self.after:
            self._start()
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        console = Console(file=self.stream, force_terminal=True)
        self._bar = Progress(TextColumn(f"{self.label}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                             console=console, transient=True)
        self._task = self._bar.add_task(self.label, total=self.total, completed=self.done)
        self._bar.start()
        self.shown = True

    def close(self) -> None:
        """Remove the bar (if it was shown)."""
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done)
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> ChunkProgress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _progress_wanted(stream: IO[str]) -> bool:
    env = os.environ.get("QTBT_PROGRESS", "").strip().lower()
    if env in ("1", "true", "yes", "always"):
        return True
    if env in ("0", "false", "no", "never"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty()) if callable(isatty) else False


class Executor(Protocol):
    """Maps ``fn(shared, item)`` over items and returns the results in order."""

    n_workers: int

    def map(self, fn: Callable[[Any, Any], Any], shared: Any,
            items: Sequence[Any]) -> list[Any]:
        """``[fn(shared, item) for item in items]``, wherever it runs."""
        ...  # pragma: no cover


class LocalExecutor:
    """Run every chunk in this process, one after another.

    Parameters
    ----------
    progress : bool, optional
        Progress bar (see :class:`ChunkProgress`); default: automatic.
    progress_after : float
        Seconds before the bar appears.
    """

    n_workers = 1

    def __init__(self, progress: bool | None = None,
                 progress_after: float = PROGRESS_AFTER) -> None:
        self.progress = progress
        self.progress_after = progress_after

    def map(self, fn: Callable[[Any, Any], Any], shared: Any,
            items: Sequence[Any]) -> list[Any]:
        """``[fn(shared, item) for item in items]``."""
        out = []
        with ChunkProgress(len(items), self.progress, self.progress_after) as bar:
            for item in items:
                out.append(fn(shared, item))
                bar.advance()
        return out

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None


class DaskExecutor:
    """Run chunks on a Dask cluster (started locally when no address is given).

    Parameters
    ----------
    scheduler : str, optional
        Scheduler address (``tcp://host:8786``). Default: start a
        ``LocalCluster`` of ``n_workers`` single-threaded worker processes
        on 127.0.0.1, without a dashboard; it is closed on exit.
    timeout : float
        Seconds to wait for the scheduler before giving up.
    n_workers : int, optional
        Workers of the local cluster (default: CPU count).
    progress : bool, optional
        Progress bar (see :class:`ChunkProgress`); default: automatic.
    memory_limit : int, optional
        Bytes per worker of the local cluster (Dask pauses a worker near it and
        restarts one that exceeds it); default Dask's, the machine's memory
        shared among the workers. A remote cluster keeps its own limits
        (``dask worker --memory-limit``).

    Use as a context manager::

        with DaskExecutor("tcp://10.0.0.5:8786") as ex:
            results = ex.map(fn, shared, chunks)
    """

    def __init__(self, scheduler: str | None = None, timeout: float = 10.0,
                 n_workers: int | None = None, progress: bool | None = None,
                 memory_limit: int | None = None) -> None:
        self.scheduler = scheduler
        self.progress = progress
        self.timeout = float(timeout)
        self.n_workers = int(n_workers or os.cpu_count() or 1)
        if memory_limit is not None and (isinstance(memory_limit, bool)
                                         or not isinstance(memory_limit, int)
                                         or memory_limit < 2**26):
            raise ParameterError(f"memory_limit must be a number of bytes of at least 64 MiB, "
                                 f"got {memory_limit!r}.")
        self.memory_limit = memory_limit
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - dask is a dependency
            raise QtbtError(
                "--executor dask needs dask[distributed]: pip install 'dask[distributed]', or "
                "use --executor local."
            ) from None
        if self.scheduler is None:
            self._cluster = LocalCluster(n_workers=self.n_workers, threads_per_worker=1,
                                         processes=True, host="127.0.0.1",
                                         dashboard_address=None,
                                         memory_limit=self.memory_limit or "auto")
            self._client = Client(self._cluster, timeout=self.timeout)
        else:
            try:
                self._client = Client(self.scheduler, timeout=self.timeout)
            except (OSError, TimeoutError, ValueError) as exc:
                raise SchedulerUnreachableError(
                    f"Cannot reach the Dask scheduler at {self.scheduler} within "
                    f"{self.timeout:g} s ({exc}). Check the address and that `dask scheduler` "
                    "is running there, or run on this machine with --executor local."
                ) from None
            workers = self._client.scheduler_info().get("workers", {})
            self.n_workers = max(1, len(workers))
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def map(self, fn: Callable[[Any, Any], Any], shared: Any,
            items: Sequence[Any]) -> list[Any]:
        """Scatter ``shared`` to every worker once, run one task per item; results in order."""
        if self._client is None:
            raise QtbtError("DaskExecutor.map needs an open executor: use `with DaskExecutor()`.")
        if not items:
            return []
        from distributed import as_completed

        remote = self._client.scatter(shared, broadcast=True)
        futures = self._client.map(fn, [remote] * len(items), list(items), pure=False)
        order = {f.key: i for i, f in enumerate(futures)}
        out: list[Any] = [None] * len(futures)
        with ChunkProgress(len(futures), self.progress) as bar:
            # each result is fetched as it completes and its future dropped, so a worker
            # holds only the chunks it has not handed back yet, not the whole sweep
            for done in as_completed(futures):
                out[order[done.key]] = done.result()  # raises the task's error, if any
                done.release()
                bar.advance()
        futures.clear()
        return out


def make_executor(kind: str, scheduler: str | None = None, timeout: float = 10.0,
                  n_workers: int | None = None) -> LocalExecutor | DaskExecutor:
    """``"local"`` or ``"dask"`` (``scheduler`` only with dask); not yet entered."""
    if kind == "local":
        if scheduler is not None:
            raise ParameterError("--scheduler needs --executor dask.")
        return LocalExecutor()
    if kind == "dask":
        return DaskExecutor(scheduler, timeout, n_workers)
    raise ParameterError(f"--executor must be local or dask, got {kind!r}.")
