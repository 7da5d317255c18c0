"""``ctx.regimes`` as a strategy sees it: comparisons with an unknown label are errors.

A weights function that writes ``ctx.regimes == "EndOfQT"`` (for ``end_of_qt``)
would get a Series that is never true, and its strategy would silently never
trade that regime. :class:`RegimeLabels` refuses it: ``==``, ``!=``, ``eq``,
``ne`` and ``isin`` with a string that is no regime label raise a
:class:`~backtest.exceptions.ParameterError` naming the strategy, the label and
the closest valid one. Anything derived from it (slices, shifts, results) is
a plain Series, so only comparisons on ``ctx.regimes`` itself are checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import pandas as pd

from backtest.data.catalog import suggest
from backtest.exceptions import ParameterError
from backtest.regimes.labels import LABELS

__all__ = ["RegimeLabels", "guard_labels"]


class RegimeLabels(pd.Series):
    """A Series of regime labels whose comparisons refuse unknown labels (see the module)."""

    _metadata: ClassVar[list[str]] = ["qtbt_strategy"]
    qtbt_strategy: str

    @property
    def _constructor(self) -> type[pd.Series]:  # results of operations are plain Series
        return pd.Series

    def _check(self, other: object) -> None:
        if isinstance(other, str):
            wanted: Iterable[object] = [other]
        elif isinstance(other, list | tuple | set | frozenset):
            wanted = other
        else:
            return  # another Series, an array, a number: compared as pandas does
        for label in wanted:
            if isinstance(label, str) and label not in LABELS:
                close = suggest(label, LABELS, n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                who = getattr(self, "qtbt_strategy", "strategy")
                raise ParameterError(
                    f"{who}: its weights function compares ctx.regimes with {label!r}, which "
                    f"is no regime label.{hint} Labels: {', '.join(LABELS)} (the comparison "
                    "would never be true and the strategy would silently never trade it).")

    def __eq__(self, other: object) -> Any:
        self._check(other)
        return super().__eq__(other)

    def __ne__(self, other: object) -> Any:
        self._check(other)
        return super().__ne__(other)

    def eq(self, other: Any, *args: Any, **kwargs: Any) -> pd.Series:
        """``==`` as a method, checked the same way."""
        self._check(other)
        return super().eq(other, *args, **kwargs)

    def ne(self, other: Any, *args: Any, **kwargs: Any) -> pd.Series:
        """``!=`` as a method, checked the same way."""
        self._check(other)
        return super().ne(other, *args, **kwargs)

    def isin(self, values: Any) -> pd.Series:
        """Membership, refusing a label that no classifier gives."""
        self._check(list(values) if isinstance(values, Iterable) and
                    not isinstance(values, str | pd.Series) else values)
        return super().isin(values)


def guard_labels(labels: pd.Series, strategy: str) -> RegimeLabels:
    """``labels`` (same values and index) as :class:`RegimeLabels` of ``strategy``."""
    out = RegimeLabels(labels)
    out.qtbt_strategy = strategy
    return out
