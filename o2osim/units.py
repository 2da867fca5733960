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
#: A year of 365 days, minutes (for messages and limits, not for calendars).
YEAR = 365 * DAY

#: A duration as :func:`format_duration` writes it: an unsigned number and a unit.
_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*(s|min|h|d)\s*$")
#: What people may type instead: a sign, or inf/nan, so that the message can say why
#: it is refused instead of only "not a duration".
_SIGNED = re.compile(
    r"^\s*([+-]?)\s*((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:inf(?:inity)?|nan))"
    r"\s*(s|min|h|d)\s*$"
)


def _range(at_most: float) -> str:
    """The allowed range, as the error messages show it."""
    if math.isinf(at_most):
        return "a duration is finite and 0s or longer"
    years = at_most / YEAR
    shown = f"{years:,.0f}" if years.is_integer() else f"{years:.3g}"
    return f"a duration is 0s to {format_duration(at_most)} ({shown} years)"


def parse_duration(text: object, *, at_most: float = math.inf) -> float:
    """Return the duration in minutes, ``0 <= minutes <= at_most``.

    Raise ``ValueError`` saying what is allowed (and only ``ValueError``, whatever
    ``text`` is).
    """
    if isinstance(text, bool) or not isinstance(text, str):
        raise ValueError(
            f'a duration needs a unit, as a string such as "90s", "15min", "3h" or "2d" '
            f"(got {text!r})"
        )
    match = _SIGNED.match(text)
    if match is None:
        raise ValueError(
            f"{text!r} is not a duration; write a number and a unit ({ALLOWED_UNITS}), "
            'e.g. "90s" or "1.5h"'
        )
    sign, number, unit = match.group(1), float(match.group(2)), match.group(3)
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is not a finite duration; {_range(at_most)}")
    if sign == "-" and number != 0:
        raise ValueError(f"{text!r} is negative; {_range(at_most)}")
    minutes = number * UNIT_MINUTES[unit]  # "1e308d" overflows here, so check again
    if not minutes <= at_most:
        raise ValueError(f"{text!r} is too long; {_range(at_most)}")
    return minutes


def format_duration(minutes: float) -> str:
    """Format minutes with a unit so that :func:`parse_duration` gives back the same float.

    A whole number of the largest unit is preferred (``"2d"``, ``"90s"``);
    otherwise the shortest text that round-trips exactly (``"0.03h"``).
    """
    if minutes == 0:
        return "0s"
    exact: list[str] = []
    for unit in ("d", "h", "min", "s"):
        number = repr(minutes / UNIT_MINUTES[unit]).removesuffix(".0")
        text = f"{number}{unit}"
        if _DURATION.match(text) and parse_duration(text) == minutes:
            if number.isdigit():
                return text
            exact.append(text)
    exact.append(f"{minutes!r}min")  # always exact: the minute is the clock's unit
    return min(exact, key=len)
