"""Random streams and the distributions' draws.

Named streams give identical draws for a seed and name whatever was issued before
(common random numbers); each distribution family's sample mean lies in a 99.9%
interval of the mean it was configured with.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from o2osim.distributions import NumberDist, TimeDist
from o2osim.randomness import Streams

FAST = settings(max_examples=50, deadline=None)


# ---------------------------------------------------------------- random streams

seeds = st.integers(0, 2**63 - 1)
stream_names = st.text(min_size=1, max_size=40)


@FAST
@given(seeds, stream_names)
def test_same_seed_and_name_give_identical_draws(seed: int, name: str) -> None:
    first = Streams(seed).stream(name).random(16)
    second = Streams(seed).stream(name).random(16)
    np.testing.assert_array_equal(first, second)


@FAST
@given(seeds, stream_names, stream_names)
def test_different_names_give_different_draws(seed: int, one: str, other: str) -> None:
    assume(one != other)
    streams = Streams(seed)
    assert not np.array_equal(streams.stream(one).random(4), streams.stream(other).random(4))


@FAST
@given(seeds, stream_names, stream_names)
def test_a_stream_does_not_depend_on_what_was_issued_before(
    seed: int, name: str, other: str
) -> None:
    assume(name != other)
    alone = Streams(seed).stream(name).random(8)
    streams = Streams(seed)
    streams.stream(other).random(1000)
    np.testing.assert_array_equal(streams.stream(name).random(8), alone)


@FAST
@given(seeds, stream_names)
def test_a_name_issued_twice_is_refused(seed: int, name: str) -> None:
    streams = Streams(seed)
    streams.stream(name)
    with pytest.raises(ValueError, match="already issued"):
        streams.stream(name)
    assert streams.names == [name]


@pytest.mark.parametrize("seed", [-1, True, 1.5, "7"], ids=repr)
def test_a_bad_seed_is_refused(seed: Any) -> None:
    with pytest.raises(ValueError, match="non-negative integer"):
        Streams(seed)


# ---------------------------------------------------------------- sample means

DRAWS = 200_000
Z_999 = statistics.NormalDist().inv_cdf(0.9995)  # two-sided 99.9 %


def _triangular_sd(a: float, c: float, b: float) -> float:
    return math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0)


EMPIRICAL = [1.0, 2.0, 2.0, 7.0, 10.0, 0.5]
# name: (number-distribution table, its mean, its standard deviation)
MOMENTS: dict[str, tuple[dict[str, Any], float, float]] = {
    "exponential": ({"dist": "exponential", "mean": 3.0}, 3.0, 3.0),
    "deterministic": ({"dist": "deterministic", "value": 2.5}, 2.5, 0.0),
    "lognormal": ({"dist": "lognormal", "mean": 4.0, "cv": 0.6}, 4.0, 0.6 * 4.0),
    "gamma": ({"dist": "gamma", "mean": 4.0, "cv": 1.5}, 4.0, 1.5 * 4.0),
    "uniform": ({"dist": "uniform", "low": 1.0, "high": 5.0}, 3.0, 4.0 / math.sqrt(12.0)),
    "triangular": (
        {"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 6.0},
        3.0,
        _triangular_sd(1.0, 2.0, 6.0),
    ),
    "empirical": (
        {"dist": "empirical", "values": EMPIRICAL},
        float(np.mean(EMPIRICAL)),
        float(np.std(EMPIRICAL)),
    ),
}


def _as_minutes(table: dict[str, Any]) -> dict[str, Any]:
    """The same table as a time distribution, parameters written in minutes."""

    def minutes(value: Any) -> Any:
        return [minutes(v) for v in value] if isinstance(value, list) else f"{value!r}min"

    return {k: (v if k in ("dist", "cv") else minutes(v)) for k, v in table.items()}


@pytest.mark.parametrize("family", ["number", "time"])
@pytest.mark.parametrize("name", list(MOMENTS))
def test_sample_mean_lies_in_a_999_interval_of_the_configured_mean(name: str, family: str) -> None:
    table, mean, sd = MOMENTS[name]
    if family == "time":
        dist = TypeAdapter(TimeDist).validate_python(_as_minutes(table))
    else:
        dist = TypeAdapter(NumberDist).validate_python(table)
    assert dist.mean_value() == pytest.approx(mean, rel=1e-12)
    draw = dist.sampler(np.random.default_rng(1))
    values = np.fromiter((draw() for _ in range(DRAWS)), dtype=float, count=DRAWS)
    half_width = Z_999 * sd / math.sqrt(DRAWS)
    assert abs(values.mean() - mean) <= half_width + 1e-12 * mean, (values.mean(), mean)
    assert values.min() >= 0.0
