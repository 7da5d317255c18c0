"""Where two classifiers disagree, and whether they see the same number of episodes."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pandas as pd

from backtest.exceptions import ClassifierDisagreementWarning, ParameterError
from backtest.metrics.regime import episodes
from backtest.regimes.labels import LABELS

__all__ = ["Disagreement", "compare_labels", "episode_counts", "warn_if_episode_counts_differ"]


def episode_counts(labels: pd.Series) -> dict[str, int]:
    """Number of episodes (contiguous runs) of each label, every label listed."""
    runs = episodes(labels)["label"].value_counts()
    return {lab: int(runs.get(lab, 0)) for lab in LABELS}


@dataclass(frozen=True)
class Disagreement:
    """How two classifiers' daily labels differ.

    Attributes
    ----------
    names : tuple of str
        The two classifiers, in the order compared.
    sessions : int
        Sessions compared (those both label).
    share : float
        Share of those sessions whose labels differ (0..1).
    periods : DataFrame
        One row per contiguous stretch of disagreement: ``start``, ``end``
        (sessions), ``sessions`` and the label of each classifier (columns
        named after them; the first session's labels if they change within).
    episodes : DataFrame
        Index label; one column per classifier: number of episodes.
    """

    names: tuple[str, str]
    sessions: int
    share: float
    periods: pd.DataFrame
    episodes: pd.DataFrame

    def summary(self) -> dict[str, object]:
        """Headline numbers as plain values (JSON-ready)."""
        return {
            "classifiers": list(self.names),
            "sessions": self.sessions,
            "share_differ": round(self.share, 4),
            "periods": len(self.periods),
            "episodes": {n: {k: int(v) for k, v in self.episodes[n].items()}
                         for n in self.names},
        }


def compare_labels(a: pd.Series, b: pd.Series, names: tuple[str, str] = ("a", "b")
                   ) -> Disagreement:
    """Compare two classifiers' daily labels on their common sessions.

    Parameters
    ----------
    a, b : Series
        Daily labels indexed by session.
    names : tuple of str
        What to call them in the result (two different names).
    """
    for s, n in ((a, names[0]), (b, names[1])):
        if not isinstance(s, pd.Series) or not isinstance(s.index, pd.DatetimeIndex):
            raise ParameterError(
                f"{n}: labels must be a pandas Series indexed by session, got "
                f"{type(s).__name__}."
            )
    if len(names) != 2 or names[0] == names[1]:
        raise ParameterError(f"names must be two different names, got {names!r}.")
    both = pd.DataFrame({names[0]: a, names[1]: b}).dropna()
    diff = both[names[0]] != both[names[1]]
    run = diff.ne(diff.shift()).cumsum()
    rows = []
    for _, grp in both[diff].groupby(run[diff]):
        rows.append([grp.index[0], grp.index[-1], len(grp), grp.iloc[0, 0], grp.iloc[0, 1]])
    periods = pd.DataFrame(rows, columns=["start", "end", "sessions", *names])
    episodes = pd.DataFrame({n: episode_counts(both[n]) for n in names})
    episodes.index.name = "label"
    share = float(diff.mean()) if len(both) else float("nan")
    return Disagreement(names, len(both), share, periods, episodes)


def warn_if_episode_counts_differ(chosen: str, labels: dict[str, pd.Series],
                                  label: str = "QT") -> dict[str, int]:
    """Episodes of ``label`` per classifier; warn when another one counts differently.

    Parameters
    ----------
    chosen : str
        The classifier a run or report uses (its count is the one reported).
    labels : dict
        Classifier name -> daily labels (including ``chosen``).
    label : str
        The regime whose episodes are counted.

    Returns
    -------
    dict
        Classifier name -> number of ``label`` episodes.

    Warns
    -----
    ClassifierDisagreementWarning
        Naming each classifier whose count differs from ``chosen``'s.
    """
    if chosen not in labels:
        raise ParameterError(f"chosen = {chosen!r} is not among the labels given "
                             f"({', '.join(labels)}).")
    if label not in LABELS:
        raise ParameterError(f"label = {label!r} is not a regime; allowed: {', '.join(LABELS)}.")
    counts = {name: episode_counts(s)[label] for name, s in labels.items()}
    others = {n: c for n, c in counts.items() if n != chosen and c != counts[chosen]}
    if others:
        seen = ", ".join(f"{n}: {c}" for n, c in others.items())
        warnings.warn(
            f"The {chosen} classifier sees {counts[chosen]} {label} episode(s); {seen}. "
            f"Per-regime results rest on the {chosen} count; compare with `qtbt regimes "
            f"--compare {','.join(labels)}`.",
            ClassifierDisagreementWarning, stacklevel=2,
        )
    return counts
