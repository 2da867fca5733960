"""Demand response: shoppers choose a channel by a logit on the landed price they see.

One leather pair per order at 500 CNY (EUR 60.98 at 8.2 CNY/EUR), so every parcel is one
tariff item under EUR 150. Both channels add the 20% VAT (EUR 12.20); from 2026-07-01
a parcel also pays EUR 3 at the door, the warehouse's sale does not. The closed-form
logit share of direct mail before and after the rule must lie in the 99% replication
confidence interval of the realised shares, and the shares must differ.
"""

from __future__ import annotations

import math

from o2osim import simulate

from export_scenarios import SHORT_EU, one_line_shoes
from helpers import confidence_interval

REPLICATIONS = 8
SCENARIO = one_line_shoes("export_both", 500.0, **SHORT_EU)


def closed_form_share(extra_cny: float) -> float:
    """Direct mail's logit share when its parcel costs ``extra_cny`` more at the door."""
    segment = SCENARIO.customers.segments[0]
    taste = segment.logit
    vat = 12.20 * 8.2
    price = 500.0 + vat  # the warehouse waives its fee at 400 CNY and above
    channels = SCENARIO.channels
    v_mail = (
        taste.constants["direct_mail"]
        + taste.per_cny * (price + extra_cny)
        + taste.per_promised_hour * channels["direct_mail"].promise / 60.0
        + taste.per_trust * channels["direct_mail"].offer.trust
    )
    v_stock = (
        taste.per_cny * price
        + taste.per_promised_hour * channels["overseas_warehouse"].promise / 60.0
        + taste.per_trust * channels["overseas_warehouse"].offer.trust
    )
    return 1.0 / (1.0 + math.exp(v_stock - v_mail))


def test_realised_shares_match_the_logit_on_the_landed_price():
    before, after = [], []
    for seed in range(1, REPLICATIONS + 1):
        result = simulate(SCENARIO, seed=seed)
        before.append(result.kpi("trade", "direct_mail", "share_before"))
        after.append(result.kpi("trade", "direct_mail", "share_after"))
    for shares, extra in ((before, 0.0), (after, 3.0 * 8.2)):
        low, high = confidence_interval(shares)
        exact = closed_form_share(extra)
        assert low <= exact <= high, f"{exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"
    # EUR 3 at the door on a EUR 61 parcel: direct mail's share falls from 0.336 to 0.284,
    # and the realised shares show it (the two intervals do not overlap).
    assert confidence_interval(after)[1] < confidence_interval(before)[0]
