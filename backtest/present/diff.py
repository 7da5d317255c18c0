"""What changed between two ``now`` results: regimes, targets, funding thresholds crossed.

Both sides are ``now.json`` contents (:meth:`NowResult.to_dict`), so a desk
report written weeks ago can be compared with today's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backtest.exceptions import DataFormatError
from backtest.present.liquidity import THRESHOLDS

__all__ = ["changes_since", "check_now_dict"]

_KEYS = ("as_of", "regimes", "net_liquidity", "funding", "targets")
_TOL = 1e-6


def check_now_dict(d: object, where: str) -> Mapping[str, Any]:
    """``d`` if it has the keys of a ``now.json``; a DataFormatError naming ``where`` if not."""
    missing = [k for k in _KEYS if not isinstance(d, Mapping) or k not in d]
    if missing:
        raise DataFormatError(f"{where} is not a qtbt now.json (missing {', '.join(missing)}); "
                              "pass a folder written by `qtbt now --out`.")
    assert isinstance(d, Mapping)
    return d


def _regimes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Classifiers (present in both) whose label changed."""
    both = [(c, old["regimes"][c], r) for c, r in new["regimes"].items() if c in old["regimes"]]
    return [f"regime ({c}): {a['label']} -> {b['label']} since {b['since']}"
            for c, a, b in both if a["label"] != b["label"]]


def _targets(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    out = []
    for name, w in new["targets"].items():
        before = old["targets"].get(name)
        if before is None:
            out.append(f"targets ({name}): new in this report")
            continue
        moved = [f"{t} {before.get(t, 0.0):.0%} -> {w.get(t, 0.0):.0%}"
                 for t in sorted(set(w) | set(before))
                 if abs(w.get(t, 0.0) - before.get(t, 0.0)) > _TOL]
        if moved:
            out.append(f"targets ({name}): " + ", ".join(moved))
    return out


def _crossings(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    out = []
    for key, levels in THRESHOLDS.items():
        a = old["funding"].get(key, {}).get("value")
        b = new["funding"].get(key, {}).get("value")
        if a is None or b is None:
            continue
        for level in levels:
            if (a > level) != (b > level):
                way = "above" if b > level else "at or below"
                out.append(f"funding: {key} crossed {level:g} ({a:g} -> {b:g}), now {way} it")
    return out


def changes_since(current: Mapping[str, Any], previous: Mapping[str, Any]) -> list[str]:
    """Lines saying what changed from ``previous`` to ``current`` (both ``to_dict()`` forms).

    Lists regime label changes per classifier, target weights that moved per
    strategy, funding measures that crossed a level of
    :data:`~backtest.present.liquidity.THRESHOLDS` (SOFR-IORB, EFFR-IORB,
    SOFR-top crossing 0 bp; reserves crossing 10 % of GDP), and the change
    of net liquidity between the two dates (USD mn). Empty-handed comparisons
    say so in one line.
    """
    new = check_now_dict(current, "the current result")
    old = check_now_dict(previous, "the earlier report")
    head = f"since {old['as_of']} (now {new['as_of']}):"
    a = old["net_liquidity"]["level"]["netliq"]
    b = new["net_liquidity"]["level"]["netliq"]
    lines = [*_regimes(old, new), *_targets(old, new), *_crossings(old, new)]
    if not lines:
        lines = ["no regime, target or funding-threshold change"]
    moved = "n/a" if a is None or b is None else f"{b - a:+,.0f} USD mn"
    return [head, *[f"  {x}" for x in lines], f"  net liquidity {moved}"]
