"""A virtual warehouse site's supplies: one-for-one restocking and transfers from the hub.

:class:`OneForOne` is a site's supplier: each unit taken from the site (or owed at
it) is reordered at once and arrives one lead time later -- a continuous-review
base-stock policy at the site's initial level. :class:`Transfers` reviews every
site's units periodically and sends units from the hub under a ``transfer`` policy
(:mod:`.site_policies`). A transfer writes ledger rows with order id
:data:`~.sites.TRANSFER`: ``reserve`` at the hub (the units move to ``on_order``)
and ``receipt`` at the site. This module must not decide which site serves an order.
"""

from __future__ import annotations

import simpy

from ..distributions import Draw
from ..kernel import Call, call_in, handlers
from ..recorder import StockKind
from .shelf import Shelf
from .site_policies import Send, TransferRule
from .sites import TRANSFER, VirtualWarehouse


class OneForOne:
    """A site's supplier: each unit reordered arrives one lead time later."""

    def __init__(self, env: simpy.Environment, shelf: Shelf, lead_time: Draw) -> None:
        self.env = env
        self.shelf = shelf
        self.lead_time = lead_time
        self._on_receive = handlers(self._receive)

    def __call__(self, sku: int) -> None:
        self.shelf.order(sku, 1)
        call_in(self.env, self.lead_time(), self._on_receive, sku)

    def _receive(self, call: Call) -> None:
        self.shelf.receive(call.value, 1)


class Transfers:
    """Periodic transfers from the hub to the other sites under a ``transfer`` policy."""

    def __init__(
        self,
        env: simpy.Environment,
        vw: VirtualWarehouse,
        hub: int,
        policy: Send,
        rule: TransferRule,
        review: float,
        lead_time: Draw,
    ) -> None:
        self.env = env
        self.vw = vw
        self.hub = hub
        self.policy = policy
        self.rule = rule
        self.review = review
        self.lead_time = lead_time
        self.in_transit = [[0] * len(vw.on_hand) for _ in vw.places]
        self._on_review = handlers(self._review)
        self._on_arrive = handlers(self._arrive)
        call_in(env, review, self._on_review)

    def _review(self, call: Call) -> None:
        vw, hub = self.vw, self.vw.sites[self.hub]
        now, add = self.env.now, vw.ledger.add
        for index, site in enumerate(vw.sites):
            if index == self.hub:
                continue
            transit = self.in_transit[index]
            for sku in range(len(site.on_hand)):
                units = self.policy(site.on_hand[sku] + transit[sku], hub.on_hand[sku], self.rule)
                if units <= 0:
                    continue
                hub.on_hand[sku] -= units
                add(now, sku, StockKind.RESERVE, TRANSFER, -units, units, hub.on_hand[sku], 0)
                if hub.lag > 0:
                    hub._changed(sku)
                transit[sku] += units
                call_in(self.env, self.lead_time(), self._on_arrive, (index, sku, units))
        call_in(self.env, self.review, self._on_review)

    def _arrive(self, call: Call) -> None:
        index, sku, units = call.value
        vw, site = self.vw, self.vw.sites[index]
        self.in_transit[index][sku] -= units
        site.on_hand[sku] += units
        vw.ledger.add(
            self.env.now, sku, StockKind.RECEIPT, TRANSFER, units, -units, site.on_hand[sku], 0
        )
        if site.lag > 0:
            site._changed(sku)
        vw.counts["transfers_in"][index] += 1
        vw.counts["units_transferred_in"][index] += units
        vw._arrived(site, sku)
