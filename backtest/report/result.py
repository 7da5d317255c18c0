"""A finished run, loaded back from its run directory.

The files of a run directory are named in :mod:`backtest.runner.layout`
(written by :func:`backtest.runner.write_run`): ``manifest.json``,
``metrics.json``, ``returns.parquet`` (columns ``strategy`` and one per
benchmark), ``targets.parquet`` (daily target weights; ``weights.parquet``
in run folders written before the rename), ``positions.parquet`` (held
weights and ``cash``) and ``regimes.parquet`` (column ``regime``);
optionally ``cash.parquet`` (column ``cash_rate``: the daily cash yield the
run earned, used as the risk-free rate of Sharpe ratios) and ``report.html``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from backtest.exceptions import DataFormatError, ParameterError
from backtest.report import charts
from backtest.report.bootstrap import BootstrapSpec
from backtest.report.format import fmt_interval, fmt_num, fmt_pct, text_table
from backtest.report.run_report import render_run_report
from backtest.report.stats import episode_stats, regime_stats
from backtest.runner import layout

if TYPE_CHECKING:  # plotly is imported lazily, only when a figure is drawn
    from plotly.graph_objects import Figure

__all__ = ["REQUIRED_FILES", "PlotKind", "RunResult", "load_run"]

REQUIRED_FILES = layout.REQUIRED
PlotKind = Literal["performance", "equity", "drawdown", "rolling_sharpe", "targets",
                   "positions", "weights", "regimes"]
_PLOT_KINDS = ("performance", "equity", "drawdown", "rolling_sharpe", "targets", "positions",
               "weights", "regimes")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFormatError(f"{path} is damaged: not valid JSON ({exc}).") from None
    if not isinstance(data, dict):
        raise DataFormatError(f"{path} is damaged: expected a JSON object, got "
                              f"{type(data).__name__}.")
    return data


def _read_parquet(path: Path, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise DataFormatError(f"{path} is damaged: not a readable parquet file "
                              f"({type(exc).__name__}).") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFormatError(f"{path} lacks column(s) {missing}; it has "
                              f"{[str(c) for c in frame.columns]}.")
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise DataFormatError(f"{path} is not indexed by session dates.")
    return frame


def _run_folder(path: object) -> Path:
    """``path`` as a run directory, or a teaching error saying what it is instead."""
    if not isinstance(path, str | Path):
        raise ParameterError(f"A run directory is a path (str or Path), got "
                             f"{type(path).__name__} {path!r}; e.g. load_run(\"results/"
                             "playbook_20260101-120000_ab12cd34\").")
    p = Path(path)
    if not str(path).strip():
        raise ParameterError("The run directory path is empty; give the folder `qtbt run` "
                             "wrote (it prints `wrote results/<run_id>`).")
    if not p.exists():
        parent = p.parent if str(p.parent) else Path(".")
        hint = (f"; runs under {parent}: {', '.join(_runs_in(parent)) or 'none'}"
                if parent.is_dir() else f"; {parent} does not exist either")
        raise ParameterError(f"Run directory {p} does not exist{hint}. `qtbt run` prints the "
                             "folder it writes (`wrote results/<run_id>`).")
    if not p.is_dir():
        raise ParameterError(f"{p} is not a run directory (it is a file).")
    missing = layout.missing_files(p)
    if missing:
        raise ParameterError(
            f"{p} is not a run directory: missing {', '.join(missing)} (`qtbt run` writes "
            "them)."
        )
    return p


def _runs_in(folder: Path, limit: int = 5) -> list[str]:
    """Names of up to ``limit`` run directories in ``folder`` (newest names last)."""
    try:
        found = sorted(d.name for d in folder.iterdir()
                       if d.is_dir() and (d / layout.MANIFEST).is_file())
    except OSError:
        return []
    return found[-limit:]


@dataclass(frozen=True, eq=False)
class RunResult:
    """Everything a run directory holds, with per-regime statistics and plots.

    Build with :meth:`load` (or :func:`load_run`). Statistics are computed on
    first use and cached; figures are returned, never shown.

    Attributes
    ----------
    path : Path
        The run directory.
    manifest, metrics : dict
        Contents of ``manifest.json`` and ``metrics.json``.
    returns : DataFrame
        Daily returns: ``strategy`` then one column per benchmark.
    targets : DataFrame
        Daily target weights (decided at each close, carried forward).
    positions : DataFrame
        Weights held at each close, with ``cash``.
    regimes : Series
        Regime label per session.
    cash_rate : Series or None
        Daily cash yield (risk-free rate of Sharpe ratios) when the run
        directory stores it; otherwise Sharpe ratios here are of raw returns.
    bootstrap : BootstrapSpec
        Settings of the intervals.
    """

    path: Path
    manifest: dict[str, Any]
    metrics: dict[str, Any]
    returns: pd.DataFrame
    targets: pd.DataFrame
    positions: pd.DataFrame
    regimes: pd.Series
    cash_rate: pd.Series | None = None
    bootstrap: BootstrapSpec = field(default_factory=BootstrapSpec)

    @classmethod
    def load(cls, path: str | Path, bootstrap: BootstrapSpec | None = None) -> RunResult:
        """Read a run directory.

        Raises
        ------
        ParameterError
            ``path`` does not exist or is not a run directory (names the
            missing files).
        DataFormatError
            A file that does not parse or lacks a required column.
        """
        p = _run_folder(path)
        manifest = _read_json(p / layout.MANIFEST)
        for key in ("run_id", "strategy"):
            if key not in manifest:
                raise DataFormatError(f"{p / layout.MANIFEST} is damaged: no {key!r} entry.")
        metrics = _read_json(p / layout.METRICS)
        returns = _read_parquet(p / layout.RETURNS, (layout.STRATEGY_COLUMN,))
        if returns.empty:
            raise DataFormatError(f"{p / layout.RETURNS} holds no sessions.")
        regimes = _read_parquet(p / layout.REGIMES, (layout.REGIME_COLUMN,))[
            layout.REGIME_COLUMN].astype(object)
        cash = None
        if (p / layout.CASH).is_file():
            cash = _read_parquet(p / layout.CASH, (layout.CASH_COLUMN,))[layout.CASH_COLUMN]
        if bootstrap is not None and not isinstance(bootstrap, BootstrapSpec):
            raise ParameterError(f"bootstrap must be a BootstrapSpec, got "
                                 f"{type(bootstrap).__name__} {bootstrap!r}.")
        return cls(path=p, manifest=manifest, metrics=metrics, returns=returns,
                   targets=_read_parquet(layout.targets_file(p)),
                   positions=_read_parquet(p / layout.POSITIONS), regimes=regimes,
                   cash_rate=cash, bootstrap=bootstrap or BootstrapSpec())

    @property
    def run_id(self) -> str:
        """The run's name (``manifest.json`` ``run_id``)."""
        return str(self.manifest["run_id"])

    @property
    def strategy(self) -> str:
        """Name of the strategy."""
        return str(self.manifest["strategy"])

    @property
    def benchmarks(self) -> list[str]:
        """Benchmark columns of :attr:`returns`."""
        return [str(c) for c in self.returns.columns if c != "strategy"]

    @property
    def sharpe_basis(self) -> str:
        """What the Sharpe ratios are in excess of."""
        if self.cash_rate is not None:
            cy = self.manifest.get("config", {}).get("cash_yield", "cash")
            return f"excess of the run's cash yield ({cy})"
        return "raw returns (this run directory does not store its cash yield)"

    @cached_property
    def regime_table(self) -> pd.DataFrame:
        """Per-regime statistics with intervals (see :func:`~backtest.report.regime_stats`).

        Joint over the strategy and the benchmarks that cover all its sessions; a
        benchmark with missing sessions (its prices end early) is left out here and
        keeps its own figures in ``metrics.json``, so the strategy's range is never cut.
        """
        full = self.returns.loc[self.returns["strategy"].notna()]
        cols = ["strategy", *(b for b in self.benchmarks if full[b].notna().all())]
        return regime_stats(self.returns[cols], self.regimes, self.cash_rate, cols[1:],
                            self.bootstrap)

    @cached_property
    def episode_table(self) -> pd.DataFrame:
        """Per-episode statistics (see :func:`~backtest.report.episode_stats`)."""
        return episode_stats(self.returns, self.regimes, self.cash_rate)

    def summary(self) -> pd.DataFrame:
        """Headline table: per regime (``all`` first) and series, with bootstrap intervals.

        Returns
        -------
        DataFrame
            Index (``regime``, ``series``); columns ``days``, ``episodes``,
            ``ann_return`` (with ``_lo``/``_hi``), ``ann_vol``, ``sharpe``
            (with ``_lo``/``_hi``), ``max_drawdown``, ``hit_rate``, and
            ``warning``.
        """
        cols = ["days", "episodes", "ann_return", "ann_return_lo", "ann_return_hi", "ann_vol",
                "sharpe", "sharpe_lo", "sharpe_hi", "max_drawdown", "hit_rate", "warning"]
        return self.regime_table.set_index(["regime", "series"])[cols]

    def to_html(self) -> str:
        """The run's report page (what ``report.html`` holds), as text."""
        return render_run_report(self)

    def to_text(self) -> str:
        """The strategy's per-regime table with intervals: what ``qtbt report`` prints."""
        level = self.bootstrap.level
        t = self.regime_table
        t = t[t["series"] == layout.STRATEGY_COLUMN]
        rows = [[str(r["regime"]), f"{int(r['days'])}", f"{int(r['episodes'])}",
                 fmt_pct(r["ann_return"]),
                 fmt_interval(r["ann_return_lo"], r["ann_return_hi"], fmt_pct),
                 fmt_num(r["sharpe"]), fmt_interval(r["sharpe_lo"], r["sharpe_hi"], fmt_num),
                 str(r["warning"])] for r in t.to_dict("records")]
        table = text_table(["regime", "days", "episodes", "ann. return", f"{level:.0%} interval",
                            "Sharpe", f"{level:.0%} interval", "warning"], rows,
                           [False, True, True, True, True, True, True, False])
        return f"{self.strategy} ({self.run_id}), Sharpe of {self.sharpe_basis}:\n{table}"

    def plot(self, kind: PlotKind = "performance") -> Figure:
        """A plotly figure of the run; never shown, never written.

        Parameters
        ----------
        kind : str
            ``performance`` (equity against benchmarks on a log scale,
            drawdowns and rolling one-year Sharpe, regimes shaded),
            ``equity``, ``drawdown``, ``rolling_sharpe``, ``targets`` (target
            weights over time; ``weights`` is the same), ``positions``
            (weights held, with cash) or ``regimes`` (annualised return and
            Sharpe per regime with intervals).
        """
        if kind not in _PLOT_KINDS:
            raise ParameterError(f"plot kind must be one of {', '.join(_PLOT_KINDS)}; "
                                 f"got {kind!r}.")
        if kind in ("targets", "weights"):
            return charts.weights_figure(self.targets, self.regimes)
        if kind == "positions":
            return charts.weights_figure(self.positions, self.regimes)
        if kind == "regimes":
            return charts.regime_bars_figure(self.regime_table, self.bootstrap.level)
        rows = ("equity", "drawdown", "rolling_sharpe") if kind == "performance" else (kind,)
        return charts.performance_figure(self.returns, self.regimes, self.cash_rate, rows)


def load_run(path: str | Path, bootstrap: BootstrapSpec | None = None) -> RunResult:
    """Read a run directory into a :class:`RunResult` (see :meth:`RunResult.load`)."""
    return RunResult.load(path, bootstrap)
