"""The closing table of an export experiment: each channel before and after a policy shock.

An export experiment (``experiments/export_policy_shock.toml``) crosses export networks
(channels) with the instant the rules are judged at (``trade.as_of``, the policy: its
earliest value is *before*, its latest *after*) and, optionally, demand. For every
network and demand level this module gives, per KPI of the ``trade`` group (name
``all``), the mean and 95% CI half-width before and after, and the paired difference
after - before (replication r against replication r: the same shoppers) with its CI.
It reads the experiment folder's tables only; it must not run anything.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from .summary import paired_against, summarise

POLICY = "trade.as_of"
DEMAND = "market.demand"
#: The closing table's KPIs (group ``trade``, name ``all``) and how the table shows them.
CLOSING_KPIS: dict[str, str] = {
    "landed_cost_per_order": "landed cost per order (CNY)",
    "landed_cost_per_order_mkt": "landed cost per order (market currency)",
    "border_charges_per_order": "duty and fees per order (CNY)",
    "lead_time_p50": "delivery time p50 (days)",
    "lead_time_p90": "delivery time p90 (days)",
    "stock_abroad_cny": "stock abroad (CNY at cost)",
    "profit_per_order": "profit per order (CNY)",
}
_DAYS = ("lead_time_p50", "lead_time_p90")


def _unquote(value: Any) -> str:
    text = str(value)
    try:
        loaded = json.loads(text)
    except ValueError:
        return text
    return str(loaded)


def variant_frame(variants: pd.DataFrame) -> pd.DataFrame:
    """Per variant: its network (scenario name), policy instant and demand factor."""
    if POLICY not in variants:
        raise ValueError(f"not an export policy experiment: no factor {POLICY!r}")
    out = pd.DataFrame({"variant": variants["variant"], "network": variants["scenario"]})
    out["policy"] = variants[POLICY].map(_unquote)
    out["demand"] = variants[DEMAND].astype(float) if DEMAND in variants else 1.0
    return out


def closing_table(runs: pd.DataFrame, variants: pd.DataFrame) -> pd.DataFrame:
    """One row per network, demand level and KPI: before, after and after - before."""
    frame = variant_frame(variants)
    first, last = min(frame["policy"]), max(frame["policy"])
    wanted = runs[
        (runs["group"] == "trade") & (runs["name"] == "all") & runs["kpi"].isin(CLOSING_KPIS)
    ]
    stats = summarise(wanted).set_index(["variant", "kpi"])
    rows = []
    for (network, demand), block in frame.groupby(["network", "demand"], sort=False):
        before = block.loc[block["policy"] == first, "variant"]
        after = block.loc[block["policy"] == last, "variant"]
        if before.empty or after.empty:
            continue
        b, a = str(before.iloc[0]), str(after.iloc[0])
        diffs = paired_against(wanted, {a: b}).set_index("kpi")
        for kpi in CLOSING_KPIS:
            if (b, kpi) not in stats.index or (a, kpi) not in stats.index:
                continue
            scale = 1.0 / 1440.0 if kpi in _DAYS else 1.0
            row = {"network": network, "demand": demand, "kpi": kpi}
            for side, variant in (("before", b), ("after", a)):
                hit = stats.loc[(variant, kpi)]
                row[f"{side}_mean"] = float(hit["mean"]) * scale
                row[f"{side}_ci"] = float(hit["ci_half_width"]) * scale
            diff = diffs.loc[kpi] if kpi in diffs.index else None
            for key, col in (
                ("diff_mean", "mean_diff"),
                ("diff_low", "ci_low"),
                ("diff_high", "ci_high"),
            ):
                row[key] = float(diff[col]) * scale if diff is not None else np.nan
            rows.append(row)
    table = pd.DataFrame(rows)
    if not table.empty:
        table.insert(3, "policy_before", first)
        table.insert(4, "policy_after", last)
    return table


def _cell(mean: float, half: float) -> str:
    return f"{mean:,.2f} ± {half:,.2f}" if np.isfinite(half) else f"{mean:,.2f}"


def closing_markdown(table: pd.DataFrame) -> str:
    """The closing table as Markdown, one section per demand level."""
    if table.empty:
        return "No export policy comparison in this experiment.\n"
    first, last = table["policy_before"].iloc[0], table["policy_after"].iloc[0]
    lines = [
        "# Export channels before and after the policy shock",
        "",
        f"Rules judged at {first} (before) and {last} (after); the same shoppers in both "
        "(common random numbers). Mean ± 95% CI half-width over replications; the "
        "difference is paired (after − before), with its 95% CI.",
    ]
    for demand, block in table.groupby("demand", sort=True):
        lines += ["", f"## Demand × {demand:g}", ""]
        lines += [
            "| channel | KPI | before | after | after − before [95% CI] |",
            "|---|---|---|---|---|",
        ]
        for _, r in block.iterrows():
            diff = f"{r['diff_mean']:+,.2f} [{r['diff_low']:+,.2f}, {r['diff_high']:+,.2f}]"
            lines.append(
                f"| {r['network']} | {CLOSING_KPIS[r['kpi']]} | "
                f"{_cell(r['before_mean'], r['before_ci'])} | "
                f"{_cell(r['after_mean'], r['after_ci'])} | {diff} |"
            )
    return "\n".join(lines) + "\n"
