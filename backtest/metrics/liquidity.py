"""Net liquidity split into its parts over each episode of a regime (pure functions).

Net liquidity = WALCL - WTREGEN - RRPONTSYD * 1000 (USD millions; see
:func:`backtest.data.derived.net_liquidity`). Over a window its change splits
exactly into the change in Fed assets (WALCL), the TGA's contribution (minus
the change in WTREGEN) and the reverse repo's (minus the change in RRPONTSYD
* 1000). Figures here are USD billions. The scorecard and the run report
both use :func:`decompose`.
"""

from __future__ import annotations

import pandas as pd

from backtest.metrics.regime import episodes

__all__ = ["DECOMPOSITION_COLUMNS", "LIQUIDITY_SERIES", "components", "decompose"]

#: the stored series net liquidity is made of
LIQUIDITY_SERIES = ("WALCL", "WTREGEN", "RRPONTSYD")

DECOMPOSITION_COLUMNS = ("regime", "start", "end", "days", "walcl_change", "tga_contribution",
                         "rrp_contribution", "netliq_change", "offset_share", "tga_share",
                         "rrp_share")


def components(panel: pd.DataFrame) -> pd.DataFrame:
    """WALCL, TGA (WTREGEN) and RRP (RRPONTSYD * 1000, missing as 0), USD billions.

    ``panel`` holds the columns of :data:`LIQUIDITY_SERIES` (WALCL and WTREGEN
    in USD millions, RRPONTSYD in USD billions).
    """
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
    runs = episodes(labels)
    rows = []
    for first, z, lab, days in zip(pd.DatetimeIndex(runs["start"]), pd.DatetimeIndex(runs["end"]),
                                   runs["label"].tolist(), runs["days"].tolist(), strict=True):
        if lab != regime:
            continue
        a = idx[max(int(idx.searchsorted(first)) - 1, 0)]
        if a not in comp.index or z not in comp.index:
            continue
        d = comp.loc[z].to_numpy(dtype="float64") - comp.loc[a].to_numpy(dtype="float64")
        walcl, tga, rrp = float(d[0]), -float(d[1]), -float(d[2])
        net = walcl + tga + rrp
        fall = -walcl if walcl != 0 else float("nan")
        rows.append({"regime": regime, "start": a, "end": z, "days": int(days),
                     "walcl_change": walcl, "tga_contribution": tga, "rrp_contribution": rrp,
                     "netliq_change": net, "offset_share": (net - walcl) / fall,
                     "tga_share": tga / fall, "rrp_share": rrp / fall})
    return pd.DataFrame(rows, columns=list(DECOMPOSITION_COLUMNS))
