"""Net liquidity and its parts under QT: the offset claim and each episode's decomposition.

Net liquidity = WALCL - WTREGEN - RRPONTSYD * 1000 (USD millions; see
:func:`backtest.data.derived.net_liquidity`). Over a window its change splits
exactly into the change in Fed assets (WALCL), the TGA's contribution
(minus the change in WTREGEN) and the reverse repo's (minus the change in
RRPONTSYD * 1000). The scorecard reports them in USD billions.
"""

from __future__ import annotations

import pandas as pd

from backtest.claims import Claim
from backtest.metrics import TRADING_DAYS
from backtest.report.scorecard_measures import Builder, regime_runs

__all__ = ["DECOMPOSITION_COLUMNS", "components", "decompose", "offset_qt"]

DECOMPOSITION_COLUMNS = ("regime", "start", "end", "days", "walcl_change", "tga_contribution",
                         "rrp_contribution", "netliq_change", "offset_share", "tga_share",
                         "rrp_share")


def components(panel: pd.DataFrame) -> pd.DataFrame:
    """WALCL, TGA (WTREGEN) and RRP (RRPONTSYD * 1000, missing as 0), USD billions."""
    return pd.DataFrame({"walcl": panel["WALCL"] / 1000.0, "tga": panel["WTREGEN"] / 1000.0,
                         "rrp": panel["RRPONTSYD"].fillna(0.0)}, index=panel.index)


def decompose(panel: pd.DataFrame, labels: pd.Series, regime: str = "QT") -> pd.DataFrame:
    """Each ``regime`` episode's change in net liquidity, split by component (USD billions).

    The change runs from the close before the episode's first session (its
    first session when there is none) to its last session. ``offset_share``
    is the part of the fall in WALCL that the TGA and the reverse repo
    offset: ``(netliq_change - walcl_change) / -walcl_change``; ``tga_share``
    and ``rrp_share`` split it (each contribution over ``-walcl_change``).
    Episodes without data at both ends are left out.

    Returns
    -------
    DataFrame
        :data:`DECOMPOSITION_COLUMNS`, one row per episode in time order.
    """
    comp = components(panel).dropna(subset=["walcl", "tga"])
    idx = pd.DatetimeIndex(labels.index)
    rows = []
    for days in regime_runs(labels, regime):
        p0 = max(int(idx.searchsorted(days[0])) - 1, 0)
        a, z = idx[p0], days[-1]
        if a not in comp.index or z not in comp.index:
            continue
        d = comp.loc[z].to_numpy(dtype="float64") - comp.loc[a].to_numpy(dtype="float64")
        walcl, tga, rrp = float(d[0]), -float(d[1]), -float(d[2])
        net = walcl + tga + rrp
        fall = -walcl if walcl != 0 else float("nan")
        rows.append({"regime": regime, "start": a, "end": z, "days": len(days),
                     "walcl_change": walcl, "tga_contribution": tga, "rrp_contribution": rrp,
                     "netliq_change": net, "offset_share": (net - walcl) / fall,
                     "tga_share": tga / fall, "rrp_share": rrp / fall})
    return pd.DataFrame(rows, columns=list(DECOMPOSITION_COLUMNS))


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
