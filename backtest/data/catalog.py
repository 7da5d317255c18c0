"""The series catalog: what qtbt knows about every series it supports.

Each entry gives the source, frequency, units and the *release rule* that says
when an observation became known to the market. The point-in-time panel
(:mod:`backtest.data.panel`) applies these rules once, for every consumer.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from backtest._typing import (
    Frequency,
    HolidayCalendar,
    ReleaseAnchor,
    ReleaseTiming,
    SeriesKind,
    Source,
)
from backtest.data.derived import NETLIQ_PARTS
from backtest.exceptions import UnknownSeriesError

__all__ = [
    "CATALOG",
    "USER_SERIES",
    "ReleaseRule",
    "SeriesSpec",
    "all_specs",
    "get_spec",
    "parse_series_ref",
    "set_user_series",
    "suggest",
]


@dataclass(frozen=True)
class ReleaseRule:
    """When an observation is published, relative to its date.

    Parameters
    ----------
    lag : int
        Days from the anchor date to the publication date (calendar days, or
        Fed business days when ``business_days`` is true). The publication
        date is rolled forward to a Fed business day.
    timing : {"before_close", "after_close"}
        ``before_close``: published no later than the NYSE close (16:00 ET) of
        the publication date, so the panel row of the first session on or
        after it knows the value. ``after_close``: published after the close
        (H.4.1 at 16:30 ET), so it is first known at the next session.
    anchor : {"observation", "period_end"}
        Count the lag from the observation date (daily and weekly series) or
        from the end of the period the observation covers (FRED dates monthly
        and quarterly observations on the period's first day).
    business_days : bool
        Count ``lag`` in Fed business days rather than calendar days.
    calendar : {"federal", "reserve_banks"}
        Whose holidays the business days skip: federal agencies and the Board
        of Governors (closed the Friday before a Saturday holiday), or the
        Federal Reserve Banks (open that Friday), see
        :func:`backtest.data.calendar.fed_holidays`.
    note : str
        The publication practice this rule encodes, for documentation.
    """

    lag: int = 0
    timing: ReleaseTiming = "before_close"
    anchor: ReleaseAnchor = "observation"
    business_days: bool = False
    calendar: HolidayCalendar = "federal"
    note: str = ""

    def describe(self) -> str:
        """One-line human description of the rule."""
        unit = "business day" if self.business_days else "day"
        plural = "" if self.lag == 1 else "s"
        base = "period end" if self.anchor == "period_end" else "observation"
        when = "after the close" if self.timing == "after_close" else "by the close"
        if self.lag == 0:
            return f"known {when} of the {base} date"
        return f"published {self.lag} {unit}{plural} after {base}, {when}"


@dataclass(frozen=True)
class SeriesSpec:
    """Catalog entry of one series or dataset.

    Parameters
    ----------
    id : str
        qtbt's identifier (FRED series id, Yahoo ticker without ``^``, or a
        Fama-French dataset name).
    source : {"fred", "yahoo", "french", "derived", "csv"}
        Which provider serves it (``csv``: a local file of a user catalog).
    title : str
        Human description.
    frequency : {"daily", "weekly", "monthly", "quarterly"}
        Observation frequency.
    units : str
        Units as the source publishes them.
    release : ReleaseRule
        When each observation became known.
    kind : {"series", "ohlcv", "factors"}
        One column (FRED), Yahoo OHLCV, or a multi-column factor table.
    symbol : str
        The provider's own symbol when it differs from ``id`` (``^GSPC``).
    default_field : str
        Column used when the id is referenced without ``.FIELD``.
    fields : tuple of str
        Columns of a multi-column dataset.
    inputs : tuple of str
        For derived series, the catalog ids they are computed from.
    path : str
        For ``csv`` series, the absolute path of the file.
    column : str
        For ``csv`` series, the file's value column.
    catalog : str
        The user catalog file that declared the series (empty for built-in ids).
    default_release : bool
        The user catalog gave no release rule: ``release`` is the conservative
        default of the series' frequency.
    """

    id: str
    source: Source
    title: str
    frequency: Frequency
    units: str
    release: ReleaseRule
    kind: SeriesKind = "series"
    symbol: str = ""
    default_field: str = ""
    fields: tuple[str, ...] = ()
    inputs: tuple[str, ...] = field(default=())
    path: str = ""
    column: str = ""
    catalog: str = ""
    default_release: bool = False

    @property
    def provider_symbol(self) -> str:
        """Symbol to ask the provider for."""
        return self.symbol or self.id


# --- release rules ---------------------------------------------------------
H41 = ReleaseRule(
    lag=1,
    timing="after_close",
    note="H.4.1 Wednesday level, released Thursday 16:30 ET (next Fed business day "
    "if Thursday is a holiday), after the NYSE close",
)
AT_CLOSE = ReleaseRule(note="market close value, known at that session's close")
NEXT_MORNING = ReleaseRule(
    lag=1,
    business_days=True,
    note="published the next Fed business day around 08:00-09:00 ET",
)
NY_FED_NEXT_MORNING = ReleaseRule(
    lag=1,
    business_days=True,
    calendar="reserve_banks",
    note="New York Fed rate, published the next Reserve Bank business day around 08:00-09:00 "
    "ET (the Reserve Banks are open on the Friday before a Saturday holiday)",
)
POLICY = ReleaseRule(note="administered rate, announced before it takes effect")
RRP = ReleaseRule(note="ON RRP results published ~13:15 ET the same day")
H10 = ReleaseRule(
    lag=7,
    timing="after_close",
    note="H.10 published weekly on Mondays 16:15 ET; 7 days after close bounds the lag",
)
NFCI_RULE = ReleaseRule(
    lag=5, note="Chicago Fed NFCI for week ending Friday, out Wednesday 08:30 ET"
)
# Macro rules below are typical publication lags applied to FRED's *revised* data, not
# vintages: shutdown-delayed releases (e.g. 2019, 2025) appear too early and revisions are
# seen as if first printed. No shipped strategy reads them; the README says so.
GDP_RULE = ReleaseRule(
    lag=30, anchor="period_end", note="BEA advance estimate about 30 days after quarter end"
)
CPI_RULE = ReleaseRule(
    lag=20, anchor="period_end", note="BLS CPI mid-month after the reference month"
)
UNRATE_RULE = ReleaseRule(
    lag=10, anchor="period_end", note="BLS Employment Situation, first Friday after the month"
)
M2_RULE = ReleaseRule(lag=30, anchor="period_end", note="Fed H.6, about four weeks after the month")
FACTORS = ReleaseRule(
    note="factor returns realised at each day's close (Ken French publishes monthly; "
    "use them as returns, not as signals)"
)
DERIVED = ReleaseRule(note="computed from its inputs' point-in-time values")
Z1_RULE = ReleaseRule(
    lag=70, anchor="period_end",
    note="Fed Z.1 Financial Accounts, about ten weeks after the quarter",
)
ECB_WEEKLY = ReleaseRule(
    lag=4, note="ECB weekly financial statement for the week to Friday, out Tuesday 15:00 CET"
)
BOJ_MONTHLY = ReleaseRule(
    lag=10, anchor="period_end",
    note="Bank of Japan accounts at month end, published in the first days of the next month",
)
OECD_MONTHLY = ReleaseRule(
    lag=30, anchor="period_end",
    note="OECD monthly average long-term rate, about a month after the month",
)


def _fred(
    sid: str, title: str, freq: Frequency, units: str, rule: ReleaseRule
) -> SeriesSpec:
    return SeriesSpec(sid, "fred", title, freq, units, rule)


def _yahoo(ticker: str, title: str, symbol: str = "") -> SeriesSpec:
    return SeriesSpec(
        ticker,
        "yahoo",
        title,
        "daily",
        "USD per share (index points for indices)",
        AT_CLOSE,
        kind="ohlcv",
        symbol=symbol,
        default_field="Adj Close",
        fields=("Open", "High", "Low", "Close", "Adj Close", "Volume"),
    )


_H41_UNITS = "USD millions, weekly Wednesday level"

_ENTRIES: list[SeriesSpec] = [
    # H.4.1 balance sheet
    _fred("WALCL", "Fed total assets", "weekly", _H41_UNITS, H41),
    _fred("WSHOSHO", "Securities held outright", "weekly", _H41_UNITS, H41),
    _fred("TREAST", "Treasury securities held outright", "weekly", _H41_UNITS, H41),
    _fred("WSHOMCB", "Mortgage-backed securities held outright", "weekly", _H41_UNITS, H41),
    _fred("WRESBAL", "Reserve balances with Federal Reserve Banks", "weekly", _H41_UNITS, H41),
    _fred("WTREGEN", "Treasury General Account (TGA), week average", "weekly",
          "USD millions, week average (week ending Wednesday)", H41),
    _fred("WDTGAL", "Treasury General Account (TGA), Wednesday level", "weekly", _H41_UNITS, H41),
    _fred("WLRRAL", "Reverse repurchase agreements incl. foreign official, Wednesday level",
          "weekly", _H41_UNITS, H41),
    _fred("RRPONTSYD", "Overnight reverse repo (ON RRP) volume", "daily", "USD billions", RRP),
    # rates and yields
    _fred("DGS1", "1-year Treasury yield", "daily", "percent", AT_CLOSE),
    _fred("DGS2", "2-year Treasury yield", "daily", "percent", AT_CLOSE),
    _fred("DGS5", "5-year Treasury yield", "daily", "percent", AT_CLOSE),
    _fred("DGS10", "10-year Treasury yield", "daily", "percent", AT_CLOSE),
    _fred("DGS30", "30-year Treasury yield", "daily", "percent", AT_CLOSE),
    _fred("DGS3MO", "3-month Treasury yield", "daily", "percent", AT_CLOSE),
    _fred("DTB3", "3-month Treasury bill, secondary market", "daily", "percent", AT_CLOSE),
    _fred("T10Y2Y", "10-year minus 2-year Treasury spread", "daily", "percent", AT_CLOSE),
    _fred("T10Y3M", "10-year minus 3-month Treasury spread", "daily", "percent", AT_CLOSE),
    _fred("T5YIE", "5-year breakeven inflation", "daily", "percent", AT_CLOSE),
    _fred("T10YIE", "10-year breakeven inflation", "daily", "percent", AT_CLOSE),
    _fred("T5YIFR", "5-year, 5-year forward inflation expectation", "daily", "percent", AT_CLOSE),
    _fred("DFII10", "10-year TIPS (real) yield", "daily", "percent", AT_CLOSE),
    _fred("SOFR", "Secured overnight financing rate", "daily", "percent",
          NY_FED_NEXT_MORNING),
    _fred("EFFR", "Effective federal funds rate", "daily", "percent", NY_FED_NEXT_MORNING),
    _fred("DFF", "Federal funds effective rate (7-day)", "daily", "percent",
          NY_FED_NEXT_MORNING),
    _fred("IORB", "Interest on reserve balances (from 2021-07-29)", "daily", "percent", POLICY),
    _fred("IOER", "Interest on excess reserves (to 2021-07-28)", "daily", "percent", POLICY),
    _fred("DFEDTARU", "Fed funds target range, upper", "daily", "percent", POLICY),
    _fred("DFEDTARL", "Fed funds target range, lower", "daily", "percent", POLICY),
    # credit, dollar, markets
    _fred("BAMLH0A0HYM2", "ICE BofA US high-yield OAS", "daily", "percent", NEXT_MORNING),
    _fred("BAMLC0A0CM", "ICE BofA US corporate OAS", "daily", "percent", NEXT_MORNING),
    _fred("DTWEXBGS", "Nominal broad US dollar index", "daily", "index Jan 2006=100", H10),
    _fred("DEXUSEU", "US dollars per euro (noon buying rate)", "daily", "USD per EUR", H10),
    _fred("DEXJPUS", "Japanese yen per US dollar (noon buying rate)", "daily", "JPY per USD",
          H10),
    _fred("DEXUSUK", "US dollars per pound (noon buying rate)", "daily", "USD per GBP", H10),
    _fred("VIXCLS", "CBOE VIX close", "daily", "index", AT_CLOSE),
    _fred("SP500", "S&P 500 index", "daily", "index", AT_CLOSE),
    _fred("NASDAQCOM", "NASDAQ composite index", "daily", "index", AT_CLOSE),
    _fred("NFCI", "Chicago Fed national financial conditions index", "weekly", "index", NFCI_RULE),
    # macro
    _fred("GDP", "Nominal GDP", "quarterly", "USD billions, SAAR", GDP_RULE),
    _fred("CPIAUCSL", "CPI, all urban consumers", "monthly", "index 1982-84=100", CPI_RULE),
    _fred("UNRATE", "Unemployment rate", "monthly", "percent", UNRATE_RULE),
    _fred("M2SL", "M2 money stock", "monthly", "USD billions", M2_RULE),
    _fred("MMMFFAQ027S", "Money market funds, total financial assets (Z.1)", "quarterly",
          "USD millions, quarter-end level", Z1_RULE),
    # other central banks and foreign yields
    _fred("ECBASSETSW", "ECB total assets", "weekly", "EUR millions, weekly Friday level",
          ECB_WEEKLY),
    _fred("JPNASSETS", "Bank of Japan total assets", "monthly", "100 million yen, month end",
          BOJ_MONTHLY),
    _fred("IRLTLT01DEM156N", "Germany 10-year government bond yield (monthly average)",
          "monthly", "percent", OECD_MONTHLY),
    _fred("IRLTLT01JPM156N", "Japan 10-year government bond yield (monthly average)",
          "monthly", "percent", OECD_MONTHLY),
    _fred("IRLTLT01GBM156N", "UK 10-year government bond yield (monthly average)",
          "monthly", "percent", OECD_MONTHLY),
    # prices
    _yahoo("SPY", "SPDR S&P 500 ETF"),
    _yahoo("QQQ", "Invesco QQQ (Nasdaq-100)"),
    _yahoo("IWM", "iShares Russell 2000"),
    _yahoo("IWD", "iShares Russell 1000 Value"),
    _yahoo("IWF", "iShares Russell 1000 Growth"),
    _yahoo("VTV", "Vanguard Value"),
    _yahoo("VUG", "Vanguard Growth"),
    _yahoo("USMV", "iShares MSCI USA Min Vol"),
    _yahoo("QUAL", "iShares MSCI USA Quality"),
    _yahoo("XLF", "Financial Select Sector SPDR"),
    _yahoo("XLK", "Technology Select Sector SPDR"),
    _yahoo("EFA", "iShares MSCI EAFE"),
    _yahoo("EEM", "iShares MSCI Emerging Markets"),
    _yahoo("TLT", "iShares 20+ Year Treasury"),
    _yahoo("IEF", "iShares 7-10 Year Treasury"),
    _yahoo("SHY", "iShares 1-3 Year Treasury"),
    _yahoo("BIL", "SPDR 1-3 Month T-Bill"),
    _yahoo("TIP", "iShares TIPS"),
    _yahoo("AGG", "iShares Core US Aggregate Bond"),
    _yahoo("LQD", "iShares investment-grade corporate"),
    _yahoo("HYG", "iShares high-yield corporate"),
    _yahoo("BNDX", "Vanguard Total International Bond"),
    _yahoo("EWJ", "iShares MSCI Japan"),
    _yahoo("EWU", "iShares MSCI United Kingdom"),
    _yahoo("IEV", "iShares Europe"),
    _yahoo("EZU", "iShares MSCI Eurozone"),
    _yahoo("EWC", "iShares MSCI Canada"),
    _yahoo("EWA", "iShares MSCI Australia"),
    _yahoo("FXE", "Invesco CurrencyShares Euro Trust"),
    _yahoo("FXY", "Invesco CurrencyShares Japanese Yen Trust"),
    _yahoo("GLD", "SPDR Gold Shares"),
    _yahoo("UUP", "Invesco DB US Dollar Index Bullish"),
    _yahoo("GSPC", "S&P 500 index (^GSPC)", symbol="^GSPC"),
    _yahoo("VIX", "CBOE VIX index (^VIX)", symbol="^VIX"),
    # Fama-French
    SeriesSpec(
        "FF3_DAILY", "french", "Fama-French 3 factors, daily", "daily", "percent", FACTORS,
        kind="factors", symbol="F-F_Research_Data_Factors_daily", default_field="HML",
        fields=("Mkt-RF", "SMB", "HML", "RF"),
    ),
    SeriesSpec(
        "FF5_DAILY", "french", "Fama-French 5 factors (2x3), daily", "daily", "percent",
        FACTORS, kind="factors", symbol="F-F_Research_Data_5_Factors_2x3_daily",
        default_field="HML", fields=("Mkt-RF", "SMB", "HML", "RMW", "CMA", "RF"),
    ),
    SeriesSpec(
        "FF3_MONTHLY", "french", "Fama-French 3 factors, monthly", "monthly", "percent",
        ReleaseRule(anchor="period_end", note="monthly factor return realised at month end"),
        kind="factors", symbol="F-F_Research_Data_Factors", default_field="HML",
        fields=("Mkt-RF", "SMB", "HML", "RF"),
    ),
    # derived
    SeriesSpec(
        "NETLIQ", "derived", "Net liquidity = WALCL - WTREGEN - RRPONTSYD*1000", "daily",
        "USD millions", DERIVED, inputs=("WALCL", "WTREGEN", "RRPONTSYD"),
    ),
    SeriesSpec(
        "IORB_IOER", "derived", "Interest on reserves: IOER to 2021-07-28, IORB after",
        "daily", "percent", DERIVED, inputs=("IOER", "IORB"),
    ),
    SeriesSpec(
        "SOFR_IORB", "derived", "Funding spread: SOFR minus IORB (IOER before 2021-07-29)",
        "daily", "percent", DERIVED, inputs=("SOFR", "IORB_IOER"),
    ),
    SeriesSpec(
        "EFFR_IORB", "derived", "Funding spread: EFFR minus IORB (IOER before 2021-07-29)",
        "daily", "percent", DERIVED, inputs=("EFFR", "IORB_IOER"),
    ),
    SeriesSpec(
        "T2S10S", "derived", "2s10s curve: DGS10 minus DGS2", "daily", "percentage points",
        DERIVED, inputs=("DGS2", "DGS10"),
    ),
    # net liquidity's parts in one unit (issue #14): RRP in USD millions, and the 4- and
    # 13-week changes of NETLIQ split into WALCL, TGA (minus its change) and RRP (minus its)
    SeriesSpec(
        "RRP_MN", "derived", "ON RRP volume in USD millions (RRPONTSYD x 1000)", "daily",
        "USD millions", DERIVED, inputs=("RRPONTSYD",),
    ),
    *(SeriesSpec(sid, "derived", f"Net liquidity {part} change over {weeks} weeks"
                 + ("" if part == "total" else " (its contribution)"), "daily", "USD millions",
                 DERIVED, inputs=("WALCL", "WTREGEN", "RRPONTSYD"))
      for sid, (part, weeks) in NETLIQ_PARTS.items()),
]

CATALOG: dict[str, SeriesSpec] = {s.id: s for s in _ENTRIES}
#: series declared by the active user catalog (see :mod:`backtest.data.usercat`)
USER_SERIES: dict[str, SeriesSpec] = {}


def set_user_series(specs: Iterable[SeriesSpec]) -> None:
    """Replace the user-declared series (:func:`backtest.data.usercat.use_catalog` calls it)."""
    USER_SERIES.clear()
    USER_SERIES.update({s.id: s for s in specs})


def all_specs() -> dict[str, SeriesSpec]:
    """Built-in and user-declared series, built-in ids first."""
    return {**CATALOG, **USER_SERIES}


def suggest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Close matches of ``name`` among ``choices`` (case-insensitive)."""
    pool = list(choices)
    upper = {c.upper(): c for c in pool}
    hits = difflib.get_close_matches(name.upper(), list(upper), n=n, cutoff=0.5)
    prefix = [c for c in pool if c.upper().startswith(name.upper()[:3])] if len(name) >= 3 else []
    out: list[str] = []
    for h in [upper[h] for h in hits] + prefix:
        if h not in out:
            out.append(h)
    return out[:n]


def get_spec(series_id: str) -> SeriesSpec:
    """Return the catalog entry of ``series_id``.

    Raises
    ------
    UnknownSeriesError
        When the id is not in the catalog; the message lists close matches.
    """
    key = series_id.strip()
    known = all_specs()
    for k in (key, key.upper(), key.lstrip("^").upper()):
        if k in known:
            return known[k]
    close = suggest(key, known)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise UnknownSeriesError(
        f"Unknown series {series_id!r}.{hint} Run `qtbt data list --all` to see every id; "
        "declare your own FRED id, Yahoo ticker or CSV file with `qtbt data add` (it writes "
        "qtbt.toml)."
    )


def parse_series_ref(ref: str) -> tuple[SeriesSpec, str]:
    """Split ``ID[.FIELD]`` into its catalog entry and the column to use.

    Examples: ``WALCL`` -> (WALCL, ""), ``SPY`` -> (SPY, "Adj Close"),
    ``SPY.Close`` -> (SPY, "Close"), ``FF3_DAILY.HML`` -> (FF3_DAILY, "HML").
    """
    sid, _, fld = ref.partition(".")
    spec = get_spec(sid)
    if spec.kind == "series":
        if fld:
            raise UnknownSeriesError(
                f"Series {spec.id!r} has a single column; drop {'.' + fld!r} from {ref!r}."
            )
        return spec, ""
    if not fld:
        return spec, spec.default_field
    for f in spec.fields:
        if f.lower().replace(" ", "") == fld.lower().replace(" ", "").replace("_", ""):
            return spec, f
    raise UnknownSeriesError(
        f"{spec.id} has no field {fld!r}; fields are: {', '.join(spec.fields)} "
        f"(for example {spec.id}.{spec.fields[0].replace(' ', '')})."
    )
