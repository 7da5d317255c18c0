"""Options and helpers shared by every CLI command."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
import typer

from backtest.data.store import DataStore
from backtest.exceptions import ParameterError
from backtest.runner.build import parse_params

__all__ = [
    "CacheDirOpt",
    "DataDirOpt",
    "FormatOpt",
    "OfflineOpt",
    "RefreshOpt",
    "check_bounds",
    "echo_frame",
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


def make_store(
    data_dir: Path | None,
    cache_dir: Path | None = None,
    offline: bool = False,
    refresh: bool = False,
) -> DataStore:
    """Build the DataStore a command uses."""
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
