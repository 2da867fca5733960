"""How long after an order ends the model may still write to (or read) its row: the settle lag.

The order book moves an order's row out of memory (:mod:`o2osim.spill`) once the order
has ended and this lag has passed since, so the lag must cover everything that touches
a row after its order ended. Known so far (all minutes):

- a courier's way back to the depot stamps ``rider_back`` on the orders of its trip after
  the last hand-over, and a trip's legs are stamped when it ends: covered by
  :data:`BASE_LAG` (one day, far above any trip);
- customs rejects an order and, ``resubmit_after`` later, the customer places its
  parts, which read the parent's home and basket (``customers.segments[*].resubmit_after``
  where ``split_on_rejection > 0``);
- a return (``channels.*.return_rate > 0``) writes the outcome, the return stamp and
  path, and the stock ledger ``return_after`` after delivery: a distribution without an
  upper bound, but drawn when the order is delivered, so the returns *hold* each order
  that will come back until its return (:meth:`~o2osim.recorder.OrderBook.hold`) and
  need no lag. As rows leave in order, an order held for weeks keeps the orders placed
  after it in memory until then (a window of the longest return, not the whole run);
- a showroomer's online order reads the visit ``showroom.after`` after it ended: the
  journeys hold the visit until then;
- the airport's timers of a pre-order (the staging cut-off, the passenger at the
  counter) and the linehaul read only ``outcome`` of an order that has ended, a column
  that never leaves memory (:data:`o2osim.spill.KEPT`): no lag;
- the sections added since (presale, membership, instant delivery, the virtual
  warehouse and its cross-channel returns, marketing, services, sellers) and the export
  model touch an order only until it ends, apart from returns (held): no lag. Measured:
  every bundled scenario's latest write to an ended order, other than a return's, is a
  courier's way back (<= 3 h), and its tables are the same spilled in blocks of a few
  hundred orders as kept in memory (tests/behaviour/test_spill_bundled.py).

**A feature that writes to ended orders holds them** until the write, when it knows
the time in advance (:meth:`~o2osim.recorder.OrderBook.hold`), **or declares its lag**
with :func:`register`: a
function of the scenario returning the minutes after an order's end within which the
feature may still touch its row (``math.inf``: it may always), or None when the feature
is off. A configured top-level scenario section that no rule knows makes the lag
infinite, so a new feature is safe by default and only slower to free memory. A late
write that slipped through is caught at the end of the run (:mod:`o2osim.spill` raises).
This module only reads the scenario; it must not touch the book.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .scenario import Scenario
from .units import DAY

#: Orders per row group of a run's spill file (the run folder's row-group size).
BLOCK_ROWS = 65_536
#: The book spills only once it holds this many orders: a smaller run stays in memory.
START_ROWS = 4 * BLOCK_ROWS
#: Lag every run has (minutes): a courier's way back and a trip's legs are stamped after
#: the hand-over, well within a day. # assumption: no trip lasts a day.
BASE_LAG = DAY
#: Top-level scenario sections whose late writes the rules below cover (or that have none).
KNOWN_SECTIONS = frozenset(
    {
        "scenario", "customers", "catalogue", "channels", "warehouse", "customs", "couriers",
        "stores", "direct_mail", "fleets", "depots", "city", "airport", "recorder",
        "economics", "trade", "presale", "membership", "instant", "virtual_warehouse",
        "cross_returns", "marketing", "services", "sellers",
    }
)  # fmt: skip

#: A rule: the minutes after an order's end within which a feature may touch its row.
Rule = Callable[[Scenario], float | None]
RULES: dict[str, Rule] = {}


def register(section: str) -> Callable[[Rule], Rule]:
    """Register the decorated rule for the top-level scenario ``section`` it covers."""

    def add(rule: Rule) -> Rule:
        RULES[section] = rule
        return rule

    return add


@register("customers")
def _customers(scenario: Scenario) -> float | None:
    lags = [s.resubmit_after for s in scenario.customers.segments if s.split_on_rejection > 0]
    return max(lags) if lags else None  # journeys hold their visits (see above)


def unknown_sections(scenario: Scenario) -> list[str]:
    """Configured top-level sections that no rule covers (their lag is unknown)."""
    found = []
    for name, info in type(scenario).model_fields.items():
        if name in KNOWN_SECTIONS or name in RULES:
            continue
        if getattr(scenario, name) != info.get_default(call_default_factory=True):
            found.append(name)
    return found


def settle_lag(scenario: Scenario) -> float:
    """Minutes after an order's end after which nothing in the run touches its row again
    (``math.inf``: possibly never, so rows leave memory only at the end of the run)."""
    if unknown_sections(scenario):
        return math.inf
    lags = [lag for rule in RULES.values() if (lag := rule(scenario)) is not None]
    return max([BASE_LAG, *lags])
