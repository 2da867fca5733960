"""How ``bench_throughput.py`` reports: the measurements collected and their tables.

Formatting only: this module must not run or time anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table


@dataclass
class Report:
    meta: dict[str, Any] = field(default_factory=dict)
    baseline: dict[str, Any] | None = None
    tandem: dict[str, Any] | None = None


def print_report(report: Report, console: Console) -> None:
    """The two measurements as tables, then the ratio and the sanity checks."""
    if report.baseline is not None:
        b = report.baseline
        table = Table(
            title=f"(a) baseline {b['scenario']}",
            title_justify="left",
            caption=f"{b['orders']:,} orders in {b['horizon_min'] / 1440:g} days, "
            f"best of {report.meta['repeat']}",
            caption_justify="left",
        )
        table.add_column("what")
        table.add_column("wall s", justify="right")
        table.add_column("orders / s", justify="right")
        table.add_row(
            "simulation (World + run)", f"{b['sim_s']:.2f}", f"{b['orders_per_s_sim']:,.0f}"
        )
        table.add_row("tables + KPIs (difference)", f"{b['tables_kpis_s']:.2f}", "")
        table.add_row(
            "o2osim.simulate() total", f"{b['total_s']:.2f}", f"{b['orders_per_s_total']:,.0f}"
        )
        console.print(table)
        console.print(
            f"  {b['events']:,} events, {b['events_per_s_sim']:,.0f} events/s in the simulation"
        )
    if report.tandem is not None:
        t = report.tandem
        o, s = t["o2osim"], t["simpy"]
        table = Table(
            title="(b) tandem pick(4) -> pack(2) -> couriers(8), rho 0.75",
            title_justify="left",
            caption=f"{t['orders_target']:,} orders expected in "
            f"{t['horizon_min'] / 1440:.1f} days, best of "
            f"{report.meta['repeat']}",
            caption_justify="left",
        )
        table.add_column("model")
        table.add_column("wall s", justify="right")
        table.add_column("orders / s", justify="right")
        table.add_column("placed", justify="right")
        table.add_column("completed", justify="right")
        table.add_column("mean sojourn min", justify="right")
        table.add_row(
            "o2osim (World + run)",
            f"{o['sim_s']:.2f}",
            f"{o['orders_per_s_sim']:,.0f}",
            f"{o['placed']:,}",
            f"{o['completed']:,}",
            f"{o['mean_sojourn_min']:.4f}",
        )
        table.add_row("  + tables + KPIs", f"{o['tables_kpis_s']:.2f}", "", "", "", "")
        table.add_row(
            "idiomatic SimPy",
            f"{s['sim_s']:.2f}",
            f"{s['orders_per_s_sim']:,.0f}",
            f"{s['placed']:,}",
            f"{s['completed']:,}",
            f"{s['mean_sojourn_min']:.4f}",
        )
        console.print(table)
        verdict = "[green]meets" if t["meets_goal"] else "[red]misses"
        console.print(
            f"  ratio o2osim / SimPy = [bold]{t['ratio']:.3f}[/bold] "
            f"({verdict} the goal <= {t['goal_ratio']}[/]); "
            f"with tables + KPIs {t['ratio_with_tables']:.3f}"
        )
        console.print(
            f"  sanity: completed differ by {t['completed_diff_pct']:+.2f} %, "
            f"mean sojourn by {t['mean_sojourn_diff_pct']:+.2f} % (should be a few % at most)"
        )
