"""Compare runs side by side: metrics overall and per regime, parameters, data checksums.

Runs are "on different data" when the same series has different sha256
checksums in their manifests (a newer snapshot, an edited user CSV); such a
comparison needs ``allow_different_data``. Series read by some runs only
(different strategies read different assets; ``pair=VTV/VUG``) are listed as
information and compare by default.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.exceptions import ParameterError, QtbtError
from backtest.report.bootstrap import BootstrapSpec
from backtest.report.charts import equity_overlay_figure, regime_bars_figure
from backtest.report.compare_report import (
    OVERALL_METRICS,
    comparison_html,
    comparison_markdown,
)
from backtest.report.factor_report import factor_frame
from backtest.report.result import RunResult
from backtest.report.stats import ALL, regime_order

__all__ = [
    "OVERALL_METRICS",
    "Comparison",
    "DifferentDataError",
    "compare_runs",
    "comparison_markdown",
    "flatten",
]

ABSENT = "(absent)"


class DifferentDataError(QtbtError):
    """Runs were computed on different data and the comparison was not allowed."""


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """Nested dicts as ``{"a.b.c": compact JSON of the leaf}`` (lists are leaves).

    Empty dicts contribute no key, so ``{"engine": {}}`` and
    ``{"engine": {"costs_bps": 10}}`` differ only in ``engine.costs_bps``.
    """
    if isinstance(value, dict):
        out: dict[str, str] = {}  # an empty dict adds no key
        for k in sorted(value, key=str):
            out.update(flatten(value[k], f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: json.dumps(value, sort_keys=True, default=str)}


def _names(runs: Sequence[RunResult]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for r in runs:
        n = seen.get(r.run_id, 0) + 1
        seen[r.run_id] = n
        out.append(r.run_id if n == 1 else f"{r.run_id} #{n}")
    return out


def _diff_frame(values: dict[str, dict[str, str]], names: list[str]) -> pd.DataFrame:
    keys = sorted({k for v in values.values() for k in v})
    rows = []
    for k in keys:
        cells = [values[n].get(k, ABSENT) for n in names]
        rows.append({"key": k, **dict(zip(names, cells, strict=True)),
                     "differs": len(set(cells)) > 1})
    return pd.DataFrame(rows, columns=["key", *names, "differs"])


@dataclass(frozen=True, eq=False)
class Comparison:
    """Several runs side by side.

    Attributes
    ----------
    runs : list of RunResult
        The runs, in the order given.
    names : list of str
        Column names (run ids; repeated ids get ``#2``, ``#3``).
    parameters : DataFrame
        ``key`` (dotted path into the manifest's parameters, config, engine
        and range), one column per run (compact JSON, ``(absent)``), and
        ``differs``.
    data : DataFrame
        ``key`` (series id), the sha256 per run, and ``differs``.
    versions : DataFrame
        Package versions and git commit per run, and ``differs``.
    warnings : list of str
        What the reader must know (different data, different strategy code,
        different ranges).
    info : list of str
        Information that is no warning: the series read by some runs only.
    """

    runs: list[RunResult]
    names: list[str]
    parameters: pd.DataFrame
    data: pd.DataFrame
    versions: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)

    @property
    def different_data(self) -> bool:
        """True when a series read by several runs has different checksums in them."""
        return bool(_checksum_differs(self.data, self.names).any())

    def overall(self) -> pd.DataFrame:
        """The strategy's headline metrics: one row per metric, one column per run.

        Values are numbers (NaN when undefined); ``sharpe_lo``/``sharpe_hi``
        and ``ann_return_lo``/``ann_return_hi`` hold the intervals.
        """
        cols = {}
        for name, r in zip(self.names, self.runs, strict=True):
            t = r.regime_table
            row = t[(t["regime"] == ALL) & (t["series"] == "strategy")].iloc[0].to_dict()
            m = r.metrics.get("overall", {})
            vals: dict[str, Any] = {}
            for key, _, _ in OVERALL_METRICS:
                vals[key] = row[key] if key in row else m.get(key)
            for key in ("ann_return_lo", "ann_return_hi", "sharpe_lo", "sharpe_hi"):
                vals[key] = row[key]
            cols[name] = pd.Series(vals, dtype="float64")
        return pd.DataFrame(cols)

    def by_regime(self) -> pd.DataFrame:
        """The strategy per regime: index (``regime``, ``run``), statistics with intervals.

        Regimes in canonical order (``all`` first), runs in the order given.
        """
        frames = []
        for name, r in zip(self.names, self.runs, strict=True):
            t = r.regime_table
            frames.append(t[t["series"] == "strategy"].assign(run=name))
        out = pd.concat(frames, ignore_index=True)
        order = {r: i for i, r in enumerate([ALL, *regime_order(
            [x for x in out["regime"] if x != ALL])])}
        runs = {n: i for i, n in enumerate(self.names)}
        key = [(order[str(g)], runs[str(n)]) for g, n in zip(out["regime"], out["run"],
                                                              strict=True)]
        out = out.iloc[sorted(range(len(out)), key=lambda i: key[i])]
        cols = ["days", "episodes", "ann_return", "ann_return_lo", "ann_return_hi", "ann_vol",
                "sharpe", "sharpe_lo", "sharpe_hi", "max_drawdown", "hit_rate", "warning"]
        return out.set_index(["regime", "run"])[cols]

    def factors(self) -> pd.DataFrame:
        """Each run's factor exposures (see :func:`backtest.report.factor_report.factor_frame`)."""
        return factor_frame({n: r.metrics for n, r in zip(self.names, self.runs, strict=True)})

    def summary(self) -> pd.DataFrame:
        """Same as :meth:`overall`."""
        return self.overall()

    def plot(self) -> Any:
        """Equity of every run's strategy (and the first run's buy-and-hold), log scale."""
        curves = {n: r.returns["strategy"] for n, r in zip(self.names, self.runs, strict=True)}
        first = self.runs[0]
        if "buy_and_hold" in first.returns.columns:
            curves[f"buy_and_hold benchmark ({self.names[0]})"] = first.returns["buy_and_hold"]
        same_regimes = len({json.dumps([r.manifest.get("config", {}).get(k) for k in
                                        ("classifier", "anchor", "end_of_qt_days")])
                            for r in self.runs}) == 1
        return equity_overlay_figure(curves, first.regimes if same_regimes else None)

    def regime_bars(self) -> Any:
        """Annualised return and Sharpe per regime, one bar per run, with intervals."""
        frames = []
        for name, r in zip(self.names, self.runs, strict=True):
            t = r.regime_table
            frames.append(t[t["series"] == "strategy"].assign(series=name))
        return regime_bars_figure(pd.concat(frames, ignore_index=True),
                                  self.runs[0].bootstrap.level)

    def to_markdown(self) -> str:
        """Overall and per-regime tables, differing parameters and data, as markdown."""
        return comparison_markdown(self)

    def to_html(self) -> str:
        """The comparison page, as text."""
        return comparison_html(self)

    def to_text(self) -> str:
        """What ``qtbt compare`` prints: :meth:`to_markdown`."""
        return self.to_markdown()


def _checksum_differs(frame: pd.DataFrame, names: list[str]) -> pd.Series:
    """Per row of a data frame: True where the runs that read the series disagree on its sha256."""
    return frame[names].apply(lambda row: len({v for v in row if v != ABSENT}) > 1, axis=1
                              ).astype(bool)


def _data_findings(frame: pd.DataFrame, names: list[str]) -> tuple[str | None, str | None]:
    """The different-data message (same series, other sha256) and the read-by-some line."""
    changed = _checksum_differs(frame, names) if len(frame) else pd.Series(dtype=bool)
    parts, partial = [], []
    for row, diff in zip(frame.to_dict("records"), changed, strict=True):
        missing = [n for n in names if row[n] == ABSENT]
        if diff:
            parts.append(f"{row['key']} (sha256 differs"
                         + (f"; not read by {', '.join(missing)})" if missing else ")"))
        elif missing:
            partial.append(f"{row['key']} (not read by {', '.join(missing)})")
    msg = (f"the runs were computed on different data: {'; '.join(parts[:8])}"
           f"{'; ...' if len(parts) > 8 else ''}. Differences in results may come from the "
           "data, not the strategy") if parts else None
    info = (f"series read by some runs only (the strategies read different assets or "
            f"series; their common series have the same checksums): {'; '.join(partial)}."
            ) if partial else None
    return msg, info


def _code_warnings(runs: Sequence[RunResult], names: list[str]) -> list[str]:
    """One line per strategy whose source sha256 differs between runs that ran it."""
    seen: dict[str, dict[str, list[str]]] = {}
    for n, r in zip(names, runs, strict=True):
        for strategy, origin in r.manifest.get("strategy_code", {}).items():
            sha = str(origin.get("sha256") or "unknown")
            seen.setdefault(str(strategy), {}).setdefault(sha, []).append(n)
    out = []
    for strategy, by_sha in seen.items():
        if len(by_sha) > 1:
            parts = "; ".join(f"{sha[:12]} in {', '.join(ns)}" for sha, ns in by_sha.items())
            out.append(f"strategy {strategy!r} ran different code (source sha256 {parts}); "
                       "differences in results may come from the code.")
    return out


def compare_runs(paths: Sequence[str | Path], allow_different_data: bool = False,
                 bootstrap: BootstrapSpec | None = None) -> Comparison:
    """Load run directories and line them up.

    Parameters
    ----------
    paths : sequence of path
        Two or more run directories.
    allow_different_data : bool
        Compare runs in which the same series has different checksums (with
        a warning) instead of refusing. Series read by some runs only never
        need it (they are listed in ``info``).
    bootstrap : BootstrapSpec, optional
        Interval settings.

    Raises
    ------
    ParameterError
        Fewer than two runs, or a path that is not a run directory.
    DataFormatError
        A damaged run directory.
    DifferentDataError
        A series has different checksums in two runs and
        ``allow_different_data`` is False.
    """
    if isinstance(paths, str | Path):
        raise ParameterError(f"compare_runs takes a list of run directories, got one path "
                             f"{str(paths)!r}; e.g. compare_runs([\"results/a\", \"results/b\"]).")
    if len(paths) < 2:
        raise ParameterError(f"compare needs at least two run directories, got {len(paths)}.")
    runs = [RunResult.load(p, bootstrap) for p in paths]
    names = _names(runs)
    params = {}
    data = {}
    versions = {}
    for n, r in zip(names, runs, strict=True):
        m = r.manifest
        params[n] = {**flatten({"strategy": m.get("strategy")}),
                     **flatten(m.get("strategy_code", {}), "strategy_code"),
                     **flatten(m.get("parameters", {}), "parameters"),
                     **flatten(m.get("config", {}), "config"),
                     **flatten(m.get("engine", {}), "engine"),
                     **flatten(m.get("range", {}), "range")}
        data[n] = {str(k): str(v.get("sha256", "")) for k, v in m.get("data", {}).items()}
        versions[n] = {**{str(k): str(v) for k, v in m.get("versions", {}).items()},
                       "git commit": str(m.get("git", {}).get("commit"))}
    data_frame = _diff_frame(data, names)
    msg, info = _data_findings(data_frame, names)
    warnings: list[str] = []
    if msg is not None:
        if not allow_different_data:
            raise DifferentDataError(
                f"Refusing to compare: {msg}. Pass --allow-different-data to compare anyway."
            )
        warnings.append(msg + ".")
    warnings += _code_warnings(runs, names)
    ranges = {json.dumps(r.manifest.get("range", {}), sort_keys=True) for r in runs}
    if len(ranges) > 1:
        warnings.append("the runs cover different date ranges; overall metrics are not "
                        "directly comparable (per-regime rows are closer).")
    labelled = {json.dumps([r.manifest.get("config", {}).get(k) for k in
                            ("classifier", "classifier_params", "anchor", "end_of_qt_days")],
                           sort_keys=True) for r in runs}
    if len(labelled) > 1:
        warnings.append("the runs label regimes differently (see config.classifier in the "
                        "parameters); a per-regime row covers different sessions in each run.")
    return Comparison(runs, names, _diff_frame(params, names), data_frame,
                      _diff_frame(versions, names), warnings, [info] if info else [])
