"""Shared helpers of the MDRP tests: the bundled instance names, the figures Grubhub
published with each instance (``instance_characteristics.txt``), a writable copy."""

from __future__ import annotations

import re
from pathlib import Path

from o2osim.mdrp.instance import bundled_instances
from o2osim.mdrp.solution import Solution

NAMES = [p.name for p in bundled_instances()]

#: The ``solved`` fixture: (instance, policy) -> (solution, metrics).
Solved = dict[tuple[str, str], tuple[Solution, dict[str, float]]]


def characteristics(name: str) -> dict[str, float]:
    """The published summary of a bundled instance: counts, courier hours, and the means
    of the travel minutes restaurant -> customer and of the preparation minutes."""
    text = (
        next(p for p in bundled_instances() if p.name == name) / "instance_characteristics.txt"
    ).read_text()
    found = {
        key: float(re.search(rf"{label}: ([\d.]+)", text).group(1))  # type: ignore[union-attr]
        for key, label in [
            ("orders", "number of orders"),
            ("restaurants", "number of restaurants"),
            ("couriers", "number of couriers"),
            ("courier_hours", "total courier hours"),
        ]
    }
    means = re.findall(r"^mean\s+([\d.\s]+)$", text, flags=re.MULTILINE)
    found["travel_minutes_mean"] = float(means[0].split()[1])
    found["preparation_mean"] = float(means[2].split()[0])
    return found


def copy_instance(name: str, target: Path) -> Path:
    """A writable copy of a bundled instance folder."""
    source = next(p for p in bundled_instances() if p.name == name)
    target.mkdir(parents=True, exist_ok=True)
    for file in source.iterdir():
        (target / file.name).write_text(file.read_text())
    return target
