"""Delivery promises: when each order is due, and which slot a presale customer picks.

A channel makes one of three promises (minute 0 of the run is midnight):

- a lead time (``promise = "1h"``): due ``promise`` minutes after the order;
- next day (``next_day = { by = "21:00", cutoff = "20:00" }``): due by ``by`` o'clock
  on the day after the order; an order placed at or after ``cutoff`` o'clock
  counts as placed the next day;
- delivery slots (presale, ``slots = {...}``): the customer picks one of the
  next ``choices`` slots that start at least ``lead`` after the order (uniformly;
  ``choices = 1`` is the earliest); the order is due at the slot's end.

This module is arithmetic on times: it must not know SimPy or the facilities.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from .distributions import Draw
from .scenario import NextDay, Slots
from .units import DAY


class PromiseRule(Protocol):
    """A channel's promise: exactly one of a lead time, next day or slots (else none).

    A scenario ``Channel`` is one, and so is the plan's per-channel record.
    """

    @property
    def promise(self) -> float | None: ...
    @property
    def next_day(self) -> NextDay | None: ...
    @property
    def slots(self) -> Slots | None: ...


def slot_starts(slots: Slots) -> list[float]:
    """Start times of the day's slots, minutes after midnight."""
    # The tolerance keeps "9h to 21h every 30min" from losing its last slot to rounding.
    count = math.floor((slots.last - slots.first) / slots.length + 1e-9) + 1
    return [slots.first + k * slots.length for k in range(count)]


class SlotChooser:
    """A presale customer's choice of delivery slot at the moment of ordering."""

    def __init__(self, slots: Slots, uniform: Draw) -> None:
        self.starts = slot_starts(slots)
        self.lead = slots.lead
        self.choices = slots.choices
        self.uniform = uniform

    def __call__(self, placed: float) -> float:
        """The start of the chosen slot (minutes), for an order placed at ``placed``."""
        earliest = placed + self.lead
        day = math.floor(earliest / DAY)
        index = bisect.bisect_left(self.starts, earliest - day * DAY)
        # One draw per order, even when there is no choice, keeps the stream aligned.
        index += int(self.uniform() * self.choices)
        day += index // len(self.starts)
        return day * DAY + self.starts[index % len(self.starts)]


def due_time(channel: PromiseRule, placed: float, slot_start: float) -> float:
    """When one order is due (minutes): :func:`due_times` for a single order, without numpy
    (customer memory asks once per finished order)."""
    if channel.promise is not None:
        return placed + channel.promise
    if channel.next_day is not None:
        rule = channel.next_day
        day = math.floor(placed / DAY)
        if rule.cutoff is not None and placed - day * DAY >= rule.cutoff:
            day += 1
        return (day + 1) * DAY + rule.by
    if channel.slots is not None:
        return slot_start + channel.slots.length
    return math.nan


def due_times(
    channels: Sequence[PromiseRule],
    channel_codes: np.ndarray,
    placed: np.ndarray,
    slot_start: np.ndarray,
) -> np.ndarray:
    """When each order is due (minutes), from its channel's promise.

    ``channels[k]`` is the channel with code ``k``; ``slot_start`` is NaN for
    orders of channels without slots (and for presale orders refused at entry).
    """
    due = np.full(len(placed), np.nan)
    for code, channel in enumerate(channels):
        mask = channel_codes == code
        if channel.promise is not None:
            due[mask] = placed[mask] + channel.promise
        elif channel.next_day is not None:
            rule = channel.next_day
            day = np.floor(placed[mask] / DAY)
            if rule.cutoff is not None:
                day += (placed[mask] - day * DAY) >= rule.cutoff
            due[mask] = (day + 1) * DAY + rule.by
        elif channel.slots is not None:
            due[mask] = slot_start[mask] + channel.slots.length
    return due
