"""The knobs of the MDRP dispatch policies, and reading them from ``--set key=value``.

This module must not import the policies or the model; it only holds and
validates numbers (minutes, orders and a unitless weight).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import Any

from ..scenario import ScenarioError


@dataclass(frozen=True)
class PolicySettings:
    """Parameters of the rolling-horizon policy (``fcfs`` ignores them).

    Reyes et al. (2018) re-optimise every few minutes over the orders that will be
    ready soon and size bundles by the ratio of orders to available couriers; the
    numbers below are ours, chosen on the bundled instances.
    """

    frequency: int = 5  # assumption: minutes between assignment rounds
    horizon: int = 20  # assumption: minutes ahead an order's ready time may lie
    max_bundle: int = 4  # assumption: orders per bundle at most
    bundle_window: int = 40  # assumption: minutes between the ready times of a bundle
    wait_weight: float = 0.5  # assumption: cost of a courier-minute spent waiting,
    # in click-to-door minutes

    def describe(self) -> str:
        return " ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


_MINIMUM = {"frequency": 1, "horizon": 0, "max_bundle": 1, "bundle_window": 0}


def _value(key: str, text: str) -> int | float:
    whole = key in _MINIMUM
    try:
        value: int | float = int(text) if whole else float(text)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise ScenarioError(f"--set {key}={text}: is not {kind}") from None
    lowest = _MINIMUM.get(key, 0)
    if not value >= lowest or value == float("inf"):
        raise ScenarioError(f"--set {key}={text}: must be at least {lowest} and finite")
    return value


def settings_from(pairs: Iterable[str]) -> PolicySettings:
    """:class:`PolicySettings` with each ``key=value`` applied, validated."""
    settings = PolicySettings()
    known = [f.name for f in fields(PolicySettings)]
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or key not in known:
            raise ScenarioError(f"--set {pair}: give key=value with key one of {', '.join(known)}")
        values: dict[str, Any] = {key: _value(key, text.strip())}
        settings = replace(settings, **values)
    return settings
