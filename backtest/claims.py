"""The playbook's claims, defined once: what strategies test and the scorecard measures.

A :class:`Claim` names one statement of the QT playbook and says in plain
words how the data is asked. Strategies refer to a claim by its id
(``StrategySpec.claim``, checked when the spec is created); the scorecard
builds its tests from the same objects. This module imports nothing of
qtbt but its exceptions, so every layer can use it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from backtest.exceptions import ParameterError

__all__ = [
    "AFTER_QT",
    "BENCHMARK",
    "BREAKEVEN_AFTER",
    "BULL_STEEP_AFTER",
    "CLAIMS",
    "CREDIT_QT",
    "CURVE",
    "CURVE_QT",
    "DIVERGENCE",
    "DOLLAR",
    "DURATION",
    "EARLY_QT_DOLLAR",
    "EM_AFTER",
    "EQUITIES_QE",
    "FUNDING",
    "GROWTH_AFTER",
    "GROWTH_QT",
    "HORIZON",
    "LATE_QT",
    "LONG_YIELDS_QT",
    "NETLIQ",
    "NONE",
    "OFFSET_QT",
    "PLAYBOOK",
    "PLAYBOOK_MORE",
    "POLICY_AFTER",
    "QUALITY",
    "RESERVES_QE",
    "RESERVES_QT",
    "SCORED",
    "SELL_RALLIES",
    "VALUE",
    "VIX_QT",
    "YIELDS_QE",
    "YIELD_PEAK",
    "Claim",
    "claim_ids",
    "get_claim",
]


@dataclass(frozen=True)
class Claim:
    """One playbook claim.

    Attributes
    ----------
    id : str
        Short name (``value_beats_growth_qt``).
    statement : str
        The claim as the playbook makes it.
    measure : str
        How the data is asked (plain words: series, statistic, window).
    """

    id: str
    statement: str
    measure: str


#: value (IWD, HML) against growth (IWF) in QT
VALUE = Claim("value_beats_growth_qt", "Value beats growth under QT",
              "IWD minus IWF daily return, and the Fama-French HML factor, annualised, in QT")
#: the dollar in QT
DOLLAR = Claim("dollar_rises_qt", "The dollar rises under QT",
               "UUP and broad dollar index (DTWEXBGS) return, annualised, in QT")
#: long bonds and the 10-year yield in QT
DURATION = Claim("duration_suffers_qt", "Long duration suffers under QT",
                 "TLT return (claimed < 0) and 10-year yield change (claimed > 0) in QT")
#: the 2s10s curve around the end of QT
CURVE = Claim("curve_steepens_end_of_qt", "The curve steepens around the end of QT",
              "2s10s change (bp per year) in end_of_qt and in the months after QT ends")
#: the dollar, gold and emerging markets after QT ends
AFTER_QT = Claim("dollar_down_gold_em_up_after_qt",
                 "The dollar weakens and gold and emerging markets gain after QT ends",
                 "UUP (claimed < 0), GLD and EEM (claimed > 0) returns in end_of_qt and after "
                 "QT ends")
#: net liquidity against the S&P 500, weekly
NETLIQ = Claim("netliq_spx_together", "Net liquidity and the S&P 500 move together",
               "Correlation of weekly net-liquidity and S&P 500 percent changes, all weeks")
#: repo and fed funds spreads before QT-end announcements
FUNDING = Claim("funding_stress_precedes_end", "Funding stress precedes the end of QT",
                "SOFR-IORB and EFFR-IORB before QT-end announcements minus the months before")
#: the playbook strategy against 60/40 (tested by running it, not by the scorecard)
PLAYBOOK = Claim("playbook_beats_60_40",
                 "Following the QT playbook's allocations by regime beats a static 60/40",
                 "Sharpe of the playbook strategy against the sixty_forty benchmark, overall "
                 "and per regime, in `qtbt run playbook` (not a scorecard row)")
#: benchmarks make no claim: they are what the strategies are measured against
BENCHMARK = Claim("benchmark", "None: a benchmark, with no regime information",
                  "Nothing of its own; strategies are compared with it")
#: a strategy of your own that tests none of the playbook's claims
NONE = Claim("none", "None: a strategy of your own that tests no playbook claim",
             "Nothing of its own; it is compared with the benchmarks like any strategy")

#: horizon rules of the playbook (issue #16's strategies; scored as market-data claims)
YIELD_PEAK = Claim("duration_after_yield_peak_qt",
                   "Under QT, add duration once the 10-year yield stops making new highs",
                   "TLT return in QT sessions after the 10-year yield has made no new 26-week "
                   "high for 8 weeks, against QT sessions right after a new high")
EARLY_QT_DOLLAR = Claim("dollar_early_qt", "The dollar rises early in QT, not later",
                        "UUP and broad dollar (DTWEXBGS) return in the first 6 months of each QT "
                        "episode against the rest of QT and the end of QT")
DIVERGENCE = Claim("spx_liquidity_divergence_qt",
                   "Under QT, an S&P 500 rally against falling net liquidity can be ridden",
                   "SPY return in QT sessions after SPY rose 10% from its 26-week low on rising "
                   "volume while net liquidity fell over 13 weeks, against other QT sessions")
SELL_RALLIES = Claim("sell_rallies_qt", "Under QT, rallies fade: trim equities after a rally",
                     "SPY return over the 21 sessions after a 5% rally within 21 sessions in QT, "
                     "against all QT sessions")
QUALITY = Claim("quality_low_vol_qt", "Under QT, hold more cash and tilt to quality and low "
                "leverage", "QUAL and USMV minus SPY daily return, annualised, in QT")
HORIZON: tuple[Claim, ...] = (YIELD_PEAK, EARLY_QT_DOLLAR, DIVERGENCE, SELL_RALLIES, QUALITY)

#: under QT (the rest of the playbook's QT claims)
VIX_QT = Claim("vix_elevated_qt", "VIX stays elevated under QT",
               "VIX close (VIXCLS) minus its mean over every session, points, in QT")
CREDIT_QT = Claim("credit_widens_qt", "Credit tightens under QT: spreads widen",
                  "High-yield (BAMLH0A0HYM2) and investment-grade (BAMLC0A0CM) option-adjusted "
                  "spread change, bp per year, in QT")
RESERVES_QT = Claim("reserves_m2_fall_qt", "Reserves and M2 fall under QT",
                    "Reserve balances (WRESBAL, weekly) and M2 (M2SL, monthly) growth, % a year, "
                    "in QT")
CURVE_QT = Claim("curve_normalises_qt", "Under QT the curve moves from inverted toward normal",
                 "2s10s change (bp per year) in QT")
LONG_YIELDS_QT = Claim("long_yields_rise_qt", "Long yields rise under QT",
                       "30-year yield (DGS30) change, bp per year, in QT")
GROWTH_QT = Claim("growth_lags_qt", "High-growth equities lag under QT",
                  "QQQ minus SPY and IWF minus SPY daily return, annualised, in QT")
LATE_QT = Claim("equities_recover_late_qt",
                "Late in QT markets are desensitised: equities recover while the balance sheet "
                "still shrinks",
                "SPY return in the second half of each QT episode minus the first half "
                "(annualised; claimed > 0), and WALCL growth in second halves (claimed < 0)")
OFFSET_QT = Claim("tga_rrp_offset_qt", "The TGA and the reverse repo can offset QT",
                  "Contribution of the TGA and ON RRP to net liquidity (-change in WTREGEN - "
                  "change in RRPONTSYD), USD bn per year, in QT (claimed > 0), with each QT "
                  "episode's decomposition of the net-liquidity change")
#: after QT ends (the forecasts of the end of QT, tested on every QT end)
BULL_STEEP_AFTER = Claim("bull_steepener_after_qt", "After QT ends the curve bull-steepens",
                         "2-year yield change (claimed < 0) and 2s10s change (claimed > 0), bp "
                         "per year, in the sessions after each QT end")
GROWTH_AFTER = Claim("growth_leads_after_qt", "After QT ends growth leads value",
                     "IWF minus IWD daily return, annualised, in the sessions after each QT end")
EM_AFTER = Claim("em_beats_spx_after_qt", "After QT ends emerging markets beat the S&P 500",
                 "EEM minus SPY daily return, annualised, in the sessions after each QT end")
BREAKEVEN_AFTER = Claim("breakevens_rise_after_qt",
                        "After QT ends 5-year inflation expectations rise",
                        "5-year breakeven (T5YIE) change, bp per year, in the sessions after "
                        "each QT end")
POLICY_AFTER = Claim("no_cut_after_qt", "The end of QT is not a rate cut",
                     "Upper policy-rate target (DFEDTARU) change, bp per year, in the sessions "
                     "after each QT end: contradicted when the interval lies below zero (the "
                     "Fed cut), supported only when it lies above (it hiked)")
#: under QE (the mirror claims)
YIELDS_QE = Claim("long_yields_fall_qe", "Long yields fall under QE",
                  "10-year and 30-year yield change, bp per year, in QE")
EQUITIES_QE = Claim("equities_rise_qe", "Risk assets rally under QE",
                    "SPY and EEM return, annualised, in QE")
RESERVES_QE = Claim("reserves_grow_qe", "Reserves grow under QE",
                    "Reserve balances (WRESBAL) growth, % a year, in QE")
PLAYBOOK_MORE: tuple[Claim, ...] = (
    VIX_QT, CREDIT_QT, RESERVES_QT, CURVE_QT, LONG_YIELDS_QT, GROWTH_QT, LATE_QT, OFFSET_QT,
    BULL_STEEP_AFTER, GROWTH_AFTER, EM_AFTER, BREAKEVEN_AFTER, POLICY_AFTER, YIELDS_QE,
    EQUITIES_QE, RESERVES_QE)

#: the claims the scorecard tests on market data, in its order
SCORED: tuple[Claim, ...] = (VALUE, DOLLAR, DURATION, CURVE, AFTER_QT, NETLIQ, FUNDING,
                             *PLAYBOOK_MORE, *HORIZON)
#: every claim a strategy may name
CLAIMS: tuple[Claim, ...] = (*SCORED, PLAYBOOK, BENCHMARK, NONE)

_BY_ID = {c.id: c for c in CLAIMS}


def claim_ids() -> tuple[str, ...]:
    """Ids of every known claim, in definition order."""
    return tuple(_BY_ID)


def get_claim(claim_id: str) -> Claim:
    """The :class:`Claim` with id ``claim_id``.

    Raises
    ------
    ParameterError
        An unknown id (names it and the closest known ids).
    """
    if isinstance(claim_id, str) and claim_id in _BY_ID:
        return _BY_ID[claim_id]
    near = difflib.get_close_matches(str(claim_id), list(_BY_ID), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(near)}?" if near else f"known: {', '.join(_BY_ID)}."
    raise ParameterError(f"Unknown claim id {claim_id!r}; {hint} Claims are defined in "
                         "backtest/claims.py.")
