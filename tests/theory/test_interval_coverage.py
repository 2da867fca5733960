"""The experiment summary's confidence intervals against Erlang C.

Each summary row's 95% interval for the mean wait should cover the exact Erlang C value
in about 95% of independent experiments: the count of covers is binomial.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from o2osim.api import simulate
from o2osim.summary import summarise
from o2osim.theory import mmc_mean_wait
from o2osim.validation import textbook_scenario


def test_confidence_intervals_cover_erlang_c_about_95_percent():
    # 100 independent experiments of 10 replications of an M/M/2 picking station
    # (lambda = 1/min, mu = 1/min, rho = 0.5). Each experiment's 95% CI for W_q should
    # cover the exact Erlang C value; the count of covers is Binomial(100, 0.95).
    scenario = textbook_scenario(["pick"], 1.0, horizon="1d", warmup="2h", warehouse={"pickers": 2})
    experiments, replications = 100, 10
    rows = []
    for experiment in range(experiments):
        for replication in range(replications):
            seed = 1_000 + experiment * replications + replication
            wait = simulate(scenario, seed=seed).kpi("resource", "pick", "mean_wait")
            rows.append(
                {
                    "variant": f"e{experiment:03d}",
                    "replication": replication,
                    "group": "resource",
                    "name": "pick",
                    "kpi": "mean_wait",
                    "unit": "min",
                    "value": wait,
                }
            )
    summary = summarise(pd.DataFrame(rows))
    exact = mmc_mean_wait(1.0, 1.0, 2)
    covered = int(((summary["ci_low"] <= exact) & (exact <= summary["ci_high"])).sum())
    low, high = stats.binom.ppf([0.0005, 0.9995], experiments, 0.95)
    assert low <= covered <= high, f"{covered}/100 CIs cover W_q = {exact:.4f}"
    assert np.isclose(summary["mean"].mean(), exact, rtol=0.05)
