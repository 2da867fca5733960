"""Charts and a Markdown report for an experiment folder (rebuilt from its tables).

Reads only what :mod:`o2osim.runner` wrote (runs.parquet, summary.csv,
differences.csv, lead_times.parquet, experiment.json), so ``o2osim report``
can redraw a finished or resumed experiment without running anything.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .results import write_atomic

COST_KPI = "cost_per_order"
SERVICE_KPI = "on_time_rate"


def _split(key: str) -> tuple[str, str, str]:
    parts = key.split("/")
    if len(parts) != 3:
        raise ValueError(f"report KPI {key!r} must be group/name/kpi, e.g. overall/all/fill_rate")
    return parts[0], parts[1], parts[2]


def _rows(summary: pd.DataFrame, key: str) -> pd.DataFrame:
    group, name, kpi = _split(key)
    return summary[(summary["group"] == group) & (summary["name"] == name)
                   & (summary["kpi"] == kpi)]


def kpi_bars_chart(summary: pd.DataFrame, keys: list[str]) -> Figure:
    """One panel per KPI: mean per variant with 95% CI whiskers."""
    keys = [k for k in keys if len(_rows(summary, k))]
    cols = min(2, max(len(keys), 1))
    rows = math.ceil(max(len(keys), 1) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6.5 * cols, 3.6 * rows), squeeze=False)
    for ax, key in zip(axes.flat, keys, strict=False):
        data = _rows(summary, key)
        ax.barh(data["label"], data["mean"], xerr=data["ci_half_width"], color="C0",
                alpha=0.8, capsize=4, ecolor="k")
        unit = data["unit"].iloc[0]
        means = data["mean"].to_numpy()
        if (means > 0).all() and means.max() / means.min() >= 100:
            # Lead times from minutes (instant delivery) to weeks (direct mail) on one axis.
            ax.set_xscale("log")
            unit += ", log scale"
        ax.set_title(f"{key}  [{unit}]", fontsize=10)
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.suptitle("KPIs per variant: mean and 95% CI over replications")
    fig.tight_layout()
    return fig


def lead_time_chart(leads: pd.DataFrame, labels: dict[str, str]) -> Figure:
    """Lead-time distribution per variant: quantiles averaged over replications."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    data = leads[leads["channel"] == "all"]
    averaged = data.groupby(["variant", "quantile"])["lead_time_min"].mean().reset_index()
    for index, (variant, group) in enumerate(averaged.groupby("variant")):
        ax.plot(group["lead_time_min"] / 60.0, group["quantile"], color=f"C{index % 10}",
                label=labels.get(variant, variant))
    ax.set_xscale("log")
    ax.set_xlabel("lead time, order placed to delivered/collected (hours, log scale)")
    ax.set_ylabel("share of orders (cumulative)")
    ax.set_title("Lead-time distribution per variant (quantiles averaged over replications)")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def versus_service_chart(summary: pd.DataFrame, kpi: str, ylabel: str,
                         title: str) -> Figure | None:
    """An overall money KPI against the on-time rate, per variant, with 95% CIs."""
    money = summary[(summary["group"] == "overall") & (summary["kpi"] == kpi)]
    service = summary[(summary["group"] == "overall") & (summary["kpi"] == SERVICE_KPI)]
    if money.empty or service.empty:
        return None
    merged = money.merge(service, on=["variant", "label"], suffixes=("_y", "_x"))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.errorbar(merged["mean_x"], merged["mean_y"], xerr=merged["ci_half_width_x"],
                yerr=merged["ci_half_width_y"], fmt="o", capsize=3)
    for row in merged.itertuples():
        ax.annotate(row.label, (row.mean_x, row.mean_y), fontsize=8, xytext=(4, 4),
                    textcoords="offset points")
    ax.set_xlabel("on-time rate")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def cost_breakdown_chart(summary: pd.DataFrame) -> Figure | None:
    """Cost per completed order by type (purchase cost left out), stacked, per variant."""
    rows = summary[(summary["group"] == "overall") & summary["kpi"].str.match(
        r"^cost_(?!cogs)\w+_per_order$")]
    if rows.empty:
        return None
    table = rows.pivot_table(index="label", columns="kpi", values="mean", sort=False)
    table.columns = [c.removeprefix("cost_").removesuffix("_per_order") for c in table.columns]
    table = table.loc[:, table.sum() > 0]
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(table) + 2.5))
    table.plot.barh(stacked=True, ax=ax, colormap="tab20")
    ax.invert_yaxis()
    ax.set_xlabel("CNY per completed order (mean over replications; purchase cost excluded)")
    ax.set_ylabel("")
    ax.set_title("Cost per order by type")
    ax.legend(frameon=False, fontsize=8, ncols=6, loc="upper center",
              bbox_to_anchor=(0.5, -0.18))
    fig.tight_layout()
    return fig


def heatmap_chart(summary: pd.DataFrame, variants: pd.DataFrame, factors: list[str],
                  key: str) -> Figure | None:
    """Mean of one KPI over a two-factor grid."""
    if len(factors) != 2 or not len(_rows(summary, key)):
        return None
    data = _rows(summary, key).merge(variants, on="variant")
    first, second = factors
    table = data.pivot_table(index=first, columns=second, values="mean", aggfunc="mean")
    fig, ax = plt.subplots(figsize=(7, 5))
    image = ax.imshow(table.to_numpy(), cmap="viridis", aspect="auto", origin="lower")
    ax.set_xticks(range(len(table.columns)), [str(c) for c in table.columns])
    ax.set_yticks(range(len(table.index)), [str(i) for i in table.index])
    ax.set_xlabel(second)
    ax.set_ylabel(first)
    for (i, j), value in np.ndenumerate(table.to_numpy()):
        ax.text(j, i, f"{value:.3g}", ha="center", va="center", color="w", fontsize=8)
    fig.colorbar(image, ax=ax, label=key)
    ax.set_title(f"{key} over {first} x {second}")
    fig.tight_layout()
    return fig


def _markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    lines = ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *lines])


def _fmt(value: float) -> str:
    if not np.isfinite(value):
        return "–"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def write_report(folder: str | Path) -> Path:
    """Draw the charts and write report.md into an experiment folder; return the report."""
    folder = Path(folder)
    info = json.loads((folder / "experiment.json").read_text())
    summary = pd.read_csv(folder / "summary.csv")
    diffs = pd.read_csv(folder / "differences.csv")
    variants = pd.read_csv(folder / "variants.csv")
    labels = dict(zip(variants["variant"], variants["label"], strict=True))
    spec = _experiment_spec(folder)
    keys = spec.get("report_kpis") or ["overall/all/lead_time_mean", "overall/all/on_time_rate"]
    factors = [c for c in variants.columns if c not in ("variant", "label", "scenario", "layout")]
    charts_dir = folder / "charts"
    charts_dir.mkdir(exist_ok=True)
    figures: dict[str, Figure | None] = {
        "kpi_bars.png": kpi_bars_chart(summary, keys),
        "cost_vs_service.png": versus_service_chart(
            summary, COST_KPI, "cost per completed order (CNY, purchase cost excluded)",
            "Cost vs service per variant (95% CIs)"),
        "cost_breakdown.png": cost_breakdown_chart(summary),
        "margin_vs_service.png": versus_service_chart(
            summary, "profit_per_order", "profit per completed order (CNY)",
            "Margin vs service per variant (95% CIs)"),
        "heatmap.png": heatmap_chart(summary, variants, factors, keys[0]),
    }
    if (folder / "lead_times.parquet").exists():
        figures["lead_time_distribution.png"] = lead_time_chart(
            pd.read_parquet(folder / "lead_times.parquet"), labels)
    drawn = []
    for name, fig in figures.items():
        if fig is None:
            continue
        write_atomic(charts_dir / name, lambda p, f=fig: f.savefig(p, dpi=110, format="png"))
        plt.close(fig)
        drawn.append(name)

    lines = [f"# Experiment `{info['name']}`", ""]
    if spec.get("description"):
        lines += [spec["description"], ""]
    lines += [f"{info['replications']} replications per variant, common random numbers "
              f"(replication r uses the same seed in every variant); o2osim "
              f"{info['o2osim_version']}. Baseline for paired differences: "
              f"`{labels.get(info['baseline'], info['baseline'])}`.", "",
              "## Variants", "", _markdown_table(variants), "",
              "## KPIs (mean ± 95% CI half-width)", ""]
    rows = []
    for key in keys:
        for row in _rows(summary, key).itertuples():
            rows.append({"kpi": key, "variant": row.label,
                         "mean": _fmt(row.mean), "± CI": _fmt(row.ci_half_width),
                         "unit": row.unit})
    if rows:
        lines += [_markdown_table(pd.DataFrame(rows)), ""]
    diff_rows = []
    for key in keys:
        group, name, kpi = _split(key)
        hit = diffs[(diffs["group"] == group) & (diffs["name"] == name) & (diffs["kpi"] == kpi)]
        for row in hit.itertuples():
            significant = "yes" if row.ci_low > 0 or row.ci_high < 0 else "no"
            diff_rows.append({"kpi": key, "variant": row.label,
                              "difference": _fmt(row.mean_diff), "± CI": _fmt(row.ci_half_width),
                              "CI excludes 0": significant})
    if diff_rows:
        lines += ["## Paired differences against the baseline", "",
                  _markdown_table(pd.DataFrame(diff_rows)), ""]
    lines += ["## Charts", ""]
    lines += [f"![{name}](charts/{name})" for name in drawn]
    if "cost_vs_service.png" not in drawn:
        lines += ["", "_Cost vs service is not drawn: these runs carry no "
                  f"`{COST_KPI}` KPI._"]
    report = folder / "report.md"
    write_atomic(report, lambda p: p.write_text("\n".join(lines) + "\n", encoding="utf-8"))
    return report


def _experiment_spec(folder: Path) -> dict:
    import tomllib

    path = folder / "experiment.toml"
    if not path.exists():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8")).get("experiment", {})
