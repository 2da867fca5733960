"""Durations with units, as scenario files write them.

The simulation clock runs in **minutes** (floats). Scenario files never carry a
bare number where a duration belongs: ``"90s"``, ``"15min"``, ``"3h"``, ``"2d"``.
This module parses and formats those strings; it must not know about the model.
"""

from __future__ import annotations

import math
import re

#: Minutes per unit. The simulation clock's unit is the minute.
UNIT_MINUTES: dict[str, float] = {
    "s": 1.0 / 60.0,
    "min": 1.0,
    "h": 60.0,
    "d": 1440.0,
}
ALLOWED_UNITS = "s, min, h, d"
DAY = 1440.0
HOUR = 60.0

_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*(s|min|h|d)\s*$")


def parse_duration(text: object) -> float:
    """Return the duration in minutes; raise ``ValueError`` with what is allowed."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise ValueError(
            f"a duration needs a unit, as a string such as \"90s\", \"15min\", \"3h\" or \"2d\" "
            f"(got {text!r})"
        )
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(
            f"{text!r} is not a duration; write a number and a unit ({ALLOWED_UNITS}), "
            "e.g. \"90s\" or \"1.5h\""
        )
    number = float(text.strip()[: -len(match.group(2))])
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is not a finite duration")
    return number * UNIT_MINUTES[match.group(2)]


def format_duration(minutes: float) -> str:
    """Format minutes with the largest unit that keeps the number short and exact."""
    if minutes == 0:
        return "0s"
    for unit in ("d", "h", "min"):
        value = minutes / UNIT_MINUTES[unit]
        if value >= 1 and abs(value - round(value)) < 1e-9:
            return f"{round(value)}{unit}"
    seconds = minutes * 60.0
    if abs(seconds - round(seconds)) < 1e-6:
        return f"{round(seconds)}s"
    return f"{minutes!r}min"
