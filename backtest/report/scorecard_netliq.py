"""Net liquidity and its parts under QT: the offset claim and each episode's decomposition.

Net liquidity = WALCL - WTREGEN - RRPONTSYD * 1000 (USD millions; see
:func:`backtest.data.derived.net_liquidity`). Over a window its change splits
exactly into the change in Fed assets (WALCL), the TGA's contribution
(minus the change in WTREGEN) and the reverse repo's (minus the change in
RRPONTSYD * 1000). The scorecard reports them in USD billions.
"""

from __future__ import annotations

from backtest.claims import Claim
from backtest.metrics import TRADING_DAYS
from backtest.metrics.liquidity import DECOMPOSITION_COLUMNS, components, decompose
from backtest.report.scorecard_measures import Builder

__all__ = ["DECOMPOSITION_COLUMNS", "components", "decompose", "offset_qt"]

def offset_qt(b: Builder, c: Claim) -> None:
    """TGA + RRP contribution to net liquidity, USD bn per year (claimed > 0 in QT)."""
    comp = components(b.data.panel)
    flow = -(comp["tga"].diff() + comp["rrp"].diff())
    b.by_regime(c, "TGA + RRP contribution to net liquidity", flow, "usd_bn_per_year",
                TRADING_DAYS, 1, ["QT"])
    for col, name in (("walcl", "Fed assets (WALCL) change"),):
        b.by_regime(c, name, comp[col].diff(), "usd_bn_per_year", TRADING_DAYS, 1, [])
    net = comp["walcl"] - comp["tga"] - comp["rrp"]
    b.by_regime(c, "net liquidity change", net.diff(), "usd_bn_per_year", TRADING_DAYS, 1, [])
