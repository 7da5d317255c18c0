"""The scorecard's inputs: the series it reads, event-window lengths, loading them.

See :mod:`backtest.report.scorecard` for what is measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from backtest._typing import DateLike
from backtest.data.derived import DERIVED
from backtest.data.panel import observed_panel
from backtest.data.store import DataStore, as_store
from backtest.exceptions import ParameterError
from backtest.regimes.api import check_classifier_name, regime_labels
from backtest.regimes.events import Event, load_events
from backtest.regimes.userfile import PROVENANCE_KEY, FileClassifier

__all__ = ["NO_DATA", "SERIES", "ScoreData", "WindowSpec", "load_score_data"]

SERIES = ("IWD", "IWF", "FF3_DAILY.HML", "UUP", "DTWEXBGS", "TLT", "DGS10", "T2S10S", "GLD",
          "EEM", "NETLIQ", "GSPC", "SOFR_IORB", "EFFR_IORB", "VIXCLS", "BAMLH0A0HYM2",
          "BAMLC0A0CM", "WRESBAL", "M2SL", "DGS2", "DGS30", "QQQ", "SPY", "SPY.Volume",
          "T5YIE", "DFEDTARU", "WALCL", "WTREGEN", "RRPONTSYD", "QUAL", "USMV")
#: verdict of a test with no session of data, and of a claim whose every test has none
NO_DATA = "no data"


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


def load_score_data(store: DataStore | str | Path | None = None, classifier: str = "calendar",
                    start: DateLike = "2003-01-02", end: DateLike | None = None,
                    extra: Sequence[str] = (), regimes: str | Path | None = None) -> ScoreData:
    """Read the scorecard's series (and ``extra`` ones, for user claims); label the sessions.

    ``regimes`` is your own regimes file (``date,label``; see
    :class:`backtest.regimes.userfile.FileClassifier`): it gives the labels
    instead of ``classifier`` (then ``"file"``), and its sha256 joins the
    provenance.

    Raises
    ------
    ParameterError
        An unknown classifier, or a classifier named together with ``regimes``.
    SeriesNotAvailableError, EmptyRangeError
        Missing data; a regimes file that starts after ``start``.
    """
    store = as_store(store, "scorecard")
    check_classifier_name(classifier)
    if regimes is not None and classifier != "calendar":
        raise ParameterError(f"--regimes gives the labels; drop --classifier {classifier} "
                             "(or drop --regimes to use that classifier).")
    refs = list(dict.fromkeys([*SERIES, *extra]))
    panel = observed_panel(refs, start, end, store)
    idx = pd.DatetimeIndex(panel.index)
    if regimes is not None:
        labels, classifier = _file_labels(idx, store, regimes), "file"
    else:
        labels = regime_labels(idx, store, classifier)
    used = (_base_ids(refs) | ({"WSHOSHO"} if classifier == "data" else set())
            | ({PROVENANCE_KEY} if regimes is not None else set()))
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


def _file_labels(idx: pd.DatetimeIndex, store: DataStore, regimes: str | Path) -> pd.Series:
    """Labels of a regimes file on ``idx``; the file joins ``store``'s provenance."""
    clf = FileClassifier(regimes).fit_store(store)
    clf.coverage_note(idx[0], idx[-1])  # a file starting after the data is an error
    return clf.predict(idx)
