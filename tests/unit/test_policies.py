"""The one policy registry and the runtime's tables of policy functions agree."""

from __future__ import annotations

import pytest

from o2osim.choice import CHOICE_POLICIES
from o2osim.dispatch import DISPATCH_POLICIES
from o2osim.facilities.airport import LOADING_POLICIES
from o2osim.facilities.site_policies import SITE_ALLOCATION, TRANSFER
from o2osim.facilities.stock import ALLOCATION
from o2osim.facilities.supply import REPLENISHMENT
from o2osim.mdrp.policies import MDRP_POLICIES
from o2osim.overbooking import OVERBOOKING
from o2osim.policies import POLICY_NAMES, registrar
from o2osim.scenario import ALLOCATIONS, REPLENISHMENT_POLICIES

RUNTIME = {
    "dispatch": DISPATCH_POLICIES,
    "mdrp": MDRP_POLICIES,
    "choice": CHOICE_POLICIES,
    "allocation": ALLOCATION,
    "replenishment": REPLENISHMENT,
    "loading": LOADING_POLICIES,
    "overbooking": OVERBOOKING,
    "site_allocation": SITE_ALLOCATION,
    "transfer": TRANSFER,
}


@pytest.mark.parametrize("family", sorted(POLICY_NAMES))
def test_every_runtime_registry_holds_exactly_the_registered_names(family: str) -> None:
    # In order too: messages list the allowed names as the registry does.
    assert tuple(RUNTIME[family]) == POLICY_NAMES[family]


def test_the_scenario_takes_its_policy_names_from_the_registry() -> None:
    assert POLICY_NAMES["allocation"] == ALLOCATIONS
    assert (*POLICY_NAMES["replenishment"], "none") == REPLENISHMENT_POLICIES


def test_a_decorated_policy_is_registered_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(POLICY_NAMES, "dispatch", POLICY_NAMES["dispatch"])
    table: dict[str, object] = {}
    named = registrar(table, "dispatch")
    named("batch")(print)
    assert table == {"batch": print}
    assert POLICY_NAMES["dispatch"].count("batch") == 1  # a known name is not added twice
    named("teleport")(print)
    assert POLICY_NAMES["dispatch"][-1] == "teleport"  # a scenario may name it now
