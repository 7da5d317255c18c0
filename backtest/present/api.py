"""``now``: where we are at the latest session the data describes, as one result."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from backtest.data.store import DataStore, as_store
from backtest.present.inputs import CORE, Observations, input_table, next_session, resolve_as_of
from backtest.present.liquidity import funding, liquidity_history, net_liquidity
from backtest.present.regimes import CLASSIFIER_INPUTS, check_classifiers, disagreement, regimes_at
from backtest.present.result import NowResult
from backtest.present.targets import check_strategies, strategy_targets
from backtest.regimes.userfile import FileClassifier
from backtest.strategy import resolve_strategy

__all__ = ["now"]

_ROLES = {"WALCL": "net liquidity", "WTREGEN": "net liquidity (TGA)",
          "RRPONTSYD": "net liquidity (ON RRP)", "WRESBAL": "reserves", "GDP": "reserves / GDP",
          "SOFR": "funding", "EFFR": "funding", "IORB_IOER": "funding", "DFEDTARU": "funding",
          "SOFR_IORB": "funding", "EFFR_IORB": "funding"}


def _roles(classifiers: Sequence[str], strategies: Sequence[str]) -> list[tuple[str, str]]:
    roles = [(ref, _ROLES[ref]) for ref in (*CORE, "GDP")]
    roles += [(ref, f"regimes ({c})") for c in classifiers for ref in CLASSIFIER_INPUTS[c]]
    for name in strategies:
        spec = resolve_strategy(name)
        params = spec.resolve()
        roles += [(ref, f"strategy {name}") for ref in
                  (*spec.assets_for(params), *spec.series_for(params))]
    return roles


def now(store: DataStore | str | Path | None = None, strategies: Sequence[str] | None = None,
        classifiers: Sequence[str] | None = None, as_of: object = None,
        regimes: str | Path | None = None) -> NowResult:
    """Where we are now: regimes, net liquidity, funding and each strategy's targets.

    Parameters
    ----------
    store : DataStore or path, optional
        Where data comes from (default ``DataStore()``).
    strategies : sequence of str, optional
        Strategies whose targets to show (default: every registered strategy
        that is not a benchmark).
    classifiers : sequence of str, optional
        Regime classifiers (default ``calendar``, ``data``, ``rules``;
        ``markov`` is slow, about 7 s per fit).
    as_of : date-like, optional
        Describe this session (rolled back to the last NYSE session on or
        before it) with what was known at its close. Default: the latest
        session at whose close every core input (net liquidity and funding
        series) is known; see :mod:`backtest.present.inputs`.
    regimes : str or Path, optional
        Your own ``date,label`` regimes file: shown as classifier ``file``, and
        the labels every strategy's targets read.

    Returns
    -------
    NowResult
        ``summary()``, ``to_text(fmt)``, ``to_dict()``/``to_json()``, ``plot()``.

    Raises
    ------
    ParameterError
        Unknown strategy or classifier, or an ``as_of`` that is not a date.
    EmptyRangeError
        A core input has no observation at all.
    """
    store = as_store(store, "now")
    names = check_strategies(strategies)
    clfs = check_classifiers(classifiers, regimes)
    obs = Observations(store)
    day = resolve_as_of(obs, as_of)
    inputs = input_table(obs, _roles(clfs, names), day)
    by_classifier, labels = regimes_at(store, day, clfs, regimes)
    targets, notes = strategy_targets(names, obs, day, regimes)
    if regimes is not None:
        clf = FileClassifier(regimes).fit()
        notes.insert(0, f"regimes (file) from {clf.path_} (sha256 {clf.sha256_[:12]}); every "
                        "strategy's targets read them.")
    return NowResult(as_of=day, next_session=next_session(day), inputs=inputs,
                     regimes=by_classifier, disagree=disagreement(by_classifier),
                     net_liquidity=net_liquidity(obs, day), funding=funding(obs, day),
                     strategies=targets, notes=tuple(notes),
                     history=liquidity_history(obs, day), labels=labels)
