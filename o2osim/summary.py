"""Replication statistics: means, 95% confidence intervals and paired differences.

Input is the long table of KPI values, one row per (variant, replication,
group, name, kpi). Confidence intervals are Student-t over independent
replications. A paired difference subtracts the baseline's value *of the same
replication* (same seed, so, with common random numbers, the same customers) and
takes the CI of those differences: much tighter than two separate CIs when the
two variants share their randomness, never wider in expectation. A paired ratio
does the same on the log scale (geometric mean of variant / baseline), for KPIs
such as lead times that span orders of magnitude between layouts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

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
RATIO_COLUMNS = ["variant", "baseline", *KEYS, "n", "ratio", "ratio_low", "ratio_high"]


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


def _wide(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (KPI, replication), one column per variant: the pairing table."""
    if runs.empty:
        return pd.DataFrame()
    return runs.pivot_table(
        index=[*KEYS, "replication"], columns="variant", values="value", observed=True
    )


def _pairs_present(wide: pd.DataFrame, pairs: Mapping[str, str]) -> list[tuple[str, str]]:
    return [
        (variant, base)
        for variant, base in pairs.items()
        if variant != base and variant in wide.columns and base in wide.columns
    ]


def paired_against(
    runs: pd.DataFrame, pairs: Mapping[str, str], level: float = 0.95
) -> pd.DataFrame:
    """Per KPI and variant: mean of (variant - its baseline) over the replications both ran,
    replication r against replication r, with its Student-t CI.

    ``pairs`` maps each variant to its baseline (a layout comparison pairs each layout
    with the baseline layout *at the same demand level*).
    """
    out = _paired_stats(runs, pairs, lambda a, b: (a - b).dropna(), "mean_diff", "std_diff")
    if out is None:
        return pd.DataFrame(columns=DIFF_COLUMNS)
    out["ci_half_width"] = t_half_width(out["std_diff"].fillna(0.0), out["n"], level)
    out["ci_low"] = out["mean_diff"] - out["ci_half_width"]
    out["ci_high"] = out["mean_diff"] + out["ci_half_width"]
    return out[DIFF_COLUMNS]


def paired_differences(runs: pd.DataFrame, baseline: str, level: float = 0.95) -> pd.DataFrame:
    """Per KPI and variant: mean of (variant - baseline) over shared replications, with CI."""
    variants = sorted(map(str, runs["variant"].unique())) if "variant" in runs else []
    return paired_against(runs, {v: baseline for v in variants}, level)


def paired_ratios(
    runs: pd.DataFrame, pairs: Mapping[str, str], level: float = 0.95
) -> pd.DataFrame:
    """Per KPI and variant: the geometric mean of variant / baseline over the replications
    both ran (pairs of positive finite values only), with the CI of the paired log ratio."""
    out = _paired_stats(runs, pairs, _finite_log_ratio, "log_mean", "log_std")
    if out is None:
        return pd.DataFrame(columns=RATIO_COLUMNS)
    half = t_half_width(out["log_std"].fillna(0.0), out["n"], level)
    out["ratio"] = np.exp(out["log_mean"])
    out["ratio_low"] = np.exp(out["log_mean"] - half)
    out["ratio_high"] = np.exp(out["log_mean"] + half)
    return out[RATIO_COLUMNS]


def _finite_log_ratio(variant: pd.Series, base: pd.Series) -> pd.Series:
    logs = np.log(variant / base)
    return logs[np.isfinite(logs)]


def _paired_stats(
    runs: pd.DataFrame,
    pairs: Mapping[str, str],
    paired: Callable[[pd.Series, pd.Series], pd.Series],
    mean: str,
    std: str,
) -> pd.DataFrame | None:
    """Count, mean and std per KPI of ``paired(variant, baseline)`` over the replications
    both ran, one block per pair (None: no pair present)."""
    wide = _wide(runs)
    frames = []
    for variant, base in _pairs_present(wide, pairs):
        with np.errstate(invalid="ignore", divide="ignore"):
            values = paired(wide[variant], wide[base])
        table = values.groupby(level=KEYS, observed=True).agg(["count", "mean", "std"])
        table = table.reset_index()
        table.columns = [*KEYS, "n", mean, std]
        table.insert(0, "variant", variant)
        table.insert(1, "baseline", base)
        frames.append(table)
    return pd.concat(frames, ignore_index=True) if frames else None
