"""The stage table: its rows, the lists derived from them, and the topology they name."""

from __future__ import annotations

import pytest

from o2osim.bundled import bundled_scenarios
from o2osim.scenario import (
    AIRPORT_STAGES,
    AIRPORT_STAMPS,
    DELIVERING,
    STAGE_END,
    STAGE_ROWS,
    STAGE_TABLE,
    STAGES,
    STAMPS,
    TERMINAL_STAGES,
    WAIT_STAMPS,
    WAREHOUSE_STAGES,
    ScenarioError,
    load_scenario,
)

SCENARIOS = {path.stem: path for path in bundled_scenarios()}


def test_rows_are_in_route_order_and_named_once() -> None:
    assert [row.order for row in STAGE_TABLE] == list(range(len(STAGE_TABLE)))
    assert STAGES == tuple(STAGE_ROWS) == tuple(row.name for row in STAGE_TABLE)


def test_terminal_stages_are_those_with_an_outcome() -> None:
    assert TERMINAL_STAGES == ("collect", "deliver", "regional", "courier", "pickup")
    assert DELIVERING == ("deliver", "regional", "courier")
    assert {STAGE_ROWS[s].outcome for s in TERMINAL_STAGES if s not in DELIVERING} == {"collected"}
    assert all(not STAGE_ROWS[s].terminal for s in STAGES if s not in TERMINAL_STAGES)


def test_families_and_tables_give_the_airport_and_warehouse_stages() -> None:
    assert AIRPORT_STAGES == ("linehaul", "stage", "pickup")
    assert WAREHOUSE_STAGES == ("reserve", "pick", "pack", "sort", "regional")


def test_every_stamp_a_stage_names_is_an_order_table_column_once() -> None:
    assert len(STAMPS) == len(set(STAMPS))
    for row in STAGE_TABLE:
        assert set(row.stamps) <= set(STAMPS), row.name
        assert STAGE_END[row.name] in row.stamps
    # The airport's columns come last, after the bonded ones ("collected" is shared).
    tail = [s for s in AIRPORT_STAMPS if s != "collected"]
    assert STAMPS[-len(tail) :] == tail


def test_wait_stamps_bound_a_queue_of_a_stage_with_a_resource() -> None:
    for key, (queued, start) in WAIT_STAMPS.items():
        row = STAGE_ROWS[key.removesuffix("_manual")]
        assert row.resource is not None
        assert STAMPS.index(queued) < STAMPS.index(start), key
    assert WAIT_STAMPS["customs_manual"] == ("manual_queued", "manual_start")
    assert WAIT_STAMPS["store_visit"] == ("door_queued", "entered")


@pytest.mark.parametrize(
    ("stage", "depot", "fleet", "name"),
    [
        ("pick", "warehouse", "couriers", "pick"),
        ("front_pick", "jiangbin", "couriers", "pick_jiangbin"),
        ("deliver", "warehouse", "couriers", "deliver"),
        ("deliver", "warehouse", "vans", "deliver_vans"),
        ("reserve", "warehouse", "couriers", None),
        ("store_visit", "warehouse", "couriers", None),
    ],
)
def test_resource_name_rules(stage: str, depot: str, fleet: str, name: str | None) -> None:
    assert STAGE_ROWS[stage].resource_name(depot, fleet) == name


@pytest.mark.parametrize("stem", sorted(SCENARIOS))
def test_every_queue_of_a_bundled_scenario_has_wait_stamps(stem: str) -> None:
    scenario = load_scenario(SCENARIOS[stem])
    for resource, (stage, channels) in scenario.resources().items():
        assert channels
        if resource.endswith((".mirrors", ".staff")):
            continue  # a store's mirrors and staff keep no stamps
        assert WAIT_STAMPS.get(resource, WAIT_STAMPS.get(stage)) is not None, resource


def test_a_stage_without_its_table_is_refused_naming_the_table() -> None:
    path = SCENARIOS["wenzhou_direct_mail"]
    with pytest.raises(ScenarioError, match=r"stage 'pick' needs a \[warehouse\] table"):
        load_scenario(path, ["channels.direct_mail.route=['pick', 'courier']"])
