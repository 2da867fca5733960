"""Builders for stripped-down scenarios: each sub-model is a textbook queue (docs/validation.md)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w
from scipy import stats

from o2osim.validation import textbook_scenario as stripped

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "configs" / "wenzhou_baseline.toml"

__all__ = ["BASELINE", "ROOT", "confidence_interval", "stripped", "write_baseline"]


def exports(network: Path) -> bool:
    """Whether a bundled network file sells abroad (its layout is "export")."""
    data = tomllib.loads(network.read_text(encoding="utf-8"))
    return data.get("network", {}).get("layout") == "export"


def confidence_interval(values: list[float] | np.ndarray, level: float = 0.99) -> tuple:
    """Student-t confidence interval of the mean of independent replications."""
    data = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + level / 2, len(data) - 1) * data.std(ddof=1) / np.sqrt(len(data))
    return data.mean() - half, data.mean() + half


def write_baseline(path: Path, mutate: Callable[[dict[str, Any]], None] | None = None) -> Path:
    """The bundled baseline as TOML at ``path``, first changed in place by ``mutate``."""
    data = tomllib.loads(BASELINE.read_text(encoding="utf-8"))
    if mutate is not None:
        mutate(data)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path
