"""Builders for stripped-down scenarios: each sub-model is a textbook queue (docs/validation.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import stats

from o2osim.validation import textbook_scenario as stripped

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "configs" / "wenzhou_baseline.toml"

__all__ = ["BASELINE", "ROOT", "confidence_interval", "stripped"]


def confidence_interval(values: list[float] | np.ndarray, level: float = 0.99) -> tuple:
    """Student-t confidence interval of the mean of independent replications."""
    data = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + level / 2, len(data) - 1) * data.std(ddof=1) / np.sqrt(len(data))
    return data.mean() - half, data.mean() + half
