"""Bounded, retrying downloads shared by the network providers.

Two helpers:

* :func:`get_with_retries` downloads a URL with :mod:`requests`, retrying
  connection errors, timeouts, HTTP 429 and 5xx with exponential backoff.
* :func:`retry_call` retries an arbitrary download function (``fredapi``,
  ``yfinance``) that signals a retryable failure by raising
  :class:`TransientError`, and bounds each attempt's wall time.

Both bound the total wall time and, on final failure, raise
:class:`~backtest.exceptions.NetworkError` whose message names what was
being downloaded, where from, the last error, and how to work without the
network (``--data-dir`` or the cache).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests

from backtest.exceptions import NetworkError, SeriesNotAvailableError

__all__ = [
    "USER_AGENT",
    "TransientError",
    "get_with_retries",
    "network_error",
    "retry_call",
    "run_with_timeout",
]

T = TypeVar("T")

USER_AGENT = "qtbt/0.1 (Fed balance-sheet backtester; python-requests)"

_MAX_SLEEP = 30.0  # seconds; cap of one backoff pause


class TransientError(Exception):
    """A download failure worth retrying (connection lost, timeout, server busy).

    ``retry_after`` is the server's ``Retry-After`` wait in seconds, if it sent one.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Attempt:
    """One GET of a download: where, how long, and what it is, for messages."""

    url: str
    timeout: float
    what: str
    start: float
    deadline: float
    max_time: float

    def fetch(self, sess: requests.Session, attempts: int) -> bytes:
        """The body of a 2xx answer; TransientError for what is worth retrying."""
        with sess.get(self.url, timeout=(self.timeout, self.timeout), stream=True,
                      headers={"User-Agent": USER_AGENT}) as resp:
            status = resp.status_code
            if status == 404:
                raise SeriesNotAvailableError(
                    f"{self.what} is not available: {self.url} returned HTTP 404 Not Found, "
                    "so the provider does not know this symbol. Check the id "
                    "(`qtbt data list` shows the supported ones), or pass --data-dir "
                    "to a snapshot that holds the file."
                )
            if status == 429 or status >= 500:
                raise TransientError(f"HTTP {status} {resp.reason}", _retry_after(resp))
            if status >= 400:
                raise network_error(
                    self.what, self.url,
                    f"HTTP {status} {resp.reason} (a client error, not retried)",
                    attempts, time.monotonic() - self.start,
                )
            chunks: list[bytes] = []
            for chunk in resp.iter_content(chunk_size=1 << 16):
                chunks.append(chunk)
                if time.monotonic() > self.deadline:
                    raise TransientError(
                        f"the download exceeded the {self.max_time:.0f} s time budget"
                    )
            return b"".join(chunks)


def network_error(
    what: str, origin: str, last_error: str, attempts: int, elapsed: float, note: str = ""
) -> NetworkError:
    """Build the :class:`NetworkError` raised when every attempt failed.

    Parameters
    ----------
    what : str
        What was being downloaded, e.g. ``"FRED series WALCL"``.
    origin : str
        URL (or ``library:symbol``) it was downloaded from.
    last_error : str
        Description of the last failure.
    attempts : int
        Number of attempts made.
    elapsed : float
        Wall time spent, in seconds.
    note : str
        Extra, source-specific explanation appended before the fix.

    Returns
    -------
    NetworkError
        The error, ready to raise.
    """
    extra = f" {note}" if note else ""
    return NetworkError(
        f"Could not download {what} from {origin}: {last_error} (gave up after "
        f"{attempts} attempt{'s' if attempts != 1 else ''} in {elapsed:.1f} s).{extra} "
        "Check your internet connection and try again. To work without the network, "
        "pass --data-dir pointing to a local snapshot (a folder laid out like shared/data), "
        "or use the cache: run `qtbt data pull` once while online, then add --offline to "
        "read only the cache."
    )


def _backoff_delay(backoff: float, attempt: int, retry_after: float | None = None) -> float:
    """Seconds to wait before retry number ``attempt + 1`` (exponential, capped)."""
    if backoff <= 0:
        return 0.0
    delay = backoff * (2.0**attempt)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, _MAX_SLEEP)


def _retry_after(resp: requests.Response) -> float | None:
    """The ``Retry-After`` header in seconds, when it is a plain number."""
    value = resp.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _describe(exc: BaseException) -> str:
    text = str(exc) or repr(exc)
    return f"{type(exc).__name__}: {text}"


def get_with_retries(
    url: str,
    *,
    timeout: float,
    retries: int,
    backoff: float = 0.5,
    session: requests.Session | None = None,
    what: str,
    max_time: float | None = None,
) -> bytes:
    """Download ``url`` and return the response body.

    Parameters
    ----------
    url : str
        The URL to GET.
    timeout : float
        Seconds allowed to connect, and seconds allowed between two received
        bytes (the ``requests`` connect and read timeouts).
    retries : int
        Retries after the first attempt (``retries + 1`` attempts at most).
        Connection errors, timeouts, HTTP 429 and 5xx are retried; other
        HTTP errors are not.
    backoff : float
        Seconds to wait before the first retry; doubled before each further
        one (capped at 30 s). ``0`` retries at once (used by tests). A
        ``Retry-After`` header of a 429/503 answer lengthens the wait.
    session : requests.Session, optional
        Session to use (a new one is created and closed otherwise).
    what : str
        What is downloaded, for messages, e.g. ``"FRED series WALCL"``.
    max_time : float, optional
        Total wall-time budget in seconds over all attempts and pauses.
        Default: ``2 * timeout`` per attempt plus the backoff pauses.

    Returns
    -------
    bytes
        The body of the first successful (2xx) response.

    Raises
    ------
    SeriesNotAvailableError
        HTTP 404: the provider does not know the symbol.
    NetworkError
        Every attempt failed, a non-retryable HTTP error (400, 401, 403, ...)
        was returned, or the wall-time budget ran out. The message names
        ``what``, the URL and the last error, and suggests ``--data-dir`` or
        the cache.
    """
    if retries < 0:
        raise ValueError(f"retries must be >= 0, got {retries}")
    attempts_allowed = retries + 1
    if max_time is None:
        pauses = sum(_backoff_delay(backoff, i) for i in range(retries))
        max_time = attempts_allowed * 2.0 * timeout + pauses
    start = time.monotonic()
    deadline = start + max_time
    get = _Attempt(url, timeout, what, start, deadline, max_time)
    own = session is None
    sess = requests.Session() if session is None else session
    last_error = "no attempt was made"
    attempts = 0
    try:
        for attempt in range(attempts_allowed):
            attempts = attempt + 1
            retry_after: float | None = None
            try:
                return get.fetch(sess, attempts)
            except TransientError as exc:
                last_error = str(exc)
                retry_after = exc.retry_after
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as exc:
                last_error = _describe(exc)
            except requests.RequestException as exc:  # invalid URL, too many redirects, ...
                raise network_error(
                    what, url, _describe(exc), attempts, time.monotonic() - start
                ) from exc
            if attempt == attempts_allowed - 1:
                break
            pause = _backoff_delay(backoff, attempt, retry_after)
            if time.monotonic() + pause >= deadline:
                last_error += f"; no time left in the {max_time:.0f} s budget for a retry"
                break
            if pause > 0:
                time.sleep(pause)
    finally:
        if own:
            sess.close()
    raise network_error(what, url, last_error, attempts, time.monotonic() - start)


def run_with_timeout(fn: Callable[[], T], seconds: float) -> T:
    """Call ``fn()`` in a daemon thread and wait at most ``seconds`` for it.

    For libraries without a usable timeout (``fredapi`` calls ``urlopen``
    with none). A call that runs over is abandoned: its thread keeps running
    in the background until the library returns, but the caller moves on.

    Parameters
    ----------
    fn : callable
        Function of no arguments.
    seconds : float
        Wall-time limit in seconds.

    Returns
    -------
    object
        What ``fn`` returned.

    Raises
    ------
    TransientError
        If ``fn`` did not return within ``seconds``.
    Exception
        Whatever ``fn`` raised, re-raised in the caller.
    """
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised in the calling thread
            box["error"] = exc

    worker = threading.Thread(target=target, name="qtbt-download", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TransientError(f"no answer within {seconds:.0f} s")
    if "error" in box:
        err = box["error"]
        assert isinstance(err, BaseException)
        raise err
    return box["value"]  # type: ignore[return-value]


def retry_call(
    fn: Callable[[], T],
    *,
    retries: int,
    backoff: float,
    what: str,
    origin: str,
    attempt_timeout: float,
    note: str | Callable[[str], str] = "",
) -> T:
    """Call ``fn`` until it succeeds, retrying :class:`TransientError`.

    Parameters
    ----------
    fn : callable
        One download attempt. Raises :class:`TransientError` for a failure
        worth retrying; any other exception ends the retries and propagates.
    retries : int
        Retries after the first attempt (``retries + 1`` attempts at most).
    backoff : float
        Seconds before the first retry, doubled each time (capped at 30 s).
    what : str
        What is downloaded, for the error message.
    origin : str
        Where from (URL or ``library:symbol``), for the error message.
    attempt_timeout : float
        Wall-time limit of one attempt in seconds (see :func:`run_with_timeout`).
    note : str or callable
        Source-specific explanation added to the final error message, or a
        function of the last error's text that returns it.

    Returns
    -------
    object
        What the first successful attempt returned.

    Raises
    ------
    NetworkError
        Every attempt failed with :class:`TransientError`.
    """
    if retries < 0:
        raise ValueError(f"retries must be >= 0, got {retries}")
    start = time.monotonic()
    last_error = "no attempt was made"
    attempts = 0
    for attempt in range(retries + 1):
        attempts = attempt + 1
        try:
            return run_with_timeout(fn, attempt_timeout)
        except TransientError as exc:
            last_error = str(exc)
        if attempt < retries:
            pause = _backoff_delay(backoff, attempt)
            if pause > 0:
                time.sleep(pause)
    text = note(last_error) if callable(note) else note
    raise network_error(what, origin, last_error, attempts, time.monotonic() - start, text)
