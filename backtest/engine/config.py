"""Engine configuration: execution timing, rebalancing rule, costs and leverage.

:class:`EngineConfig` is an immutable value object validated on creation; a
bad value raises :class:`~backtest.exceptions.ParameterError` naming the
field, echoing the value and saying what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal, TypeAlias, get_args

from backtest.engine.schedule import REBALANCES, Rebalance
from backtest.exceptions import ParameterError
from backtest.metrics.performance import TRADING_DAYS

__all__ = ["EXECUTIONS", "REBALANCES", "EngineConfig", "Execution", "Rebalance"]

Execution: TypeAlias = Literal["close", "open"]
EXECUTIONS: tuple[str, ...] = get_args(Execution)


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ParameterError(f"EngineConfig.{name} must be one of {choices}; got {value!r}.")


def _check_number(
    name: str, value: object, *, low: float, low_inclusive: bool, what: str
) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        v = float(value)  # type: ignore[arg-type]
        ok = math.isfinite(v) and (v >= low if low_inclusive else v > low)
    if not ok:
        raise ParameterError(f"EngineConfig.{name} must be {what}; got {value!r}.")


@dataclass(frozen=True)
class EngineConfig:
    """How targets become trades.

    Parameters
    ----------
    execution : {"close", "open"}
        When a target decided at the close of session *t* is traded: at the
        close of session *t+1* (``"close"``, default) or at the open of
        session *t+1* (``"open"``, needs ``open_`` prices). Never at *t*.
    rebalance : str
        Which decision sessions lead to an order: a name of
        :data:`backtest.engine.schedule.SCHEDULES` (``REBALANCES`` lists
        them; :func:`backtest.engine.schedule.decision_days` says what each
        selects), e.g. ``"daily"`` (every session with a new target),
        ``"monthly"`` (the first such session of each calendar month),
        ``"regime_change"`` or ``"drift"`` (largest absolute gap between
        held and target weight above ``drift_threshold``). Every rule also
        trades the first session with a valid target. Default ``"monthly"``.
    drift_threshold : float
        For ``rebalance="drift"``: weight gap (fraction of portfolio value,
        e.g. 0.05 = 5 percentage points) above which the portfolio is
        rebalanced. Must be > 0. Default 0.05.
    costs_bps : float
        Commission in basis points of traded value, charged on every fill.
        Must be >= 0. Default 2.0.
    slippage_bps : float
        Slippage in basis points of the fill price (buys fill higher, sells
        lower). Must be >= 0. Default 0.0.
    borrow_bps : float
        Short-borrow fee in basis points per year of short market value,
        charged daily as ``borrow_bps / 1e4 / 252`` of the short exposure held
        at the previous close. Must be >= 0. Default 0.0.
    max_gross_leverage : float
        Cap on the sum of absolute target weights; a target above it is
        scaled down proportionally. Must be > 0. Default 1.0.
    init_cash : float
        Starting capital in currency units (only the scale of the simulation;
        returns do not depend on it). Must be > 0. Default 1,000,000.
    """

    execution: Execution = "close"
    rebalance: Rebalance = "monthly"
    drift_threshold: float = 0.05
    costs_bps: float = 2.0
    slippage_bps: float = 0.0
    borrow_bps: float = 0.0
    max_gross_leverage: float = 1.0
    init_cash: float = 1_000_000.0

    def __post_init__(self) -> None:
        _check_choice("execution", self.execution, EXECUTIONS)
        _check_choice("rebalance", self.rebalance, REBALANCES)
        _check_number(
            "drift_threshold", self.drift_threshold, low=0.0, low_inclusive=False,
            what="a finite number > 0 (a weight gap, e.g. 0.05)",
        )
        for name in ("costs_bps", "slippage_bps", "borrow_bps"):
            _check_number(
                name, getattr(self, name), low=0.0, low_inclusive=True,
                what="a finite number of basis points >= 0",
            )
            if float(getattr(self, name)) > 1000:
                raise ParameterError(
                    f"{name} = {getattr(self, name)} bps is more than 10% per trade or year; "
                    "allowed: 0 to 1000 bps."
                )
        _check_number(
            "max_gross_leverage", self.max_gross_leverage, low=0.0, low_inclusive=False,
            what="a finite number > 0 (sum of absolute weights, 1.0 = unlevered)",
        )
        _check_number(
            "init_cash", self.init_cash, low=0.0, low_inclusive=False,
            what="a finite amount > 0",
        )
        # store plain floats so to_dict() is stable whatever numeric type was passed
        for name in ("drift_threshold", "costs_bps", "slippage_bps", "borrow_bps",
                     "max_gross_leverage", "init_cash"):
            object.__setattr__(self, name, float(getattr(self, name)))

    @property
    def fee_rate(self) -> float:
        """Commission as a fraction of traded value (``costs_bps / 1e4``)."""
        return self.costs_bps / 1e4

    @property
    def slippage_rate(self) -> float:
        """Slippage as a fraction of the fill price (``slippage_bps / 1e4``)."""
        return self.slippage_bps / 1e4

    @property
    def borrow_daily(self) -> float:
        """Short-borrow fee per session, fraction of short exposure (``borrow_bps / 1e4 / 252``)."""
        return self.borrow_bps / 1e4 / TRADING_DAYS

    def to_dict(self) -> dict[str, str | float]:
        """Every field as a JSON-ready ``{name: value}`` dict, in declaration order."""
        return dict(asdict(self))
