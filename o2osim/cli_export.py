"""``o2osim export-report``: the closing table and charts of an export policy experiment.

    o2osim export-report FOLDER

Reads an experiment folder written by ``o2osim sweep`` of an export experiment (one
with the factor ``trade.as_of``, e.g. ``experiments/export_policy_shock.toml``) and
writes into it, each file atomically: ``export_table.csv`` and ``export_report.md``
(per channel, demand and KPI: before, after and the paired difference, with CIs) and
``charts/export_waterfall.png``, ``charts/export_lead_times.png`` and, if the runs kept
their tables, ``charts/export_stock_abroad.png``. This module only parses arguments,
checks the folder and writes; the numbers are :mod:`o2osim.export_summary`'s.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from .scenario import ScenarioError


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "export-report", help="closing table and charts of an export policy experiment"
    )
    parser.add_argument("folder", help="an experiment folder written by o2osim sweep")


def run(args: argparse.Namespace, out: Console) -> int:
    from matplotlib.figure import Figure

    from .chartkit import save_charts
    from .export_charts import lead_time_cdf, stock_abroad, waterfall
    from .export_summary import POLICY, closing_markdown, closing_table
    from .results import check_experiment_folder, load_results, write_atomic

    folder = Path(args.folder)
    problems = check_experiment_folder(folder) if folder.is_dir() else ["not a folder"]
    if problems:
        raise ScenarioError(f"{args.folder}: not a complete experiment folder ({problems[0]})")
    tables = load_results(folder)
    variants = tables["variants"]
    if POLICY not in variants:
        raise ScenarioError(
            f"{args.folder}: not an export policy experiment: it has no factor {POLICY!r} "
            "(see experiments/export_policy_shock.toml)"
        )
    table = closing_table(tables["runs"], variants)
    write_atomic(folder / "export_table.csv", lambda p: table.to_csv(p, index=False))
    text = closing_markdown(table)
    write_atomic(folder / "export_report.md", lambda p: p.write_text(text, encoding="utf-8"))
    charts = folder / "charts"
    charts.mkdir(exist_ok=True)
    leads = tables.get("lead_times")

    def lead_times() -> Figure | None:
        return None if leads is None else lead_time_cdf(leads, variants)

    saved = save_charts(
        charts,
        {
            "export_waterfall.png": lambda: waterfall(tables["runs"], variants),
            "export_lead_times.png": lambda: (
                None if leads is None else lead_time_cdf(leads, variants)
            ),
            "export_stock_abroad.png": lambda: stock_abroad(folder, variants),
        },
        write=lambda path, fig: write_atomic(path, lambda p: fig.savefig(p, dpi=110, format="png")),
    )
    out.print(f"{folder / 'export_report.md'}, export_table.csv; charts: {', '.join(saved.drawn)}")
    return 0
