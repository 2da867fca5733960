"""KPIs from the run's tables, as one tidy table: group, name, kpi, value, unit.

Only orders placed after the warm-up count (stock KPIs: movements after it).
Resource KPIs combine the stations' exact time integrals (utilisation, mean
queue length L) with the waits read from the order table (W), so Little's law
``L = lambda W`` can be checked on one sample path. A courier fleet adds trips,
orders per courier-hour, km and its cost (rates from ``[economics]``); a channel
adds its promise: on-time rate against each order's due time and the lateness of
the late orders, and with a finite population its repeat-purchase rate. Nothing
here runs the model.

Store visitors who never paid (turned away, no purchase, gave up at the door or
the staff checkout) are rows but not orders placed; where a visitor gave up is
told by the ``entered`` stamp (none: at the door). With journeys, order groups
add showroom and webroom orders and the store group showroomers and webroomers.

Groups: ``overall``, ``channel``, ``segment`` (orders), ``store`` (visitors of
each front store), ``stock`` (the bonded pool and its replenishment),
``resource`` (every queueing resource a channel uses), ``site`` (money),
``choice`` (each segment's channel shares; an order group also counts its
stock-outs and what the customers did about them), and with an airport ``airport`` (see
:func:`airport_kpis`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .economics import Money, fleet_cost, money_kpis, site_kpis
from .recorder import OUTCOME_NAMES, RESPONSE_NAMES
from .scenario import Scenario, fleet_resource
from .units import DAY, HOUR

#: Timestamps that bound the wait in queue at a resource, by resource name or else by its
#: stage: (joined the queue, service began). A store's mirrors and staff keep no stamps.
WAIT_STAMPS = {
    "customs": ("clearance_queued", "clearance_start"),
    "customs_manual": ("manual_queued", "manual_start"),
    "pick": ("pick_queued", "pick_start"),
    "pack": ("pack_queued", "pack_start"),
    "sort": ("sort_queued", "sort_start"),
    "front_pick": ("pick_queued", "pick_start"),
    "deliver": ("dispatch_queued", "dispatched"),
    "port_customs": ("port_clearance_queued", "port_clearance_start"),
    "port_customs_manual": ("port_manual_queued", "port_manual_start"),
    "pickup": ("counter_queued", "counter_start"),
    "store_visit": ("door_queued", "entered"),
}


def wait_stamps(resource: str, stage: str) -> tuple[str, str] | None:
    """The stamps that bound ``resource``'s wait (None: it keeps none)."""
    if resource.endswith((".mirrors", ".staff")):
        return None
    return WAIT_STAMPS.get(resource, WAIT_STAMPS.get(stage))
DONE = ("delivered", "collected")
#: Outcomes of store visitors who never ordered.
VISIT_ONLY = ("turned_away", "no_purchase")
#: Outcome counts every order group reports; other outcomes only when they occur.
OUTCOME_ROWS = ("delivered", "collected", "lost_sale", "rejected", "in_flight")


def left_the_store(orders: pd.DataFrame) -> pd.Series:
    """Visitors who gave up in a queue of the store (door or staff checkout), unpaid."""
    return orders["outcome"].isin(("balked", "reneged")) & (orders["failed_at"] == "store_visit")


def _order_kpis(orders: pd.DataFrame, days: float,
                outcomes: tuple[str, ...] = OUTCOME_ROWS) -> list[tuple]:
    outcome = orders["outcome"]
    # A store visitor is a row from the door on, but an order only once they pay.
    placed = len(orders) - int(outcome.isin(VISIT_ONLY).sum()) \
        - int(left_the_store(orders).sum())
    done = orders[outcome.isin(DONE)]
    lead = done["lead_time_min"].to_numpy()
    rows: list[tuple] = [
        ("orders_placed", placed, "orders"),
        ("orders_per_day", placed / days if days else np.nan, "orders/day"),
    ]
    for name in outcomes:
        rows.append((name, int((outcome == name).sum()), "orders"))
    # A stock request met at once: reserved, never backordered. Requests also count the
    # lost sales and the oversold orders that were cancelled.
    reserved, backordered = orders["reserved"].notna(), orders["backordered"].notna()
    stocked_out = orders["stocked_out"].notna()
    requested = int((reserved | backordered | stocked_out | (outcome == "lost_sale")
                     | orders["oversold"].notna()).sum())
    # A substitute basket or a switch of channel is a response to a stock-out, not a fill.
    filled = int((reserved & ~backordered & ~stocked_out).sum())
    reasons = orders["reason"]
    if requested:
        fill = filled / requested
    else:  # no channel here draws on the bonded stock: nothing was refused for stock
        lost = int((outcome == "lost_sale").sum())
        fill = 1 - lost / placed if placed else np.nan
    rows.append(("fill_rate", fill, "share"))
    rows += [
        ("backordered", int(backordered.sum()), "orders"),
        ("oversold", int(orders["oversold"].notna().sum()), "orders"),
        ("rejected_over_order_limit", int((reasons == "over_order_limit").sum()), "orders"),
        ("rejected_annual_limit", int((reasons == "annual_limit").sum()), "orders"),
        ("split_orders", int(((orders["parent"] >= 0) & ~_showroom_orders(orders)).sum()),
         "orders"),
        ("stockouts", int(stocked_out.sum()), "orders"),
        *_response_kpis(orders),
        ("revenue_cny", float(done["value_cny"].sum()), "CNY"),
        ("tax_cny", float(done["tax_cny"].sum()), "CNY"),
        ("price_paid_cny", float(done["price_paid_cny"].sum()), "CNY"),
        ("units_sold", int(done["lines"].sum()), "units"),
    ]
    if "webroomed" in orders:  # a scenario with journeys
        rows += [
            ("showroom_orders", int(_showroom_orders(orders).sum()), "orders"),
            ("webroom_orders", int(orders["webroomed"].notna().sum()), "orders"),
        ]
    if len(lead):
        p50, p90, p95 = np.percentile(lead, [50, 90, 95])
        rows += [
            ("lead_time_mean", float(lead.mean()), "min"),
            ("lead_time_p50", float(p50), "min"),
            ("lead_time_p90", float(p90), "min"),
            ("lead_time_p95", float(p95), "min"),
        ]
        rows += _promise_kpis(done)
    return rows


def _response_kpis(orders: pd.DataFrame) -> list[tuple]:
    """How many stock-outs ended in each response (they add up to ``stockouts``)."""
    counts = orders["stockout_response"].value_counts()
    return [(f"stockout_{name}", int(counts.get(name, 0)), "orders")
            for name in RESPONSE_NAMES]


def _showroom_orders(orders: pd.DataFrame) -> pd.Series:
    """Online orders of showroomers (their ``parent`` is the visit, not a split order)."""
    if "showroomed" not in orders:
        return pd.Series(False, index=orders.index)
    return orders["showroomed"].notna()


def _promise_kpis(done: pd.DataFrame) -> list[tuple]:
    """On time against each order's due time; how late the late ones were."""
    lateness = done["lateness_min"].to_numpy()
    late = lateness[lateness > 0]
    rows: list[tuple] = [
        ("on_time_rate", float((lateness <= 0).mean()), "share"),
        ("late_orders", len(late), "orders"),
    ]
    if len(late):
        rows += [
            ("lateness_mean", float(late.mean()), "min"),  # of the late orders
            ("lateness_p90", float(np.percentile(late, 90)), "min"),
            ("lateness_max", float(late.max()), "min"),
        ]
    slot_start = done["slot_start"].to_numpy()
    in_slots = ~np.isnan(slot_start)
    if in_slots.any():  # presale: arriving before the slot is not on time either
        early = done["finished"].to_numpy()[in_slots] < slot_start[in_slots]
        rows.append(("early_rate", float(early.mean()), "share"))
    return rows


def _repeat_orders(orders: pd.DataFrame) -> pd.Series:
    """True for an order whose customer placed an earlier order in the same channel
    (the whole run counts as history, the warm-up included)."""
    if "customer" not in orders or not (orders["customer"] >= 0).any():
        return pd.Series(False, index=orders.index)
    ordered = orders.sort_values(["placed", "order_id"], kind="stable")
    earlier = ordered.groupby(["customer", "channel"], observed=True).cumcount() > 0
    return (earlier & (ordered["customer"] >= 0)).reindex(orders.index)


def _share_kpis(orders: pd.DataFrame, channels: list[str]) -> list[tuple]:
    """Each channel's share of a segment's orders (what the choice policy produced)."""
    placed = len(orders)
    counts = orders["channel"].astype(str).value_counts()
    return [(f"share_{ch}", int(counts.get(ch, 0)) / placed if placed else np.nan, "share")
            for ch in channels]


def _resource_kpis(stats: dict[str, float], orders: pd.DataFrame, warmup: float,
                   stamps: tuple[str, str] | None) -> list[tuple]:
    span = stats["span_min"]
    rate = stats["arrivals"] / span if span else np.nan
    rows = [
        ("servers", stats["mean_servers"], "servers"),  # time average: staffing may vary
        ("utilisation", stats["utilisation"], "share"),
        ("mean_queue", stats["mean_queue"], "orders"),
        ("arrival_rate", rate, "orders/min"),
        ("mean_wait_little", stats["mean_queue"] / rate if rate else np.nan, "min"),
    ]
    if stamps is None:
        return rows
    joined, began = stamps
    t_in = orders[joined].to_numpy()
    t_start = orders[began].to_numpy()
    mask = (t_in >= warmup) & ~np.isnan(t_start)
    waits = t_start[mask] - t_in[mask]
    if len(waits):
        rows += [
            ("mean_wait", float(waits.mean()), "min"),
            ("p95_wait", float(np.percentile(waits, 95)), "min"),
            ("share_waited", float((waits > 0).mean()), "share"),
        ]
    return rows


def _store_kpis(visits: pd.DataFrame, display_samples: int, patience: bool = False,
                journeys: bool = False) -> list[tuple]:
    """A store's visitors. With ``patience``: who gave up at the door (never got in) and
    at the staff checkout (got in, left unpaid); with ``journeys``: showroomers (left
    without buying, ordered online) and webroomers (came from the online shop)."""
    outcome = visits["outcome"]
    entered = visits["entered"].notna()
    left = visits["left_store"].notna()
    gave_up = left_the_store(visits)
    buyers = int((left & (outcome != "no_purchase") & ~gave_up).sum())
    arrived = len(visits)
    turned = int((outcome == "turned_away").sum())
    door_wait = (visits["entered"] - visits["door_queued"])[entered]
    in_zone = (visits["left_store"] - visits["entered"])[left]
    rows = [
        ("visitors", arrived, "visitors"),
        ("turned_away", turned, "visitors"),
        ("turned_away_share", turned / arrived if arrived else np.nan, "share"),
        ("entered", int(entered.sum()), "visitors"),
        ("buyers", buyers, "visitors"),
        ("conversion_rate", buyers / int(left.sum()) if left.any() else np.nan, "share"),
    ]
    if patience:
        for how in ("balked", "reneged"):
            mine = gave_up & (outcome == how)
            rows += [(f"{how}_at_door", int((mine & ~entered).sum()), "visitors"),
                     (f"{how}_at_checkout", int((mine & entered).sum()), "visitors")]
    if journeys:
        showroomed = int((visits["reason"] == "showroomed").sum())
        webroomed = visits["webroomed"].notna()
        rows += [
            ("showroomed", showroomed, "visitors"),
            ("showroom_share", showroomed / arrived if arrived else np.nan, "share"),
            ("webroomers", int(webroomed.sum()), "visitors"),
        ]
        if (webroomed & left).any():
            rows.append(("webroomer_conversion_rate",
                         int((webroomed & left & (outcome != "no_purchase") & ~gave_up).sum())
                         / int((webroomed & left).sum()), "share"))
    if len(door_wait):
        rows.append(("mean_door_wait", float(door_wait.mean()), "min"))
    if len(in_zone):
        rows.append(("mean_time_in_zone", float(in_zone.mean()), "min"))
    rows.append(("display_samples", display_samples, "units"))  # shown, never sold
    return rows


def _time_average(times: np.ndarray, levels: np.ndarray, start: float, end: float) -> float:
    """Time average over [start, end] of a step function: ``levels[i]`` from ``times[i]`` on."""
    if end <= start or not len(times):
        return float("nan")
    before = np.searchsorted(times, start, side="right") - 1
    level0 = levels[before] if before >= 0 else 0.0
    inside = (times > start) & (times < end)
    edges = np.concatenate(([start], times[inside], [end]))
    values = np.concatenate(([level0], levels[inside]))
    return float((np.diff(edges) * values).sum() / (end - start))


def _stock_kpis(inventory: pd.DataFrame, orders: pd.DataFrame, warmup: float,
                horizon: float) -> list[tuple]:
    times = inventory["time"].to_numpy()
    on_hand = np.cumsum(inventory["on_hand_change"].to_numpy())
    on_order = np.cumsum(inventory["on_order_change"].to_numpy())
    after = inventory[inventory["time"] >= warmup]
    kind = after["kind"]
    waited = orders["reserved"] - orders["backordered"]
    rows = [
        ("purchase_orders", int((kind == "purchase_order").sum()), "orders"),
        ("units_ordered", int(after.loc[kind == "purchase_order", "on_order_change"].sum()),
         "units"),
        ("receipts", int((kind == "receipt").sum()), "deliveries"),
        ("units_received", int(after.loc[kind == "receipt", "on_hand_change"].sum()), "units"),
        # Units customers sent back: restocked (a "return" row each) or written off.
        ("units_returned", int((kind == "return").sum() + (kind == "write_off").sum()), "units"),
        ("units_restocked", int((kind == "return").sum()), "units"),
        ("units_written_off", int((kind == "write_off").sum()), "units"),
        ("mean_on_hand", _time_average(times, on_hand, warmup, horizon), "units"),
        ("mean_pipeline", _time_average(times, on_order, warmup, horizon), "units"),
        ("oversold_orders", int(orders["oversold"].notna().sum()), "orders"),
        ("stale_figure_lost_sales", int((orders["reason"] == "stale_stock_figure").sum()),
         "orders"),
        ("backordered_orders", int(orders["backordered"].notna().sum()), "orders"),
    ]
    if waited.notna().any():
        rows.append(("mean_backorder_wait", float(waited.mean()), "min"))
    return rows


def _fleet_kpis(scenario: Scenario, resource: str, stats: dict[str, float],
                orders: pd.DataFrame, warmup: float) -> list[tuple]:
    """Trips, productivity, distance and cost of a courier fleet after the warm-up.

    ``orders`` are the orders of the channels the fleet serves. Deliveries and
    failures at the door count when they happened; trips and km count trips that
    left after the warm-up (km as planned, out and back; NaN in teaching mode).
    """
    delivered = int((orders["delivered"] >= warmup).sum())
    absent = int(((orders["reason"] == "customer_absent") & (orders["finished"] >= warmup)).sum())
    sent = orders[orders["dispatched"] >= warmup]
    # The station fast path in teaching mode does not label trips: one order per trip.
    trip = np.where(sent["trip"] < 0, sent["order_id"], sent["trip"])
    trips = len(np.unique(trip))
    last = sent.assign(trip=trip).sort_values(["trip", "stop"]).groupby("trip").tail(1)
    km = float(sent["leg_km"].sum(min_count=1) + last["distance_km"].sum())
    paid_hours = stats["paid_rider_min"] / HOUR
    cost = fleet_cost(scenario, resource, stats, delivered)
    per = (lambda a, b: a / b if b else np.nan)  # noqa: E731
    return [
        ("trips", trips, "trips"),
        ("deliveries", delivered, "orders"),
        ("failed_at_door", absent, "orders"),
        ("orders_per_trip", per(len(sent), trips), "orders"),
        ("orders_per_rider_hour", per(delivered, paid_hours), "orders/h"),
        ("rider_hours", paid_hours, "h"),
        ("km_per_order", per(km, len(sent)), "km"),
        ("cost_cny", cost, "CNY"),
        ("cost_per_delivery", per(cost, delivered), "CNY"),
    ]


def compute_kpis(
    scenario: Scenario,
    orders: pd.DataFrame,
    resource_stats: dict[str, dict[str, float]],
    money: Money | None = None,
    resources: pd.DataFrame | None = None,
    flights: pd.DataFrame | None = None,
    inventory: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The KPI table for one run (orders placed after the warm-up).

    ``resources`` (snapshots) and ``flights`` feed the airport KPIs only;
    ``inventory`` (the ledger) adds the stock KPIs.
    """
    meta = scenario.scenario
    days = (meta.horizon - meta.warmup) / DAY
    counted = orders[orders["after_warmup"]]
    seen = set(counted["outcome"].unique())
    outcomes = OUTCOME_ROWS + tuple(o for o in OUTCOME_NAMES if o not in OUTCOME_ROWS and o in seen)
    rows: list[tuple] = []

    def add(group: str, name: str, items: list[tuple]) -> None:
        rows.extend((group, name, kpi, float(value), unit) for kpi, value, unit in items)

    fleets = {fleet_resource(n) for n in scenario.all_fleets()}
    used = {name: (stage, channels) for name, (stage, channels) in scenario.resources().items()
            if name in resource_stats}
    add("overall", "all", _order_kpis(counted, days, outcomes))
    if money is not None:
        add("overall", "all", money_kpis(money, money.orders, money.unallocated_cents))
    repeat = _repeat_orders(orders)
    for channel in scenario.channels:
        subset = counted[counted["channel"] == channel]
        if len(subset):
            add("channel", channel, _order_kpis(subset, days, outcomes))
            known = subset["customer"] >= 0 if "customer" in subset else None
            if known is not None and known.any():
                # Orders of known customers placed by someone who had used this channel before.
                add("channel", channel, [("repeat_rate", float(repeat[subset.index[known]].mean()),
                                          "share")])
            if money is not None:
                add("channel", channel,
                    money_kpis(money, money.orders[money.orders["channel"] == channel]))
    if len(scenario.customers.segments) > 1:
        for seg in scenario.customers.segments:
            subset = counted[counted["segment"] == seg.name]
            add("segment", seg.name, _order_kpis(subset, days, outcomes))
    for store in scenario.stores:
        segments = [seg.name for seg in scenario.customers.segments
                    if scenario.segment_store(seg) is store]
        # A visitor who balked at the door never joined its queue: no door_queued stamp.
        came = counted["door_queued"].notna() | (counted["failed_at"] == "store_visit")
        visits = counted[came & counted["segment"].isin(segments)]
        samples = store.display_samples_per_sku * scenario.catalogue.skus
        segs = [seg for seg in scenario.customers.segments if seg.name in segments]
        patience = any(seg.patience is not None and {"store_door", "store_checkout"}
                       & set(seg.patience.at) for seg in segs)
        journeys = "webroomed" in visits and any(seg.journeys is not None for seg in segs)
        add("store", store.name, _store_kpis(visits, samples, patience, journeys))
    if inventory is not None and len(inventory):
        add("stock", "bonded", _stock_kpis(inventory, counted, meta.warmup, meta.horizon))
    for seg in scenario.customers.segments:
        if len(seg.channels) > 1:
            add("choice", seg.name, _share_kpis(counted[counted["segment"] == seg.name],
                                                seg.channels))
    for name, (stage, channels) in used.items():
        stats = resource_stats[name]
        served = orders[orders["channel"].isin(channels)]
        items = _resource_kpis(stats, served, meta.warmup, wait_stamps(name, stage))
        if name in fleets:
            items += _fleet_kpis(scenario, name, stats, served, meta.warmup)
        add("resource", name, items)
    if money is not None:
        rows.extend(("site", name, kpi_name, float(value), unit)
                    for name, kpi_name, value, unit in site_kpis(scenario, money))
    if scenario.airport is not None:
        for name, items in airport_kpis(scenario, orders, resources, flights):
            add("airport", name, items)
    return pd.DataFrame(rows, columns=["group", "name", "kpi", "value", "unit"])


def counted_days(scenario: Scenario) -> range:
    """Whole departure days whose pre-orders all fall inside the run and after the warm-up.

    Day ``d`` spans minutes ``[d * 1440, (d + 1) * 1440)``; its flights' orders open
    ``preorder_window`` earlier, so earlier days would miss orders placed before the start.
    """
    meta, air = scenario.scenario, scenario.airport
    window = air.preorder_window if air is not None else 0.0
    return range(math.ceil(max(meta.warmup, window) / DAY), math.floor(meta.horizon / DAY))


def _mean(values: pd.Series | np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else np.nan


def _p95(values: pd.Series | np.ndarray) -> float:
    return float(np.percentile(values, 95)) if len(values) else np.nan


def airport_kpis(
    scenario: Scenario,
    orders: pd.DataFrame,
    resources: pd.DataFrame | None,
    flights: pd.DataFrame | None,
) -> list[tuple[str, list[tuple]]]:
    """Airport KPIs as ``(name, rows)``: ``all`` and one ``hour_HH`` per hour of the day.

    - Daily figures (orders, flights, passengers, pre-order share, peak day and peak
      hour) count departures on :func:`counted_days`.
    - Fates (collected, missed by reason, staging on-time rate, refunds) count orders
      whose flight departs after the warm-up and before the horizon.
    - Counter figures count passengers who joined the counter queue after the warm-up;
      ``time_at_counter`` is queue join to hand-over, for collected orders.
    - ``hour_HH``: counters open, busy and their utilisation in that hour of the day,
      from the resource snapshots after the warm-up.
    """
    meta = scenario.scenario
    rows: list[tuple] = []
    departure = orders["departure"].to_numpy()
    days = counted_days(scenario)
    if len(days) and flights is not None and len(flights):
        order_day = np.floor(departure[~np.isnan(departure)] / DAY).astype(np.int64)
        per_day = np.array([(order_day == d).sum() for d in days])
        flight_day = (flights["departure"] // DAY).astype(np.int64)
        on_days = flights[flight_day.isin(days)]
        hourly = on_days.groupby(on_days["departure"] // 60)["passengers"].sum()
        passengers = int(on_days["passengers"].sum())
        rows += [
            ("days_counted", len(days), "days"),
            ("orders_per_day", per_day.mean(), "orders/day"),
            ("peak_day_orders", per_day.max(), "orders/day"),
            ("flights_per_day", len(on_days) / len(days), "flights/day"),
            ("passengers_per_day", passengers / len(days), "passengers/day"),
            ("peak_hour_passengers", hourly.max() if len(hourly) else 0, "passengers/h"),
            ("preorder_share", per_day.sum() / passengers if passengers else np.nan, "share"),
        ]
    fate = orders[(departure >= meta.warmup) & (departure < meta.horizon)]
    outcome, reason = fate["outcome"], fate["reason"]
    settled = int(outcome.isin(("collected", "missed")).sum())
    missed = outcome == "missed"
    not_staged = int((reason == "not_staged").sum())
    staged = fate[fate["staged"].notna()]
    rows += [
        ("collected", int((outcome == "collected").sum()), "orders"),
        ("missed", int(missed.sum()), "orders"),
        ("missed_not_staged", not_staged, "orders"),
        ("missed_passenger_late", int((reason == "passenger_late").sum()), "orders"),
        ("missed_rate", missed.sum() / settled if settled else np.nan, "share"),
        ("staged_on_time_rate", 1 - not_staged / settled if settled else np.nan, "share"),
        ("staging_margin_mean", _mean(staged["departure"] - staged["staged"]), "min"),
        ("refund_cny", float(fate["refund_cny"].sum()), "CNY"),
    ]
    queued = orders[(orders["counter_queued"] >= meta.warmup) & orders["counter_start"].notna()]
    waits = (queued["counter_start"] - queued["counter_queued"]).to_numpy()
    collected = queued[queued["outcome"] == "collected"]
    at_counter = (collected["counter_left"] - collected["counter_queued"]).to_numpy()
    early = queued["counter_queued"] - queued["at_counter"]
    rows += [
        ("counter_wait_mean", _mean(waits), "min"),
        ("counter_wait_p95", _p95(waits), "min"),
        ("id_check_mean", _mean(queued["id_checked"] - queued["counter_start"]), "min"),
        ("time_at_counter_mean", _mean(at_counter), "min"),
        ("time_at_counter_p95", _p95(at_counter), "min"),
        ("waited_for_goods_share", float((early > 0).mean()) if len(early) else np.nan, "share"),
    ]
    out = [("all", rows)]
    if resources is not None and len(resources):
        counters = resources[(resources["resource"] == "pickup")
                             & (resources["time"] >= meta.warmup)]
        by_hour = counters.groupby((counters["time"] % DAY) // 60)[["servers", "busy", "queue"]]
        for hour, mean in by_hour.mean().iterrows():
            utilisation = mean["busy"] / mean["servers"] if mean["servers"] else np.nan
            out.append((f"hour_{int(hour):02d}", [
                ("counters_open", mean["servers"], "counters"),
                ("counters_busy", mean["busy"], "counters"),
                ("counter_utilisation", utilisation, "share"),
                ("counter_queue", mean["queue"], "passengers"),
            ]))
    return out


def kpi(table: pd.DataFrame, group: str, name: str, kpi_name: str) -> float:
    """Look one KPI up: ``kpi(t, "resource", "pick", "mean_wait")``."""
    hit = table[(table["group"] == group) & (table["name"] == name) & (table["kpi"] == kpi_name)]
    if hit.empty:
        raise KeyError(f"no KPI {group}/{name}/{kpi_name}")
    return float(hit["value"].iloc[0])
