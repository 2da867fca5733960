"""Scenario schema of the SKU catalogue: popularity, prices, basket size, categories.

Pure data and per-table checks; this module must not import the runtime.
"""

from __future__ import annotations

import bisect
import itertools
import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..limits import (
    MAX_SKUS,
)
from .types import (
    Name,
    NumberDist,
    PositiveInt,
    Probability,
    Strict,
    at_most,
)

#: Shipping weight of one packed unit, kg (at most 1 t).
UnitWeight = Annotated[float, Field(gt=0, le=1000)]
#: Shipping volume of one packed unit, m3 (at most 100 m3).
UnitVolume = Annotated[float, Field(gt=0, le=100)]


class Zipf(Strict):
    dist: Literal["zipf"]
    a: Annotated[float, Field(ge=0, le=10)] = Field(description="exponent; 0 is uniform")


class Category(Strict):
    """A product category: its share of the SKUs and what happens to its returns.

    SKUs are spread over the categories by popularity rank with a golden-ratio
    sequence, so each category holds popular and rare SKUs in its share.
    """

    name: Name
    share: Annotated[float, Field(gt=0, le=1)] = Field(description="share of the SKUs")
    return_factor: Annotated[float, Field(ge=0, le=100)] = Field(
        default=1.0,
        description="multiplies the channel's return_rate for this category's "
        "lines; an order is returned with the channel's rate times the mean factor of its "
        "lines (at most 1)",
    )
    resellable: Probability = Field(
        default=1.0,
        description="share of returned units that go back on the shelf; the "
        "rest are written off (opened cosmetics, baby formula)",
    )
    weight_kg: UnitWeight | None = Field(
        default=None,
        description="shipping weight of one packed unit, kg (freight and postage are "
        "priced by weight); none: the catalogue's weight_kg",
    )
    volume_m3: UnitVolume | None = Field(
        default=None,
        description="shipping volume of one packed unit, m3 (container fill and storage "
        "per m3 are priced by volume); none: the catalogue's volume_m3",
    )


class Catalogue(Strict):
    """The SKU catalogue: how many, how popular, what they cost, basket size."""

    skus: Annotated[PositiveInt, at_most(MAX_SKUS, "SKUs in one catalogue")]
    popularity: Zipf = Zipf(dist="zipf", a=1.1)
    price_cny: NumberDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 180.0, "cv": 0.9},
        description="retail price per unit before tax, CNY",
    )
    items_per_order: Annotated[float, Field(ge=1, le=50)] = Field(
        default=1.6, description="mean lines per order; lines = 1 + Poisson(mean - 1)"
    )
    weight_kg: UnitWeight = Field(
        default=0.5,
        description="shipping weight of one packed unit of a SKU whose category sets "
        "none, kg; assumption (a cosmetics or health item is 0.2-1 kg packed)",
    )
    volume_m3: UnitVolume = Field(
        default=0.005,
        description="shipping volume of one packed unit of a SKU whose category sets "
        "none, m3; assumption (a 25 x 20 x 10 cm box)",
    )
    categories: list[Category] = Field(
        default_factory=list,
        description="product categories; none: one category, every return resold",
    )

    @model_validator(mode="after")
    def _categories(self) -> Catalogue:
        names = [c.name for c in self.categories]
        if len(set(names)) != len(names):
            raise ValueError(f"category names must be unique (got {names})")
        total = sum(c.share for c in self.categories)
        if self.categories and abs(total - 1.0) > 1e-6:
            raise ValueError(f"the shares of categories must add up to 1 (got {total:.6g})")
        return self

    def sku_categories(self) -> list[int]:
        """The category index of each SKU (0-based by popularity rank); all 0 without
        categories."""
        if not self.categories:
            return [0] * self.skus
        bounds = list(itertools.accumulate(c.share for c in self.categories))
        golden = (math.sqrt(5.0) - 1.0) / 2.0
        last = len(bounds) - 1
        return [
            min(bisect.bisect_right(bounds, (k * golden) % 1.0), last) for k in range(self.skus)
        ]
