"""Which KPIs a run can produce: ``group/name/kpi`` keys, checked before any run starts.

:func:`o2osim.kpis.compute_kpis` builds its table row by row, many rows only when
the data allow (no lead time without a completed order), so the catalogue is a
static table here, one entry per KPI family of :mod:`o2osim.kpis` in the
registry's order. ``tests/cli/test_experiment_checks.py`` runs every bundled
scenario and checks that each KPI it produces is listed, and
``tests/cli/test_report_run.py`` that the groups are the registry's, so this table
cannot fall behind :mod:`o2osim.kpis` unnoticed. It only lists and checks names;
it must not compute KPIs.

Names depend on the scenario: channels, segments, stores, resources, sites; the
``choice`` group's KPIs are ``share_CHANNEL`` for the segment's channels.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from .economics import COSTS, MARKETING_LINES, charged_sites
from .kpis.formats import INSTANT_KPIS, MEMBERSHIP_KPIS, PRESALE_GATE_KPIS, PRESALE_KPIS
from .kpis.marketing import MARKETING_KPIS
from .kpis.sellers import SELLER_KPIS
from .kpis.services import SERVICE_KPIS
from .kpis.sites import RETURN_PATH_KPIS, SITE_KPIS
from .kpis.trade import TRADE_KPIS
from .kpis.zones import ZONE_KPIS, zone_names
from .recorder import OUTCOME_NAMES, RESPONSE_NAMES
from .scenario import Scenario, ScenarioError, fleet_resource
from .scenario.sites import RETURN_PATHS

_ORDER = (
    "orders_placed",
    "orders_per_day",
    *OUTCOME_NAMES,
    "fill_rate",
    "backordered",
    "oversold",
    "rejected_over_order_limit",
    "rejected_annual_limit",
    "split_orders",
    "stockouts",
    *(f"stockout_{name}" for name in RESPONSE_NAMES),
    "revenue_cny",
    "tax_cny",
    "price_paid_cny",
    "units_sold",
    "showroom_orders",
    "webroom_orders",
    "censored",
    "censored_share",
    "lead_time_mean",
    "lead_time_p50",
    "lead_time_p90",
    "lead_time_p95",
    "on_time_rate",
    "late_orders",
    "lateness_mean",
    "lateness_p90",
    "lateness_max",
    "early_rate",
)
_MONEY = (
    "net_revenue_cny",
    "delivery_fees_cny",
    "gross_margin_cny",
    "cm1_cny",
    "cm2_cny",
    "profit_cny",
    "cost_per_order",
    "profit_per_order",
    "landed_cost_per_order",
    "tax_per_order",
    "gross_margin_rate",
    *(f"cost_{name}_per_order" for name in COSTS + MARKETING_LINES),
    "break_even_orders_per_day",
)
_STORE = (
    "visitors",
    "turned_away",
    "turned_away_share",
    "entered",
    "buyers",
    "conversion_rate",
    "balked_at_door",
    "balked_at_checkout",
    "reneged_at_door",
    "reneged_at_checkout",
    "showroomed",
    "showroom_share",
    "webroomers",
    "webroomer_conversion_rate",
    "mean_door_wait",
    "mean_time_in_zone",
    "display_samples",
)
_STOCK = (
    "purchase_orders",
    "units_ordered",
    "receipts",
    "units_received",
    "units_returned",
    "units_restocked",
    "units_written_off",
    "mean_on_hand",
    "mean_pipeline",
    "oversold_orders",
    "stale_figure_lost_sales",
    "backordered_orders",
    "mean_backorder_wait",
)
_RESOURCE = (
    "servers",
    "utilisation",
    "mean_queue",
    "arrival_rate",
    "mean_wait_little",
    "mean_wait",
    "p95_wait",
    "share_waited",
)
_FLEET = (
    "trips",
    "deliveries",
    "failed_at_door",
    "orders_per_trip",
    "orders_per_rider_hour",
    "rider_hours",
    "km_per_order",
    "cost_cny",
    "cost_per_delivery",
)
_AIRPORT_ALL = (
    "days_counted",
    "orders_per_day",
    "peak_day_orders",
    "flights_per_day",
    "passengers_per_day",
    "peak_hour_passengers",
    "preorder_share",
    "collected",
    "missed",
    "missed_not_staged",
    "missed_passenger_late",
    "missed_rate",
    "staged_on_time_rate",
    "staging_margin_mean",
    "refund_cny",
    "counter_wait_mean",
    "counter_wait_p95",
    "id_check_mean",
    "time_at_counter_mean",
    "time_at_counter_p95",
    "waited_for_goods_share",
)
_AIRPORT_HOUR = ("counters_open", "counters_busy", "counter_utilisation", "counter_queue")
AIRPORT_HOURS = tuple(f"hour_{h:02d}" for h in range(24))

#: group -> every KPI the group can hold (``choice``: ``share_`` + a channel name).
CATALOGUE: dict[str, tuple[str, ...]] = {
    "overall": (*_ORDER, "unstable", *_MONEY),
    "channel": (*_ORDER, "repeat_rate", *_MONEY),
    "segment": _ORDER,
    "store": _STORE,
    "stock": _STOCK,
    "choice": (),
    "resource": (*_RESOURCE, *_FLEET),
    "site": ("fixed_cost_per_day", "break_even_orders_per_day"),
    "airport": (*_AIRPORT_ALL, *_AIRPORT_HOUR),
    "trade": TRADE_KPIS,
    "service": SERVICE_KPIS,
    "marketing": MARKETING_KPIS,
    "presale": (*PRESALE_KPIS, *PRESALE_GATE_KPIS, *MEMBERSHIP_KPIS),
    "instant": INSTANT_KPIS,
    "seller": SELLER_KPIS,
    "zone": ZONE_KPIS,
    "stock_site": SITE_KPIS,
    "return_path": RETURN_PATH_KPIS,
}
GROUPS = tuple(CATALOGUE)
EXAMPLE = "overall/all/on_time_rate"


def group_names(scenario: Scenario, group: str) -> list[str]:
    """The names ``group`` has in runs of ``scenario`` (see :func:`o2osim.kpis.compute_kpis`)."""
    segments = scenario.customers.segments
    if group == "overall":
        return ["all"]
    if group == "channel":
        return list(scenario.channels)
    if group == "segment":  # one segment is the overall group itself
        return [s.name for s in segments] if len(segments) > 1 else []
    if group == "store":
        return [s.name for s in scenario.stores]
    if group == "stock":
        return ["bonded"]
    if group == "choice":
        return [s.name for s in segments if len(s.channels) > 1]
    if group == "resource":
        return list(scenario.resources())
    if group == "site":
        return [s.name for s in charged_sites(scenario)]
    if group == "airport":
        return ["all", *AIRPORT_HOURS] if scenario.airport is not None else []
    if group == "trade":
        return ["all", *scenario.channels] if scenario.trade is not None else []
    if group == "service":
        return list(scenario.services.products) if scenario.services is not None else []
    if group == "marketing":
        marketing = scenario.marketing
        return ["all", *(c.label for c in marketing.campaigns)] if marketing is not None else []
    if group == "presale":
        club = ["membership"] if scenario.membership is not None else []
        return [*(scenario.presale or {}), *club]
    if group == "instant":
        return list(scenario.instant or {})
    if group == "seller":
        return scenario.sellers.names() if scenario.sellers is not None else []
    if group == "zone":
        return zone_names(scenario)
    if group == "stock_site":
        vw = scenario.virtual_warehouse
        return vw.site_names() if vw is not None else []
    if group == "return_path":
        return list(RETURN_PATHS) if scenario.cross_returns is not None else []
    return []


def kpi_names(scenario: Scenario, group: str, name: str) -> tuple[str, ...]:
    """The KPIs ``group/name`` can hold in runs of ``scenario``."""
    if group == "choice":
        segment = next((s for s in scenario.customers.segments if s.name == name), None)
        return tuple(f"share_{c}" for c in segment.channels) if segment is not None else ()
    if group == "airport":
        return _AIRPORT_ALL if name == "all" else _AIRPORT_HOUR
    if group == "resource":
        fleets = {fleet_resource(f) for f in scenario.all_fleets()}
        return (*_RESOURCE, *_FLEET) if name in fleets else _RESOURCE
    return CATALOGUE[group]


def _choices(wanted: str, allowed: Iterable[str], limit: int = 12) -> str:
    """What is allowed, the nearest match first when ``wanted`` looks like a typo."""
    allowed = list(dict.fromkeys(allowed))
    hint = difflib.get_close_matches(wanted, allowed, n=1, cutoff=0.7)
    near = f"did you mean {hint[0]!r}? " if hint else ""
    shown = ", ".join(allowed[:limit]) + (
        f", ... ({len(allowed)} in all)" if len(allowed) > limit else ""
    )
    return f"{near}allowed: {shown}" if allowed else "none in these scenarios"


def check_report_kpi(key: object, scenarios: list[Scenario]) -> str | None:
    """Why ``key`` is not a KPI runs of ``scenarios`` can produce (None: it is).

    A key is accepted if at least one scenario can produce it: comparing layouts,
    a resource of one layout is simply missing from the others.
    """
    if not isinstance(key, str):
        return f"write a string group/name/kpi, e.g. {EXAMPLE!r}"
    parts = key.split("/")
    if len(parts) != 3 or not all(parts):
        return f"write group/name/kpi with two slashes, e.g. {EXAMPLE!r}"
    group, name, kpi = parts
    if group not in CATALOGUE:
        return f"no KPI group {group!r}; " + _choices(group, GROUPS)
    names = [n for sc in scenarios for n in group_names(sc, group)]
    if name not in names:
        if not names:
            why = {
                "segment": " (with one segment, its KPIs are overall/all)",
                "airport": " (no [airport])",
                "store": " (no [[stores]])",
            }.get(group, "")
            return f"these scenarios have no {group!r} KPIs{why}"
        return f"no {group} named {name!r}; " + _choices(name, names)
    kpis = [
        k for sc in scenarios if name in group_names(sc, group) for k in kpi_names(sc, group, name)
    ]
    if kpi not in kpis:
        return f"{group}/{name} has no KPI {kpi!r}; " + _choices(kpi, kpis)
    return None


def check_report_kpis(
    keys: list[object],
    scenarios: list[Scenario],
    source: str,
    where: str = "experiment.report_kpis",
) -> None:
    """Raise :class:`ScenarioError` naming the first key no run could produce."""
    for index, key in enumerate(keys):
        problem = check_report_kpi(key, scenarios)
        if problem is not None:
            shown = repr(key) if len(repr(key)) <= 60 else repr(key)[:57] + "..."
            raise ScenarioError(f"{source}: {where}[{index}] = {shown}: {problem}")
