"""Each strategy's target weights decided at ``as_of``'s close, from its own data.

A strategy is evaluated at its own last session: ``as_of``, or the last
session at which every asset it trades has a price known by ``as_of`` when
one ends earlier (then it is flagged stale). Its context (prices, macro panel,
regime labels of its default classifier, or of the user's regimes file) is built by
:func:`backtest.runner.inputs.prepare_context` exactly as a run builds it,
from :data:`LOOKBACK_DAYS` calendar days back (plus the run's warm-up), so
the weights are those a run ending that day would hold as targets.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtest.exceptions import ParameterError, QtbtWarning
from backtest.present.inputs import Observations
from backtest.runner.config import RunConfig
from backtest.runner.inputs import prepare_context
from backtest.strategy import StrategySpec, load_registry, resolve_strategy

__all__ = ["LOOKBACK_DAYS", "check_strategies", "default_strategies", "strategy_targets"]

LOOKBACK_DAYS = 730  # calendar days searched for the last change of the targets
_TOL = 1e-12


def default_strategies() -> tuple[str, ...]:
    """Every registered strategy that is not a benchmark, in registry order."""
    return tuple(n for n, s in load_registry().items() if s.claim != "benchmark")


def check_strategies(strategies: Sequence[str] | None) -> tuple[str, ...]:
    """Strategy names (defaults when None), each checked against the registry."""
    if strategies is None:
        return default_strategies()
    if isinstance(strategies, str):
        strategies = [strategies]
    if not strategies:
        raise ParameterError("strategies is empty; pass names such as ['playbook'] or None "
                             "for every registered strategy.")
    for name in strategies:
        resolve_strategy(name)
    return tuple(dict.fromkeys(strategies))


def _own_end(spec: StrategySpec, params: dict[str, Any], obs: Observations,
             as_of: pd.Timestamp) -> pd.Timestamp:
    """Last session at which every traded asset has a price known by ``as_of``."""
    lasts = []
    for t in spec.assets_for(params):
        known = obs.known_by(t, as_of)
        if not len(known):
            raise ParameterError(f"Strategy {spec.name!r}: {t} has no price known by "
                                 f"{as_of.date()}; pick a later as_of.")
        lasts.append(pd.Timestamp(known["known"].iloc[-1]))
    return min(lasts)


def _last_change(decided: pd.DataFrame) -> pd.Timestamp | None:
    values = decided.to_numpy()
    moved = np.any(np.abs(np.diff(values, axis=0)) > _TOL, axis=1)
    hits = np.flatnonzero(moved)
    return pd.Timestamp(decided.index[hits[-1] + 1]) if len(hits) else None


def _one(ref: str, obs: Observations, as_of: pd.Timestamp,
         regimes: str | Path | None = None) -> tuple[str, dict[str, Any], list[str]]:
    spec = resolve_strategy(ref)
    name = spec.name
    params = spec.resolve()
    end = _own_end(spec, params, obs, as_of)
    cfg = RunConfig(spec) if regimes is None else \
        RunConfig(spec, classifier="file", classifier_params={"path": str(regimes)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QtbtWarning)
        ctx = prepare_context(spec, params, cfg, obs.store, end - pd.Timedelta(days=LOOKBACK_DAYS),
                              end)
    decided = spec.target_weights(ctx, params).ffill().fillna(0.0)
    weights = {t: round(float(w), 6) for t, w in decided.iloc[-1].items()}
    changed = _last_change(decided.loc[ctx.first_session:])
    phases = ctx.phases.iloc[-1] if ctx.phases is not None else None
    signal = {c: (None if np.isnan(v) else round(float(v), 6))
              for c, v in ctx.panel.iloc[-1].items()} if len(ctx.panel.columns) else {}
    info = {"evaluated_at": f"{end:%Y-%m-%d}", "stale": bool(end < as_of),
            "weights": weights, "cash": round(1.0 - sum(weights.values()), 6),
            "classifier": cfg.classifier, "regime": str(ctx.regimes.iloc[-1]),
            "phase": None if phases is None else str(phases["phase"]),
            "signal": signal, "rebalance": spec.rebalance,
            "changed": None if changed is None else f"{changed:%Y-%m-%d}",
            "changed_note": None if changed is not None else
            f"unchanged since {ctx.first_session:%Y-%m-%d} (start of the search window)"}
    notes = [f"{name}: {w.message}" for w in caught]
    if end < as_of:
        notes.append(f"{name}: prices of its assets end before as_of; evaluated at "
                     f"{end:%Y-%m-%d}.")
    return name, info, notes


def strategy_targets(names: Sequence[str], obs: Observations, as_of: pd.Timestamp,
                     regimes: str | Path | None = None
                     ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Per strategy: weights, evaluation date, stale flag, driver and last change; and notes.

    With ``regimes`` (a ``date,label`` file) every strategy reads those labels
    instead of its default classifier's.
    """
    out: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for ref in names:
        name, info, n = _one(ref, obs, as_of, regimes)  # a file is shown by its spec's name
        if name in out:
            raise ParameterError(f"two strategies are named {name!r} (the second from "
                                 f"{ref!r}); give each strategy its own name.")
        out[name] = info
        notes += n
    return out, notes
