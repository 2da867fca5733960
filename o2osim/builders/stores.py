"""Store builder: the front stores' experience zones and their take-away counters.

Each store under ``[[stores]]`` is one :class:`~o2osim.facilities.store.Store`
(stage ``store_visit``) and one hand-over counter (stage ``collect``); an order
meets the store of its segment. Visitors of segments that wait in person at the
door or the staff checkout get the patience of :mod:`.patience`. A buyer goes on
along the route; a visitor who leaves without buying goes to the customer
journeys (showrooming). Random streams: ``store.*``. This module must not decide
an order's fate.
"""

from __future__ import annotations

from collections.abc import Callable

from ..facilities.station import Delay
from ..facilities.store import Store
from ..recorder import OrderBook
from .context import Build
from .patience import patience_rules
from .registry import register_shared


class BySegment:
    """A route stage served by the facility of the order's segment (e.g. its store)."""

    def __init__(self, book: OrderBook, targets: list[Callable[[int], None]]) -> None:
        self.segment = book.segment
        self.targets = targets

    def arrive(self, order_id: int) -> None:
        self.targets[self.segment[order_id]](order_id)


def build_stores(b: Build) -> None:
    """Every store and its counter; the stages send each order to its segment's store."""
    sc, env, book, flow = b.scenario, b.env, b.book, b.flow
    if not sc.stores:
        return
    journeying = b.plan.journeying
    door = b.plan.waits_at("store_door")
    till = b.plan.waits_at("store_checkout")
    collect = []
    for cfg in sc.stores:
        key = f"store.{cfg.name}"
        store = Store(
            env,
            cfg,
            book,
            b.draw(f"{key}.browse_time", cfg.browse_time),
            b.draw(f"{key}.mirror_time", cfg.mirror_time),
            b.draw(f"{key}.help_time", cfg.help_time),
            b.draw(f"{key}.checkout_time", cfg.checkout_time),
            b.draw(f"{key}.checkout_staff_time", cfg.checkout_staff_time),
            b.uniform(f"{key}.choices"),
            done=flow.advance,
            no_purchase=b.journeys.no_purchase,
            turned_away=flow.turned_away,
            gave_up=flow.gave_up,
            conversion=(b.journeys.conversion(cfg.purchase_probability) if journeying else None),
            door_patience=(
                patience_rules(b, cfg.name, "store_door") if door and cfg.door_queue else None
            ),
            till_patience=(
                patience_rules(b, f"{cfg.name}.staff", "store_checkout")
                if till and cfg.staff
                else None
            ),
        )
        b.stores.append(b.add(f"store {cfg.name!r}", store))
        collect.append(
            b.add(
                f"counter of store {cfg.name!r}",
                Delay(
                    env,
                    b.draw(f"{key}.handover_time", cfg.handover_time),
                    book.column("collected"),
                    done=flow.advance,
                ),
            )
        )
    chosen = [s.store for s in b.plan.segments]
    b.stages["store_visit"] = BySegment(book, [b.stores[i].arrive for i in chosen])
    b.stages["collect"] = BySegment(book, [collect[i].arrive for i in chosen])


register_shared("store_visit", "collect")
