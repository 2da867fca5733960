"""Charts and a Markdown report for an experiment folder (rebuilt from its tables).

Reads only what :mod:`o2osim.runner` wrote (runs.parquet, summary.csv,
differences.csv, lead_times.parquet, experiment.json), so ``o2osim report``
can redraw a finished or resumed experiment without running anything.

KPI values may be NaN (undefined: a variant with no orders) or infinite (a
break-even that is never reached); such values are shown as a dash and left off
the charts, and a chart that still fails is skipped with a warning so the
report and the tables are written anyway.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .chartkit import note_empty, save_charts
from .results import write_atomic
from .scenario import ScenarioError

T = TypeVar("T")

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
        means = data["mean"].to_numpy(dtype=float)
        shown = np.isfinite(means)
        # Undefined (NaN) or unbounded (inf) means get no bar, but keep their row.
        errors = np.nan_to_num(data["ci_half_width"].to_numpy(dtype=float), nan=0.0,
                               posinf=0.0, neginf=0.0)
        ax.barh(data["label"], np.where(shown, means, 0.0), xerr=np.where(shown, errors, 0.0),
                color="C0", alpha=0.8, capsize=4, ecolor="k")
        for y, mean in enumerate(means):
            if not np.isfinite(mean):
                ax.annotate(" no value" if np.isnan(mean) else f" {_fmt(mean)}", (0, y),
                            va="center", fontsize=8, color="grey")
        unit = str(data["unit"].iloc[0])
        means = means[shown]
        if len(means) and (means > 0).all() and means.max() / means.min() >= 100:
            # Lead times from minutes (instant delivery) to weeks (direct mail) on one axis.
            ax.set_xscale("log")
            unit += ", log scale"
        ax.set_title(f"{key}  [{unit}]", fontsize=10)
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    if not keys:
        note_empty(axes.flat[0], "none of the report KPIs was computed in these runs")
    fig.suptitle("KPIs per variant: mean and 95% CI over replications")
    fig.tight_layout()
    return fig


def lead_time_chart(leads: pd.DataFrame, labels: dict[str, str]) -> Figure:
    """Lead-time distribution per variant: quantiles averaged over replications."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    data = leads[leads["channel"] == "all"]
    averaged = data.groupby(["variant", "quantile"])["lead_time_min"].mean().reset_index()
    # A log axis holds only positive finite times; a variant with no completed order has none.
    averaged = averaged[np.isfinite(averaged["lead_time_min"]) & (averaged["lead_time_min"] > 0)]
    for index, (variant, group) in enumerate(averaged.groupby("variant")):
        ax.plot(group["lead_time_min"] / 60.0, group["quantile"], color=f"C{index % 10}",
                label=labels.get(variant, variant))
    if averaged.empty:
        note_empty(ax, "no order delivered or collected after the warm-up")
    else:
        ax.set_xscale("log")
        ax.legend(frameon=False, fontsize=8)
    ax.set_xlabel("lead time, order placed to delivered/collected (hours, log scale)")
    ax.set_ylabel("share of orders (cumulative)")
    ax.set_title("Lead-time distribution per variant (quantiles averaged over replications)")
    ax.grid(alpha=0.3)
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
    merged = merged[np.isfinite(merged["mean_x"]) & np.isfinite(merged["mean_y"])]
    if merged.empty:
        return None  # no variant has both values: nothing to place
    merged = merged.assign(**{c: merged[c].fillna(0.0) for c in
                              ("ci_half_width_x", "ci_half_width_y")})
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
    table = table.replace([np.inf, -np.inf], np.nan)
    table = table.loc[:, table.sum() > 0]
    if table.empty:
        return None  # no variant completed an order: no cost per order
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
    table = data.pivot_table(index=first, columns=second, values="mean", aggfunc="mean",
                             dropna=False)
    table = table.replace([np.inf, -np.inf], np.nan)
    if table.empty:
        return None
    fig, ax = plt.subplots(figsize=(7, 5))
    image = ax.imshow(table.to_numpy(), cmap="viridis", aspect="auto", origin="lower")
    ax.set_xticks(range(len(table.columns)), [str(c) for c in table.columns])
    ax.set_yticks(range(len(table.index)), [str(i) for i in table.index])
    ax.set_xlabel(second)
    ax.set_ylabel(first)
    for (i, j), value in np.ndenumerate(table.to_numpy()):
        ax.text(j, i, _fmt(value), ha="center", va="center", color="w", fontsize=8)
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
    if np.isnan(value):
        return "–"  # undefined, e.g. a rate over no orders
    if np.isinf(value):
        return "∞" if value > 0 else "-∞"  # e.g. a break-even never reached
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def write_report(folder: str | Path) -> Path:
    """Draw the charts and write report.md into an experiment folder; return the report."""
    folder = Path(folder)
    info = _read(folder / "experiment.json", lambda p: json.loads(p.read_text()))
    summary = _read(folder / "summary.csv", pd.read_csv)
    diffs = _read(folder / "differences.csv", pd.read_csv)
    variants = _read(folder / "variants.csv", pd.read_csv)
    labels = dict(zip(variants["variant"], variants["label"], strict=True))
    spec = _experiment_spec(folder)
    keys = spec.get("report_kpis") or ["overall/all/lead_time_mean", "overall/all/on_time_rate"]
    _check_keys(keys, folder / "experiment.toml")
    factors = [c for c in variants.columns if c not in ("variant", "label", "scenario", "layout")]
    charts_dir = folder / "charts"
    charts_dir.mkdir(exist_ok=True)
    makers: dict[str, Callable[[], Figure | None]] = {
        "kpi_bars.png": lambda: kpi_bars_chart(summary, keys),
        "cost_vs_service.png": lambda: versus_service_chart(
            summary, COST_KPI, "cost per completed order (CNY, purchase cost excluded)",
            "Cost vs service per variant (95% CIs)"),
        "cost_breakdown.png": lambda: cost_breakdown_chart(summary),
        "margin_vs_service.png": lambda: versus_service_chart(
            summary, "profit_per_order", "profit per completed order (CNY)",
            "Margin vs service per variant (95% CIs)"),
        "heatmap.png": lambda: heatmap_chart(summary, variants, factors, keys[0]),
    }
    if (folder / "lead_times.parquet").exists():
        makers["lead_time_distribution.png"] = lambda: lead_time_chart(
            pd.read_parquet(folder / "lead_times.parquet"), labels)
    saved = save_charts(charts_dir, makers, write=lambda path, fig: write_atomic(
        path, lambda p: fig.savefig(p, dpi=110, format="png")))
    drawn = saved.drawn
    for name in set(makers) - set(drawn):
        # A chart from an earlier report that is not drawn now would be stale.
        (charts_dir / name).unlink(missing_ok=True)

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
    missing = [key for key in keys if _rows(summary, key).empty]
    if missing:
        lines += ["_Not in these runs' results: " + ", ".join(f"`{k}`" for k in missing)
                  + " (no run produced them, e.g. no order was completed)._", ""]
    diff_rows = []
    for key in keys:
        group, name, kpi = _split(key)
        hit = diffs[(diffs["group"] == group) & (diffs["name"] == name) & (diffs["kpi"] == kpi)]
        for row in hit.itertuples():
            significant = ("–" if np.isnan(row.ci_low) or np.isnan(row.ci_high) else
                           "yes" if row.ci_low > 0 or row.ci_high < 0 else "no")
            diff_rows.append({"kpi": key, "variant": row.label,
                              "difference": _fmt(row.mean_diff), "± CI": _fmt(row.ci_half_width),
                              "CI excludes 0": significant})
    if diff_rows:
        lines += ["## Paired differences against the baseline", "",
                  _markdown_table(pd.DataFrame(diff_rows)), ""]
    lines += ["## Charts", ""]
    lines += [f"![{name}](charts/{name})" for name in drawn]
    if "cost_vs_service.png" not in drawn and "cost_vs_service.png" not in saved.skipped:
        lines += ["", "_Cost vs service is not drawn: these runs carry no "
                  f"`{COST_KPI}` KPI._"]
    for name, reason in saved.skipped.items():
        lines += ["", f"_Chart `{name}` could not be drawn ({reason})._"]
    report = folder / "report.md"
    write_atomic(report, lambda p: p.write_text("\n".join(lines) + "\n", encoding="utf-8"))
    return report


def _experiment_spec(folder: Path) -> dict:
    import tomllib

    path = folder / "experiment.toml"
    if not path.exists():
        return {}
    spec = _read(path, lambda p: tomllib.loads(p.read_text(encoding="utf-8")))
    meta = spec.get("experiment", {})
    return meta if isinstance(meta, dict) else {}


def _read(path: Path, read: Callable[[Path], T]) -> T:
    """Read one file of the folder, or say in one line which and why it cannot be read."""
    try:
        return read(path)
    except FileNotFoundError:
        problem = "missing"
    except (OSError, ValueError, UnicodeDecodeError) as exc:  # damaged: truncated, not text
        problem = f"cannot be read ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})"
    raise ScenarioError(f"{path}: {problem}; not a finished experiment folder — run the "
                        "sweep again (--resume finishes it)")


def _check_keys(keys: object, source: Path) -> None:
    """The report KPIs must be a list of group/name/kpi strings (a copy edited by hand)."""
    if not isinstance(keys, list):
        raise ScenarioError(f"{source}: experiment.report_kpis: give a list of "
                            '"group/name/kpi" strings, e.g. ["overall/all/on_time_rate"]')
    for index, key in enumerate(keys):
        if not isinstance(key, str) or len(key.split("/")) != 3:
            raise ScenarioError(f"{source}: experiment.report_kpis[{index}] = {key!r}: write "
                                "group/name/kpi, e.g. 'overall/all/fill_rate'")
