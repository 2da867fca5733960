"""Derived KPIs a constraint may need that ``kpis.csv`` does not hold: wait tails.

``resource/NAME/wait_over`` with ``over = "2min"`` is the share of the orders that
joined resource NAME's queue after the warm-up and before the horizon whose wait
was longer than 2 minutes: the estimate of P(W > 2 min). The existing
``resource/NAME/share_waited`` is P(W > 0) and ``p95_wait`` is the 95th
percentile (P(W > 2 min) <= 5% is the same statement as p95 <= 2 min for the
run's waits, but a mean of per-run shares estimates the probability directly and
its confidence interval is the constraint's). The waits are those of
:func:`o2osim.kpis.resources.queue_kpis`, from the same stamps.

Not registered as a KPI family: a family's rows go into every run's ``kpis.csv``,
which must stay byte-identical for the bundled scenarios; these rows exist only in
the runs of an optimisation that asks for them. This module only reads tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..kpis import wait_stamps
from ..scenario import Scenario
from ..units import parse_duration


def wait_over(scenario: Scenario, orders: pd.DataFrame, resource: str, over: str) -> float:
    """Share of ``resource``'s counted waits longer than ``over`` (NaN: no waits)."""
    resources = scenario.resources()
    if resource not in resources:
        return float("nan")
    stage, channels = resources[resource]
    stamps = wait_stamps(resource, stage)
    if stamps is None:
        return float("nan")
    served = orders[orders["channel"].isin(channels)]
    t_in = served[stamps[0]].to_numpy(dtype=float)
    t_start = served[stamps[1]].to_numpy(dtype=float)
    meta = scenario.scenario
    mask = (t_in >= meta.warmup) & (t_in < meta.horizon) & ~np.isnan(t_start)
    waits = t_start[mask] - t_in[mask]
    return float((waits > parse_duration(over)).mean()) if len(waits) else float("nan")


def tail_rows(
    scenario: Scenario, orders: pd.DataFrame, tails: tuple[tuple[str, str, str], ...]
) -> pd.DataFrame:
    """KPI rows (group, name, kpi, value, unit) of the derived KPIs ``(key, resource, over)``."""
    rows = []
    for key, resource, over in tails:
        group, name, kpi = key.split("/")
        rows.append((group, name, kpi, wait_over(scenario, orders, resource, over), "share"))
    return pd.DataFrame(rows, columns=["group", "name", "kpi", "value", "unit"])
