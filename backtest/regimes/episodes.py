"""Episodes table: one row per contiguous regime, with balance-sheet facts."""

from __future__ import annotations

import pandas as pd

from backtest.data.panel import build_panel
from backtest.data.store import DataStore
from backtest.metrics.regime import episodes

__all__ = ["EPISODE_COLUMNS", "episode_runs", "episodes_table"]

EPISODE_COLUMNS = [
    "label", "start", "end", "weeks", "securities_change_bn", "assets_pct_gdp_start",
    "assets_pct_gdp_end", "net_liquidity_change_bn",
]


def episode_runs(labels: pd.Series) -> pd.DataFrame:
    """Contiguous runs of equal labels: ``label``, ``start``, ``end`` (sessions), ``days``.

    The same computation as :func:`backtest.metrics.regime.episodes`, which it calls.
    """
    return episodes(labels)


def episodes_table(labels: pd.Series, store: DataStore) -> pd.DataFrame:
    """One row per episode with holdings, size and liquidity changes.

    Values are point-in-time (what was known at each session's close):
    ``securities_change_bn`` = WSHOSHO at the episode's last session minus at
    the session before it starts (USD bn); ``assets_pct_gdp_*`` = WALCL over
    the latest known nominal GDP (SAAR), percent; ``net_liquidity_change_bn``
    = NETLIQ change over the episode, USD bn. ``weeks`` = calendar days / 7.
    """
    runs = episode_runs(labels)
    panel = build_panel(["WSHOSHO", "WALCL", "GDP", "NETLIQ"], start=labels.index[0]
                        - pd.Timedelta(days=10), end=labels.index[-1], store=store,
                        on_stale="ignore")
    p = panel.reindex(panel.index.union(labels.index)).ffill()
    rows = []
    for label, start, end in zip(runs["label"], runs["start"], runs["end"], strict=True):
        t0, t1 = pd.Timestamp(start), pd.Timestamp(end)
        upto = p.loc[:t0]
        before = upto.iloc[-2] if len(upto) > 1 else upto.iloc[-1]
        first, last = p.loc[t0], p.loc[t1]
        rows.append([
            str(label), t0.date(), t1.date(), round((t1 - t0).days / 7.0, 1),
            round((last["WSHOSHO"] - before["WSHOSHO"]) / 1000.0, 1),
            round(100 * first["WALCL"] / 1000.0 / first["GDP"], 1),
            round(100 * last["WALCL"] / 1000.0 / last["GDP"], 1),
            round((last["NETLIQ"] - before["NETLIQ"]) / 1000.0, 1),
        ])
    return pd.DataFrame(rows, columns=EPISODE_COLUMNS)
