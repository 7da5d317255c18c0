"""Scorecard measures of what follows the end of QT (the QT-end forecasts, on every QT end).

Each row pools the sessions after the effective date of every event of kind
``qt_end`` (:meth:`Builder.after_qt`, length ``WindowSpec.after``); see
:mod:`backtest.report.scorecard` for the verdict rules.
"""

from __future__ import annotations

from backtest.claims import Claim
from backtest.metrics import TRADING_DAYS
from backtest.report.scorecard_measures import Builder, bp_change, returns

__all__ = ["breakevens_after", "bull_steepener_after", "em_after", "growth_after",
           "policy_after"]


def bull_steepener_after(b: Builder, c: Claim) -> None:
    """2-year change (claimed < 0) and 2s10s change (claimed > 0); 10-year as context."""
    p = b.data.panel
    b.after_qt(c, "2-year yield change", bp_change(p, "DGS2"), "bp_per_year", TRADING_DAYS, -1)
    b.after_qt(c, "2s10s change", bp_change(p, "T2S10S"), "bp_per_year", TRADING_DAYS, 1)
    b.after_qt(c, "10-year yield change", bp_change(p, "DGS10"), "bp_per_year", TRADING_DAYS,
               -1, role="context")


def growth_after(b: Builder, c: Claim) -> None:
    """IWF minus IWD, annualised (claimed > 0)."""
    p = b.data.panel
    b.after_qt(c, "IWF - IWD return", returns(p, "IWF") - returns(p, "IWD"), "ann_return",
               TRADING_DAYS, 1)


def em_after(b: Builder, c: Claim) -> None:
    """EEM minus SPY, annualised (claimed > 0)."""
    p = b.data.panel
    b.after_qt(c, "EEM - SPY return", returns(p, "EEM") - returns(p, "SPY"), "ann_return",
               TRADING_DAYS, 1)


def breakevens_after(b: Builder, c: Claim) -> None:
    """5-year breakeven change, bp per year (claimed > 0)."""
    b.after_qt(c, "5-year breakeven (T5YIE) change", bp_change(b.data.panel, "T5YIE"),
               "bp_per_year", TRADING_DAYS, 1)


def policy_after(b: Builder, c: Claim) -> None:
    """Upper policy-rate target change, bp per year (claimed not negative); before as context."""
    x = bp_change(b.data.panel, "DFEDTARU")
    b.after_qt(c, "policy rate (DFEDTARU) change", x, "bp_per_year", TRADING_DAYS, 1)
    b.after_qt(c, "policy rate (DFEDTARU) change", x, "bp_per_year", TRADING_DAYS, 1,
               role="context", before=True)
