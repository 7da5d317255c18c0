"""The forecast ledger scored: :class:`ForecastReport` and its table, CSV, JSON and HTML.

See :mod:`backtest.evidence.score` for how outcomes and verdicts are measured.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from backtest.data.store import DataStore, as_store
from backtest.evidence import Forecast, load_ledger, score_forecasts
from backtest.evidence.score import NYM
from backtest.exceptions import ParameterError
from backtest.metrics import to_jsonable
from backtest.report.format import DASH, text_table
from backtest.report.html import Cell, figure_html, page, section, table

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = ["FORECAST_FORMATS", "ForecastReport", "forecast_report"]

ForecastFormat = Literal["table", "csv", "json", "html"]
FORECAST_FORMATS: tuple[str, ...] = ("table", "csv", "json", "html")

_RULE = ("Outcomes run from the close before the anchor session to the close N sessions "
         "later (bp for yields and spreads, % for prices; 'versus' legs are differences). "
         "right: the claimed sign (and size, when a range is given); partly: sign right, size "
         "outside the range; wrong: sign wrong (flat: outside the band); not yet measurable: "
         "the data does not reach that close. Legs combine with 'all' (every leg right) or "
         "'any' (one leg right is enough).")
_CLASS = {"right": "v-supported", "wrong": "v-contradicted", "partly": "v-inconclusive",
          NYM: "v-no-data"}


def _num(x: Any, unit: str) -> str:
    if pd.isna(x):
        return DASH
    if unit == "bp":
        return f"{float(x):+.1f} bp"
    return f"{float(x):+.2f}%" if unit == "%" else f"{float(x):+,.6g} ({unit})"


def _day(x: Any) -> str:
    return DASH if pd.isna(x) else f"{pd.Timestamp(x):%Y-%m-%d}"


@dataclass(frozen=True)
class ForecastReport:
    """A ledger scored against the data.

    Attributes
    ----------
    forecasts : list of Forecast
        The ledger.
    outcomes : DataFrame
        One row per forecast, horizon and leg (see
        :data:`backtest.evidence.OUTCOME_COLUMNS`).
    verdicts : DataFrame
        One row per forecast and horizon.
    paths : DataFrame
        Each leg's outcome on every session from the anchor.
    source : str
        Which ledger (``shipped`` or the user's path).
    """

    forecasts: list[Forecast]
    outcomes: pd.DataFrame
    verdicts: pd.DataFrame
    paths: pd.DataFrame
    source: str

    def summary(self) -> pd.DataFrame:
        """Verdicts as a forecast x horizon table."""
        return self.verdicts.pivot(index="id", columns="horizon", values="verdict").reindex(
            [f.id for f in self.forecasts])

    def to_text(self, fmt: ForecastFormat = "table") -> str:
        """What ``qtbt forecasts --format FMT`` prints."""
        render = {"table": _text, "csv": _csv, "json": _json, "html": _html}
        if fmt not in render:
            raise ParameterError(f"format must be one of {', '.join(render)}; got {fmt!r}.")
        return render[fmt](self)

    def plot(self, forecast_id: str) -> Figure:
        """The path of each leg of one forecast, with its horizons and range marked."""
        f = next((x for x in self.forecasts if x.id == forecast_id), None)
        if f is None:
            raise ParameterError(f"no forecast {forecast_id!r}; ids: "
                                 f"{', '.join(x.id for x in self.forecasts)}.")
        return _figure(f, self.paths[self.paths["id"] == f.id],
                       self.outcomes[self.outcomes["id"] == f.id])


def _text(r: ForecastReport) -> str:
    heads = ["forecast", "horizon", "end close", "leg", "expected", "outcome", "leg verdict",
             "verdict"]
    verdict = {(v["id"], v["horizon"]): v["verdict"] for v in r.verdicts.to_dict("records")}
    rows = []
    for o in r.outcomes.to_dict("records"):
        rows.append([str(o["id"]), str(o["horizon"]), _day(o["end_date"]), str(o["leg"]),
                     str(o["expected"]), _num(o["outcome"], str(o["unit"])),
                     str(o["leg_verdict"]), str(verdict[(o["id"], o["horizon"])])])
    s = r.summary()
    counts = pd.Series(s.to_numpy().ravel()).value_counts()
    tally = ", ".join(f"{k}: {int(n)}" for k, n in counts.items())
    right = [False, True, False, False, False, True, False, False]
    return "\n".join([f"Forecast ledger ({r.source}): {len(r.forecasts)} forecasts, "
                      f"{len(r.verdicts)} verdicts ({tally}).", "",
                      text_table(heads, rows, right), "", _RULE, ""])


def _csv(r: ForecastReport) -> str:
    out = r.outcomes.merge(r.verdicts[["id", "horizon", "verdict"]], on=["id", "horizon"])
    return str(out.to_csv(index=False, lineterminator="\n", float_format="%.10g",
                          date_format="%Y-%m-%d"))


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    d = df.copy()
    for c in d.columns:
        if pd.api.types.is_datetime64_any_dtype(d[c]):
            d[c] = [_day(x) if not pd.isna(x) else None for x in d[c]]
    return [{str(k): v for k, v in rec.items()} for rec in d.to_dict("records")]


def _json(r: ForecastReport) -> str:
    doc = {"source": r.source,
           "forecasts": [{"id": f.id, "statement": f.statement, "anchor": f.anchor,
                          "anchor_date": _day(f.date), "horizons": list(f.horizons),
                          "combine": f.combine,
                          "legs": [{"series": g.series, "versus": g.versus,
                                    "measure": g.measure, "direction": g.direction,
                                    "low": g.low, "high": g.high} for g in f.legs]}
                         for f in r.forecasts],
           "verdicts": _records(r.verdicts), "outcomes": _records(r.outcomes)}
    return json.dumps(to_jsonable(doc), indent=2, sort_keys=True, allow_nan=False) + "\n"


def _figure(f: Forecast, paths: pd.DataFrame, outcomes: pd.DataFrame) -> Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    for leg in dict.fromkeys(paths["leg"]):
        p = paths[paths["leg"] == leg]
        fig.add_scatter(x=[_day(d) for d in p["session"]], y=p["outcome"].round(6).tolist(),
                        mode="lines", name=str(leg))
    for h in f.horizons:
        ends = outcomes.loc[outcomes["horizon"] == h, "end_date"].dropna()
        if len(ends):
            fig.add_vline(x=_day(ends.iloc[0]), line={"dash": "dot", "color": "#888888"})
    for g in f.legs:
        for bound in (g.low, g.high):
            if bound is not None:
                fig.add_hline(y=bound, line={"dash": "dash", "color": "#c62828", "width": 1})
    fig.add_hline(y=0, line={"color": "#333333", "width": 1})
    unit = str(outcomes["unit"].iloc[0]) if len(outcomes) else ""
    fig.update_layout(height=260, margin={"l": 50, "r": 10, "t": 10, "b": 30},
                      yaxis_title=unit, template="plotly_white",
                      legend={"orientation": "h", "y": 1.12})
    return fig


def _forecast_html(r: ForecastReport, f: Forecast) -> str:
    sub = r.outcomes[r.outcomes["id"] == f.id]
    verdict = r.verdicts[r.verdicts["id"] == f.id].set_index("horizon")["verdict"]
    rows = [[Cell(str(o["horizon"]), True), Cell(_day(o["end_date"])), Cell(str(o["leg"])),
             Cell(str(o["expected"])), Cell(_num(o["outcome"], str(o["unit"])), True),
             Cell(str(o["leg_verdict"]), cls=_CLASS.get(str(o["leg_verdict"]), "")),
             Cell(str(verdict[o["horizon"]]), cls=_CLASS.get(str(verdict[o["horizon"]]), ""))]
            for o in sub.to_dict("records")]
    heads: list[Cell | str] = [Cell("horizon", True), "end close", "leg", "expected",
                               Cell("outcome", True), "leg verdict", "verdict"]
    chart = figure_html(r.plot(f.id), f"fig-{f.id.lower().replace('_', '-')}")
    return section(f"f-{f.id.lower().replace('_', '-')}", f"{f.id}: {f.statement}",
                   table(heads, rows) + chart,
                   f"Anchor {f.anchor} (the session after the close of "
                   f"{_day(sub['start_date'].iloc[0])}); legs combine with '{f.combine}'.")


def _html(r: ForecastReport) -> str:
    s = r.summary()
    rows = [[Cell(fid)] + [Cell(str(v), cls=_CLASS.get(str(v), "")) for v in s.loc[fid]]
            for fid in s.index]
    body = [section("verdicts", "Verdicts", table(["forecast", *map(str, s.columns)], rows),
                    _RULE)]
    body += [_forecast_html(r, f) for f in r.forecasts]
    return page("qtbt · forecast ledger", f"{len(r.forecasts)} forecasts ({r.source})",
                [("verdicts", "Verdicts")], "\n".join(body),
                "Rendered by qtbt; same ledger and data give the same bytes.")


def forecast_report(path: str | Path | None = None,
                    store: DataStore | str | Path | None = None,
                    events_file: str | Path | None = None,
                    only: Sequence[str] | None = None) -> ForecastReport:
    """Read a ledger and score it on the data.

    Parameters
    ----------
    path : path, optional
        A user's ledger (TOML or CSV); the shipped one by default.
    store : DataStore, optional
        Where the data comes from.
    events_file : path, optional
        Events file for ``event:`` anchors.
    only : sequence of str, optional
        Forecast ids to keep (all by default).

    Raises
    ------
    ConfigError
        A malformed ledger.
    ParameterError
        An id in ``only`` that the ledger does not have.
    """
    forecasts = load_ledger(path, events_file)
    if only:
        known = {f.id for f in forecasts}
        missing = [i for i in only if i not in known]
        if missing:
            raise ParameterError(f"--id {', '.join(missing)}: not in the ledger; ids are "
                                 f"{', '.join(sorted(known))}.")
        forecasts = [f for f in forecasts if f.id in set(only)]
    outcomes, verdicts, paths = score_forecasts(forecasts, as_store(store, "forecasts"))
    return ForecastReport(forecasts, outcomes, verdicts, paths,
                          "shipped" if path is None else str(path))
