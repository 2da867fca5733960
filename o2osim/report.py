"""``o2osim report``: rebuild what a results folder can rebuild from its own tables.

- An experiment folder gets its charts and ``report.md``, from what
  :mod:`o2osim.runner` wrote (runs.parquet, summary.csv, differences.csv,
  lead_times.parquet, experiment.json), so a finished or resumed experiment is
  redrawn without running anything.
- A run folder gets its ``kpis.csv`` computed again from its tables and
  ``scenario.toml`` (:func:`rebuild_run_kpis`); the same tables give the same bytes.

Roles: :mod:`o2osim.plots` draws one run's charts when it is saved,
:mod:`o2osim.experiment_charts` draws an experiment's (this module picks and
saves them), :mod:`o2osim.chartkit` keeps a failing chart from costing results,
and :mod:`o2osim.results` writes and checks folders. This module never runs the
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

from .chartkit import save_charts
from .experiment_charts import (
    COST_KPI,
    cost_breakdown_chart,
    fmt,
    heatmap_chart,
    kpi_bars_chart,
    kpi_rows,
    lead_time_distribution_chart,
    split_key,
    versus_service_chart,
)
from .results import write_atomic
from .scenario import ScenarioError

T = TypeVar("T")


def _markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    lines = ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *lines])


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
            summary,
            COST_KPI,
            "cost per completed order (CNY, purchase cost excluded)",
            "Cost vs service per variant (95% CIs)",
        ),
        "cost_breakdown.png": lambda: cost_breakdown_chart(summary),
        "margin_vs_service.png": lambda: versus_service_chart(
            summary,
            "profit_per_order",
            "profit per completed order (CNY)",
            "Margin vs service per variant (95% CIs)",
        ),
        "heatmap.png": lambda: heatmap_chart(summary, variants, factors, keys[0]),
    }
    if (folder / "lead_times.parquet").exists():
        makers["lead_time_distribution.png"] = lambda: lead_time_distribution_chart(
            pd.read_parquet(folder / "lead_times.parquet"), labels
        )
    saved = save_charts(
        charts_dir,
        makers,
        write=lambda path, fig: write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png")),
    )
    drawn = saved.drawn
    for name in set(makers) - set(drawn):
        # A chart from an earlier report that is not drawn now would be stale.
        (charts_dir / name).unlink(missing_ok=True)

    lines = [f"# Experiment `{info['name']}`", ""]
    if spec.get("description"):
        lines += [spec["description"], ""]
    lines += [
        f"{info['replications']} replications per variant, common random numbers "
        f"(replication r uses the same seed in every variant); o2osim "
        f"{info['o2osim_version']}. Baseline for paired differences: "
        f"`{labels.get(info['baseline'], info['baseline'])}`.",
        "",
        "## Variants",
        "",
        _markdown_table(variants),
        "",
        "## KPIs (mean ± 95% CI half-width)",
        "",
    ]
    rows = []
    for key in keys:
        for row in kpi_rows(summary, key).itertuples():
            rows.append(
                {
                    "kpi": key,
                    "variant": row.label,
                    "mean": fmt(row.mean),
                    "± CI": fmt(row.ci_half_width),
                    "unit": row.unit,
                }
            )
    if rows:
        lines += [_markdown_table(pd.DataFrame(rows)), ""]
    missing = [key for key in keys if kpi_rows(summary, key).empty]
    if missing:
        lines += [
            "_Not in these runs' results: "
            + ", ".join(f"`{k}`" for k in missing)
            + " (no run produced them, e.g. no order was completed)._",
            "",
        ]
    diff_rows = []
    for key in keys:
        group, name, kpi = split_key(key)
        hit = diffs[(diffs["group"] == group) & (diffs["name"] == name) & (diffs["kpi"] == kpi)]
        for row in hit.itertuples():
            significant = (
                "–"
                if np.isnan(row.ci_low) or np.isnan(row.ci_high)
                else "yes"
                if row.ci_low > 0 or row.ci_high < 0
                else "no"
            )
            diff_rows.append(
                {
                    "kpi": key,
                    "variant": row.label,
                    "difference": fmt(row.mean_diff),
                    "± CI": fmt(row.ci_half_width),
                    "CI excludes 0": significant,
                }
            )
    if diff_rows:
        lines += [
            "## Paired differences against the baseline",
            "",
            _markdown_table(pd.DataFrame(diff_rows)),
            "",
        ]
    lines += ["## Charts", ""]
    lines += [f"![{name}](charts/{name})" for name in drawn]
    if "cost_vs_service.png" not in drawn and "cost_vs_service.png" not in saved.skipped:
        lines += ["", f"_Cost vs service is not drawn: these runs carry no `{COST_KPI}` KPI._"]
    for name, reason in saved.skipped.items():
        lines += ["", f"_Chart `{name}` could not be drawn ({reason})._"]
    report = folder / "report.md"
    write_atomic(report, lambda p: p.write_text("\n".join(lines) + "\n", encoding="utf-8"))
    return report


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
