"""The playbook scorecard: every claim of the QT playbook tested on the data.

What is measured
----------------
Markets are measured at their own observation dates (``asof="observation"``:
what *happened*, not what a strategy could have known), each series cut at
its last real observation (no carried-forward tail). Regime labels come from
the chosen classifier on the same sessions.

* Returns (IWD, IWF, UUP, TLT, GLD, EEM, DTWEXBGS, Fama-French HML) are daily
  simple returns; a statistic is their mean times 252 (an annualised return).
* Yields and spreads (DGS10, T2S10S) are daily changes in basis points; the
  statistic is the mean daily change times 252 (bp per year).
* Net liquidity and the S&P 500 (``GSPC``) are sampled on Wednesdays (the
  H.4.1 reference day); the statistic is the correlation of weekly percent
  changes, also with the S&P 500 one week later (liquidity leading) and
  earlier (lagging).
* Funding spreads (SOFR - IORB, EFFR - IORB; IOER before 2021-07-29) in bp:
  the statistic is the mean spread over the ``pre`` sessions before each
  announcement that QT ends minus the mean over the ``baseline`` sessions
  before those, averaged over events; each window is resampled on its own
  (a stratified bootstrap), since level differences between events are not
  what the claim is about.
* Windows around the end of QT: the ``end_of_qt`` regime, and the ``after``
  sessions from the effective date of each event of kind ``qt_end``
  (runoff stops), pooled.

Verdicts
--------
Each *test* row has a claimed sign. With the bootstrap interval (see
:mod:`backtest.report.bootstrap`; pooled days of a regime or window are
resampled as one series): **supported** when the interval excludes zero on
the claimed side, **contradicted** when it excludes zero on the other side,
**inconclusive** otherwise; a test with no session of data is **no data**.
A claim is the conjunction of its tests: it is supported when every test
is, contradicted when any test is, no data when every test has no data,
inconclusive otherwise. *Context* rows (the other regimes, lead/lag) carry no verdict.
Every row shows its days and episodes; a claim whose tests rest on two
episodes or fewer is flagged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from backtest import claims as cl
from backtest._typing import DateLike
from backtest.claims import SCORED, Claim
from backtest.data.derived import DERIVED
from backtest.data.panel import build_panel, last_known_session
from backtest.data.store import DataStore
from backtest.exceptions import ParameterError
from backtest.metrics import TRADING_DAYS, episodes
from backtest.provenance import package_versions
from backtest.regimes.api import regime_labels
from backtest.regimes.events import Event, load_events
from backtest.report.bootstrap import BootstrapSpec, percentile_interval, replicates, verdict
from backtest.report.charts import scorecard_figure
from backtest.report.scorecard_report import (
    UNITS,
    scorecard_csv,
    scorecard_html,
    scorecard_json,
    scorecard_markdown,
    scorecard_text,
)
from backtest.report.stats import regime_order

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = [
    "CLAIMS",
    "NO_DATA",
    "ROW_COLUMNS",
    "SERIES",
    "UNITS",
    "Claim",
    "ScoreData",
    "Scorecard",
    "WindowSpec",
    "claim_verdict",
    "load_score_data",
    "scorecard",
]

SERIES = ("IWD", "IWF", "FF3_DAILY.HML", "UUP", "DTWEXBGS", "TLT", "DGS10", "T2S10S", "GLD",
          "EEM", "NETLIQ", "GSPC", "SOFR_IORB", "EFFR_IORB")
ROW_COLUMNS = ["claim", "test", "window", "role", "direction", "unit", "value", "low", "high",
               "days", "obs", "episodes", "verdict"]
_PACKAGES = ("qtbt", "numpy", "pandas", "arch", "plotly")


#: the claims the scorecard tests (the same objects strategies refer to by id)
CLAIMS: tuple[Claim, ...] = SCORED
#: verdict of a test with no session of data, and of a claim whose every test has none
NO_DATA = "no data"
TextFormat = Literal["table", "csv", "json", "markdown"]


@dataclass(frozen=True)
class WindowSpec:
    """Lengths of the event windows, in sessions.

    Parameters
    ----------
    after : int
        Sessions from the effective date of each QT end (default 126, six months).
    pre : int
        Sessions before each QT-end announcement (default 63, three months).
    baseline : int
        Sessions before the ``pre`` window, for comparison (default 126).
    """

    after: int = 126
    pre: int = 63
    baseline: int = 126

    def __post_init__(self) -> None:
        for name in ("after", "pre", "baseline"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 5:
                raise ParameterError(f"window {name} must be a whole number of sessions >= 5, "
                                     f"got {v!r}.")


@dataclass(frozen=True)
class ScoreData:
    """Inputs of the scorecard.

    Attributes
    ----------
    panel : DataFrame
        :data:`SERIES` at their observation dates on NYSE sessions, NaN
        after each series' last observation.
    labels : Series
        Regime label per session.
    events : list of Event
        Fed balance-sheet events.
    provenance : dict
        Series id -> source, origin, sha256.
    classifier : str
        Which classifier made ``labels``.
    """

    panel: pd.DataFrame
    labels: pd.Series
    events: list[Event]
    provenance: dict[str, dict[str, str]]
    classifier: str


def load_score_data(store: DataStore | None = None, classifier: str = "calendar",
                    start: DateLike = "2003-01-02", end: DateLike | None = None) -> ScoreData:
    """Read the scorecard's series and label the sessions.

    Raises
    ------
    ParameterError
        An unknown classifier.
    SeriesNotAvailableError, EmptyRangeError
        Missing data.
    """
    store = store if store is not None else DataStore()
    if classifier not in ("calendar", "data"):
        raise ParameterError(f"classifier must be 'calendar' or 'data', got {classifier!r}.")
    panel = build_panel(list(SERIES), start=start, end=end, asof="observation", store=store,
                        on_stale="ignore")
    for ref in SERIES:
        last = last_known_session(ref, store, "observation")
        if last is not None:
            panel.loc[panel.index > last, ref] = np.nan
    labels = regime_labels(pd.DatetimeIndex(panel.index), store, classifier)
    used = _base_ids(SERIES) | ({"WSHOSHO"} if classifier == "data" else set())
    prov = {k: {"source": v["source"], "origin": v["origin"], "sha256": v["sha256"]}
            for k, v in store.provenance().items() if k in used}
    return ScoreData(panel, labels, load_events(), prov, classifier)


def _base_ids(refs: Sequence[str]) -> set[str]:
    """Stored series behind references (derived series expanded, fields dropped)."""
    out: set[str] = set()
    for ref in refs:
        sid = ref.partition(".")[0]
        if sid in DERIVED:
            out |= _base_ids(DERIVED[sid][0])
        else:
            out.add(sid)
    return out


def _returns(panel: pd.DataFrame, ref: str) -> pd.Series:
    return panel[ref].pct_change(fill_method=None)


def _bp_change(panel: pd.DataFrame, ref: str) -> pd.Series:
    return panel[ref].diff() * 100.0


def claim_verdict(verdicts: Sequence[str]) -> str:
    """A claim's verdict from its tests' (the conjunction rule in the module notes)."""
    if not verdicts:
        return "inconclusive"
    if all(v == NO_DATA for v in verdicts):
        return NO_DATA
    if all(v == "supported" for v in verdicts):
        return "supported"
    if any(v == "contradicted" for v in verdicts):
        return "contradicted"
    return "inconclusive"


@dataclass
class _Builder:
    """Accumulates rows; one bootstrap per row, keyed by claim and row."""

    data: ScoreData
    spec: BootstrapSpec
    windows: WindowSpec
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, claim: Claim, test: str, window: str, role: str, direction: int, unit: str,
            value: float, lo: float, hi: float, days: int, obs: int, n_ep: int) -> None:
        judged = (NO_DATA if days == 0 else verdict(lo, hi, direction)) if role == "test" else ""
        self.rows.append({
            "claim": claim.id, "test": test, "window": window, "role": role,
            "direction": direction if role == "test" else 0, "unit": unit,
            "value": float(value), "low": float(lo), "high": float(hi), "days": int(days),
            "obs": int(obs), "episodes": int(n_ep), "verdict": judged,
        })

    def mean_ci(self, values: np.ndarray, scale: float, key: str,
                spec: BootstrapSpec | None = None) -> tuple[float, float, float, np.ndarray]:
        """Scaled mean, its interval, and the replicates."""
        sp = spec or self.spec
        value = float(np.mean(values)) * scale if len(values) else float("nan")
        reps = replicates(values, lambda a: np.atleast_1d(np.mean(a) * scale), sp, key)
        lo, hi = percentile_interval(reps, sp.level)
        return value, float(lo[0]), float(hi[0]), reps[:, 0]

    def by_regime(self, claim: Claim, test: str, x: pd.Series, unit: str, scale: float,
                  direction: int, tests: Sequence[str]) -> None:
        """One row per regime for the daily series ``x``; ``tests`` are the claimed regimes.

        Without any observation, each claimed regime gets a ``no data`` row.
        """
        x = x.dropna()
        if x.empty:
            for reg in tests:
                self.add(claim, test, reg, "test", direction, unit, np.nan, np.nan, np.nan,
                         0, 0, 0)
            return
        lab = self.data.labels.reindex(x.index)
        runs = episodes(self.data.labels.loc[x.index[0]:x.index[-1]])
        for reg in regime_order(lab.dropna().tolist()):
            v = x[(lab == reg).to_numpy()].to_numpy()
            value, lo, hi, _ = self.mean_ci(v, scale, f"{claim.id}/{test}/{reg}")
            n_ep = int((runs["label"] == reg).sum())
            self.add(claim, test, reg, "test" if reg in tests else "context", direction, unit,
                     value, lo, hi, len(v), len(v), n_ep)

    def event_windows(self, kind: str, anchor: str, offset: int, length: int
                      ) -> list[pd.DatetimeIndex]:
        """Session windows ``[t + offset, t + offset + length)`` around each event of ``kind``."""
        idx = pd.DatetimeIndex(self.data.panel.index)
        out = []
        for e in self.data.events:
            if e.kind != kind:
                continue
            pos = int(idx.searchsorted(e.effective if anchor == "effective" else e.announced))
            lo, hi = max(0, pos + offset), min(len(idx), pos + offset + length)
            if hi > lo:
                out.append(idx[lo:hi])
        return out

    def pooled(self, x: pd.Series, windows: list[pd.DatetimeIndex]) -> tuple[np.ndarray, int]:
        """Values of ``x`` in the windows (concatenated) and how many windows had any."""
        parts = [x.reindex(w).dropna().to_numpy() for w in windows]
        used = [p for p in parts if len(p)]
        return (np.concatenate(used) if used else np.array([])), len(used)

    def after_qt(self, claim: Claim, test: str, x: pd.Series, unit: str, scale: float,
                 direction: int, role: str = "test", before: bool = False) -> None:
        """Row for the sessions after (or before) each QT end, pooled."""
        n = self.windows.after
        wins = self.event_windows("qt_end", "effective", -n if before else 0, n)
        v, n_ep = self.pooled(x.dropna(), wins)
        where = f"{n} sessions {'before' if before else 'after'} QT ends"
        value, lo, hi, _ = self.mean_ci(v, scale, f"{claim.id}/{test}/{where}")
        self.add(claim, test, where, role, direction, unit, value, lo, hi, len(v), len(v), n_ep)


def _value(b: _Builder, c: Claim) -> None:
    p = b.data.panel
    b.by_regime(c, "IWD - IWF return", _returns(p, "IWD") - _returns(p, "IWF"), "ann_return",
                TRADING_DAYS, 1, ["QT"])
    b.by_regime(c, "HML factor return", p["FF3_DAILY.HML"] / 100.0, "ann_return",
                TRADING_DAYS, 1, ["QT"])


def _dollar(b: _Builder, c: Claim) -> None:
    p = b.data.panel
    for ref, name in (("UUP", "UUP return"), ("DTWEXBGS", "broad dollar (DTWEXBGS) return")):
        b.by_regime(c, name, _returns(p, ref), "ann_return", TRADING_DAYS, 1, ["QT"])


def _duration(b: _Builder, c: Claim) -> None:
    p = b.data.panel
    b.by_regime(c, "TLT return", _returns(p, "TLT"), "ann_return", TRADING_DAYS, -1, ["QT"])
    b.by_regime(c, "10-year yield change", _bp_change(p, "DGS10"), "bp_per_year",
                TRADING_DAYS, 1, ["QT"])


def _curve(b: _Builder, c: Claim) -> None:
    x = _bp_change(b.data.panel, "T2S10S")
    test = "2s10s change"
    b.by_regime(c, test, x, "bp_per_year", TRADING_DAYS, 1, ["end_of_qt"])
    b.after_qt(c, test, x, "bp_per_year", TRADING_DAYS, 1)
    b.after_qt(c, test, x, "bp_per_year", TRADING_DAYS, 1, role="context", before=True)


def _after_qt(b: _Builder, c: Claim) -> None:
    p = b.data.panel
    for ref, direction in (("UUP", -1), ("GLD", 1), ("EEM", 1)):
        x = _returns(p, ref).dropna()
        lab = b.data.labels.reindex(x.index)
        v = x[(lab == "end_of_qt").to_numpy()].to_numpy()
        value, lo, hi, _ = b.mean_ci(v, TRADING_DAYS, f"{c.id}/{ref}/end_of_qt")
        span = b.data.labels.loc[x.index[0]:x.index[-1]] if len(x) else b.data.labels.iloc[:0]
        runs = episodes(span)
        b.add(c, f"{ref} return", "end_of_qt", "test", direction, "ann_return", value, lo,
              hi, len(v), len(v), int((runs["label"] == "end_of_qt").sum()))
        b.after_qt(c, f"{ref} return", x, "ann_return", TRADING_DAYS, direction)


def _corr_stat(a: np.ndarray) -> np.ndarray:
    sd = np.std(a, axis=0)
    if np.any(sd == 0.0):
        return np.array([np.nan])
    return np.array([float(np.corrcoef(a[:, 0], a[:, 1])[0, 1])])


def _netliq(b: _Builder, c: Claim) -> None:
    p = b.data.panel[["NETLIQ", "GSPC"]]
    weeks = p.resample("W-WED").last()
    nl = weeks["NETLIQ"].pct_change(fill_method=None)
    sp = weeks["GSPC"].pct_change(fill_method=None)
    week_of = pd.Series(p.index, index=p.index).resample("W-WED").last()
    lab = b.data.labels.reindex(pd.DatetimeIndex(week_of.to_numpy()))
    lab.index = weeks.index
    session_week = pd.Series(1, index=p.index).resample("W-WED").sum()
    spec = b.spec.weekly()
    cases: list[tuple[str, pd.Series, str, str | None, str]] = [
        ("weekly correlation", sp, "all weeks", None, "test"),
        ("NETLIQ leads S&P 500 by a week", sp.shift(-1), "all weeks", None, "context"),
        ("S&P 500 leads NETLIQ by a week", sp.shift(1), "all weeks", None, "context")]
    cases += [("weekly correlation", sp, reg, reg, "context")
              for reg in regime_order(lab.dropna().tolist())]
    all_runs = episodes(b.data.labels)
    for test, other, window, reg, role in cases:
        pair = pd.DataFrame({"nl": nl, "sp": other})
        if reg is not None:
            pair = pair[(lab == reg).to_numpy()]
        pair = pair.dropna()
        arr = pair.to_numpy()
        value = float(_corr_stat(arr)[0]) if len(arr) > 2 else float("nan")
        reps = replicates(arr, _corr_stat, spec, f"{c.id}/{test}/{window}")
        lo, hi = percentile_interval(reps, spec.level)
        days = int(session_week.reindex(pair.index).sum())
        n_ep = (int((all_runs["label"] == reg).sum()) if reg is not None else len(all_runs))
        b.add(c, test, window, role, 1, "correlation", value, float(lo[0]), float(hi[0]),
              days, len(arr), n_ep)


def _funding(b: _Builder, c: Claim) -> None:
    w = b.windows
    pre = b.event_windows("qt_end", "announce", -w.pre, w.pre)
    base = b.event_windows("qt_end", "announce", -(w.pre + w.baseline), w.baseline)
    for ref in ("SOFR_IORB", "EFFR_IORB"):
        x = b.data.panel[ref].dropna() * 100.0
        name = f"{ref.replace('_', ' - ')} spread"
        # per event: mean over the pre window minus mean over its baseline, each window
        # resampled on its own (level differences between events are not the claim)
        diffs, reps, days = [], [], 0
        for k, (wp, wb) in enumerate(zip(pre, base, strict=True)):
            vp, vb = x.reindex(wp).dropna().to_numpy(), x.reindex(wb).dropna().to_numpy()
            if len(vp) < 2 or len(vb) < 2:
                continue
            mp, _, _, rp = b.mean_ci(vp, 1.0, f"{c.id}/{ref}/pre/{k}")
            mb, _, _, rb = b.mean_ci(vb, 1.0, f"{c.id}/{ref}/baseline/{k}")
            diffs.append(mp - mb)
            reps.append(rp - rb)
            days += len(vp) + len(vb)
        value = float(np.mean(diffs)) if diffs else float("nan")
        both = np.mean(np.vstack(reps), axis=0) if reps else np.full(b.spec.reps, np.nan)
        lo, hi = percentile_interval(both, b.spec.level)
        b.add(c, f"{name}: last {w.pre} minus prior {w.baseline} sessions",
              "before QT-end announcements", "test", 1, "bp", value, float(lo[0]),
              float(hi[0]), days, days, len(diffs))
        b.by_regime(c, f"{name} level", x, "bp", 1.0, 1, [])


#: each scored claim with the function that adds its rows (tests and context)
_MEASURES: tuple[tuple[Claim, Callable[[_Builder, Claim], None]], ...] = (
    (cl.VALUE, _value), (cl.DOLLAR, _dollar), (cl.DURATION, _duration), (cl.CURVE, _curve),
    (cl.AFTER_QT, _after_qt), (cl.NETLIQ, _netliq), (cl.FUNDING, _funding))
if tuple(c for c, _ in _MEASURES) != CLAIMS:  # every scored claim has exactly one measure
    raise RuntimeError("backtest.claims.SCORED and the scorecard's measures differ: "
                       f"{[c.id for c, _ in _MEASURES]} vs {[c.id for c in CLAIMS]}")


def _versions() -> dict[str, str]:
    return package_versions(_PACKAGES)


@dataclass(frozen=True)
class Scorecard:
    """The playbook's claims, tested.

    Attributes
    ----------
    rows : DataFrame
        One row per measurement (:data:`ROW_COLUMNS`): ``role`` ``test`` (with
        a claimed ``direction`` and a ``verdict``) or ``context``; ``unit``
        is ``ann_return`` (fraction per year), ``bp_per_year``, ``bp`` or
        ``correlation``; ``low``/``high`` the bootstrap interval; ``days``
        sessions covered, ``obs`` observations behind the statistic,
        ``episodes`` regime episodes or events.
    claims : DataFrame
        One row per claim: ``claim``, ``statement``, ``verdict``, ``tests``,
        ``supported``, ``contradicted``, ``inconclusive``, ``no_data``,
        ``episodes`` (the fewest behind any test), ``days`` (the fewest),
        ``flag``.
    classifier : str
        Regime classifier used.
    start, end : str
        First and last session of the data.
    bootstrap : BootstrapSpec
        Interval settings.
    windows : WindowSpec
        Event-window lengths.
    provenance : dict
        Series id -> source, origin, sha256.
    versions : dict
        Package versions.
    """

    rows: pd.DataFrame
    claims: pd.DataFrame
    classifier: str
    start: str
    end: str
    bootstrap: BootstrapSpec
    windows: WindowSpec
    provenance: dict[str, dict[str, str]]
    versions: dict[str, str]

    def summary(self) -> pd.DataFrame:
        """One row per claim with its verdict (see :attr:`claims`)."""
        return self.claims.copy()

    def tests(self) -> pd.DataFrame:
        """The rows that decide verdicts."""
        return self.rows[self.rows["role"] == "test"].reset_index(drop=True)

    def to_markdown(self) -> str:
        """Claims and test rows as markdown tables."""
        return scorecard_markdown(self)

    def to_html(self) -> str:
        """The scorecard report page, as text."""
        return scorecard_html(self)

    def to_text(self, fmt: TextFormat = "table") -> str:
        """What ``qtbt scorecard --format FMT`` prints.

        Parameters
        ----------
        fmt : {"table", "csv", "json", "markdown"}
            Aligned terminal tables, every row as CSV, everything as JSON, or
            markdown tables.
        """
        render = {"table": scorecard_text, "csv": scorecard_csv, "json": scorecard_json,
                  "markdown": scorecard_markdown}
        if fmt not in render:
            raise ParameterError(f"format must be one of {', '.join(render)}; got {fmt!r}.")
        return render[fmt](self)

    def plot(self) -> Figure:
        """Forest plot of the test rows (a plotly figure; never shown)."""
        t = self.tests()
        labels = [f"{c}: {s} [{w}]" for c, s, w in zip(t["claim"], t["test"], t["window"],
                                                        strict=True)]
        return scorecard_figure(t.assign(label=labels), UNITS)


def _summarise(rows: pd.DataFrame) -> pd.DataFrame:
    out = []
    for c in CLAIMS:
        t = rows[(rows["claim"] == c.id) & (rows["role"] == "test")]
        verdicts = t["verdict"].tolist()
        n_ep = int(t["episodes"].min()) if len(t) else 0
        judged = claim_verdict(verdicts) if verdicts else NO_DATA
        flag = ("no session of data" if judged == NO_DATA
                else f"rests on {n_ep} episode(s)" if n_ep <= 2 else "")
        out.append({"claim": c.id, "statement": c.statement, "verdict": judged,
                    "tests": len(t), "supported": verdicts.count("supported"),
                    "contradicted": verdicts.count("contradicted"),
                    "inconclusive": verdicts.count("inconclusive"),
                    "no_data": verdicts.count(NO_DATA), "episodes": n_ep,
                    "days": int(t["days"].min()) if len(t) else 0, "flag": flag})
    return pd.DataFrame(out)


def scorecard(
    store: DataStore | None = None,
    classifier: str = "calendar",
    bootstrap: BootstrapSpec | None = None,
    windows: WindowSpec | None = None,
    start: DateLike = "2003-01-02",
    end: DateLike | None = None,
    data: ScoreData | None = None,
) -> Scorecard:
    """Test every playbook claim on the data.

    Parameters
    ----------
    store : DataStore, optional
        Where the data comes from (default ``DataStore()``).
    classifier : {"calendar", "data"}
        Regime labels.
    bootstrap : BootstrapSpec, optional
        Interval settings (block 20 sessions, 1000 resamples, 95 %).
    windows : WindowSpec, optional
        Event-window lengths (126 sessions after, 63 before, 126 baseline).
    start, end : date-like
        Data range (default 2003-01-02 to the latest observation).
    data : ScoreData, optional
        Pre-loaded inputs (then ``store``, ``classifier``, ``start`` and
        ``end`` are ignored).

    Returns
    -------
    Scorecard
    """
    d = data if data is not None else load_score_data(store, classifier, start, end)
    b = _Builder(d, bootstrap or BootstrapSpec(), windows or WindowSpec())
    for claim, measure in _MEASURES:
        measure(b, claim)
    rows = pd.DataFrame(b.rows, columns=ROW_COLUMNS)
    idx = d.panel.index
    return Scorecard(rows, _summarise(rows), d.classifier, f"{idx[0]:%Y-%m-%d}",
                     f"{idx[-1]:%Y-%m-%d}", b.spec, b.windows, d.provenance, _versions())
