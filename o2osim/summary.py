"""Replication statistics: means, 95% confidence intervals and paired differences.

Input is the long table of KPI values, one row per (variant, replication,
group, name, kpi). Confidence intervals are Student-t over independent
replications; paired differences use the same replication index in both
variants, which common random numbers make much tighter than two separate CIs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

KEYS = ["group", "name", "kpi", "unit"]
DIFF_COLUMNS = [
    "variant",
    "baseline",
    *KEYS,
    "n",
    "mean_diff",
    "std_diff",
    "ci_half_width",
    "ci_low",
    "ci_high",
]


def t_half_width(std: np.ndarray | float, n: np.ndarray | int, level: float = 0.95) -> np.ndarray:
    """Half-width of the Student-t confidence interval of a mean."""
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        quantile = stats.t.ppf(0.5 + level / 2.0, n_arr - 1.0)
        return quantile * np.asarray(std, dtype=float) / np.sqrt(n_arr)


def summarise(runs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean, standard deviation and CI half-width per variant and KPI."""
    grouped = runs.groupby(["variant", *KEYS], observed=True, sort=True)["value"]
    table = grouped.agg(n="count", mean="mean", std="std").reset_index()
    table["ci_half_width"] = t_half_width(table["std"].fillna(0.0), table["n"], level)
    table["ci_low"] = table["mean"] - table["ci_half_width"]
    table["ci_high"] = table["mean"] + table["ci_half_width"]
    return table


def paired_differences(runs: pd.DataFrame, baseline: str, level: float = 0.95) -> pd.DataFrame:
    """Per KPI and variant: mean of (variant - baseline) over shared replications, with CI."""
    wide = runs.pivot_table(
        index=[*KEYS, "replication"], columns="variant", values="value", observed=True
    )
    if baseline not in wide.columns:
        return pd.DataFrame(columns=DIFF_COLUMNS)
    frames = []
    for variant in wide.columns:
        if variant == baseline:
            continue
        diff = (wide[variant] - wide[baseline]).dropna()
        grouped = diff.groupby(level=KEYS, observed=True)
        table = grouped.agg(["count", "mean", "std"]).reset_index()
        table.columns = [*KEYS, "n", "mean_diff", "std_diff"]
        table.insert(0, "variant", variant)
        frames.append(table)
    if not frames:
        return pd.DataFrame(columns=DIFF_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["ci_half_width"] = t_half_width(out["std_diff"].fillna(0.0), out["n"], level)
    out["ci_low"] = out["mean_diff"] - out["ci_half_width"]
    out["ci_high"] = out["mean_diff"] + out["ci_half_width"]
    out.insert(1, "baseline", baseline)
    return out
