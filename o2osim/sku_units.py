"""The physical size of every SKU id of a scenario: shipping weight (kg) and volume (m3).

SKU ids run over the main catalogue, then the duty-free one's. A SKU takes its
category's value, else its catalogue's. Used by the money (:mod:`o2osim.economics`:
freight and postage by weight; :mod:`o2osim.trade.firstleg`: containers and storage by
volume). Reads the scenario only; this module must not run the model or price anything.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .scenario import Catalogue, Scenario

#: A per-unit size that a catalogue and each of its categories can set.
Size = Literal["weight_kg", "volume_m3"]


def catalogues(scenario: Scenario) -> list[Catalogue]:
    """The catalogues in SKU-id order: the main one, then the duty-free one's ids follow."""
    return [scenario.catalogue] + ([scenario.airport.catalogue] if scenario.airport else [])


def per_sku(scenario: Scenario, size: Size) -> np.ndarray:
    """``size`` of one unit of every SKU id (its category's, else its catalogue's)."""
    parts = []
    for cat in catalogues(scenario):
        default = getattr(cat, size)
        by_category = [getattr(c, size) or default for c in cat.categories] or [default]
        parts.append(np.asarray(by_category, dtype=float)[cat.sku_categories()])
    return np.concatenate(parts)


def sku_weights(scenario: Scenario) -> np.ndarray:
    """Shipping weight of one unit of every SKU id, kg."""
    return per_sku(scenario, "weight_kg")


def sku_volumes(scenario: Scenario) -> np.ndarray:
    """Shipping volume of one unit of every SKU id, m3."""
    return per_sku(scenario, "volume_m3")
