"""Where the regime colours used to live; the figures moved to the report layer.

The regime picture is :mod:`backtest.report.regimes_charts`. ``REGIME_COLORS``
is defined in :mod:`backtest.regimes.labels` and re-exported here for code
that imports it from this module.
"""

from __future__ import annotations

from backtest.regimes.labels import REGIME_COLORS

__all__ = ["REGIME_COLORS"]
