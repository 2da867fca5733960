"""``o2osim report``: rebuild what a results folder can rebuild from its own tables.

- An experiment folder gets its charts and ``report.md``, from what
  :mod:`o2osim.runner` wrote (runs.parquet, summary.csv, variants.csv,
  lead_times.parquet, experiment.json, the runs' manifests), so a finished or resumed
  experiment is redrawn without running anything. Paired differences are computed here
  from runs.parquet, each variant against the baseline of its condition (the baseline
  layout at the same demand level): differences.csv pairs everything with the one
  baseline variant.
- A run folder gets its ``kpis.csv`` computed again from its tables and
  ``scenario.toml`` (:func:`rebuild_run_kpis`); the same tables give the same bytes.

Roles: :mod:`o2osim.plots` draws one run's charts when it is saved,
:mod:`o2osim.experiment_charts` and :mod:`o2osim.comparison_charts` (paired) draw an
experiment's (this module picks and saves them), :mod:`o2osim.layout_report` reads the
design and computes the comparison, :mod:`o2osim.report_sections` words it,
:mod:`o2osim.chartkit` keeps a failing chart from costing results, and
:mod:`o2osim.results` writes and checks folders. This module never runs the
model and writes only the report, the charts and ``kpis.csv``.

A chart that fails is skipped with a warning, so the report and the tables are
written anyway; KPI values that are NaN or infinite are shown as a dash or ∞.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .chart_pool import save_charts_on
from .chartkit import SavedCharts, duration_unit, palette
from .comparison_charts import (
    differences_chart,
    lead_time_vs_cost_chart,
    profit_vs_demand_chart,
    service_scatter_chart,
)
from .experiment_charts import (
    COST_KPI,
    cost_breakdown_chart,
    fmt,
    heatmap_chart,
    kpi_bars_chart,
    kpi_rows,
    lead_time_distribution_chart,
    split_key,
)
from .glossary import key_label
from .layout_report import (
    NOT_CONDITIONS,
    ON_TIME_TARGET,
    RATIO_KPIS,
    Comparison,
    Design,
    best_layout,
    compare,
    read_design,
    variant_names,
)
from .report_sections import (
    answer,
    best_section,
    cell,
    condition_sections,
    diff_cell,
    held_fixed,
    markdown_table,
    profit_section,
    same_market,
)
from .results import write_atomic
from .scenario import ScenarioError
from .summary import paired_against, paired_ratios

T = TypeVar("T")


def write_report(folder: str | Path, processes: int = 1) -> Path:
    """Draw the charts and write report.md into an experiment folder; return the report.

    ``processes`` > 1 draws the charts on that many processes (where forking is safe)."""
    folder = Path(folder)
    info = _read(folder / "experiment.json", lambda p: json.loads(p.read_text()))
    summary = _read(folder / "summary.csv", pd.read_csv)
    variants = _read(folder / "variants.csv", pd.read_csv)
    runs = _read(folder / "runs.parquet", pd.read_parquet)
    spec = _experiment_spec(folder)
    keys = spec.get("report_kpis") or ["overall/all/lead_time_mean", "overall/all/on_time_rate"]
    _check_keys(keys, folder / "experiment.toml")
    design = read_design(variants, str(info["baseline"]))
    comparison = compare(runs, design)
    names = {  # a run flagged unstable is marked wherever its variant is named
        v: name + (" (unstable)" if comparison.unstable.get(v) else "")
        for v, name in variant_names(design, variants).items()
    }
    mine = runs[_key(runs).isin(keys)] if len(runs) else runs
    diffs = paired_against(mine, design.pairs)
    ratios = paired_ratios(mine[mine["kpi"].isin(RATIO_KPIS)], design.pairs)
    paired = (diffs, ratios)
    saved = _draw(folder, summary, variants, spec, keys, comparison, names, paired, processes)
    target = float(spec.get("on_time_target", ON_TIME_TARGET))
    baseline = names.get(design.baseline, design.baseline)
    lines = [f"# Experiment `{info['name']}`", ""]
    if spec.get("description"):
        lines += [str(spec["description"]), ""]
    lines += [
        f"{info['replications']} replications per variant; o2osim {info['o2osim_version']}. "
        f"Baseline for paired differences: `{baseline}`"
        + (" (its layout at each level)." if design.conditions else "."),
        "",
    ]
    choices = [best_layout(comparison, c, target) for c in design.condition_names]
    if design.axis is not None and choices:
        lines += answer(comparison, choices, runs, same_market(design, spec), target)
    lines += held_fixed(design, spec, info, _calendars(folder), _placed(runs))
    lines += _unstable_lines(comparison, bool(len(runs)) and (runs["kpi"] == "unstable").any())
    if design.axis is not None:
        lines += condition_sections(comparison)
        lines += best_section(comparison, choices, runs, target)
        lines += profit_section(comparison)
    from .optimise.sweep_selection import selection_lines  # [selection]: KN's guarantee

    lines += selection_lines(folder)
    lines += ["## Variants", "", markdown_table(variants), ""]
    lines += _kpi_lines(summary, keys, names)
    lines += _difference_lines(diffs, ratios, keys, names, design)
    lines += ["## Charts", ""]
    lines += [f"![{name}](charts/{name})" for name in saved.drawn]
    if "cost_vs_service.png" not in saved.drawn and "cost_vs_service.png" not in saved.skipped:
        lines += ["", f"_Cost vs service is not drawn: these runs carry no `{COST_KPI}` KPI._"]
    for name, reason in saved.skipped.items():
        lines += ["", f"_Chart `{name}` could not be drawn ({reason})._"]
    report = folder / "report.md"
    write_atomic(report, lambda p: p.write_text("\n".join(lines) + "\n", encoding="utf-8"))
    return report


def _key(runs: pd.DataFrame) -> pd.Series:
    return (
        runs["group"].astype(str) + "/" + runs["name"].astype(str) + "/" + runs["kpi"].astype(str)
    )


def _draw(
    folder: Path,
    summary: pd.DataFrame,
    variants: pd.DataFrame,
    spec: dict,
    keys: list[str],
    comparison: Comparison,
    names: dict[str, str],
    paired: tuple[pd.DataFrame, pd.DataFrame],
    processes: int = 1,
) -> SavedCharts:
    """Draw every chart that applies into charts/; remove stale ones of an earlier report."""
    design = comparison.design
    layout_colours = palette(design.layouts)
    colours = {v: layout_colours[design.layout_of[v]] for v in design.order}
    has = set(comparison.summary["kpi"]) if len(comparison.summary) else set()
    cost = "landed_cost_per_order" if "landed_cost_per_order" in has else COST_KPI
    makers: dict[str, Callable[[], Figure | None]] = {
        "kpi_bars.png": lambda: kpi_bars_chart(summary, keys, names, colours),
        "differences.png": lambda: differences_chart(*paired, design, keys),
        "cost_vs_service.png": lambda: service_scatter_chart(comparison, COST_KPI),
        "cost_breakdown.png": lambda: cost_breakdown_chart(summary, names),
        "margin_vs_service.png": lambda: service_scatter_chart(comparison, "profit_per_order"),
    }
    if design.axis is not None:
        makers["lead_time_vs_cost.png"] = lambda: lead_time_vs_cost_chart(comparison, cost)
        makers["profit_vs_demand.png"] = lambda: profit_vs_demand_chart(comparison)
    factors = [c for c in variants.columns if c not in NOT_CONDITIONS]
    if design.axis is None and spec.get("design", "grid") == "grid":
        makers["heatmap.png"] = lambda: heatmap_chart(summary, variants, factors, keys[0])
    if (folder / "lead_times.parquet").exists():
        panels = {v: design.condition_of[v] for v in design.order}
        makers["lead_time_distribution.png"] = lambda: lead_time_distribution_chart(
            pd.read_parquet(folder / "lead_times.parquet"), names, colours, panels
        )
    charts_dir = folder / "charts"
    charts_dir.mkdir(exist_ok=True)
    saved = save_charts_on(
        processes,
        charts_dir,
        makers,
        write=lambda path, fig: write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png")),
    )
    for stale in charts_dir.glob("*.png"):
        if stale.name not in saved.drawn:  # from an earlier report, not drawn now
            stale.unlink(missing_ok=True)
    return saved


def _unstable_lines(comparison: Comparison, has_flag: bool) -> list[str]:
    lines = ["## Runs flagged unstable", ""]
    if not has_flag:
        return [*lines, "_These runs carry no `unstable` flag._", ""]
    flagged = {v: n for v, n in comparison.unstable.items() if n}
    if not flagged:
        return [*lines, "No run is flagged unstable.", ""]
    design = comparison.design
    rows = [
        {
            "layout": design.layout_of[v],
            "condition": design.condition_of[v] or "–",
            "unstable runs": f"{n} of {comparison.replications.get(v, '?')}",
            "censored": cell(*comparison.stat(v, "censored_share"), "share"),
        }
        for v, n in flagged.items()
    ]
    return [
        *lines,
        "⚠ These variants have runs whose censored share or queue growth says the system "
        "is unstable (orders pile up faster than they are served); their service KPIs "
        "describe a backlog, not a steady state, and they are never chosen as best:",
        "",
        markdown_table(pd.DataFrame(rows)),
        "",
    ]


def _kpi_lines(summary: pd.DataFrame, keys: list[str], names: dict[str, str]) -> list[str]:
    lines = ["## KPIs (mean ± 95% CI half-width)", ""]
    rows = []
    for key in keys:
        for row in kpi_rows(summary, key).itertuples():
            mean, half, unit = fmt(row.mean), fmt(row.ci_half_width), str(row.unit)
            if unit == "min" and np.isfinite(row.mean):  # never "15,571 min"
                scale, unit = duration_unit(row.mean)
                mean, half = fmt(row.mean / scale), fmt(row.ci_half_width / scale)
            rows.append(
                {
                    "measure": _measure(key),
                    "variant": names.get(str(row.variant), str(row.label)),
                    "mean": mean,
                    "± CI": half,
                    "unit": unit,
                }
            )
    if rows:
        lines += [markdown_table(pd.DataFrame(rows)), ""]
    missing = [key for key in keys if kpi_rows(summary, key).empty]
    if missing:
        lines += [
            "_Not in these runs' results: "
            + ", ".join(f"`{k}`" for k in missing)
            + " (no run produced them, e.g. no order was completed)._",
            "",
        ]
    return lines


def _measure(key: str) -> str:
    """A report KPI for people, with the path an experiment file names it by."""
    return f"{key_label(key)} — `{key}`"


def _difference_lines(
    diffs: pd.DataFrame,
    ratios: pd.DataFrame,
    keys: list[str],
    names: dict[str, str],
    design: Design,
) -> list[str]:
    """The report KPIs' paired differences (lead times: ratios) against each baseline."""
    rows = []
    for key in keys:
        group, name, kpi = split_key(key)
        is_ratio = kpi in RATIO_KPIS
        table = ratios if is_ratio else diffs
        if table.empty:
            continue
        hit = table[(table["group"] == group) & (table["name"] == name) & (table["kpi"] == kpi)]
        for row in hit.itertuples():
            low, high = (row.ratio_low, row.ratio_high) if is_ratio else (row.ci_low, row.ci_high)
            middle = row.ratio if is_ratio else row.mean_diff
            edge = 1.0 if is_ratio else 0.0
            rows.append(
                {
                    "measure": _measure(key),
                    "variant": names.get(str(row.variant), str(row.variant)),
                    "against": names.get(str(row.baseline), str(row.baseline)),
                    "paired difference (95% CI)": diff_cell(
                        (middle, low, high),
                        "ratio" if is_ratio else ("share" if row.unit == "share" else "CNY"),
                    ),
                    "CI excludes 0 (ratio: ×1)": (
                        "–"
                        if np.isnan(low) or np.isnan(high)
                        else ("yes" if low > edge or high < edge else "no")
                    ),
                }
            )
    if not rows:
        return []
    return [
        "## Paired differences of the report KPIs",
        "",
        "Replication r against replication r of the baseline"
        + (" at the same level" if design.conditions else "")
        + "; what is held fixed is listed above. Lead times as a ratio (geometric mean).",
        "",
        markdown_table(pd.DataFrame(rows)),
        "",
    ]


def _calendars(folder: Path) -> set[tuple[float, float]]:
    """The (horizon, warm-up) pairs, in minutes, of the experiment's runs."""
    found = set()
    for path in sorted(folder.glob("runs/*/rep-*/manifest.json")):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            found.add((float(manifest["horizon_min"]), float(manifest["warmup_min"])))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a damaged manifest says nothing about the calendar
    return found


def _placed(runs: pd.DataFrame) -> pd.DataFrame:
    """Orders placed (overall), one row per replication, one column per variant."""
    if runs.empty:
        return pd.DataFrame()
    rows = runs[(runs["group"] == "overall") & (runs["kpi"] == "orders_placed")]
    return rows.pivot_table(index="replication", columns="variant", values="value")


@dataclass(frozen=True)
class RunKpis:
    """What :func:`rebuild_run_kpis` did: the file, its rows, and how it compared."""

    path: Path
    rows: int
    #: "unchanged" (same bytes as before), "replaced" (they differed) or "new" (none before).
    status: str


def rebuild_run_kpis(folder: str | Path) -> RunKpis:
    """Compute a run folder's KPIs again from its tables and write ``kpis.csv``.

    Raises :class:`o2osim.api.RunFolderError` (one line per problem) for a damaged folder.
    """
    from .api import load_run
    from .run_folder import write_kpis_csv

    folder = Path(folder)
    kpis = load_run(folder).kpis
    path = folder / "kpis.csv"
    before = path.read_bytes() if path.is_file() else None
    write_atomic(path, lambda p: write_kpis_csv(kpis, p))
    status = (
        "new" if before is None else ("unchanged" if path.read_bytes() == before else "replaced")
    )
    return RunKpis(path, len(kpis), status)


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
    raise ScenarioError(
        f"{path}: {problem}; not a finished experiment folder — run the "
        "sweep again (--resume finishes it)"
    )


def _check_keys(keys: object, source: Path) -> None:
    """The report KPIs must be a list of group/name/kpi strings (a copy edited by hand)."""
    if not isinstance(keys, list):
        raise ScenarioError(
            f"{source}: experiment.report_kpis: give a list of "
            '"group/name/kpi" strings, e.g. ["overall/all/on_time_rate"]'
        )
    for index, key in enumerate(keys):
        if not isinstance(key, str) or len(key.split("/")) != 3:
            raise ScenarioError(
                f"{source}: experiment.report_kpis[{index}] = {key!r}: write "
                "group/name/kpi, e.g. 'overall/all/fill_rate'"
            )
