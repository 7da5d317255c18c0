"""Regime labels and what each one means."""

from __future__ import annotations

from typing import Final

from backtest._typing import Label

__all__ = ["LABELS", "LABEL_DESCRIPTIONS", "REGIME_COLORS", "Label"]


LABELS: Final[tuple[str, ...]] = ("QE", "taper", "QT", "end_of_qt", "neutral")

LABEL_DESCRIPTIONS: Final[dict[str, str]] = {
    "QE": "large-scale asset purchases: securities held outright grow by program",
    "taper": "purchases continue at a falling pace, toward their end",
    "QT": "runoff: maturing securities are not (fully) reinvested, holdings shrink",
    "end_of_qt": "runoff pace cut or stopped; the window after runoff ends",
    "neutral": (
        "none of the above: reinvestment plateaus (holdings flat), Operation Twist "
        "(size-neutral), reserve-management bill purchases ('not QE'), and pre-2008"
    ),
}

# one colour per label, shared by every chart
REGIME_COLORS: Final[dict[str, str]] = {
    "QE": "#2ca02c",
    "taper": "#bcbd22",
    "QT": "#d62728",
    "end_of_qt": "#ff7f0e",
    "neutral": "#dddddd",
}
