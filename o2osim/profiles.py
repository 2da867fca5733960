"""Named profiles: arrival intensity by hour of day and by weekday; traffic by hour.

An arrival profile is a list of non-negative weights; the model normalises it so
that its mean is 1, so ``arrivals_per_day`` keeps its meaning whatever the shape.
A traffic profile is *not* normalised: each of its 24 values multiplies the
free-flow travel time of a leg that starts in that hour (1.0 = free flow).

Data only: this module must not import the rest of the package.
"""

from __future__ import annotations

HOURLY_PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 24,
    # Online retail in Chinese cities: quiet at night, lunch bump, evening peak.
    "retail": (
        0.35,
        0.2,
        0.1,
        0.06,
        0.05,
        0.08,
        0.2,
        0.45,
        0.8,
        1.1,
        1.3,
        1.4,
        1.35,
        1.2,
        1.15,
        1.15,
        1.2,
        1.3,
        1.45,
        1.7,
        1.9,
        1.85,
        1.4,
        0.8,
    ),
    # Shops open 09-22.
    "store_hours": (
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0.8,
        1.2,
        1.5,
        1.5,
        1.4,
        1.4,
        1.5,
        1.7,
        1.8,
        2.0,
        2.2,
        2.0,
        1.4,
        0,
        0,
    ),
}

WEEKDAY_PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 7,
    # Monday first; weekends about 30% busier.
    "weekend_peak": (0.92, 0.9, 0.92, 0.95, 1.05, 1.18, 1.18),
}


TRAFFIC_PROFILES: dict[str, tuple[float, ...]] = {
    "free": (1.0,) * 24,
    # Illustrative Chinese city: free flow at night, about +50% at the morning and
    # evening rush hours, +20-25% in the day (the shape of congestion indices such as
    # TomTom's for large Chinese cities; not calibrated to Wenzhou).
    "city": (
        1.0,
        1.0,
        1.0,
        1.0,
        1.0,
        1.0,
        1.1,
        1.4,
        1.5,
        1.3,
        1.2,
        1.2,
        1.25,
        1.2,
        1.2,
        1.2,
        1.3,
        1.5,
        1.55,
        1.35,
        1.2,
        1.1,
        1.05,
        1.0,
    ),
}


def normalised(weights: tuple[float, ...] | list[float]) -> tuple[float, ...]:
    """Scale weights to mean 1."""
    total = float(sum(weights))
    if total <= 0:
        raise ValueError("a profile needs at least one positive weight")
    n = len(weights)
    return tuple(w * n / total for w in weights)


def profile_weights(
    value: str | list[float], named: dict[str, tuple[float, ...]]
) -> tuple[float, ...]:
    """A profile given by name (looked up in ``named``) or as weights, scaled to mean 1."""
    return normalised(named[value] if isinstance(value, str) else value)
