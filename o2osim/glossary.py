"""Plain names and units for KPIs, for people who are not reading the code.

``overall/all/lead_time_p95`` becomes "Lead time, 95th percentile (all orders)"
and ``resource/deliver/mean_wait`` "Wait, mean (riders)". The dashboard, the
handouts and the class game take their labels from here. Durations are stored in
minutes; :func:`shown` keeps waits in minutes and shows a lead time in minutes,
hours (from 2 h) or days (from 2 days). Shares are shown in per cent. This module
only names and converts; it must not compute KPIs.
"""

from __future__ import annotations

from dataclasses import dataclass

from .units import DAY, HOUR


@dataclass(frozen=True)
class Term:
    """A KPI's plain name, what it means, and how it is shown."""

    name: str
    meaning: str
    shown_as: str  # "minutes", "duration", "share", "CNY", "CNY per order", "count", ...


_T = Term
#: kpi -> term (the same KPI name means the same thing in every group)
TERMS: dict[str, Term] = {
    "orders_placed": _T("Orders placed", "orders placed after the warm-up", "count"),
    "orders_per_day": _T("Orders per day", "orders placed per measured day", "count"),
    "lead_time_mean": _T("Lead time, mean", "order placed to goods in hand", "duration"),
    "lead_time_p50": _T("Lead time, median", "half the orders take longer", "duration"),
    "lead_time_p90": _T("Lead time, 90th percentile", "1 order in 10 takes longer", "duration"),
    "lead_time_p95": _T("Lead time, 95th percentile", "1 order in 20 takes longer", "duration"),
    "on_time_rate": _T("Delivered on time", "share of orders within their promise", "share"),
    "late_orders": _T("Late orders", "orders that missed their promise", "count"),
    "fill_rate": _T("Fill rate", "share of demand met from stock at once", "share"),
    "backordered": _T("Backordered orders", "orders that waited for stock", "count"),
    "censored_share": _T("Still in flight at the end", "share not finished", "share"),
    "revenue_cny": _T("Revenue", "what customers paid for goods, tax excluded", "CNY"),
    "profit_cny": _T("Profit", "revenue minus every cost", "CNY"),
    "profit_per_order": _T("Profit per order", "profit over orders completed", "CNY per order"),
    "cost_per_order": _T("Cost per order", "every cost over completed orders", "CNY per order"),
    "landed_cost_per_order": _T(
        "Landed cost per order", "freight, duty, fees, delivery and handling", "CNY per order"
    ),
    "utilisation": _T("Busy share", "share of staffed time spent serving", "share"),
    "mean_queue": _T("People or orders waiting, mean", "time-average queue length", "count"),
    "mean_wait": _T("Wait, mean", "time from joining the queue to service", "minutes"),
    "p95_wait": _T("Wait, 95th percentile", "1 in 20 waits longer", "minutes"),
    "share_waited": _T("Share who had to wait", "arrivals who found all servers busy", "share"),
    "arrival_rate": _T("Arrivals per minute", "arrivals at this queue per minute", "per minute"),
    "servers": _T("Servers", "counters, staff or riders on duty at most", "count"),
    "visitors": _T("Visitors", "people who came to the store", "count"),
    "entered": _T("Visitors let in", "visitors who entered the experience zone", "count"),
    "turned_away_share": _T("Turned away at the door", "share of visitors not let in", "share"),
    "conversion_rate": _T("Visitors who bought", "share of visitors who bought", "share"),
    "mean_door_wait": _T("Wait at the door, mean", "time queueing to get in", "minutes"),
    "mean_time_in_zone": _T("Time in the store, mean", "from entering to leaving", "minutes"),
    "showroom_orders": _T("Showroom orders", "online orders after a store visit", "count"),
    "webroom_orders": _T("Webroom orders", "store purchases by online browsers", "count"),
    "showroom_share": _T("Visitors who showroomed", "share who left to buy online", "share"),
    "counter_wait_mean": _T("Wait at the counter, mean", "queue at pickup counters", "minutes"),
    "counter_wait_p95": _T("Wait at the counter, 95th pct.", "1 in 20 waits longer", "minutes"),
    "missed_rate": _T("Pickups missed", "share of pre-orders not collected", "share"),
    "cost_per_delivery": _T("Courier cost per delivery", "fleet pay over deliveries", "CNY"),
    "orders_per_rider_hour": _T("Orders per rider-hour", "deliveries per paid hour", "count"),
    "unstable": _T("Queues out of control", "1: a queue grew without bound", "flag"),
    "bookings": _T("Service bookings", "places booked for counted dates", "count"),
    "load_factor": _T("Load factor", "customers served over places offered", "share"),
    "denied_per_show": _T("Denied service", "share of customers who showed", "share"),
    "net_revenue_cny": _T("Net revenue", "revenue less refunds (and compensation)", "CNY"),
    "within_promise_share": _T("Within the promise", "share delivered inside it", "share"),
    "beyond_radius_share": _T("Beyond the radius", "share living too far away", "share"),
    "tote_travel_mean": _T("Tote ride, mean", "picking point to packing point", "minutes"),
    "pack_wait_mean": _T("Wait for a packer, mean", "queue at the packing point", "minutes"),
    "outside_assortment_share": _T("Outside the presale list", "share of presale baskets", "share"),
    "member_presale_orders": _T("Members' presale orders", "presale orders by members", "count"),
    "presale_orders": _T("Presale orders", "orders picked ahead for a slot", "count"),
    "batch_size_mean": _T("Presale batch, mean", "orders picked together for a slot", "count"),
    "on_slot_rate": _T("Delivered in the slot", "share of presale orders in it", "share"),
    "fee_revenue_cny": _T("Membership fees", "fees accrued over the counted days", "CNY"),
    "units_shipped": _T("Units shipped", "units sent from this site", "count"),
    "oversells": _T("Oversold", "orders the stale stock figure let through", "count"),
    "transfers_in": _T("Transfers in", "restocking moves from another site", "count"),
    "returns": _T("Returns", "orders returned on this path", "count"),
    "units_restocked": _T("Units put back", "returned units resold from stock", "count"),
    "reverse_cny": _T("Reverse logistics", "cost of bringing returns back", "CNY"),
    "deliveries": _T("Deliveries", "orders delivered", "count"),
    "cac_cny": _T("Acquisition cost per customer", "spend over customers won", "CNY"),
    "ltv_cny": _T("Lifetime value", "discounted margin per customer won", "CNY"),
    "ltv_over_cac": _T("Lifetime value over acquisition cost", "above 1 pays back", "ratio"),
    "repeat_rate": _T("Repeat orders", "share of orders by a returning customer", "share"),
    "repeat_customer_share": _T("Customers who bought again", "share of those won", "share"),
    "orders": _T("Orders", "orders placed (of this seller, or market)", "count"),
    "commission_cny": _T("Commission", "paid to the platform on sales", "CNY"),
}

#: resource / group names -> plain words
PLACES: dict[str, str] = {
    "all": "all orders",
    "poisson": "all customers",
    "pick": "pickers",
    "pack": "packers",
    "sort": "sorter",
    "deliver": "riders",
    "pickup": "airport pickup counters",
    "customs": "customs",
    "front": "front store",
    "bonded": "bonded stock",
}


#: route stages -> what happens there, in plain words (for traces and stage axes)
STAGE_NAMES: dict[str, str] = {
    "store_visit": "store visit",
    "reserve": "stock reserved",
    "customs": "customs clearance",
    "pick": "picking",
    "pack": "packing",
    "front_pick": "picking at the depot",
    "sort": "sorting",
    "seller_ship": "seller ships to the port",
    "port_customs": "customs at the port",
    "hold": "waiting for the delivery slot",
    "collect": "collected at the store",
    "deliver": "delivery by rider",
    "regional": "regional delivery",
    "courier": "national courier",
    "linehaul": "truck to the airport",
    "stage": "shelved at the airport",
    "pickup": "airport pickup counter",
}


def stage_name(stage: str) -> str:
    """ "delivery by rider" for ``deliver``; an unknown stage in words."""
    return STAGE_NAMES.get(stage, stage.replace("_", " "))


def term(kpi: str) -> Term:
    """The KPI's term; an unknown KPI gets its own name in words, shown as stored."""
    if kpi in TERMS:
        return TERMS[kpi]
    if kpi.startswith("share_"):
        return Term(f"Chose {kpi[6:].replace('_', ' ')}", "share of customers", "share")
    return Term(kpi.replace("_", " ").capitalize(), "", "as stored")


_STORE_PARTS = {"mirrors": "AR mirrors", "staff": "store staff"}


def place(name: str) -> str:
    """A resource or group in plain words: ``deliver`` -> "riders", ``deliver_vans`` ->
    "riders (vans)", ``pick_front`` -> "pickers (front)", ``customs_manual`` -> "customs
    (document desk)"; any other name with its underscores as spaces."""
    if name in PLACES:
        return PLACES[name]
    store, dot, part = name.partition(".")
    if dot:  # a front store's own resources: its AR mirrors and its staff
        return f"{place(store)}: {_STORE_PARTS.get(part, part.replace('_', ' '))}"
    if name.endswith("_manual"):
        return f"{place(name.removesuffix('_manual'))} (document desk)"
    for prefix in ("deliver", "pick"):
        if name.startswith(prefix + "_"):
            return f"{PLACES[prefix]} ({name[len(prefix) + 1 :].replace('_', ' ')})"
    return name.replace("_", " ")


def label(group: str, name: str, kpi: str) -> str:
    """ "Wait, mean (riders)": the plain name and where it was measured."""
    return f"{term(kpi).name} ({place(name)})"


def key_label(key: str) -> str:
    """The label of a ``group/name/kpi`` path (as experiment files name KPIs); anything
    else is returned as it is."""
    parts = key.split("/")
    return label(*parts) if len(parts) == 3 else key


def shown(kpi: str, value: float, unit: str = "") -> tuple[float, str]:
    """The value and unit a person reads: durations in minutes, hours or days; shares in %."""
    how = term(kpi).shown_as
    if how == "minutes":
        return value, "min"
    if how == "duration":
        if abs(value) >= 2 * DAY:
            return value / DAY, "days"
        return (value / HOUR, "hours") if abs(value) >= 2 * HOUR else (value, "min")
    if how == "share":
        return 100.0 * value, "%"
    if how in ("CNY", "CNY per order"):
        return value, how
    if how == "count":
        return value, ""
    return value, unit
