"""Release rules by hand: when each observation first appears in the panel."""

from __future__ import annotations

import pandas as pd
import pytest

from backtest.data.catalog import get_spec
from backtest.data.release import known_sessions


def known(sid: str, date: str) -> str:
    out = known_sessions(pd.DatetimeIndex([pd.Timestamp(date)]), get_spec(sid))
    return str(out[0].date())


@pytest.mark.parametrize(
    ("sid", "obs", "expected", "why"),
    [
        ("WALCL", "2022-04-06", "2022-04-08", "Wed level, Thu 16:30 release, Fri session"),
        ("WALCL", "2022-04-13", "2022-04-18", "Thu release, Good Friday closed, Monday"),
        ("WSHOSHO", "2023-11-22", "2023-11-27", "Thanksgiving Thu: release Fri after close, Mon"),
        ("WTREGEN", "2021-12-29", "2021-12-31", "Thu 12-30 release, Fri 12-31 session"),
        ("RRPONTSYD", "2022-04-13", "2022-04-13", "ON RRP known at that day's close"),
        ("SOFR", "2022-04-08", "2022-04-11", "Fri rate published Mon morning"),
        ("SOFR", "2022-04-14", "2022-04-18", "published Good Friday (Fed open), NYSE Mon"),
        ("EFFR", "2022-10-07", "2022-10-11", "Columbus Day: Fed closed Mon, published Tue"),
        ("DGS10", "2022-04-13", "2022-04-13", "market yield at its own close"),
        ("SPY", "2022-04-13", "2022-04-13", "price at its own close"),
        ("GDP", "2022-01-01", "2022-05-02", "Q1 ends 03-31, +30d = Sat 04-30, Mon 05-02"),
        ("CPIAUCSL", "2022-01-01", "2022-02-22", "01-31 +20d = Sun 02-20, Presidents Day, Tue"),
        ("UNRATE", "2022-03-01", "2022-04-11", "03-31 +10d = Sun 04-10, Mon 04-11"),
        ("IORB", "2021-07-31", "2021-08-02", "Saturday policy rate first used Monday"),
    ],
)
def test_release_rule_by_hand(sid: str, obs: str, expected: str, why: str) -> None:
    assert known(sid, obs) == expected, why


def test_release_is_monotone_and_never_before_observation() -> None:
    dates = pd.date_range("2008-01-01", "2026-01-01", freq="D")
    for sid in ("WALCL", "SOFR", "DGS10", "GDP", "DTWEXBGS", "NFCI"):
        out = known_sessions(dates, get_spec(sid))
        assert out.is_monotonic_increasing
        assert (out >= dates).all()
