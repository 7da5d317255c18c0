"""FRED series: the official API through ``fredapi`` with a key, else the keyless CSV.

Without an API key qtbt downloads FRED's public graph CSV
(``https://fred.stlouisfed.org/graph/fredgraph.csv?id=<ID>``), whose header is
``observation_date,<ID>`` (``DATE,<ID>`` on older FRED) and whose missing
values are ``.`` or empty. With a key (argument or ``$FRED_API_KEY``) it uses
``fredapi.Fred(api_key=...).get_series(<ID>)``.
"""

from __future__ import annotations

import http.client
import os
import urllib.error
import urllib.parse
import xml.etree.ElementTree as ET

import pandas as pd
import requests

from backtest.data.catalog import SeriesSpec
from backtest.data.csvio import parse_observation_csv
from backtest.data.providers.base import Fetched, content_sha256, utc_now_iso
from backtest.data.providers.http import (
    TransientError,
    get_with_retries,
    retry_call,
)
from backtest.exceptions import DataFormatError, NetworkError, SeriesNotAvailableError

__all__ = ["FRED_CSV_URL", "FredProvider", "parse_fred_csv"]

FRED_CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"

_TRANSIENT_API_WORDS = ("too many requests", "server error", "unavailable", "timed out")


def parse_fred_csv(body: bytes, symbol: str, origin: str) -> pd.DataFrame:
    """Parse FRED's keyless graph CSV.

    Parameters
    ----------
    body : bytes
        Response body: ``observation_date,<ID>`` (or ``DATE,<ID>``) then
        ``YYYY-MM-DD,value`` rows; ``.`` or an empty field is missing.
    symbol : str
        FRED series id expected as the value column.
    origin : str
        URL, quoted in error messages.

    Returns
    -------
    DataFrame
        One float column named ``symbol`` (FRED units; missing values kept
        as NaN rows), indexed by a ``DatetimeIndex`` named ``date``.

    Raises
    ------
    DataFormatError
        The body is not UTF-8, is an HTML page, or does not parse (the
        message names the URL and the line).
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFormatError(
            f"{origin}: the answer is not UTF-8 text ({exc}); expected FRED's CSV "
            f"'observation_date,{symbol}'. Retry later or pass --data-dir to a snapshot."
        ) from exc
    head = text.lstrip()[:200]
    if head.startswith("<"):
        raise DataFormatError(
            f"{origin}, line 1: expected FRED's CSV 'observation_date,{symbol}' but got an "
            f"HTML page ({head[:80]!r}...). FRED may not know {symbol!r} or a proxy/captive "
            "portal answered; open the URL in a browser, or pass --data-dir to a snapshot."
        )
    data = parse_observation_csv(text, origin, columns=(symbol,), allow_empty=True)
    return data[[symbol]]


def _series_to_frame(series: object, column: str, origin: str) -> pd.DataFrame:
    """Turn the ``pd.Series`` fredapi returns into qtbt's one-column frame."""
    if not isinstance(series, pd.Series):
        raise DataFormatError(
            f"{origin}: fredapi returned {type(series).__name__}, expected a pandas Series. "
            "Check the installed fredapi version (qtbt needs fredapi>=0.5.1)."
        )
    try:
        idx = pd.DatetimeIndex(pd.to_datetime(series.index), name="date")
    except (TypeError, ValueError) as exc:
        raise DataFormatError(
            f"{origin}: fredapi returned dates that do not parse ({exc}). "
            "Retry, or unset FRED_API_KEY to use the keyless CSV download."
        ) from exc
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    values = pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()
    plain = pd.DatetimeIndex(idx.normalize().to_numpy(), name="date").as_unit("ns")  # no freq
    frame = pd.DataFrame({column: values}, index=plain).sort_index()
    dup = frame.index.duplicated()
    if dup.any():
        raise DataFormatError(
            f"{origin}: fredapi returned the date {frame.index[dup][0].date()} twice. "
            "Retry, or unset FRED_API_KEY to use the keyless CSV download."
        )
    return frame


class FredProvider:
    """Download FRED series.

    Parameters
    ----------
    api_key : str, optional
        FRED API key. Default: ``$FRED_API_KEY``; with neither, the keyless
        CSV download is used (no key needed).
    timeout : float
        Seconds. CSV: the connect and read timeouts of each request. fredapi
        (which has no timeout of its own): the wall-time limit of one
        ``get_series`` call is ``2 * timeout``.
    retries : int
        Retries after the first attempt (``retries + 1`` attempts at most).
    session : requests.Session, optional
        Session for the CSV download.
    backoff : float
        Seconds before the first retry, doubled each time; ``0`` in tests.
    """

    name = "fred"

    def __init__(
        self,
        api_key: str | None = None,
        timeout: float = 15.0,
        retries: int = 3,
        session: requests.Session | None = None,
        backoff: float = 0.5,
    ) -> None:
        self.api_key = api_key or os.environ.get("FRED_API_KEY") or None
        self.timeout = timeout
        self.retries = retries
        self.session = session
        self.backoff = backoff

    def csv_url(self, symbol: str) -> str:
        """The keyless CSV URL of ``symbol``."""
        return f"{FRED_CSV_URL}?id={urllib.parse.quote(symbol, safe='')}"

    def fetch(self, spec: SeriesSpec) -> Fetched:
        """Download every observation of ``spec``.

        Parameters
        ----------
        spec : SeriesSpec
            A catalog entry whose source is ``fred``.

        Returns
        -------
        Fetched
            One float column named ``spec.id`` in FRED units, NaN where FRED
            has no value; source ``fredapi`` or ``fred-csv``.

        Raises
        ------
        NetworkError
            The download failed after the retries (or FRED rejected the key).
        SeriesNotAvailableError
            FRED does not know the series, or it has no observations.
        DataFormatError
            The answer does not parse (names the URL and line).
        """
        if self.api_key:
            data, source, origin = self._fetch_api(spec)
        else:
            data, source, origin = self._fetch_csv(spec)
        if data.empty:
            raise SeriesNotAvailableError(
                f"FRED returned no observations for {spec.provider_symbol} ({origin}). "
                "The series may be discontinued or not yet published; check it on "
                "https://fred.stlouisfed.org or pass --data-dir to a snapshot that has it."
            )
        return Fetched(
            data=data,
            source=source,
            origin=origin,
            sha256=content_sha256(data),
            fetched_at=utc_now_iso(),
        )

    def _fetch_csv(self, spec: SeriesSpec) -> tuple[pd.DataFrame, str, str]:
        symbol = spec.provider_symbol
        url = self.csv_url(symbol)
        body = get_with_retries(
            url,
            timeout=self.timeout,
            retries=self.retries,
            backoff=self.backoff,
            session=self.session,
            what=f"FRED series {spec.id}",
        )
        data = parse_fred_csv(body, symbol, url)
        return data.rename(columns={symbol: spec.id}), "fred-csv", url

    def _fetch_api(self, spec: SeriesSpec) -> tuple[pd.DataFrame, str, str]:
        import fredapi  # looked up at call time so tests can replace fredapi.Fred

        symbol = spec.provider_symbol
        origin = f"fredapi:{symbol}"
        key = self.api_key

        def attempt() -> object:
            try:
                return fredapi.Fred(api_key=key).get_series(symbol)
            except ValueError as exc:
                # fredapi turns FRED's XML error answers (HTTP 400/429/500) into ValueError
                message = str(exc)
                low = message.lower()
                if "does not exist" in low:
                    raise SeriesNotAvailableError(
                        f"FRED does not know the series {symbol!r} ({message}). Check the id "
                        "(`qtbt data list`), or pass --data-dir to a snapshot that has it."
                    ) from exc
                if "api_key" in low or "api key" in low:
                    raise NetworkError(
                        f"FRED rejected the API key while downloading {spec.id} ({message}). "
                        "Fix FRED_API_KEY (a 32-character lower-case key from "
                        "https://fred.stlouisfed.org/docs/api/api_key.html), or unset it to "
                        "use the keyless CSV download."
                    ) from exc
                if any(word in low for word in _TRANSIENT_API_WORDS):
                    raise TransientError(f"FRED API error: {message}") from exc
                raise NetworkError(
                    f"FRED API refused the request for {spec.id} ({message}). Unset "
                    "FRED_API_KEY to use the keyless CSV download, or pass --data-dir to a "
                    "local snapshot."
                ) from exc
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                raise TransientError(f"{type(exc).__name__}: {exc}") from exc
            except ET.ParseError as exc:  # an HTML error page instead of FRED's XML
                raise TransientError(f"unreadable answer from the FRED API ({exc})") from exc

        series = retry_call(
            attempt,
            retries=self.retries,
            backoff=self.backoff,
            what=f"FRED series {spec.id}",
            origin=origin,
            attempt_timeout=2.0 * self.timeout,
        )
        return _series_to_frame(series, spec.id, origin), "fredapi", origin
