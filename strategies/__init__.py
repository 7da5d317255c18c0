"""Playbook strategy modules (each a small file registered with ``backtest.strategy``)."""
