"""Yahoo Finance daily prices through ``yfinance``.

qtbt asks yfinance for the unadjusted OHLC plus ``Adj Close`` (the
dividend-and-split adjusted close) and ``Volume``, the layout of the snapshot
files ``yahoo/<TICKER>.csv``.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Callable, Iterator

import pandas as pd

from backtest.data.catalog import SeriesSpec
from backtest.data.providers.base import Fetched, content_sha256, utc_now_iso
from backtest.data.providers.http import TransientError, retry_call
from backtest.exceptions import DataFormatError

__all__ = ["OHLCV_COLUMNS", "Downloader", "YahooProvider", "normalize_ohlcv", "quiet_yfinance",
           "yfinance_history"]

OHLCV_COLUMNS: tuple[str, ...] = ("Open", "High", "Low", "Close", "Adj Close", "Volume")

Downloader = Callable[[str, float], pd.DataFrame]
"""``downloader(symbol, timeout_seconds) -> DataFrame`` as ``yfinance`` returns it."""

_EMPTY_PREFIX = "yfinance returned no rows"
_EMPTY_NOTE = (
    "yfinance returns an empty table both for unknown symbols and for network failures "
    "(it logs the reason instead of raising), so check that the symbol exists on "
    "https://finance.yahoo.com and that Yahoo is reachable; Yahoo also rate-limits "
    "repeated downloads, so waiting a few minutes can help."
)


def yfinance_history(symbol: str, timeout: float) -> pd.DataFrame:
    """Full daily history of ``symbol`` from yfinance.

    Parameters
    ----------
    symbol : str
        Yahoo symbol (``SPY``, ``^GSPC``).
    timeout : float
        Seconds allowed per HTTP request made by yfinance.

    Returns
    -------
    DataFrame
        yfinance's frame: ``Open, High, Low, Close, Adj Close, Volume``
        indexed by exchange-local midnight timestamps (tz-aware), or an empty
        frame when yfinance failed.
    """
    import yfinance as yf  # imported lazily: slow, and tests replace the downloader

    with quiet_yfinance():
        frame = yf.Ticker(symbol).history(
            period="max",
            interval="1d",
            auto_adjust=False,
            actions=False,
            repair=False,
            timeout=timeout,
        )
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()


@contextlib.contextmanager
def quiet_yfinance() -> Iterator[None]:
    """Silence the ``yfinance`` logger (and what it prints) for the duration of a call.

    yfinance logs every failed request (a dozen lines offline) and then
    returns an empty frame; qtbt reports the failure itself in one line.
    """
    logger = logging.getLogger("yfinance")
    old_level, old_propagate = logger.level, logger.propagate
    logger.setLevel(logging.CRITICAL + 1)
    logger.propagate = False
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def normalize_ohlcv(frame: pd.DataFrame, symbol: str, origin: str) -> pd.DataFrame:
    """Bring a yfinance frame to qtbt's layout.

    Parameters
    ----------
    frame : DataFrame
        As returned by ``Ticker.history`` or ``yf.download`` (single- or
        two-level columns), with ``Adj Close`` present.
    symbol : str
        The Yahoo symbol, for messages.
    origin : str
        ``yfinance:<symbol>``, for messages.

    Returns
    -------
    DataFrame
        Float columns ``Open, High, Low, Close, Adj Close, Volume`` (USD per
        share, index points for indices; shares), indexed by tz-naive dates
        at midnight (``DatetimeIndex`` named ``date``, strictly increasing).

    Raises
    ------
    TransientError
        The frame is empty (retryable: see the module notes on yfinance).
    DataFormatError
        Columns are missing or the index is not made of dates.
    """
    if frame is None or frame.empty:
        raise TransientError(f"{_EMPTY_PREFIX} for {symbol!r}")
    frame = frame.copy()
    if isinstance(frame.columns, pd.MultiIndex):
        # yf.download(..., multi_level_index=True) gives (Price, Ticker) columns
        level = next(
            (i for i in range(frame.columns.nlevels)
             if "Close" in frame.columns.get_level_values(i)),
            0,
        )
        frame.columns = frame.columns.get_level_values(level)
    missing = [c for c in OHLCV_COLUMNS if c not in frame.columns]
    if missing:
        raise DataFormatError(
            f"{origin}: yfinance returned columns {[str(c) for c in frame.columns]}, missing "
            f"{missing}. qtbt needs auto_adjust=False so that 'Adj Close' is present; a custom "
            "downloader must return Open, High, Low, Close, Adj Close, Volume."
        )
    try:
        idx = pd.DatetimeIndex(frame.index)
    except (TypeError, ValueError) as exc:
        raise DataFormatError(
            f"{origin}: yfinance returned an index that is not dates ({exc}); expected daily "
            "timestamps. Upgrade yfinance or pass --data-dir to a snapshot."
        ) from exc
    if idx.tz is not None:
        idx = idx.tz_localize(None)  # exchange-local midnight -> naive date, no shift
    out = frame.loc[:, list(OHLCV_COLUMNS)].astype("float64")
    # from a plain array: no inferred ``freq`` (pandas may infer one on normalize)
    out.index = pd.DatetimeIndex(idx.normalize().to_numpy(), name="date").as_unit("ns")
    out.columns = pd.Index(list(OHLCV_COLUMNS))
    out = out[~out.index.duplicated(keep="last")].sort_index()
    return out


class YahooProvider:
    """Download daily OHLCV from Yahoo Finance with yfinance.

    Parameters
    ----------
    timeout : float
        Seconds per HTTP request made by yfinance; one download attempt
        (yfinance makes up to three requests: time zone, cookie, prices) is
        given at most ``3 * timeout`` of wall time.
    retries : int
        Retries after the first attempt (``retries + 1`` attempts at most).
        An empty answer is retried too (yfinance's way of failing).
    backoff : float
        Seconds before the first retry, doubled each time; ``0`` in tests.
    downloader : callable, optional
        ``downloader(symbol, timeout) -> DataFrame``; defaults to
        :func:`yfinance_history`. Tests pass a recorded frame here.
    """

    name = "yahoo"

    def __init__(
        self,
        timeout: float = 15.0,
        retries: int = 3,
        backoff: float = 0.5,
        downloader: Downloader | None = None,
    ) -> None:
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.downloader: Downloader = downloader or yfinance_history

    def fetch(self, spec: SeriesSpec) -> Fetched:
        """Download the full daily history of ``spec``.

        Parameters
        ----------
        spec : SeriesSpec
            A catalog entry whose source is ``yahoo``.

        Returns
        -------
        Fetched
            ``Open, High, Low, Close, Adj Close, Volume`` as floats; source
            ``yfinance``, origin ``yfinance:<symbol>``.

        Raises
        ------
        NetworkError
            yfinance raised or returned nothing on every attempt (unknown
            symbol or network failure: yfinance does not tell them apart).
        DataFormatError
            yfinance returned a frame without the expected columns.
        """
        symbol = spec.provider_symbol
        origin = f"yfinance:{symbol}"

        def attempt() -> pd.DataFrame:
            try:
                raw = self.downloader(symbol, self.timeout)
            except Exception as exc:  # yfinance raises many types (rate limit, curl, json)
                raise TransientError(f"yfinance raised {type(exc).__name__}: {exc}") from exc
            return normalize_ohlcv(raw, symbol, origin)

        data = retry_call(
            attempt,
            retries=self.retries,
            backoff=self.backoff,
            what=f"Yahoo prices of {spec.id} ({symbol})",
            origin=origin,
            attempt_timeout=3.0 * self.timeout,
            note=lambda last: _EMPTY_NOTE if last.startswith(_EMPTY_PREFIX) else "",
        )
        return Fetched(
            data=data,
            source="yfinance",
            origin=origin,
            sha256=content_sha256(data),
            fetched_at=utc_now_iso(),
        )
