"""Network providers (FRED, Yahoo, Ken French) against recorded responses.

No test reaches the network: ``responses`` serves recorded bodies to
``requests`` (and refuses unregistered URLs), fredapi's ``Fred`` class and the
yfinance downloader are replaced by fakes, and an autouse guard makes any
socket connection fail loudly.
"""

from __future__ import annotations

import io
import socket
import threading
import time
import urllib.error
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import fredapi
import numpy as np
import pandas as pd
import pytest
import requests
import responses

from backtest.data.catalog import get_spec
from backtest.data.csvio import parse_observation_csv
from backtest.data.providers.base import Provider, content_sha256
from backtest.data.providers.fred import FredProvider
from backtest.data.providers.french import FrenchProvider, french_url, parse_french_csv
from backtest.data.providers.http import USER_AGENT, get_with_retries
from backtest.data.providers.yahoo import YahooProvider, yfinance_history
from backtest.data.store import DataStore
from backtest.exceptions import (
    DataFormatError,
    NetworkError,
    SeriesNotAvailableError,
    StaleCacheWarning,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "net"
WALCL_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id=WALCL"
DGS10_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS10"
FF3_DAILY_URL = (
    "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/"
    "F-F_Research_Data_Factors_daily_CSV.zip"
)
FF3_MONTHLY_URL = (
    "https://mba.tuck.dartmouth.edu/pages/faculty/ken.french/ftp/F-F_Research_Data_Factors_CSV.zip"
)


def _dates(*days: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(list(days)), name="date").as_unit("ns")


def _body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _zip(member: str, text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(member, text)
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a real connection fails the test."""

    def refuse(self: socket.socket, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"test tried to open a network connection to {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _fred(retries: int = 2) -> FredProvider:
    return FredProvider(timeout=1.0, retries=retries, backoff=0.0)


# --- FRED keyless CSV ------------------------------------------------------------------


def test_fred_csv_parses_recorded_walcl(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, WALCL_URL, body=_body("fred_WALCL.csv"))
    fetched = _fred().fetch(get_spec("WALCL"))
    expected = pd.DataFrame(
        {"WALCL": [4166707.0, 4182689.0, 4171570.0, 4158637.0, 4241507.0,
                   4311911.0, 4668212.0, 5254278.0, 5811607.0, 6083141.0]},
        index=_dates("2020-02-05", "2020-02-12", "2020-02-19", "2020-02-26", "2020-03-04",
                     "2020-03-11", "2020-03-18", "2020-03-25", "2020-04-01", "2020-04-08"),
    )
    pd.testing.assert_frame_equal(fetched.data, expected)
    assert fetched.data.index.dtype == "datetime64[ns]"
    assert fetched.source == "fred-csv"
    assert fetched.origin == WALCL_URL
    assert fetched.sha256 == content_sha256(fetched.data)
    assert fetched.fetched_at.endswith("+00:00")
    assert len(rsps.calls) == 1
    assert rsps.calls[0].request.headers["User-Agent"] == USER_AGENT


def test_fred_provider_satisfies_protocol() -> None:
    assert isinstance(_fred(), Provider)
    assert isinstance(FrenchProvider(), Provider)
    assert isinstance(YahooProvider(downloader=lambda s, t: pd.DataFrame()), Provider)
    assert (FredProvider.name, YahooProvider.name, FrenchProvider.name) == (
        "fred", "yahoo", "french"
    )


def test_fred_csv_old_date_header_and_dot_missing_value(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, DGS10_URL, body=_body("fred_DGS10_old.csv"))
    data = _fred().fetch(get_spec("DGS10")).data
    assert list(data.columns) == ["DGS10"]
    assert list(data.index) == list(_dates("2020-11-06", "2020-11-09", "2020-11-10",
                                           "2020-11-11", "2020-11-12", "2020-11-13"))
    # Veterans Day: FRED's "." is kept as a NaN row, not dropped
    assert data["DGS10"].isna().to_list() == [False, False, False, True, False, False]
    assert data["DGS10"].dropna().tolist() == [0.83, 0.96, 0.98, 0.88, 0.89]


def test_fred_csv_empty_field_is_nan_and_crlf_is_accepted(
    rsps: responses.RequestsMock,
) -> None:
    body = "observation_date,DGS10\r\n2020-11-10,0.98\r\n2020-11-11,\r\n2020-11-12,0.88\r\n"
    rsps.add(responses.GET, DGS10_URL, body=body)
    data = _fred().fetch(get_spec("DGS10")).data
    assert len(data) == 3
    assert data["DGS10"].isna().tolist() == [False, True, False]
    assert data.loc["2020-11-12", "DGS10"] == 0.88


@pytest.mark.parametrize(
    "failure",
    [
        requests.exceptions.ConnectTimeout("connect timed out"),
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ConnectionError("Name or service not known"),
    ],
    ids=["connect-timeout", "read-timeout", "connection-error"],
)
def test_fred_network_failure_is_retried_then_network_error(
    rsps: responses.RequestsMock, failure: Exception
) -> None:
    rsps.add(responses.GET, WALCL_URL, body=failure)
    with pytest.raises(NetworkError, match=r"FRED series WALCL.*--data-dir") as info:
        _fred(retries=2).fetch(get_spec("WALCL"))
    assert len(rsps.calls) == 3  # the first attempt and exactly 2 retries
    message = str(info.value)
    assert WALCL_URL in message
    assert type(failure).__name__ in message
    assert "3 attempts" in message
    assert "qtbt data pull" in message and "--offline" in message


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_fred_busy_server_is_retried(rsps: responses.RequestsMock, status: int) -> None:
    rsps.add(responses.GET, WALCL_URL, status=status)
    with pytest.raises(NetworkError, match=rf"HTTP {status}"):
        _fred(retries=3).fetch(get_spec("WALCL"))
    assert len(rsps.calls) == 4


def test_fred_zero_retries_means_one_attempt(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, WALCL_URL, body=requests.exceptions.ConnectionError("down"))
    with pytest.raises(NetworkError, match="1 attempt in"):
        _fred(retries=0).fetch(get_spec("WALCL"))
    assert len(rsps.calls) == 1


def test_fred_500_then_200_succeeds(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, WALCL_URL, status=500)
    rsps.add(responses.GET, WALCL_URL, body=_body("fred_WALCL.csv"))
    fetched = _fred(retries=2).fetch(get_spec("WALCL"))
    assert len(rsps.calls) == 2
    assert fetched.data.loc["2020-04-08", "WALCL"] == 6083141.0


def test_fred_404_is_series_not_available_and_not_retried(
    rsps: responses.RequestsMock,
) -> None:
    rsps.add(responses.GET, WALCL_URL, status=404, body="Not Found")
    with pytest.raises(SeriesNotAvailableError, match=r"does not know this symbol"):
        _fred(retries=3).fetch(get_spec("WALCL"))
    assert len(rsps.calls) == 1


def test_fred_400_is_not_retried(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, WALCL_URL, status=400)
    with pytest.raises(NetworkError, match=r"HTTP 400.*not retried.*--data-dir"):
        _fred(retries=3).fetch(get_spec("WALCL"))
    assert len(rsps.calls) == 1


def test_fred_malformed_value_names_url_and_line(rsps: responses.RequestsMock) -> None:
    body = "observation_date,WALCL\n2020-02-05,4166707\n2020-02-12,4,182,689\n"
    rsps.add(responses.GET, WALCL_URL, body=body)
    with pytest.raises(DataFormatError, match=r"fredgraph\.csv\?id=WALCL, line 3: 4 field\(s\)"):
        _fred().fetch(get_spec("WALCL"))
    rsps.replace(responses.GET, WALCL_URL, body="observation_date,WALCL\n2020-02-05,x1\n")
    with pytest.raises(DataFormatError, match=r"fredgraph\.csv\?id=WALCL, line 2: value 'x1'"):
        _fred().fetch(get_spec("WALCL"))


def test_fred_malformed_date_names_line(rsps: responses.RequestsMock) -> None:
    body = "observation_date,WALCL\n2020-02-05,4166707\n2020-02-12,1\n12/02/2020,2\n"
    rsps.add(responses.GET, WALCL_URL, body=body)
    with pytest.raises(DataFormatError, match=r"WALCL, line 4: date '12/02/2020'"):
        _fred().fetch(get_spec("WALCL"))


def test_fred_wrong_series_column_and_html_page(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, WALCL_URL, body="observation_date,TREAST\n2020-02-05,1\n")
    with pytest.raises(DataFormatError, match=r"missing column\(s\) \['WALCL'\]"):
        _fred().fetch(get_spec("WALCL"))
    rsps.replace(responses.GET, WALCL_URL, body="<!DOCTYPE html><html>Error</html>")
    with pytest.raises(DataFormatError, match="HTML page"):
        _fred().fetch(get_spec("WALCL"))


def test_fred_header_only_is_not_available(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, WALCL_URL, body="observation_date,WALCL\n")
    with pytest.raises(SeriesNotAvailableError, match="no observations"):
        _fred().fetch(get_spec("WALCL"))


def test_wall_time_budget_stops_retries_without_waiting(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, WALCL_URL, body=requests.exceptions.ConnectionError("down"))
    start = time.monotonic()
    with pytest.raises(NetworkError, match="budget"):
        get_with_retries(WALCL_URL, timeout=1.0, retries=5, backoff=20.0, max_time=1.0,
                         what="FRED series WALCL")
    assert time.monotonic() - start < 5.0
    assert len(rsps.calls) == 1


def test_get_with_retries_uses_the_given_session(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, WALCL_URL, body=b"abc")
    with requests.Session() as session:
        assert get_with_retries(WALCL_URL, timeout=1.0, retries=0, session=session,
                                what="x") == b"abc"


# --- FRED through fredapi (API key) ---------------------------------------------------


class FakeFred:
    """Stands in for ``fredapi.Fred``; behaviour set per test through class attributes."""

    keys: ClassVar[list[str]] = []
    outcomes: ClassVar[list[Any]] = []
    calls: ClassVar[int] = 0

    def __init__(self, api_key: str | None = None, **_: Any) -> None:
        FakeFred.keys.append(str(api_key))

    def get_series(self, series_id: str) -> pd.Series:
        FakeFred.calls += 1
        outcome = FakeFred.outcomes[min(FakeFred.calls, len(FakeFred.outcomes)) - 1]
        if isinstance(outcome, BaseException):
            raise outcome
        if callable(outcome):
            return outcome(series_id)
        return outcome


@pytest.fixture
def fake_fred(monkeypatch: pytest.MonkeyPatch) -> type[FakeFred]:
    FakeFred.keys, FakeFred.outcomes, FakeFred.calls = [], [], 0
    monkeypatch.setattr(fredapi, "Fred", FakeFred)
    return FakeFred


def _fredapi_series() -> pd.Series:
    # what fredapi returns: datetime keys, float values, NaN for FRED's "."
    idx = pd.to_datetime(["2020-11-09", "2020-11-10", "2020-11-11", "2020-11-12"])
    return pd.Series([0.96, 0.98, float("nan"), 0.88], index=idx)


def test_fredapi_path_with_key(fake_fred: type[FakeFred]) -> None:
    fake_fred.outcomes = [_fredapi_series()]
    fetched = FredProvider(api_key="abc123", retries=0, backoff=0.0).fetch(get_spec("DGS10"))
    expected = pd.DataFrame(
        {"DGS10": [0.96, 0.98, np.nan, 0.88]},
        index=_dates("2020-11-09", "2020-11-10", "2020-11-11", "2020-11-12"),
    )
    pd.testing.assert_frame_equal(fetched.data, expected)
    assert fetched.source == "fredapi"
    assert fetched.origin == "fredapi:DGS10"
    assert fetched.sha256 == content_sha256(fetched.data)
    assert fake_fred.keys == ["abc123"]


def test_fredapi_key_from_environment(
    fake_fred: type[FakeFred], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRED_API_KEY", "fromenv")
    fake_fred.outcomes = [_fredapi_series()]
    assert FredProvider(retries=0).fetch(get_spec("DGS10")).source == "fredapi"
    assert fake_fred.keys == ["fromenv"]


def test_fredapi_url_error_is_retried_then_network_error(fake_fred: type[FakeFred]) -> None:
    fake_fred.outcomes = [urllib.error.URLError("[Errno -3] Temporary failure in name resolution")]
    provider = FredProvider(api_key="k", timeout=1.0, retries=2, backoff=0.0)
    with pytest.raises(NetworkError, match=r"FRED series WALCL.*URLError.*--data-dir"):
        provider.fetch(get_spec("WALCL"))
    assert fake_fred.calls == 3


def test_fredapi_transient_then_success(fake_fred: type[FakeFred]) -> None:
    fake_fred.outcomes = [
        ET.ParseError("syntax error: line 1, column 0"),  # an HTML 502 page instead of XML
        ValueError("Too Many Requests.  Exceeded Rate Limit"),
        _fredapi_series(),
    ]
    provider = FredProvider(api_key="k", timeout=1.0, retries=2, backoff=0.0)
    assert provider.fetch(get_spec("DGS10")).data.shape == (4, 1)
    assert fake_fred.calls == 3


def test_fredapi_unknown_series(fake_fred: type[FakeFred]) -> None:
    fake_fred.outcomes = [ValueError("Bad Request.  The series does not exist.")]
    provider = FredProvider(api_key="k", retries=3, backoff=0.0)
    with pytest.raises(SeriesNotAvailableError, match="does not know the series 'WALCL'"):
        provider.fetch(get_spec("WALCL"))
    assert fake_fred.calls == 1


def test_fredapi_bad_key_is_not_retried(fake_fred: type[FakeFred]) -> None:
    fake_fred.outcomes = [ValueError(
        "Bad Request.  The value for variable api_key is not a 32 character alpha-numeric "
        "lower-case string."
    )]
    with pytest.raises(NetworkError, match="FRED_API_KEY"):
        FredProvider(api_key="k", retries=3, backoff=0.0).fetch(get_spec("WALCL"))
    assert fake_fred.calls == 1


def test_fredapi_hanging_call_is_abandoned(fake_fred: type[FakeFred]) -> None:
    release = threading.Event()

    def hang(series_id: str) -> pd.Series:
        release.wait(10.0)
        return _fredapi_series()

    fake_fred.outcomes = [hang]
    start = time.monotonic()
    try:
        with pytest.raises(NetworkError, match="no answer within"):
            FredProvider(api_key="k", timeout=0.05, retries=1, backoff=0.0).fetch(
                get_spec("WALCL")
            )
    finally:
        release.set()
    assert time.monotonic() - start < 5.0
    assert fake_fred.calls == 2


# --- Yahoo through yfinance -----------------------------------------------------------


def _recorded_spy() -> pd.DataFrame:
    """The frame ``yf.Ticker("SPY").history(auto_adjust=False, actions=False)`` returns."""
    frame = pd.read_csv(FIXTURES / "yfinance_SPY_history.csv", index_col="Date")
    frame.index = pd.to_datetime(frame.index, utc=True).tz_convert("America/New_York")
    frame.index.name = "Date"
    return frame


SPY_EXPECTED = pd.DataFrame(
    {
        "Open": [510.549988, 513.140015, 515.460022, 510.480011, 513.450012, 517.109985],
        "High": [512.070007, 515.890015, 518.219971, 511.880005, 517.380005, 517.289978],
        "Low": [508.420013, 509.809998, 511.130005, 508.5, 510.859985, 514.48999],
        "Close": [509.75, 514.809998, 511.720001, 511.279999, 516.780029, 515.969971],
        "Adj Close": [496.097595, 501.022034, 498.014832, 497.586609, 502.93924, 502.15097],
        "Volume": [68382400.0, 58652100.0, 86532500.0, 62557200.0, 73114400.0, 55104100.0],
    },
    index=_dates("2024-03-06", "2024-03-07", "2024-03-08", "2024-03-11", "2024-03-12",
                 "2024-03-13"),
)


def test_yahoo_recorded_frame_is_normalized() -> None:
    seen: list[tuple[str, float]] = []

    def downloader(symbol: str, timeout: float) -> pd.DataFrame:
        seen.append((symbol, timeout))
        return _recorded_spy()

    recorded = _recorded_spy()
    assert str(pd.DatetimeIndex(recorded.index).tz) == "America/New_York"  # yfinance's real index
    fetched = YahooProvider(timeout=7.0, retries=0, downloader=downloader).fetch(get_spec("SPY"))
    pd.testing.assert_frame_equal(fetched.data, SPY_EXPECTED)
    assert pd.DatetimeIndex(fetched.data.index).tz is None  # DST change on 2024-03-10: no shift
    assert fetched.source == "yfinance"
    assert fetched.origin == "yfinance:SPY"
    assert fetched.sha256 == content_sha256(fetched.data)
    assert seen == [("SPY", 7.0)]


def test_yahoo_accepts_download_style_two_level_columns_and_extra_columns() -> None:
    frame = _recorded_spy()
    frame["Dividends"] = 0.0
    frame.columns = pd.MultiIndex.from_product([list(frame.columns), ["SPY"]],
                                               names=["Price", "Ticker"])
    fetched = YahooProvider(retries=0, downloader=lambda s, t: frame).fetch(get_spec("SPY"))
    pd.testing.assert_frame_equal(fetched.data, SPY_EXPECTED)


def test_yahoo_uses_provider_symbol() -> None:
    seen: list[str] = []

    def downloader(symbol: str, timeout: float) -> pd.DataFrame:
        seen.append(symbol)
        return _recorded_spy()

    fetched = YahooProvider(retries=0, downloader=downloader).fetch(get_spec("GSPC"))
    assert seen == ["^GSPC"]
    assert fetched.origin == "yfinance:^GSPC"


def test_yahoo_empty_frame_is_retried_then_network_error() -> None:
    calls: list[str] = []

    def empty(symbol: str, timeout: float) -> pd.DataFrame:
        calls.append(symbol)
        return pd.DataFrame(columns=["Open", "High", "Low", "Close", "Adj Close", "Volume"])

    provider = YahooProvider(retries=2, backoff=0.0, downloader=empty)
    with pytest.raises(NetworkError, match=r"Yahoo prices of SPY.*unknown symbols.*--data-dir"):
        provider.fetch(get_spec("SPY"))
    assert len(calls) == 3


def test_yahoo_exception_then_success() -> None:
    outcomes: list[Any] = [RuntimeError("Too Many Requests. Rate limited."), _recorded_spy()]

    def flaky(symbol: str, timeout: float) -> pd.DataFrame:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    fetched = YahooProvider(retries=1, backoff=0.0, downloader=flaky).fetch(get_spec("SPY"))
    assert len(fetched.data) == 6
    assert outcomes == []


def test_yahoo_missing_adj_close_is_a_format_error() -> None:
    calls: list[str] = []

    def adjusted(symbol: str, timeout: float) -> pd.DataFrame:
        calls.append(symbol)
        return _recorded_spy().drop(columns=["Adj Close"])  # what auto_adjust=True returns

    with pytest.raises(DataFormatError, match=r"missing \['Adj Close'\].*auto_adjust=False"):
        YahooProvider(retries=3, backoff=0.0, downloader=adjusted).fetch(get_spec("SPY"))
    assert calls == ["SPY"]


def test_yahoo_default_downloader_is_yfinance() -> None:
    assert YahooProvider().downloader is yfinance_history


# --- Ken French ---------------------------------------------------------------------


def test_french_daily_zip(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, FF3_DAILY_URL,
             body=_body("F-F_Research_Data_Factors_daily_CSV.zip"),
             content_type="application/x-zip-compressed")
    provider = FrenchProvider(retries=0, backoff=0.0)
    fetched = provider.fetch(get_spec("FF3_DAILY"))
    expected = pd.DataFrame(
        {
            "Mkt-RF": [0.09, 0.45, 0.17, 0.09, 0.22, -0.57, -0.13, 1.13],
            "SMB": [-0.25, -0.33, 0.30, -0.58, -0.38, -0.44, -1.48, 0.98],
            "HML": [-0.27, -0.06, -0.39, 0.02, 0.19, 0.88, 0.53, -0.71],
            "RF": [0.01] * 8,
        },
        index=_dates("1926-07-01", "1926-07-02", "1926-07-06", "1926-07-07", "1926-07-08",
                     "2026-04-28", "2026-04-29", "2026-04-30"),
    )
    pd.testing.assert_frame_equal(fetched.data, expected)
    assert fetched.source == "kenfrench"
    assert fetched.origin == FF3_DAILY_URL == french_url("F-F_Research_Data_Factors_daily")
    assert fetched.sha256 == content_sha256(fetched.data)


def test_french_monthly_zip_drops_annual_section(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, FF3_MONTHLY_URL, body=_body("F-F_Research_Data_Factors_CSV.zip"))
    data = FrenchProvider(retries=0).fetch(get_spec("FF3_MONTHLY")).data
    assert list(data.columns) == ["Mkt-RF", "SMB", "HML", "RF"]
    assert list(data.index) == list(_dates("1926-07-01", "1926-08-01", "1926-09-01",
                                           "1926-10-01", "2025-09-01", "2025-10-01",
                                           "2025-11-01"))
    assert data.iloc[0].to_list() == [2.89, -2.55, -2.39, 0.22]
    assert data.iloc[-1].to_list() == [-0.13, 0.38, 3.76, 0.30]
    assert not (data["Mkt-RF"] == 29.47).any()  # the 1927 annual row
    # the same rows in the snapshot layout (YYYY-MM) parse to the identical frame
    snapshot_text = "date,Mkt-RF,SMB,HML,RF\n" + "".join(
        f"{d:%Y-%m},{','.join(f'{v:.2f}' for v in row)}\n"
        for d, row in zip(data.index, data.to_numpy(), strict=True)
    )
    pd.testing.assert_frame_equal(
        parse_observation_csv(snapshot_text, "snap", date_format="%Y-%m"), data
    )


def test_french_missing_factor_columns(rsps: responses.RequestsMock) -> None:
    url = french_url("F-F_Research_Data_5_Factors_2x3_daily")
    rsps.add(responses.GET, url, body=_body("F-F_Research_Data_Factors_daily_CSV.zip"))
    with pytest.raises(DataFormatError, match=r"line 5: header .* lacks \['RMW', 'CMA'\]"):
        FrenchProvider(retries=0).fetch(get_spec("FF5_DAILY"))


def test_french_malformed_row_names_url_and_line(rsps: responses.RequestsMock) -> None:
    text = (
        "This file was created by CMPT_ME_BEME_RETS_DAILY using the 202604 CRSP database.\r\n"
        "\r\n"
        ",Mkt-RF,SMB,HML,RF\r\n"
        "19260701,    0.09,   -0.25,   -0.27,    0.01\r\n"
        "19260702,    0.45,   -0.33,    n/a ,    0.01\r\n"
    )
    rsps.add(responses.GET, FF3_DAILY_URL,
             body=_zip("F-F_Research_Data_Factors_daily.CSV", text))
    with pytest.raises(DataFormatError, match=r"Factors_daily_CSV\.zip .*line 5: value 'n/a'"):
        FrenchProvider(retries=0).fetch(get_spec("FF3_DAILY"))


def test_french_monthly_file_for_daily_dataset_names_line(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, FF3_DAILY_URL, body=_body("F-F_Research_Data_Factors_CSV.zip"))
    with pytest.raises(DataFormatError, match=r"line 5: expected a row starting with a YYYYMMDD"):
        FrenchProvider(retries=0).fetch(get_spec("FF3_DAILY"))


def test_french_not_a_zip_and_404(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, FF3_DAILY_URL, body="<html>maintenance</html>")
    with pytest.raises(DataFormatError, match="not a zip archive"):
        FrenchProvider(retries=0).fetch(get_spec("FF3_DAILY"))
    rsps.replace(responses.GET, FF3_DAILY_URL, status=404)
    with pytest.raises(SeriesNotAvailableError, match="Ken French dataset"):
        FrenchProvider(retries=3).fetch(get_spec("FF3_DAILY"))


def test_french_network_failure(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, FF3_DAILY_URL, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(NetworkError, match=r"Ken French dataset .*FF3_DAILY.*--data-dir"):
        FrenchProvider(retries=1, backoff=0.0).fetch(get_spec("FF3_DAILY"))
    assert len(rsps.calls) == 2


FIELDS = ("Mkt-RF", "SMB", "HML", "RF")


def test_parse_french_missing_codes_trailing_commas_and_no_blank_before_copyright() -> None:
    text = (
        "Description\n"
        "  ,Mkt-RF,SMB,HML,RF,\n"
        "202401,  1.00, -99.99,  0.50, 0.42,\n"
        "202402,  2.10,   0.40, -999,  0.43\n"
        "Copyright 2025 Kenneth R. French\n"
    )
    data = parse_french_csv(text, "memo", FIELDS, monthly=True)
    assert list(data.index) == list(_dates("2024-01-01", "2024-02-01"))
    assert data["SMB"].isna().to_list() == [True, False]
    assert data["HML"].isna().to_list() == [False, True]
    assert data.loc["2024-02-01", "Mkt-RF"] == 2.10


def test_parse_french_rejects_bad_layouts() -> None:
    with pytest.raises(DataFormatError, match="no header line starting with ','"):
        parse_french_csv("date,Mkt-RF\n2024-01-01,1\n", "memo", FIELDS, monthly=False)
    with pytest.raises(DataFormatError, match="line 3: 3 values for the 4 columns"):
        parse_french_csv(",Mkt-RF,SMB,HML,RF\n202401,1,2,3,4\n202402,1,2,3\n", "memo",
                         FIELDS, monthly=True)
    with pytest.raises(DataFormatError, match="line 3: date 202401 repeats"):
        parse_french_csv(",Mkt-RF,SMB,HML,RF\n202401,1,2,3,4\n202401,1,2,3,4\n", "memo",
                         FIELDS, monthly=True)
    with pytest.raises(DataFormatError, match="line 2: date '202413' is not a valid YYYYMM"):
        parse_french_csv(",Mkt-RF,SMB,HML,RF\n202413,1,2,3,4\n", "memo", FIELDS, monthly=True)
    with pytest.raises(DataFormatError, match="line 4: unexpected line '202402"):
        parse_french_csv(",Mkt-RF,SMB,HML,RF\n202401,1,2,3,4\n\n202402,1,2,3,4\n", "memo",
                         FIELDS, monthly=True)
    with pytest.raises(DataFormatError, match="followed by no data rows"):
        parse_french_csv("Text\n\n,Mkt-RF,SMB,HML,RF\n\n", "memo", FIELDS, monthly=True)


# --- DataStore with the FRED provider -----------------------------------------------


def test_datastore_caches_downloads_and_falls_back_to_cache(
    rsps: responses.RequestsMock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QTBT_DATA_DIR", raising=False)
    rsps.add(responses.GET, WALCL_URL, body=_body("fred_WALCL.csv"))
    cache = tmp_path / "qtbt-cache"
    providers: dict[str, Provider] = {"fred": FredProvider(timeout=1.0, retries=0, backoff=0.0)}

    first = DataStore(cache_dir=cache, providers=providers).load("WALCL")
    assert (cache / "fred" / "WALCL.parquet").is_file()
    assert first.source == "fred-csv"
    assert len(rsps.calls) == 1

    second = DataStore(cache_dir=cache, providers=providers).load("WALCL")
    assert len(rsps.calls) == 1  # read from the cache, no request
    assert second.source == "cache:fred-csv"
    assert second.origin == WALCL_URL
    pd.testing.assert_frame_equal(second.data, first.data)

    third = DataStore(cache_dir=cache, refresh=True, providers=providers).load("WALCL")
    assert len(rsps.calls) == 2
    assert third.source == "fred-csv"

    rsps.replace(responses.GET, WALCL_URL,
                 body=requests.exceptions.ConnectionError("Network is unreachable"))
    with pytest.warns(StaleCacheWarning, match=r"WALCL: download failed .*cached copy"):
        stale = DataStore(cache_dir=cache, refresh=True, providers=providers).load("WALCL")
    assert len(rsps.calls) == 3
    assert stale.source == "cache:fred-csv"
    pd.testing.assert_frame_equal(stale.data, first.data)

    with pytest.raises(NetworkError, match="FRED series WALCL"):
        DataStore(cache_dir=tmp_path / "empty-cache", providers=providers).load("WALCL")
