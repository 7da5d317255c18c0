"""Playbook strategy modules: one small file each, each defining a ``StrategySpec``.

``backtest`` scans every module of this package for module-level
``StrategySpec`` objects (:func:`backtest.strategy.load_registry`): add a
strategy by adding a module; no list to keep by hand. The benchmarks
(``buy_and_hold``, ``sixty_forty``) live in :mod:`strategies.benchmarks`.
"""

from __future__ import annotations

__all__: list[str] = []
