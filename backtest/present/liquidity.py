"""Net liquidity and funding at ``as_of``, from the same point-in-time values.

Net liquidity is ``WALCL - TGA - RRP`` in USD millions, with TGA = WTREGEN
(the series the catalog's NETLIQ uses) and RRP = RRPONTSYD x 1000 (USD bn to
mn; zero before its first observation, as in
:func:`backtest.data.derived.net_liquidity`). Each level is rounded to whole
USD millions (H.4.1 publishes whole millions, ON RRP whole millions in bn with
three decimals), so every level and change is an exact integer in float64
and ``change(NETLIQ) = change(WALCL) - change(TGA) - change(RRP)`` holds
exactly, component by component, in the output.

A change over ``w`` weeks compares the values known at ``as_of``'s close
with those known at the close of the last session on or before
``as_of - 7w`` calendar days.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from backtest.data.calendar import sessions_between
from backtest.present.inputs import Observations

__all__ = ["COMPONENTS", "THRESHOLDS", "funding", "liquidity_history", "net_liquidity",
           "netliq_at", "session_before"]

#: component -> (series, multiplier to USD millions)
COMPONENTS: dict[str, tuple[str, float]] = {"walcl": ("WALCL", 1.0), "tga": ("WTREGEN", 1.0),
                                            "rrp": ("RRPONTSYD", 1000.0)}
#: funding measure -> levels whose crossing `--since` reports
THRESHOLDS: dict[str, tuple[float, ...]] = {"sofr_iorb_bp": (0.0,), "effr_iorb_bp": (0.0,),
                                            "sofr_minus_top_bp": (0.0,),
                                            "reserves_gdp_pct": (10.0,)}


def session_before(as_of: pd.Timestamp, days: int) -> pd.Timestamp:
    """The last NYSE session on or before ``as_of - days`` calendar days."""
    return pd.Timestamp(sessions_between(None, as_of - pd.Timedelta(days=days))[-1])


def netliq_at(obs: Observations, session: pd.Timestamp) -> dict[str, Any]:
    """Net liquidity and its components known at ``session``'s close, whole USD mn.

    ON RRP counts as 0 before its first observation; a component not yet
    known makes every value None.
    """
    out: dict[str, Any] = {"date": f"{session:%Y-%m-%d}"}
    for key, (ref, mult) in COMPONENTS.items():
        v = obs.value_at(ref, session)
        if np.isnan(v) and key == "rrp":
            v = 0.0
        out[key] = None if np.isnan(v) else float(round(v * mult))
    if any(out[key] is None for key in COMPONENTS):
        return {"date": out["date"], **dict.fromkeys([*COMPONENTS, "netliq"])}
    out["netliq"] = out["walcl"] - out["tga"] - out["rrp"]
    return out


def _change(now: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    """Component changes and their exact total; None throughout when ``then`` is unknown."""
    out: dict[str, Any] = {"from": then["date"], "to": now["date"]}
    known = all(then[key] is not None for key in COMPONENTS)
    for key in COMPONENTS:
        out[key] = now[key] - then[key] if known else None
    out["netliq"] = out["walcl"] - out["tga"] - out["rrp"] if known else None
    return out


def net_liquidity(obs: Observations, as_of: pd.Timestamp) -> dict[str, Any]:
    """``level`` and ``change_4w``/``change_13w``, each with netliq, walcl, tga, rrp (USD mn)."""
    level = netliq_at(obs, as_of)
    out: dict[str, Any] = {"units": "USD millions", "tga_series": "WTREGEN",
                           "rrp_series": "RRPONTSYD x 1000", "level": level}
    for weeks in (4, 13):
        out[f"change_{weeks}w"] = _change(level, netliq_at(obs, session_before(as_of, 7 * weeks)))
    return out


def liquidity_history(obs: Observations, as_of: pd.Timestamp, years: int = 2) -> pd.DataFrame:
    """Daily net liquidity, components (USD mn) and funding spreads (bp) over ``years``."""
    sessions = sessions_between(as_of - pd.DateOffset(years=years), as_of)

    def on(ref: str) -> pd.Series:
        return obs.by_known(ref, as_of).reindex(sessions, method="ffill")

    frame = pd.DataFrame({"walcl": on("WALCL"), "tga": on("WTREGEN"),
                          "rrp": on("RRPONTSYD").fillna(0.0) * 1000.0}, index=sessions).round()
    frame["netliq"] = frame["walcl"] - frame["tga"] - frame["rrp"]
    frame["sofr_iorb_bp"] = on("SOFR_IORB") * 100.0
    frame["effr_iorb_bp"] = on("EFFR_IORB") * 100.0
    frame["sofr_minus_top_bp"] = (on("SOFR") - on("DFEDTARU")) * 100.0
    return frame.rename_axis("date")


def _percentile(history: pd.Series, value: float) -> float | None:
    """Share of history (percent) at or below ``value``."""
    h = history.dropna()
    if not len(h) or np.isnan(value):
        return None
    return round(float((h <= value).mean() * 100.0), 1)


def _measure(history: pd.Series, units: str, digits: int) -> dict[str, Any]:
    h = history.dropna()
    value = float(h.iloc[-1]) if len(h) else float("nan")
    return {"value": None if np.isnan(value) else round(value, digits), "units": units,
            "percentile": _percentile(h.round(digits), round(value, digits)),
            "history_from": f"{h.index[0]:%Y-%m-%d}" if len(h) else None,
            "observations": len(h)}


def _paired(obs: Observations, a: str, b: str, as_of: pd.Timestamp,
            func: Callable[[pd.Series, pd.Series], pd.Series]) -> pd.Series:
    """``func(a, b)`` on ``a``'s release sessions, ``b`` as known at each of them."""
    left = obs.by_known(a, as_of)
    right = obs.by_known(b, as_of).reindex(left.index.union(obs.by_known(b, as_of).index)
                                           ).ffill().reindex(left.index)
    return func(left, right)


def funding(obs: Observations, as_of: pd.Timestamp) -> dict[str, Any]:
    """Funding spreads (bp), reserves (USD mn, percent of GDP), each with its history percentile.

    Percentiles rank the value among every observation known at ``as_of``
    (``history_from`` on): the share of them at or below it, in percent.
    ``reserves_gdp_pct`` divides each WRESBAL by the nominal GDP (SAAR, USD bn
    x 1000) known at the session it became known.
    """
    sofr_top = _paired(obs, "SOFR", "DFEDTARU", as_of, lambda s, t: s - t)
    res_gdp = _paired(obs, "WRESBAL", "GDP", as_of, lambda r, g: r / (g * 1000.0) * 100.0)
    return {
        "sofr_iorb_bp": _measure(obs.by_known("SOFR_IORB", as_of) * 100.0, "bp", 2),
        "effr_iorb_bp": _measure(obs.by_known("EFFR_IORB", as_of) * 100.0, "bp", 2),
        "sofr_minus_top_bp": _measure(sofr_top * 100.0, "bp", 2),
        "reserves": _measure(obs.by_known("WRESBAL", as_of), "USD millions", 0),
        "reserves_gdp_pct": _measure(res_gdp, "percent of GDP", 2),
    }
