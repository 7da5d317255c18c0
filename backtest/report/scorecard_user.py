"""Your own claims in the scorecard: a TOML file of ``[[claim]]`` tables, tested the same way.

Each table names one claim with one test::

    [[claim]]
    id = "gold_rises_qt"                  # letters, digits, _; not a built-in id
    statement = "Gold rises under QT"
    series = "GLD"                        # any catalog series
    versus = "SPY"                        # optional: the difference of the two
    window = "QT"                         # a regime label, or "after QT ends"
    direction = "up"                      # up or down

The series is measured as the built-in claims measure theirs: prices as daily
returns (annualised), yields and spreads as daily changes in bp (per year),
levels (WALCL, M2SL, ...) as daily growth (per year). The window is a regime
of the chosen classifier (its other regimes become context rows) or the
sessions after each QT end. Verdicts follow the scorecard's rule.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.claims import Claim, claim_ids
from backtest.exceptions import ConfigError, QtbtError
from backtest.metrics import TRADING_DAYS
from backtest.regimes.labels import LABELS
from backtest.report.scorecard_measures import Builder, bp_change, returns

__all__ = ["AFTER_QT_WINDOW", "UserClaim", "load_user_claims", "measure_user_claim", "user_refs"]

#: the ``window`` value of a claim about the sessions after each QT end
AFTER_QT_WINDOW = "after QT ends"
_KEYS = ("id", "statement", "series", "versus", "window", "direction")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_REQUIRED = ("id", "statement", "series", "window", "direction")


@dataclass(frozen=True)
class UserClaim:
    """A claim from the user's file and how to test it.

    Attributes
    ----------
    claim : Claim
        Id, statement and the measure in words.
    series, versus : str, str or None
        What is measured (``versus``: subtracted).
    window : str
        A regime label or :data:`AFTER_QT_WINDOW`.
    direction : int
        +1 (claimed up) or -1 (down).
    """

    claim: Claim
    series: str
    versus: str | None
    window: str
    direction: int

    @property
    def refs(self) -> list[str]:
        """The series the claim reads."""
        return [self.series] + ([self.versus] if self.versus else [])


def _fail(where: str, what: str) -> ConfigError:
    return ConfigError(f"{where}: {what} See the format in backtest/report/scorecard_user.py.")


def _how(ref: str, where: str, key: str) -> str:
    from backtest.eventstudy import measure_of

    try:
        return measure_of(ref)
    except QtbtError as exc:
        raise _fail(where, f"{key} {ref!r} cannot be measured: {exc}") from None


def _claim(row: dict[str, Any], where: str, taken: set[str]) -> UserClaim:
    unknown = sorted(set(row) - set(_KEYS))
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(map(repr, unknown))}; keys are "
                    f"{', '.join(_KEYS)}.")
    for k in _REQUIRED:
        if not isinstance(row.get(k), str) or not row[k].strip():
            raise _fail(where, f"{k} is missing or not text (got {row.get(k)!r}).")
    cid = row["id"].strip()
    if not _ID.match(cid) or cid in taken:
        why = "is already taken (built-in or earlier in the file)" if cid in taken else \
            "must be letters, digits and '_', starting with a letter"
        raise _fail(where, f"id {cid!r} {why}.")
    how = _how(row["series"], where, "series")
    versus = row.get("versus") or None
    if versus is not None and _how(versus, where, "versus") != how:
        raise _fail(where, f"versus {versus!r} is not measured like {row['series']!r} ({how}); "
                    "compare rates with rates and prices with prices.")
    window = row["window"].strip()
    if window not in (*LABELS, AFTER_QT_WINDOW):
        raise _fail(where, f"window must be one of {', '.join(LABELS)} or "
                    f"{AFTER_QT_WINDOW!r}; got {window!r}.")
    if row["direction"] not in ("up", "down"):
        raise _fail(where, f"direction must be up or down; got {row['direction']!r}.")
    name = f"{row['series']} - {versus}" if versus else row["series"]
    measure = f"{name}, {how.replace('change_bp', 'bp change')}, in {window} (your claim)"
    return UserClaim(Claim(cid, row["statement"].strip(), measure), row["series"], versus,
                     window, 1 if row["direction"] == "up" else -1)


def load_user_claims(path: str | Path) -> list[UserClaim]:
    """Read and validate a user claims file (TOML, ``[[claim]]`` tables).

    Raises
    ------
    ConfigError
        A malformed file or entry (names the file, the entry and what is allowed).
    """
    p = Path(path)
    try:
        doc = tomllib.loads(p.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise _fail(p.name, f"not valid TOML ({exc}).") from None
    items = doc.get("claim")
    if not isinstance(items, list) or not items or set(doc) != {"claim"}:
        raise _fail(p.name, "a claims file holds only [[claim]] tables.")
    taken = set(claim_ids())
    out = []
    for i, row in enumerate(items):
        uc = _claim(dict(row), f"{p.name} [[claim]] #{i + 1}", taken)
        taken.add(uc.claim.id)
        out.append(uc)
    return out


def _series(b: Builder, ref: str) -> tuple[pd.Series, str, float]:
    from backtest.eventstudy import measure_of

    how = measure_of(ref)
    if how == "change_bp":
        return bp_change(b.data.panel, ref), "bp_per_year", TRADING_DAYS
    return returns(b.data.panel, ref), ("ann_return" if how == "return" else "ann_growth"), \
        TRADING_DAYS


def measure_user_claim(b: Builder, uc: UserClaim) -> None:
    """Add the rows of one user claim (its window the test, other regimes context)."""
    x, unit, scale = _series(b, uc.series)
    if uc.versus is not None:
        x = x - _series(b, uc.versus)[0]
    test = f"{uc.series} - {uc.versus}" if uc.versus else uc.series
    if uc.window == AFTER_QT_WINDOW:
        b.after_qt(uc.claim, test, x, unit, scale, uc.direction)
    else:
        b.by_regime(uc.claim, test, x, unit, scale, uc.direction, [uc.window])


def user_refs(claims: Sequence[UserClaim]) -> list[str]:
    """Every series the claims read, once each, in order."""
    return list(dict.fromkeys(r for uc in claims for r in uc.refs))
