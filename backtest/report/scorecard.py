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

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from backtest._typing import DateLike, ScorecardFormat
from backtest.claims import SCORED, Claim
from backtest.data.store import DataStore
from backtest.exceptions import ParameterError
from backtest.provenance import package_versions
from backtest.report.bootstrap import BootstrapSpec
from backtest.report.charts import scorecard_figure
from backtest.report.scorecard_claims import MEASURES
from backtest.report.scorecard_data import (
    NO_DATA,
    SERIES,
    ScoreData,
    WindowSpec,
    load_score_data,
)
from backtest.report.scorecard_measures import Builder
from backtest.report.scorecard_netliq import decompose
from backtest.report.scorecard_report import (
    UNITS,
    scorecard_csv,
    scorecard_html,
    scorecard_json,
    scorecard_markdown,
    scorecard_text,
)
from backtest.report.scorecard_user import UserClaim, measure_user_claim, user_refs

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

ROW_COLUMNS = ["claim", "test", "window", "role", "direction", "unit", "value", "low", "high",
               "days", "obs", "episodes", "verdict"]
_PACKAGES = ("qtbt", "numpy", "pandas", "arch", "plotly")

#: the claims the scorecard tests (the same objects strategies refer to by id)
CLAIMS: tuple[Claim, ...] = SCORED


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
    decomposition : DataFrame
        Each QT episode's change in net liquidity split into WALCL, TGA and
        RRP (USD billions; see
        :func:`backtest.report.scorecard_netliq.decompose`).
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
    decomposition: pd.DataFrame = field(default_factory=pd.DataFrame)

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

    def to_text(self, fmt: ScorecardFormat = "table") -> str:
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


def _summarise(rows: pd.DataFrame, claims: Sequence[Claim] = CLAIMS) -> pd.DataFrame:
    out = []
    for c in claims:
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
    store: DataStore | str | Path | None = None,
    classifier: str = "calendar",
    bootstrap: BootstrapSpec | None = None,
    windows: WindowSpec | None = None,
    start: DateLike = "2003-01-02",
    end: DateLike | None = None,
    data: ScoreData | None = None,
    user_claims: Sequence[UserClaim] = (),
    regimes: str | Path | None = None,
) -> Scorecard:
    """Test every playbook claim on the data.

    Parameters
    ----------
    store : DataStore, optional
        Where the data comes from (default ``DataStore()``).
    classifier : {"calendar", "data", "rules", "markov", "hybrid"}
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
    user_claims : sequence of UserClaim, optional
        Your claims (:func:`backtest.report.scorecard_user.load_user_claims`),
        tested after the playbook's.
    regimes : str or Path, optional
        Your own regimes file (``date,label``), used instead of ``classifier``.

    Returns
    -------
    Scorecard
    """
    extra = user_refs(user_claims)
    d = data if data is not None else load_score_data(store, classifier, start, end, extra,
                                                      regimes)
    missing = [r for r in extra if r not in d.panel.columns]
    if missing:
        raise ParameterError(f"user claims read {', '.join(missing)}, which the pre-loaded "
                             "data lacks; load it with load_score_data(..., extra=[...]).")
    b = Builder(d, bootstrap or BootstrapSpec(), windows or WindowSpec())
    for claim, measure in MEASURES:
        measure(b, claim)
    for uc in user_claims:
        measure_user_claim(b, uc)
    rows = pd.DataFrame(b.rows, columns=ROW_COLUMNS)
    idx = d.panel.index
    every = (*CLAIMS, *(uc.claim for uc in user_claims))
    return Scorecard(rows, _summarise(rows, every), d.classifier, f"{idx[0]:%Y-%m-%d}",
                     f"{idx[-1]:%Y-%m-%d}", b.spec, b.windows, d.provenance, _versions(),
                     decompose(d.panel, d.labels))
