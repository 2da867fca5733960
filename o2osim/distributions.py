"""Distribution tables of the scenario file and the block samplers behind them.

A scenario writes a distribution as a table, e.g.
``{ dist = "lognormal", mean = "45s", cv = 0.5 }``. Two families exist: time
distributions, whose location parameters are durations with units (sampled in
minutes), and plain number distributions (kilometres, items, CNY).

Sampling is done in numpy blocks and handed out one float at a time by a
generator's ``__next__``: the event loop never calls numpy per draw. Every
sampler owns its random stream, so the values one facility draws never depend
on how many another facility drew. This module must not know about the model.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import typing
from collections.abc import Callable
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from .limits import MAX_DURATION, MAX_NUMBER
from .units import format_duration, parse_duration

#: How many values a sampler draws from numpy at a time.
BLOCK = 4096

Draw = Callable[[], float]


class Values(itertools.chain):
    """The values behind a sampler: an endless chain of blocks, handed out by ``__next__``.

    Its own type so that :func:`per_order` can tell a sampler's draw, which never runs
    out, from any other callable.
    """

    __slots__ = ()


def block_draw(make: Callable[[int], np.ndarray], block: int = BLOCK) -> Callable[[], Any]:
    """Turn ``make(n) -> array`` into a zero-argument draw that refills ``block`` at a time.

    ``make`` is called only when the previous block is used up, as a generator would.
    The chain of iterators runs in C: a draw costs a third less than resuming a
    generator, and the hot path makes several per order.
    """
    values = Values.from_iterable(map(_as_list, map(make, itertools.repeat(block))))
    return values.__next__


#: ``array.tolist()``: Python floats and ints, which the event loop handles fastest.
_as_list = operator.methodcaller("tolist")


def per_order(draw: Draw) -> Callable[[int], float]:
    """``draw`` as a time per order that does not depend on the order: ``f(order_id)``.

    For a sampler's draw this is ``next(values, order_id)``, all in C (about half the
    cost of a lambda, once per order on a station): the values never run out, so the
    default ``order_id`` is never returned. Any other callable gets a lambda.
    """
    values = getattr(draw, "__self__", None)
    if isinstance(values, Values):
        return functools.partial(next, values)
    return lambda _order_id: draw()


def uniform_draw(rng: np.random.Generator) -> Draw:
    """Uniform(0, 1) draws for probability checks."""
    return block_draw(rng.random)


def _duration(value: Any) -> float:
    return parse_duration(value, at_most=MAX_DURATION)


def _number(value: float) -> float:
    if value > MAX_NUMBER:
        raise ValueError(
            f"must be at most {MAX_NUMBER:,.0f} (o2osim's limit on numbers of a "
            "distribution: km, CNY, items)"
        )
    return value


#: A duration read from a string with a unit; held in minutes; written back with a unit.
#: At most :data:`o2osim.limits.MAX_DURATION`, so that sums of durations stay finite.
Duration = Annotated[
    float,
    BeforeValidator(_duration),
    PlainSerializer(format_duration, return_type=str),
]


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    def mean_value(self) -> float:
        """The distribution's mean (minutes for time distributions)."""
        raise NotImplementedError

    def block(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values at once."""
        raise NotImplementedError

    def sampler(self, rng: np.random.Generator, block: int = BLOCK) -> Draw:
        """Return a zero-argument callable that yields one value per call."""
        return block_draw(lambda n: self.block(rng, n), block)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    sigma2 = math.log1p(cv * cv)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


def _family(quantity: Any, label: str) -> Any:
    """Build the union of distribution tables whose parameters are ``quantity``."""

    class Exponential(_Dist):
        dist: Literal["exponential"]
        mean: quantity

        @model_validator(mode="after")
        def _check(self) -> Exponential:
            _require(self.mean > 0, f"exponential mean must be > 0 (got {self.mean})")
            return self

        def mean_value(self) -> float:
            return self.mean

        def block(self, rng: np.random.Generator, n: int) -> np.ndarray:
            return rng.exponential(self.mean, n)

    class Deterministic(_Dist):
        dist: Literal["deterministic"]
        value: quantity

        @model_validator(mode="after")
        def _check(self) -> Deterministic:
            _require(self.value >= 0, f"deterministic value must be >= 0 (got {self.value})")
            return self

        def mean_value(self) -> float:
            return self.value

        def block(self, rng: np.random.Generator, n: int) -> np.ndarray:
            return np.full(n, self.value)

        def sampler(self, rng: np.random.Generator, block: int = BLOCK) -> Draw:
            return Values(itertools.repeat(float(self.value))).__next__

    class _MeanCv(_Dist):
        mean: quantity
        cv: float
        if typing.TYPE_CHECKING:  # each subclass declares its tag; not a field here
            dist: str

        @model_validator(mode="after")
        def _check(self) -> _MeanCv:
            _require(self.mean > 0, f"{self.dist} mean must be > 0 (got {self.mean})")
            _require(
                math.isfinite(self.cv) and 0 <= self.cv <= 10,
                f"{self.dist} cv must be between 0 and 10 (got {self.cv})",
            )
            return self

        def mean_value(self) -> float:
            return self.mean

    class Lognormal(_MeanCv):
        dist: Literal["lognormal"]

        def block(self, rng: np.random.Generator, n: int) -> np.ndarray:
            if self.cv == 0:
                return np.full(n, self.mean)
            mu, sigma = _lognormal_params(self.mean, self.cv)
            return rng.lognormal(mu, sigma, n)

    class Gamma(_MeanCv):
        dist: Literal["gamma"]

        def block(self, rng: np.random.Generator, n: int) -> np.ndarray:
            if self.cv == 0:
                return np.full(n, self.mean)
            shape = 1.0 / (self.cv * self.cv)
            return rng.gamma(shape, self.mean / shape, n)

    class Uniform(_Dist):
        dist: Literal["uniform"]
        low: quantity
        high: quantity

        @model_validator(mode="after")
        def _check(self) -> Uniform:
            _require(
                0 <= self.low <= self.high,
                f"uniform needs 0 <= low <= high (got low={self.low}, high={self.high})",
            )
            return self

        def mean_value(self) -> float:
            return (self.low + self.high) / 2.0

        def block(self, rng: np.random.Generator, n: int) -> np.ndarray:
            return rng.uniform(self.low, self.high, n)

    class Triangular(_Dist):
        dist: Literal["triangular"]
        low: quantity
        mode: quantity
        high: quantity

        @model_validator(mode="after")
        def _check(self) -> Triangular:
            _require(
                0 <= self.low <= self.mode <= self.high and self.low < self.high,
                "triangular needs 0 <= low <= mode <= high and low < high "
                f"(got low={self.low}, mode={self.mode}, high={self.high})",
            )
            return self

        def mean_value(self) -> float:
            return (self.low + self.mode + self.high) / 3.0

        def block(self, rng: np.random.Generator, n: int) -> np.ndarray:
            return rng.triangular(self.low, self.mode, self.high, n)

    class Empirical(_Dist):
        dist: Literal["empirical"]
        values: list[quantity] = Field(min_length=1)

        @model_validator(mode="after")
        def _check(self) -> Empirical:
            _require(min(self.values) >= 0, "empirical values must be >= 0")
            return self

        def mean_value(self) -> float:
            return float(np.mean(self.values))

        def block(self, rng: np.random.Generator, n: int) -> np.ndarray:
            return rng.choice(np.asarray(self.values, dtype=float), n)

    class Rings(_Dist):
        """Distance rings around a centre: a ring ``[edges[i], edges[i+1])`` with
        probability ``weights[i]`` (normalised), then a point uniform over the ring's
        area, so the distance is ``sqrt(a^2 + U (b^2 - a^2))``."""

        dist: Literal["rings"]
        edges: list[quantity] = Field(min_length=2)
        weights: list[Annotated[float, Field(ge=0, le=MAX_NUMBER)]] = Field(min_length=1)

        @model_validator(mode="after")
        def _check(self) -> Rings:
            edges = self.edges
            _require(
                edges[0] >= 0 and all(a < b for a, b in itertools.pairwise(edges)),
                f"rings edges must start >= 0 and increase (got {edges})",
            )
            _require(
                len(self.weights) == len(edges) - 1,
                f"rings needs one weight per ring: {len(edges) - 1} for {len(edges)} "
                f"edges (got {len(self.weights)})",
            )
            _require(sum(self.weights) > 0, "rings weights must not all be 0")
            return self

        def ring_means(self) -> list[float]:
            """Mean distance of a point uniform over each ring's area."""
            return [
                2.0 / 3.0 * (b**3 - a**3) / (b**2 - a**2) for a, b in itertools.pairwise(self.edges)
            ]

        def mean_value(self) -> float:
            total = sum(self.weights)
            return sum(w * m for w, m in zip(self.weights, self.ring_means(), strict=True)) / total

        def block(self, rng: np.random.Generator, n: int) -> np.ndarray:
            weights = np.asarray(self.weights, dtype=float)
            ring = rng.choice(len(weights), n, p=weights / weights.sum())
            inner = np.asarray(self.edges[:-1], dtype=float)[ring]
            outer = np.asarray(self.edges[1:], dtype=float)[ring]
            return np.sqrt(inner**2 + rng.random(n) * (outer**2 - inner**2))

    members: tuple[type, ...] = (
        Exponential,
        Deterministic,
        Lognormal,
        Gamma,
        Uniform,
        Triangular,
        Empirical,
    )
    if label == "Number":  # rings are places on the city plane, not durations
        members += (Rings,)
    for cls in members:
        cls.__name__ = cls.__qualname__ = f"{cls.__name__}{label}"
    return Annotated[typing.Union[members], Field(discriminator="dist")]  # noqa: UP007


#: A distribution of durations (sampled in minutes).
TimeDist = _family(Duration, "Time")
#: A plain number of a distribution, at most MAX_NUMBER: larger ones overflow sums and
#: squares (rings) to infinity.
_Number = Annotated[float, AfterValidator(_number)]
#: A distribution of plain non-negative numbers (km, CNY, items).
NumberDist = _family(_Number, "Number")

DIST_NAMES = (
    "exponential, deterministic, lognormal, gamma, uniform, triangular, empirical"
    " (numbers also: rings)"
)
