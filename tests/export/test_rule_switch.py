"""A rule switches exactly at its date, inside one run: orders placed a minute apart.

The EU's EUR 3 per tariff item starts at 2026-07-01 00:00. The same one-item parcel
placed at 23:59 on 30 June pays no duty; placed at 00:00 on 1 July it pays EUR 3, which
the customer sees in the landed price the chooser offers, from that minute.
"""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pytest

from o2osim import simulate
from o2osim.choice import Chooser
from o2osim.economics import order_money
from o2osim.trade.choice import LandedChooser
from o2osim.trade.fx import instant

from export_scenarios import SHORT_EU, one_line_shoes

PRICE = 500.0  # CNY: EUR 60.98 at 8.2, under EUR 150
SCENARIO = one_line_shoes("export_direct_mail", PRICE, **{**SHORT_EU, "scenario.horizon": "24d"})
START = SCENARIO.scenario.start
SWITCH = (dt.datetime(2026, 7, 1) - dt.datetime.combine(START, dt.time())).total_seconds() / 60


@pytest.fixture(scope="module")
def run():
    return simulate(SCENARIO, seed=3)


def test_the_switch_falls_inside_the_counted_span():
    assert SCENARIO.scenario.warmup < SWITCH < SCENARIO.scenario.horizon
    assert instant(START, SWITCH) == dt.datetime(2026, 7, 1)


def test_the_same_parcel_a_minute_before_and_after_differs_by_three_euros(run):
    counted = run.orders[run.orders["after_warmup"] & run.orders["port_cleared"].notna()]
    one = counted.iloc[[0, 0]].copy()
    one["placed"] = [SWITCH - 1.0, SWITCH]
    one["order_id"] = [0, 1]
    tables = copy.copy(run.tables)
    tables.orders = one  # the same run's other tables, these two orders
    money = order_money(SCENARIO, tables).orders
    duty = money["border_duty_mkt"].to_numpy()
    assert duty.tolist() == [0.0, 3.0]
    # Paid by the customer at the door (DAP): in the tax, not in the seller's costs.
    assert money["tax_cny"].iloc[1] - money["tax_cny"].iloc[0] == pytest.approx(24.6, abs=1e-9)
    assert money["duty_cny"].tolist() == [0.0, 0.0]


def test_every_parcel_in_the_run_pays_by_the_rule_at_its_minute(run):
    money = run.money.set_index("order_id")
    orders = run.orders.set_index("order_id").loc[money.index]
    cleared = orders["port_cleared"].notna().to_numpy()
    after = orders["placed"].to_numpy() >= SWITCH
    duty = money["border_duty_mkt"].to_numpy()
    assert np.all(duty[cleared & after] == 3.0)
    assert np.all(duty[~after] == 0.0)
    # The closest orders either side of the switch are in the run, and differ as the rule says.
    placed = orders["placed"].to_numpy()
    last_before = np.flatnonzero(cleared & ~after)[np.argmax(placed[cleared & ~after])]
    first_after = np.flatnonzero(cleared & after)[np.argmin(placed[cleared & after])]
    assert placed[first_after] - placed[last_before] < 30.0  # minutes apart
    assert (duty[last_before], duty[first_after]) == (0.0, 3.0)


def test_the_chooser_sees_the_duty_from_the_minute_it_applies():
    now = [SWITCH - 1.0]
    chooser = LandedChooser(
        Chooser(lambda taste, options: [1.0] * len(options), None, [], lambda a, b: 0.0),
        trade=SCENARIO.trade,
        start=START,
        parcels=[True],
        item=("6403", 0.08),
        clock=lambda: now[0],
    )
    before = chooser.landed_price(PRICE, parcel=True)
    now[0] = SWITCH
    after = chooser.landed_price(PRICE, parcel=True)
    assert before == pytest.approx(PRICE + 12.20 * 8.2)  # 20% VAT on EUR 60.98 = 12.20
    assert after - before == pytest.approx(3.0 * 8.2)
