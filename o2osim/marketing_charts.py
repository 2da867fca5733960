"""The chart of a run with ``[marketing]``: CAC against LTV for each campaign.

Reads the ``marketing`` rows of the KPI table only (:mod:`o2osim.kpis.marketing`) and
returns a Figure; :func:`o2osim.plots.save_run_charts` saves it as ``ltv_cac.png``. It
computes nothing the KPI table does not hold and writes no file itself.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .scenario import Scenario


def ltv_cac_chart(kpis: pd.DataFrame, scenario: Scenario) -> Figure | None:
    """Per campaign (segment.channel): CAC and LTV side by side (CNY per customer), with
    LTV/CAC written above; None when the run has no marketing rows."""
    rows = kpis[kpis["group"] == "marketing"]
    if rows.empty:
        return None
    table = rows.pivot_table(index="name", columns="kpi", values="value", sort=False)
    names = [n for n in table.index if n != "all"] + ["all"]
    table = table.reindex(names)
    cac = table.get("cac_cny", pd.Series(np.nan, index=names)).to_numpy(dtype=float)
    ltv = table.get("ltv_cny", pd.Series(np.nan, index=names)).to_numpy(dtype=float)
    ratio = table.get("ltv_over_cac", pd.Series(np.nan, index=names)).to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(names) + 2), 4.5))
    x = np.arange(len(names))
    ax.bar(x - 0.2, np.nan_to_num(cac), 0.4, label="CAC (spend / acquired customer)")
    ax.bar(x + 0.2, np.nan_to_num(ltv), 0.4, label="LTV (discounted margin in the window)")
    for i, value in enumerate(ratio):
        top = np.nanmax([cac[i], ltv[i], 0.0])
        text = f"LTV/CAC {value:.2f}" if np.isfinite(value) else "LTV/CAC n/a"
        ax.annotate(text, (x[i], top), ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, names, rotation=15, ha="right")
    ax.set_ylabel("CNY per acquired customer")
    ax.set_title(f"{scenario.scenario.name}: customer acquisition cost and lifetime value")
    ax.margins(y=0.35)  # room above the bars for the ratios and the legend
    ax.legend(loc="upper left", ncol=2, fontsize=8)
    fig.tight_layout()
    return fig
