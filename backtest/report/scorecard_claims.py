"""Every scored claim with the function that measures it, in the order of ``claims.SCORED``."""

from __future__ import annotations

from collections.abc import Callable

from backtest import claims as cl
from backtest.claims import SCORED, Claim
from backtest.report import scorecard_after as af
from backtest.report import scorecard_horizon as hz
from backtest.report import scorecard_qt as qt
from backtest.report.scorecard_measures import CORE_MEASURES, Builder
from backtest.report.scorecard_netliq import offset_qt

__all__ = ["MEASURES"]

Measure = Callable[[Builder, Claim], None]

#: each scored claim with the function that adds its rows (tests and context)
MEASURES: tuple[tuple[Claim, Measure], ...] = (
    *CORE_MEASURES,
    (cl.VIX_QT, qt.vix_qt), (cl.CREDIT_QT, qt.credit_qt), (cl.RESERVES_QT, qt.reserves_qt),
    (cl.CURVE_QT, qt.curve_qt), (cl.LONG_YIELDS_QT, qt.long_yields_qt),
    (cl.GROWTH_QT, qt.growth_qt), (cl.LATE_QT, qt.late_qt), (cl.OFFSET_QT, offset_qt),
    (cl.BULL_STEEP_AFTER, af.bull_steepener_after), (cl.GROWTH_AFTER, af.growth_after),
    (cl.EM_AFTER, af.em_after), (cl.BREAKEVEN_AFTER, af.breakevens_after),
    (cl.POLICY_AFTER, af.policy_after), (cl.YIELDS_QE, qt.yields_qe),
    (cl.EQUITIES_QE, qt.equities_qe), (cl.RESERVES_QE, qt.reserves_qe),
    (cl.YIELD_PEAK, hz.yield_peak), (cl.EARLY_QT_DOLLAR, hz.dollar_early_qt),
    (cl.DIVERGENCE, hz.spx_divergence), (cl.SELL_RALLIES, hz.sell_rallies),
    (cl.QUALITY, hz.quality_qt),
)
if tuple(c for c, _ in MEASURES) != SCORED:  # every scored claim has exactly one measure
    raise RuntimeError("backtest.claims.SCORED and the scorecard's measures differ: "
                       f"{[c.id for c, _ in MEASURES]} vs {[c.id for c in SCORED]}")
