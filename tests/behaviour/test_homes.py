"""Where customers live: distance rings around their depot.

A ``rings`` distance picks ring i with probability w_i / sum(w) and then a point
uniform over the ring's area, so inside ring [a, b) the distance has density
2r / (b^2 - a^2) and mean 2/3 (b^3 - a^3) / (b^2 - a^2). Both must hold inside
replication confidence intervals, in the sampler and in the order table.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from o2osim import simulate
from o2osim.distributions import NumberDist

from helpers import confidence_interval, stripped

EDGES = [0.0, 2.0, 5.0, 12.0]
WEIGHTS = [3.0, 5.0, 2.0]
RINGS = {"dist": "rings", "edges": EDGES, "weights": WEIGHTS}


def ring_means() -> list[float]:
    return [2 / 3 * (b**3 - a**3) / (b**2 - a**2) for a, b in itertools.pairwise(EDGES)]


def check_rings(samples: list[np.ndarray]) -> None:
    """Ring shares and mean distance per ring against the closed form, 99% CIs."""
    shares = np.sum(WEIGHTS)
    for ring, (low_edge, high_edge) in enumerate(itertools.pairwise(EDGES)):
        inside = [(d >= low_edge) & (d < high_edge) for d in samples]
        low, high = confidence_interval([m.mean() for m in inside])
        assert low <= WEIGHTS[ring] / shares <= high, (ring, low, high)
        low, high = confidence_interval([d[m].mean() for d, m in zip(samples, inside, strict=True)])
        assert low <= ring_means()[ring] <= high, (ring, low, high)


def test_ring_sampler_matches_the_closed_form():
    rings = TypeAdapter(NumberDist).validate_python(RINGS)
    check_rings([rings.block(np.random.default_rng(seed), 2000) for seed in range(20)])
    expected = sum(w * m for w, m in zip(WEIGHTS, ring_means(), strict=True)) / sum(WEIGHTS)
    assert rings.mean_value() == expected


def test_homes_in_the_order_table_follow_the_rings():
    # Road km = straight-line km x detour 1.3, from the depot the segment lives around.
    samples = []
    for seed in range(1, 11):
        scenario = stripped(
            ["reserve"],
            per_minute=1.0,
            horizon="1d",
            warmup="0s",
            customers={"distance_km": RINGS},
            city={"detour_factor": 1.3},
        )
        orders = simulate(scenario, seed=seed).orders
        samples.append(orders["distance_km"].to_numpy() / 1.3)
        radius = np.hypot(orders["x_km"], orders["y_km"]).to_numpy()
        np.testing.assert_allclose(radius, samples[-1], rtol=1e-9)
    check_rings(samples)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(-1, 20), min_size=1, max_size=5),
    st.lists(st.floats(0, 5), min_size=0, max_size=5),
)
def test_rings_validate_edges_and_weights(edges, weights):
    valid = (
        len(edges) >= 2
        and edges[0] >= 0
        and all(a < b for a, b in itertools.pairwise(edges))
        and len(weights) == len(edges) - 1
        and sum(weights) > 0
    )
    try:
        TypeAdapter(NumberDist).validate_python(
            {"dist": "rings", "edges": edges, "weights": weights}
        )
    except ValidationError:
        assert not valid
    else:
        assert valid
