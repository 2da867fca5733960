"""The overseas warehouse's volume-priced costs: storage per m3-day and the sea first leg
per container, checked against closed forms on hand-made stock ledgers.

Storage of an on-hand path that is a step function is fee x the sum of (m3 on hand x
days held); a consignment of V m3 fills ceil(V / capacity) containers, its fill share
is V over their capacity, and its cost is never below V at the full-container per-m3
price (the floor a perfectly filled container would pay).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2osim.scenario import ScenarioError
from o2osim.scenario.economics import Container
from o2osim.trade.firstleg import (
    cif_container_cents,
    consignment_cost,
    consignments,
    container_freight,
    sku_volumes,
    stock_m3_days,
    storage_cny,
)
from o2osim.units import DAY

from export_scenarios import SHORT_EU, export_scenario

#: The EU shoes warehouse on the short calendar: warm-up 7 days, horizon 35 days.
WAREHOUSE = ("eu_shoes", "export_overseas_warehouse")
WARMUP, HORIZON = 7 * DAY, 35 * DAY


def ledger(rows: list[tuple[float, int, str, int, int]]) -> pd.DataFrame:
    """A stock ledger of (time in days, sku, kind, on-hand change, on-order change)."""
    time, sku, kind, hand, order = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "time": np.asarray(time, dtype=float) * DAY,
            "sku": np.asarray(sku, dtype=np.int64),
            "kind": pd.Categorical(kind),
            "on_hand_change": np.asarray(hand, dtype=np.int64),
            "on_order_change": np.asarray(order, dtype=np.int64),
        }
    )


def test_m3_days_of_a_step_path_is_the_closed_form() -> None:
    # 10 units of a 0.01 m3 SKU from day 0, 5 of a 0.02 m3 SKU from day 1, 4 of the
    # first sold on day 3; counted over days 0.5 to 5:
    # 0.1 m3 x 0.5 d + 0.2 m3 x 2 d + 0.16 m3 x 2 d = 0.77 m3-days.
    path = ledger([(0, 0, "initial", 10, 0), (1, 1, "receipt", 5, 0), (3, 0, "sale", -4, 0)])
    volumes = np.array([0.01, 0.02])
    got = stock_m3_days(path, volumes, 0.5 * DAY, 5 * DAY)
    assert got == pytest.approx(0.1 * 0.5 + 0.2 * 2 + 0.16 * 2, abs=1e-12)


def test_storage_is_fee_times_m3_times_days() -> None:
    sc = export_scenario(*WAREHOUSE, **SHORT_EU)
    fee, volume = sc.economics.storage_cny_per_m3_day, sc.catalogue.volume_m3
    assert sc.economics.storage_cny_per_unit_day == 0.0 and (sku_volumes(sc) == volume).all()
    # 100 units held from day 0 (before the warm-up ends) and 50 sold on day 14: counted
    # from day 7 to day 35, 100 units x 7 days + 50 units x 21 days.
    path = ledger([(0, 3, "initial", 100, 0), (14, 5, "sale", -50, 0)])
    assert storage_cny(sc, path) == pytest.approx(fee * volume * (100 * 7 + 50 * 21), rel=1e-12)


def test_per_unit_day_and_per_m3_storage_add_up() -> None:
    fees = {"economics.storage_cny_per_m3_day": 5.0, "economics.storage_cny_per_unit_day": 0.1}
    sc = export_scenario(*WAREHOUSE, **SHORT_EU, **fees)
    path = ledger([(0, 3, "initial", 100, 0)])  # 100 units over the 28 counted days
    assert storage_cny(sc, path) == pytest.approx((0.1 + 5.0 * 0.012) * 100 * 28, rel=1e-12)


def boxed(capacity: float, lcl: bool = False) -> dict[str, object]:
    """The warehouse on the short calendar with sea containers of ``capacity`` m3."""
    container = {"capacity_m3": capacity, "cny_per_container": 20000.0}
    if lcl:
        container |= {"lcl": True, "cny_per_m3": 400.0}
    sea = {"container": container}
    return {**SHORT_EU, "economics.freight.sea": sea}


def test_containers_are_counted_up_per_consignment() -> None:
    sc = export_scenario(*WAREHOUSE, **boxed(6.0))
    volume = sc.catalogue.volume_m3  # 0.012 m3 a pair: 500 pairs fill 6 m3 exactly
    orders = [(10, 0, "purchase_order", 0, 300), (10, 7, "purchase_order", 0, 200)]
    orders += [(17, 1, "purchase_order", 0, 501), (24, 2, "purchase_order", 0, 1)]
    orders += [(3, 4, "purchase_order", 0, 900)]  # placed in the warm-up: not counted
    shipped = consignments(sc, ledger(orders))
    units = np.array([500, 501, 1])
    assert shipped["units"].tolist() == units.tolist()
    expected = [math.ceil(u * volume / 6.0 - 1e-9) for u in units]
    assert shipped["containers"].tolist() == expected == [1, 2, 1]
    np.testing.assert_allclose(shipped["fill"], units * volume / (np.array(expected) * 6.0))
    assert container_freight(sc, ledger(orders)) == 20000.0 * sum(expected)


def test_lcl_pays_per_m3_shipped() -> None:
    sc = export_scenario(*WAREHOUSE, **boxed(6.0, lcl=True))
    shipped = consignments(sc, ledger([(10, 0, "purchase_order", 0, 250)]))
    assert shipped["containers"].tolist() == [0]
    assert shipped["cost_cny"].iloc[0] == pytest.approx(250 * 0.012 * 400.0)


@given(
    units=st.integers(min_value=0, max_value=100_000),
    more=st.integers(min_value=0, max_value=1_000),
    volume=st.floats(min_value=1e-4, max_value=1.0),
    capacity=st.floats(min_value=1.0, max_value=100.0),
    price=st.floats(min_value=0.0, max_value=1e5),
    lcl=st.booleans(),
)
def test_cost_is_monotone_and_never_below_the_per_m3_floor(
    units: int, more: int, volume: float, capacity: float, price: float, lcl: bool
) -> None:
    box = Container(
        capacity_m3=capacity, cny_per_container=price, lcl=lcl, cny_per_m3=price / capacity
    )
    cost = consignment_cost(units * volume, box)
    assert consignment_cost((units + more) * volume, box) >= cost
    floor = units * volume * price / capacity
    assert cost >= floor * (1 - 1e-9)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("catalogue.volume_m3", -0.01),
        ("catalogue.categories.0.volume_m3", -1.0),
        ("economics.freight.sea.container.capacity_m3", -67.0),
        ("economics.freight.sea.container.cny_per_container", -1.0),
        ("economics.storage_cny_per_m3_day", -5.0),
    ],
)
def test_negative_volume_or_capacity_is_a_one_line_error(key: str, value: float) -> None:
    with pytest.raises(ScenarioError) as caught:
        export_scenario(*WAREHOUSE, **{key: value})
    message = str(caught.value)
    path = key.replace(".0.", "[0].")
    assert "\n" not in message and f"{path} = {value}" in message


def test_cif_carries_each_order_share_of_the_containers_by_volume() -> None:
    sc = export_scenario(*WAREHOUSE, **boxed(6.0))
    # One counted consignment of 250 pairs (3 m3) in one 20,000 CNY container: 6,666.67
    # CNY per m3 shipped, so a two-pair order (0.024 m3) carries 160 CNY.
    path = ledger([(10, 0, "purchase_order", 0, 250)])
    counted = pd.DataFrame({"skus": [(0, 1), (2,)]})
    got = cif_container_cents(sc, counted, path)
    assert got.tolist() == [round(0.024 * 20000.0 / 3.0 * 100), round(0.012 * 20000.0 / 3.0 * 100)]
