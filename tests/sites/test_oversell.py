"""The sync lag of the visible figure: oversells and what ``on_oversell`` does with them.

Little stock, a 2-hour lag, lost sales otherwise. Conservation: every oversell is
either reallocated to another site or cancelled (``reallocate``); with ``cancel``
every oversell is a cancelled order with reason ``oversold``; with no lag there are
none.
"""

from __future__ import annotations

import pytest

from o2osim import simulate

from site_scenarios import SITES, two_sites


def lagged(rule: str, lag: str = "2h"):
    return two_sites(
        True, stock=2, skus=10, horizon="4d", lag=lag, shortage="lose", on_oversell=rule
    )


def site_sum(result, kpi: str) -> float:
    return sum(result.kpi("stock_site", s, kpi) for s in ("warehouse", *SITES))


@pytest.mark.parametrize("rule", ["reallocate", "cancel"])
def test_every_oversell_is_reallocated_or_cancelled(rule):
    result = simulate(lagged(rule), seed=5)
    orders = result.tables.orders
    counted = orders[orders["after_warmup"]]
    cancelled = int((counted["reason"].astype(str) == "oversold").sum())
    oversells = site_sum(result, "oversells")
    assert oversells > 0  # the lag makes the figure wrong
    assert oversells == site_sum(result, "reallocated") + cancelled
    if rule == "cancel":
        assert site_sum(result, "reallocated") == 0


def test_no_lag_no_oversell():
    result = simulate(lagged("cancel", lag="0s"), seed=5)
    assert site_sum(result, "oversells") == 0
    assert site_sum(result, "stale") == 0
