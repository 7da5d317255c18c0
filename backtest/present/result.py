""":class:`NowResult`: what ``now`` found, as JSON, text, a table and a figure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from backtest.exceptions import ParameterError
from backtest.present.inputs import InputStatus
from backtest.present.text import render_markdown, render_table, sections

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = ["FORMATS", "NowResult"]

FORMATS = ("table", "json", "markdown")


@dataclass(frozen=True, eq=False)
class NowResult:
    """Where we are at ``as_of``'s close (see :func:`backtest.present.now`).

    Attributes
    ----------
    as_of, next_session : Timestamp
        The session described and the one on which its decisions trade.
    inputs : dict
        Input id -> :class:`~backtest.present.inputs.InputStatus`.
    regimes : dict
        Classifier -> ``label``, ``since``, ``weeks``, ``phase``.
    disagree : bool
        The classifiers give different labels.
    net_liquidity, funding : dict
        See :func:`backtest.present.liquidity.net_liquidity` and ``funding``.
    strategies : dict
        Strategy -> weights, evaluation date, stale flag, driver, last change.
    notes : tuple of str
        What was flagged while reading the strategies' data.
    history : DataFrame
        Last two years, daily: net liquidity and components (USD mn), spreads (bp).
    labels : DataFrame
        Daily labels by classifier up to ``as_of``.
    """

    as_of: pd.Timestamp
    next_session: pd.Timestamp
    inputs: Mapping[str, InputStatus]
    regimes: Mapping[str, Mapping[str, Any]]
    disagree: bool
    net_liquidity: Mapping[str, Any]
    funding: Mapping[str, Any]
    strategies: Mapping[str, Mapping[str, Any]]
    notes: tuple[str, ...]
    history: pd.DataFrame
    labels: pd.DataFrame

    @property
    def stale(self) -> list[str]:
        """Ids of the stale inputs."""
        return [k for k, v in self.inputs.items() if v.stale]

    @property
    def targets(self) -> dict[str, dict[str, float]]:
        """Strategy -> {ticker: target weight}."""
        return {n: dict(s["weights"]) for n, s in self.strategies.items()}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready facts (no history): the content of ``now.json``."""
        return {
            "as_of": f"{self.as_of:%Y-%m-%d}",
            "next_session": f"{self.next_session:%Y-%m-%d}",
            "stale": self.stale,
            "inputs": {k: v.to_dict() for k, v in self.inputs.items()},
            "regimes": {k: dict(v) for k, v in self.regimes.items()},
            "regimes_disagree": self.disagree,
            "net_liquidity": json.loads(json.dumps(self.net_liquidity)),
            "funding": json.loads(json.dumps(self.funding)),
            "targets": self.targets,
            "strategies": json.loads(json.dumps(self.strategies)),
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        """``to_dict()`` as indented, key-sorted JSON with a final newline."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, allow_nan=False) + "\n"

    def summary(self) -> pd.DataFrame:
        """Every row of every section: columns ``section``, ``item`` and the section's fields."""
        rows = []
        for title, headers, body in sections(self.to_dict()):
            for r in body:
                rows.append({"section": title, "item": r[0],
                             **{h or "value": c for h, c in zip(headers[1:], r[1:], strict=True)}})
        return pd.DataFrame(rows)

    def to_text(self, fmt: str = "table") -> str:
        """Exactly what ``qtbt now --format fmt`` prints (``table``, ``json``, ``markdown``)."""
        if fmt == "json":
            return self.to_json()
        if fmt == "markdown":
            return render_markdown(self.to_dict())
        if fmt == "table":
            return render_table(self.to_dict())
        raise ParameterError(f"format {fmt!r} is not supported; choose one of "
                             f"{', '.join(FORMATS)}.")

    def plot(self, kind: str = "liquidity") -> Figure:
        """A plotly figure (never shown): ``liquidity``, ``funding`` or ``regimes``."""
        from backtest.report.now_charts import now_figure

        return now_figure(self, kind)
