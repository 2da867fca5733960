"""The one policy registry: every policy name a scenario may use, by family.

The scenario validates a policy name against :data:`POLICY_NAMES` and never imports
the runtime. The runtime keeps its own tables of functions (``dispatch``,
``choice``, ``facilities.stock``, ``facilities.supply``, ``facilities.airport``),
filled by :func:`registrar` or written out; ``tests/unit/test_policies.py`` checks that
each holds exactly the names listed here, so the two cannot drift. A new policy is
one decorated function (its decorator adds the name here), or a
function in a runtime table written out plus its name here.

This module must not import the rest of the package, nor hold a policy itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])

#: Policy names by family, in the order messages list them. Runtime registries:
#: dispatch -> o2osim.dispatch.DISPATCH_POLICIES, choice -> o2osim.choice.CHOICE_POLICIES,
#: allocation -> o2osim.facilities.stock.ALLOCATION, replenishment ->
#: o2osim.facilities.supply.REPLENISHMENT, loading -> o2osim.facilities.airport.LOADING_POLICIES,
#: mdrp -> o2osim.mdrp.policies.MDRP_POLICIES, overbooking -> o2osim.overbooking.OVERBOOKING,
#: site_allocation, transfer -> o2osim.facilities.site_policies (SITE_ALLOCATION, TRANSFER).
POLICY_NAMES: dict[str, tuple[str, ...]] = {
    "dispatch": ("fcfs", "batch", "nearest_neighbour"),
    "mdrp": ("fcfs", "rolling_horizon"),
    "choice": ("shares", "logit"),
    "allocation": ("fcfs", "channel_priority", "walk_in_reserve"),
    "replenishment": ("s_S", "r_Q", "base_stock"),
    "loading": ("fifo", "earliest_departure"),
    "overbooking": ("none", "fixed_limit", "binomial_risk"),
    "site_allocation": ("nearest_with_stock", "cheapest", "keep_store_stock_for_walk_ins"),
    "transfer": ("none", "top_up_from_hub"),
}


def registrar(table: dict[str, F], family: str | None = None) -> Callable[[str], Callable[[F], F]]:
    """A decorator factory that adds functions to ``table`` under a name.

    With ``family``, a name not yet in :data:`POLICY_NAMES` is added to it, so a policy
    a user writes (one decorated function) can be named in a scenario at once.
    """

    def named(name: str) -> Callable[[F], F]:
        def register(function: F) -> F:
            table[name] = function
            if family is not None and name not in POLICY_NAMES[family]:
                POLICY_NAMES[family] = (*POLICY_NAMES[family], name)
            return function

        return register

    return named
