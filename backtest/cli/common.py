"""Options and helpers shared by every CLI command.

Commands with many options declare them in small frozen groups
(:class:`ConfigOptions`, :class:`DataOptions`, ...) and are built by
:func:`group_command`, so no function lists every option: the body receives
one instance per group.
"""

from __future__ import annotations

import inspect
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any, Literal, get_type_hints

import pandas as pd
import typer

from backtest.data.store import DataStore
from backtest.engine.schedule import REBALANCES
from backtest.exceptions import ParameterError
from backtest.regimes.api import ClassifierName
from backtest.runner.build import build_run_config, parse_params
from backtest.runner.config import MAX_END_OF_QT_DAYS, RunConfig

__all__ = [
    "CacheDirOpt",
    "CatalogOpt",
    "ConfigOptions",
    "DataDirOpt",
    "DataOptions",
    "FormatOpt",
    "OfflineOpt",
    "RefreshOpt",
    "RegimeFileOpt",
    "RegimesOpt",
    "StrategyArg",
    "WalkForwardConfigOptions",
    "activate_catalog",
    "check_bounds",
    "echo_frame",
    "group_command",
    "make_store",
    "parse_params",
]

DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="QTBT_DATA_DIR",
        help="Snapshot directory laid out like shared/data (env QTBT_DATA_DIR). "
        "When set, data is read from there and never downloaded.",
        show_default=False,
    ),
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        envvar="QTBT_CACHE_DIR",
        help="Parquet cache for downloads (env QTBT_CACHE_DIR; default ~/.cache/qtbt).",
        show_default=False,
    ),
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Never touch the network; use snapshot or cache only.")
]
RefreshOpt = Annotated[
    bool, typer.Option("--refresh", help="Re-download series even when they are cached.")
]
FormatOpt = Annotated[
    Literal["table", "csv"], typer.Option("--format", help="Output format.")
]
CatalogOpt = Annotated[
    Path | None,
    typer.Option(
        "--catalog",
        envvar="QTBT_CATALOG",
        help="TOML file declaring your own series: FRED ids, Yahoo tickers, CSV files (env "
        "QTBT_CATALOG; default ./qtbt.toml when present). `qtbt data add` writes it.",
        show_default=False,
    ),
]


def activate_catalog(catalog: Path | None = None) -> None:
    """Make the user catalog of this command known: ``catalog``, ``$QTBT_CATALOG`` or ./qtbt.toml.

    A project file picked up from the working directory is announced on
    stderr (one line naming the file and its series); without any, only the
    built-in series are known.

    Raises
    ------
    ConfigError
        The catalog is missing or malformed (see
        :func:`backtest.data.usercat.load_user_catalog`).
    """
    import os

    from backtest.data.usercat import find_project_catalog, use_catalog

    given = catalog or os.environ.get("QTBT_CATALOG") or None
    if given is not None and str(given).strip():
        use_catalog(Path(given))
        return
    found = find_project_catalog()
    cat = use_catalog(found)
    if cat is not None:
        typer.echo(f"using {cat.describe()} (found in the working directory)", err=True)


def make_store(
    data_dir: Path | None,
    cache_dir: Path | None = None,
    offline: bool = False,
    refresh: bool = False,
    catalog: Path | None = None,
) -> DataStore:
    """Build the DataStore a command uses, after activating its user catalog.

    See :func:`activate_catalog` for where the catalog comes from.
    """
    activate_catalog(catalog)
    return DataStore(data_dir=data_dir, cache_dir=cache_dir, offline=offline, refresh=refresh)


def echo_frame(
    frame: pd.DataFrame, fmt: str, index: bool = True, float_format: str = "%.6g"
) -> None:
    """Print a frame as an aligned table or as CSV on stdout."""
    if fmt == "csv":
        sys.stdout.write(
            frame.to_csv(index=index, date_format="%Y-%m-%d", float_format=float_format,
                         lineterminator="\n")
        )
        return
    with pd.option_context("display.max_rows", None, "display.width", 200,
                           "display.max_columns", None):
        typer.echo(frame.to_string(index=index))


def check_bounds(option: str, value: float | None, low: float, high: float) -> None:
    """Refuse a numeric option outside ``[low, high]`` with one teaching error (None passes).

    Raises
    ------
    ParameterError
        Naming the option, echoing the value and giving the allowed range.
    """
    if value is None:
        return
    if not math.isfinite(value) or not low <= value <= high:
        raise ParameterError(f"{option} {value!r} is out of range; allowed: {low:g} to "
                             f"{high:g}.")


StrategyArg = Annotated[str | None, typer.Argument(
    help="Strategy name (`qtbt strategies`), file (my_strategy.py[:NAME]) or module "
         "(package.module:SPEC).")]
SpecOpt = Annotated[str | None, typer.Option(
    "--spec", help="Which strategy, when the file or module defines several.")]
ParamOpt = Annotated[list[str] | None, typer.Option(
    "--param", help="Strategy parameter name=value (repeatable).")]
ConfigOpt = Annotated[Path | None, typer.Option(help="TOML run configuration.")]
StartOpt = Annotated[str | None, typer.Option(help="First session (YYYY-MM-DD).")]
EndOpt = Annotated[str | None, typer.Option(help="Last session (YYYY-MM-DD).")]
ClassifierOpt = Annotated[ClassifierName | None, typer.Option(
    help="Regime classifier (`qtbt regimes --help` describes each).")]
AnchorOpt = Annotated[Literal["announce", "effective"] | None, typer.Option(
    help="Calendar anchor.")]
EndOfQtOpt = Annotated[int | None, typer.Option(
    help=f"Calendar end-of-QT horizon, calendar days (1 to {MAX_END_OF_QT_DAYS}).")]
_REGIME_FILE_HELP = ("Your own regime labels: a CSV of date,label rows (a label per session "
                     "or per change; labels QE, taper, QT, end_of_qt, neutral). Replaces "
                     "--classifier.")
RegimesOpt = Annotated[Path | None, typer.Option(
    "--regimes", "--regime-file", help=_REGIME_FILE_HELP, show_default=False)]
#: walkforward's --regimes picks the regimes left out one episode at a time
RegimeFileOpt = Annotated[Path | None, typer.Option(
    "--regime-file", help=_REGIME_FILE_HELP, show_default=False)]
CostsOpt = Annotated[float | None, typer.Option(help="Costs, bps of traded value (0 to 1000).")]
RebalanceOpt = Annotated[str | None, typer.Option(
    help=f"{'|'.join(REBALANCES)} (default: the strategy's).")]
ExecutionOpt = Annotated[str | None, typer.Option(help="close (default) or open of t+1.")]
CashOpt = Annotated[str | None, typer.Option(help="DGS3MO (default), BIL or none.")]


@dataclass(frozen=True)
class ConfigOptions:
    """The run configuration options of ``run``, ``sweep`` and ``walkforward``."""

    param: ParamOpt = None
    spec: SpecOpt = None
    config: ConfigOpt = None
    start: StartOpt = None
    end: EndOpt = None
    classifier: ClassifierOpt = None
    anchor: AnchorOpt = None
    end_of_qt_days: EndOfQtOpt = None
    regime_file: RegimesOpt = None
    costs_bps: CostsOpt = None
    rebalance: RebalanceOpt = None
    execution: ExecutionOpt = None
    cash_yield: CashOpt = None

    def run_config(self, strategy: str | None,
                   benchmarks: tuple[str, ...] | None = None) -> RunConfig:
        """The RunConfig: TOML file, then the strategy, ``--param`` and the options."""
        check_bounds("--end-of-qt-days", self.end_of_qt_days, 1, MAX_END_OF_QT_DAYS)
        return build_run_config(
            strategy, self.config, self.param, benchmarks=benchmarks, spec=self.spec,
            start=self.start,
            end=self.end, classifier=self.classifier, anchor=self.anchor,
            end_of_qt_days=self.end_of_qt_days, cash_yield=self.cash_yield,
            regimes=self.regime_file,
            engine={"costs_bps": self.costs_bps, "rebalance": self.rebalance,
                    "execution": self.execution})


@dataclass(frozen=True)
class WalkForwardConfigOptions(ConfigOptions):
    """:class:`ConfigOptions` of ``walkforward``, whose ``--regimes`` means something else."""

    regime_file: RegimeFileOpt = None


@dataclass(frozen=True)
class DataOptions:
    """Where data comes from."""

    data_dir: DataDirOpt = None
    cache_dir: CacheDirOpt = None
    offline: OfflineOpt = False
    catalog: CatalogOpt = None

    def store(self) -> DataStore:
        """The DataStore these options describe (its user catalog activated)."""
        return make_store(self.data_dir, self.cache_dir, offline=self.offline,
                          catalog=self.catalog)


def group_command(body: Callable[..., None], name: str, doc: str,
                  *groups: type) -> Callable[..., None]:
    """A typer command taking ``STRATEGY`` and every option of the dataclass ``groups``.

    Each field of a group is one option (its ``Annotated`` type carries the
    typer declaration, its default the default). ``body(strategy, *instances)``
    is called with one instance of each group, in order.
    """
    params = [inspect.Parameter("strategy", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                default=None, annotation=StrategyArg)]
    for group in groups:
        hints = get_type_hints(group, include_extras=True)
        params += [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default,
                                     annotation=hints[f.name]) for f in fields(group)]

    def command(**kw: Any) -> None:
        body(kw["strategy"], *(g(**{f.name: kw[f.name] for f in fields(g)}) for g in groups))

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__name__ = command.__qualname__ = name
    command.__doc__ = doc
    return command
