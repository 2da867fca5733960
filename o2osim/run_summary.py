"""The KPI table printed after ``o2osim run``: a short, readable subset of kpis.csv.

Outcome counts that are zero for the whole run are left out (an airport run has
no ``delivered`` orders, a delivery run no ``collected`` ones), and rows whose
population differs from the overall one say so in a note under the table. This
module only formats; it computes nothing that is not already in the KPI table.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from .glossary import label, shown

# Outcome counts: shown only when non-zero, so a layout shows the fates it has.
OUTCOME_KPIS = ("delivered", "collected", "in_flight", "lost_sale", "balked", "reneged")

SHOWN = {
    "overall": (
        "orders_placed",
        *OUTCOME_KPIS,
        "fill_rate",
        "revenue_cny",
        "censored_share",
        "lead_time_mean",
        "lead_time_p95",
        "on_time_rate",
        "unstable",
        "cost_per_order",
        "profit_per_order",
        "break_even_orders_per_day",
    ),
    "channel": ("censored_share", "on_time_rate", "late_orders", "lateness_p90", "repeat_rate"),
    "resource": (
        "utilisation",
        "mean_wait",
        "p95_wait",
        "orders_per_trip",
        "orders_per_rider_hour",
        "cost_per_delivery",
    ),
    "airport": (
        "orders_per_day",
        "peak_day_orders",
        "collected",
        "missed",
        "staged_on_time_rate",
        "counter_wait_mean",
        "counter_wait_p95",
        "time_at_counter_mean",
        "refund_cny",
    ),
    "service": ("bookings", "load_factor", "denied_per_show", "net_revenue_cny"),
    # The groups below appear only when their scenario table is configured.
    "instant": ("within_promise_share", "beyond_radius_share", "tote_travel_mean"),
    "presale": ("presale_orders", "batch_size_mean", "on_slot_rate", "fee_revenue_cny"),
    "stock_site": ("fill_rate", "units_shipped", "oversells", "transfers_in"),
    "return_path": ("returns", "units_restocked", "reverse_cny"),
    "zone": ("deliveries", "mean_wait", "on_time_rate", "utilisation"),
    "marketing": ("cac_cny", "ltv_cny", "ltv_over_cac", "repeat_customer_share"),
    "seller": ("orders", "fill_rate", "lead_time_mean", "commission_cny", "profit_cny"),
}

AIRPORT_NOTE = (
    "airport rows count orders by flight: every flight that departs after the warm-up, "
    "including orders placed before it, so 'collected' there can exceed the overall count "
    "of orders placed after the warm-up."
)


def number(value: float) -> str:
    """A KPI value for people: thousands separated, 4 significant digits otherwise."""
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _shown(group: str, kpi: str, value: float) -> bool:
    if group == "choice":  # every segment's share of every channel
        return True
    if kpi not in SHOWN.get(group, ()):
        return False
    return not (group == "overall" and kpi in OUTCOME_KPIS and value == 0)


def print_run_summary(out: Console, result: Any, folder: Path) -> None:
    """Print the KPI table of a finished run and where its folder is."""
    kpis = result.kpis
    table = Table(title=f"KPIs after warm-up — {folder}", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("unit")
    table.add_column("in kpis.csv", style="dim")
    airport = False
    for row in kpis.itertuples(index=False):
        if _shown(row.group, row.kpi, float(row.value)):
            # Plain words and readable units (glossary); the key finds the row in kpis.csv.
            value, unit = shown(row.kpi, float(row.value))
            table.add_row(
                label(row.group, row.name, row.kpi),
                number(value),
                unit or row.unit,
                f"{row.group}/{row.name}/{row.kpi}",
            )
            airport = airport or row.group == "airport"
    out.print(table)
    if airport:
        out.print(AIRPORT_NOTE, markup=False)
    manifest = result.manifest
    out.print(
        f"{manifest['orders']:,} orders, {manifest['events']:,} events in "
        f"{manifest['wall_time_s']:.1f} s wall time; results in {folder}/",
        markup=False,
    )
