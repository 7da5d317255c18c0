"""``now``: the current regime, net liquidity, funding stress and each strategy's targets.

:func:`now` reads the point-in-time data up to the latest session at whose
close the net-liquidity and funding inputs are all known, and returns a
:class:`NowResult` (``summary()``, ``to_text()``, ``to_json()``, ``plot()``).
:func:`changes_since` lists what moved against an earlier ``now.json``.
"""

from __future__ import annotations

from backtest.present.api import now
from backtest.present.diff import changes_since
from backtest.present.inputs import CORE, STALE_SESSIONS
from backtest.present.result import FORMATS, NowResult

__all__ = ["CORE", "FORMATS", "STALE_SESSIONS", "NowResult", "changes_since", "now"]
