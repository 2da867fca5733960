"""The entry of a limited presale: members only, and only the presale assortment.

Metro's presale (Li 2025, §3.2) is for members, on a limited assortment.
:class:`PresaleGate` sits in front of a presale channel's entry: an order whose
customer is not a member (when ``members`` is given) or whose basket holds a SKU outside
the assortment (when ``assortment`` is given) is handed to ``refused`` -- the order flow
switching it to another channel, or ending it as a lost sale; the others ``enter``. A
non-member is refused as such whatever the basket. It counts both kinds. It draws no
random numbers and must not decide anything else about an order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ..recorder import OrderBook
from ..wiring import Hook

#: Why a presale order was refused at the entry.
NOT_MEMBER, OUTSIDE_ASSORTMENT = 0, 1


class PresaleGate:
    """The entry of one presale channel (see the module docstring).

    ``members[segment]`` is the (first, end) customer ids of the segment's members, None
    for a segment without members; None for the whole argument: anybody may order.
    ``assortment[sku]`` says whether the SKU is on the presale list (ids beyond it are
    not); None: every SKU.
    """

    HOOKS: ClassVar[tuple[str, ...]] = ("enter", "refused")

    def __init__(
        self,
        book: OrderBook,
        members: Sequence[tuple[int, int] | None] | None,
        assortment: Sequence[bool] | None,
        *,
        enter: Hook,
        refused: Hook,
    ) -> None:
        self.book = book
        self.members = members
        self.assortment = assortment
        self.enter = enter
        self.refused = refused
        #: Orders refused, by reason (:data:`NOT_MEMBER`, :data:`OUTSIDE_ASSORTMENT`).
        self.counts = [0, 0]
        #: The reason of the last order refused.
        self.last = NOT_MEMBER

    def arrive(self, order_id: int) -> None:
        reason = self.reason(order_id)
        if reason is None:
            self.enter(order_id)
            return
        self.counts[reason] += 1
        self.last = reason
        self.refused(order_id)

    def reason(self, order_id: int) -> int | None:
        """Why the order may not be presale (None: it may)."""
        book = self.book
        if self.members is not None:
            span = self.members[book.segment[order_id]]
            if span is None or not span[0] <= book.customer[order_id] < span[1]:
                return NOT_MEMBER
        listed = self.assortment
        if listed is not None:
            size = len(listed)
            if not all(sku < size and listed[sku] for sku in book.skus[order_id]):
                return OUTSIDE_ASSORTMENT
        return None

    def counters(self, prefix: str) -> dict[str, int]:
        """Refused orders, named ``PREFIX.not_member`` and ``PREFIX.outside_assortment``."""
        return {
            f"{prefix}.not_member": self.counts[NOT_MEMBER],
            f"{prefix}.outside_assortment": self.counts[OUTSIDE_ASSORTMENT],
        }
