"""What a run takes from the user's own files: a regimes file, series of a user catalog.

The ``file`` classifier is configured by ``classifier_params={"path": FILE}``
(:func:`file_classifier_params`, also from a TOML run file's ``[regimes] file``:
:func:`toml_regimes_file`). A run says in its notes what it took from the
file (:func:`regimes_file_note`) and from each user series
(:func:`user_series_notes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from backtest.exceptions import ConfigError, ParameterError, UnknownSeriesError
from backtest.regimes.userfile import FileClassifier, read_regime_file

if TYPE_CHECKING:
    from backtest.runner.config import RunConfig
    from backtest.strategy import StrategySpec

__all__ = [
    "file_classifier_params",
    "late_series_note",
    "regimes_file_note",
    "toml_regimes_file",
    "user_series_notes",
]


def file_classifier_params(params: Mapping[str, Any], end_of_qt_days: int | None
                           ) -> dict[str, str]:
    """``classifier_params`` of the ``file`` classifier: its path made absolute, the file read.

    Raises
    ------
    ParameterError
        Parameters other than one ``path``, an ``end_of_qt_days`` (a calendar
        option), or a missing file.
    DataFormatError
        A malformed file (see :func:`~backtest.regimes.userfile.read_regime_file`).
    """
    path = params.get("path")
    if set(params) != {"path"} or not isinstance(path, str) or not path.strip():
        raise ParameterError(
            f"RunConfig(classifier='file') takes classifier_params={{'path': 'my_regimes.csv'}} "
            f"(a date,label CSV file) and nothing else; got {dict(params)!r}.")
    if end_of_qt_days is not None:
        raise ParameterError(
            f"end_of_qt_days={end_of_qt_days} shortens the calendar's end_of_qt; with a "
            "regimes file the labels are yours: drop end_of_qt_days (write the neutral rows "
            "you want into the file).")
    full = Path(path).expanduser().resolve()
    read_regime_file(full)  # a missing or malformed file fails now, not mid-run
    return {"path": str(full)}


def toml_regimes_file(p: Path, reg: Mapping[str, Any]) -> dict[str, Any]:
    """``[regimes] file = "..."`` of the TOML file ``p`` as the ``file`` classifier.

    The path is relative to the TOML file's folder.

    Raises
    ------
    ConfigError
        The table also sets another classifier, its parameters, an anchor or
        an end-of-QT horizon, or ``file`` is not a path.
    """
    clash = sorted(k for k in reg if k in ("params", "end_of_qt_days", "anchor")) + \
        (["classifier"] if reg.get("classifier", "file") != "file" else [])
    if clash:
        raise ConfigError(f"{p}: [regimes] file = {reg['file']!r} gives the labels; drop "
                          f"{', '.join(clash)} (they configure the other classifiers).")
    if not isinstance(reg["file"], str) or not reg["file"].strip():
        raise ConfigError(f"{p}: [regimes] file must be the path of a date,label CSV file, got "
                          f"{reg['file']!r}.")
    path = Path(reg["file"]).expanduser()
    full = path if path.is_absolute() else p.resolve().parent / path
    return {"classifier": "file", "classifier_params": {"path": str(full)}}


def regimes_file_note(cfg: RunConfig, start: pd.Timestamp, end: pd.Timestamp) -> str | None:
    """For the ``file`` classifier, what the run takes from the file (None otherwise).

    Raises
    ------
    EmptyRangeError
        The backtest starts before the file's first row.
    """
    if cfg.classifier != "file":
        return None
    return FileClassifier(cfg.classifier_params["path"]).coverage_note(start, end)


def user_series_notes(provenance: Mapping[str, Mapping[str, str]]) -> list[str]:
    """One note per user-declared series read: its catalog, units, frequency and release rule."""
    return [f"user series {sid} from {p['catalog']}: {p['units']}, {p['frequency']}, "
            f"{p['release']}." for sid, p in provenance.items() if "catalog" in p]


def late_series_note(panel: pd.DataFrame, start: pd.Timestamp) -> str | None:
    """A note naming each declared series first known after the backtest starts.

    Before its first known value a strategy reads NaN for it (and most rules
    then hold cash or their default): said once, so it is never silent.
    """
    late = []
    for col in panel.columns:
        known = panel.index[panel[col].notna().to_numpy()]
        first = pd.Timestamp(known[0]) if len(known) else None
        if first is None or first > start:
            when = "never, in this range" if first is None else f"from {first:%Y-%m-%d}"
            late.append(f"{col} ({when})")
    if not late:
        return None
    return (f"series first known after the backtest starts ({start:%Y-%m-%d}): "
            f"{', '.join(late)}; the strategy reads NaN for them before that.")


def unknown_asset_error(spec: StrategySpec, params: Mapping[str, Any], ticker: str,
                        exc: UnknownSeriesError) -> ParameterError:
    """The error for a ticker no catalog knows: the strategy, the table row it came from.

    Built after the user catalog is active (a ticker of your own is known then).
    """
    rows = [f"{name}.{label}" for name, value in params.items()
            if isinstance(value, Mapping) for label, row in value.items()
            if isinstance(row, Mapping) and ticker in row]
    where = f" (parameter {', '.join(rows)})" if rows else ""
    return ParameterError(f"Strategy {spec.name!r} trades {ticker!r}{where}: {exc}")
