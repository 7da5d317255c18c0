"""A finished run, loaded back from its run directory.

A run directory (written by :func:`backtest.runner.write_run`) holds
``manifest.json``, ``metrics.json``, ``returns.parquet`` (columns
``strategy`` and one per benchmark), ``weights.parquet`` (daily target
weights), ``positions.parquet`` (held weights and ``cash``) and
``regimes.parquet`` (column ``regime``); optionally ``cash.parquet``
(column ``cash_rate``: the daily cash yield the run earned, used as the
risk-free rate of Sharpe ratios) and ``report.html``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from backtest.exceptions import DataFormatError, ParameterError
from backtest.report.bootstrap import BootstrapSpec
from backtest.report.stats import episode_stats, regime_stats

if TYPE_CHECKING:  # plotly is imported lazily, only when a figure is drawn
    from plotly.graph_objects import Figure

__all__ = ["REQUIRED_FILES", "PlotKind", "RunResult", "load_run"]

REQUIRED_FILES = ("manifest.json", "metrics.json", "returns.parquet", "weights.parquet",
                  "positions.parquet", "regimes.parquet")
PlotKind = Literal["performance", "equity", "drawdown", "rolling_sharpe", "weights",
                   "regimes"]
_PLOT_KINDS = ("performance", "equity", "drawdown", "rolling_sharpe", "weights", "regimes")


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
    weights : DataFrame
        Daily target weights (decided at each close).
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
    weights: pd.DataFrame
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
        p = Path(path)
        if not p.exists():
            raise ParameterError(f"Run directory {p} does not exist.")
        if not p.is_dir():
            raise ParameterError(f"{p} is not a run directory (it is a file).")
        missing = [f for f in REQUIRED_FILES if not (p / f).is_file()]
        if missing:
            raise ParameterError(
                f"{p} is not a run directory: missing {', '.join(missing)} (`qtbt run` writes "
                "them)."
            )
        manifest = _read_json(p / "manifest.json")
        for key in ("run_id", "strategy"):
            if key not in manifest:
                raise DataFormatError(f"{p / 'manifest.json'} is damaged: no {key!r} entry.")
        metrics = _read_json(p / "metrics.json")
        returns = _read_parquet(p / "returns.parquet", ("strategy",))
        if returns.empty:
            raise DataFormatError(f"{p / 'returns.parquet'} holds no sessions.")
        regimes = _read_parquet(p / "regimes.parquet", ("regime",))["regime"].astype(object)
        cash = None
        if (p / "cash.parquet").is_file():
            cash = _read_parquet(p / "cash.parquet", ("cash_rate",))["cash_rate"]
        return cls(path=p, manifest=manifest, metrics=metrics, returns=returns,
                   weights=_read_parquet(p / "weights.parquet"),
                   positions=_read_parquet(p / "positions.parquet"), regimes=regimes,
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
        """Per-regime statistics with intervals (see :func:`~backtest.report.regime_stats`)."""
        return regime_stats(self.returns, self.regimes, self.cash_rate, self.benchmarks,
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
        from backtest.report.run_report import render_run_report

        return render_run_report(self)

    def plot(self, kind: PlotKind = "performance") -> Figure:
        """A plotly figure of the run; never shown, never written.

        Parameters
        ----------
        kind : str
            ``performance`` (equity against benchmarks on a log scale,
            drawdowns and rolling one-year Sharpe, regimes shaded),
            ``equity``, ``drawdown``, ``rolling_sharpe``, ``weights``
            (target weights over time) or ``regimes`` (annualised return and
            Sharpe per regime with intervals).
        """
        from backtest.report import charts

        if kind not in _PLOT_KINDS:
            raise ParameterError(f"plot kind must be one of {', '.join(_PLOT_KINDS)}; "
                                 f"got {kind!r}.")
        if kind == "weights":
            return charts.weights_figure(self.weights, self.regimes)
        if kind == "regimes":
            return charts.regime_bars_figure(self.regime_table, self.bootstrap.level)
        rows = ("equity", "drawdown", "rolling_sharpe") if kind == "performance" else (kind,)
        return charts.performance_figure(self.returns, self.regimes, self.cash_rate, rows)


def load_run(path: str | Path, bootstrap: BootstrapSpec | None = None) -> RunResult:
    """Read a run directory into a :class:`RunResult` (see :meth:`RunResult.load`)."""
    return RunResult.load(path, bootstrap)
