"""Money: revenue, the full landed cost and the margins per order, channel and run (CNY).

Everything is computed after the run from the tables, in integer cents, so that
``revenue - every cost = profit`` holds to the cent for each order and in total.

- **Direct** costs belong to one order: the purchase cost (COGS, completed orders);
  the general-trade duty of duty-paid goods; international freight (per kg of the
  units of a completed order at its SKUs' restocking mode, or per 9610 parcel shipped
  to the port, per parcel and per kg); port and customs fees per declaration (1210:
  one per order at the bonded warehouse; 9610: one per parcel at the port); packaging
  (per order packed, shipped as a parcel or sent with a rider); the rider's pay per
  delivery; postage of the domestic courier per parcel and per kg (a 9610 parcel from
  the port, a next-day regional wave); payment fees (a share of what a completed order
  paid: goods, tax, delivery fee); reverse logistics per returned order (handling, and
  the return parcel when the goods had been sent; with ``[cross_returns]`` the cost of
  the order's return path instead); the purchase cost of returned units
  written off; marketing (a share of the order's revenue).
- **Period** costs accrue with time: labour per staffed server-hour, the per-shipment
  freight of purchase orders, bonded storage per unit-day, counted events, rent and
  fixed staff of the sites whose asset the scenario has. They are spread over the
  completed orders in equal shares (largest remainder, so the cents add up); with no
  completed order they stay unallocated.

The **landed cost** of an order is every line but the purchase cost, the write-off and
marketing (:data:`LANDED`). Tax (the cross-border tax of 1210 and 9610, the VAT of
duty-paid goods) is paid by the customer on top of the price and collected for customs:
not revenue, reported beside the money (``tax_cny``). Only orders placed after the
warm-up count; period costs cover ``horizon - warmup``. The money is a function of the
run's tables and the scenario only, so a run folder can compute it again; the KPIs on it
are in :mod:`o2osim.kpis.money`. This module must not run the model.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import membership
from .scenario import Economics, Scenario, ScenarioError, Site, fleet_resource
from .scenario.economics import AIRPORT, Tariff
from .scenario.stages import DELIVERING, STAGE_END, WAREHOUSE
from .scenario.warehouse import class_blocks
from .sku_units import catalogues as _catalogues
from .sku_units import sku_weights as sku_weights
from .tables import COMPLETED, RunTables, rows_where
from .units import DAY, HOUR

DIRECT = (
    "cogs", "duty", "freight", "fees", "packaging", "courier", "postage", "payment", "reverse",
    "write_off", "marketing",
)  # fmt: skip
PERIOD = ("labour", "shipments", "storage", "events", "rent", "site_staff")
COSTS = DIRECT + PERIOD
#: The landed cost: every line but the goods' purchase cost, their write-off and marketing.
LANDED = tuple(c for c in COSTS if c not in ("cogs", "write_off", "marketing"))
#: Cost lines between the gross margin and CM1 (after fulfilment); CM2 also takes off
#: marketing, and profit every other line (write-offs, rent, site staff).
FULFILMENT = tuple(c for c in LANDED if c not in ("rent", "site_staff"))
#: Period lines of ``[marketing]`` (acquisition spend, membership and co-branding), in
#: the money table only when the scenario has the table (docs/marketing.md).
MARKETING_LINES = ("acquisition", "programmes")
#: Final stages handed to a domestic courier as a parcel (paid postage).
POSTED = ("courier", "regional")


def _cents(values: np.ndarray | float) -> np.ndarray:
    return np.rint(np.asarray(values, dtype=float) * 100.0).astype(np.int64)


def spread(total_cents: int, count: int) -> np.ndarray:
    """Split ``total_cents`` into ``count`` integer shares that differ by at most one cent."""
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    base, remainder = divmod(int(total_cents), count)
    shares = np.full(count, base, dtype=np.int64)
    shares[:remainder] += 1
    return shares


def spread_part(
    total_cents: int, count: int, before: int = 0, total: int | None = None
) -> np.ndarray:
    """Shares ``before`` to ``before + count`` of :func:`spread` of ``total_cents`` over
    ``total`` shares (default ``count``): one block's part of a spread over all orders."""
    total = count if total is None else total
    if total <= 0 or count <= 0:
        return np.zeros(max(count, 0), dtype=np.int64)
    base, remainder = divmod(int(total_cents), total)
    shares = np.full(count, base, dtype=np.int64)
    shares[: max(0, min(count, remainder - before))] += 1
    return shares


@dataclass
class Money:
    """Per-order money table (CNY) and the run's period costs (cents)."""

    orders: pd.DataFrame
    period_cents: dict[str, int]
    unallocated_cents: int
    days: float


def has_asset(scenario: Scenario, asset: str) -> bool:
    """Whether the scenario has the asset a site stands for (warehouse, airport, depot, store)."""
    if asset == WAREHOUSE:
        return scenario.warehouse is not None
    if asset == AIRPORT:
        return scenario.airport is not None
    return asset in scenario.depots or any(store.name == asset for store in scenario.stores)


def charged_sites(scenario: Scenario) -> list[Site]:
    """The sites a run pays rent and staff for: those whose asset the scenario has."""
    return [site for site in scenario.economics.sites if has_asset(scenario, site.asset)]


def site_cost_per_day(site: Site) -> float:
    """Rent and fixed staff of a site, CNY per day."""
    staff = site.staff * site.staff_cny_per_hour * site.opening_hours_per_day
    return site.area_m2 * site.rent_cny_per_m2_day + staff


def labour_rate(economics: Economics, resource: str) -> float:
    """CNY per staffed server-hour of ``resource``: its own rate, else (``pick_DEPOT``,
    ``deliver_FLEET``) its stage's, else 0."""
    rates = economics.labour_cny_per_hour
    if resource in rates:
        return rates[resource]
    stage = resource.split("_", 1)[0]
    return rates.get(stage, 0.0) if stage in ("pick", "deliver") and "_" in resource else 0.0


def period_costs(
    scenario: Scenario,
    resource_stats: dict[str, dict[str, float]],
    inventory: pd.DataFrame,
    counters: dict[str, int],
) -> dict[str, int]:
    """Period cost lines of the counted span, in cents."""
    from .trade.firstleg import first_leg_cny, storage_cny

    econ, meta = scenario.economics, scenario.scenario
    days = (meta.horizon - meta.warmup) / DAY
    labour = sum(
        stats["mean_servers"] * stats["span_min"] / HOUR * labour_rate(econ, name)
        for name, stats in resource_stats.items()
    )
    sites = charged_sites(scenario)
    rent = sum(site.area_m2 * site.rent_cny_per_m2_day * days for site in sites)
    staff = sum(site_cost_per_day(site) * days for site in sites) - rent
    events = sum(econ.per_event_cny.get(name, 0.0) * count for name, count in counters.items())
    return {
        "labour": int(_cents(labour)),
        "shipments": int(_cents(first_leg_cny(scenario, inventory))),
        "storage": int(_cents(storage_cny(scenario, inventory))),
        "events": int(_cents(events)),
        "rent": int(_cents(rent)),
        "site_staff": int(_cents(staff)),
    }


def optional_costs(scenario: Scenario) -> dict[str, int]:
    """Period lines (cents) a scenario has only when it configures their feature:
    ``[marketing]``'s acquisition spend and programme costs over the counted span."""
    marketing, meta = scenario.marketing, scenario.scenario
    if marketing is None:
        return {}
    days = (meta.horizon - meta.warmup) / DAY
    return {
        "acquisition": int(_cents(marketing.acquisition_cny_per_day() * days)),
        "programmes": int(_cents(marketing.programmes_cny_per_day() * days)),
    }


def cost_lines(columns: Iterable[str]) -> tuple[str, ...]:
    """The cost lines of a money table with these ``columns``: :data:`COSTS`, then the
    optional lines it has."""
    have = set(columns)
    return COSTS + tuple(c for c in MARKETING_LINES if f"{c}_cny" in have)


def courier_rate(scenario: Scenario, resource: str) -> float:
    """CNY paid per delivery by the fleet with resource name ``resource``."""
    econ = scenario.economics
    return econ.fleet_cny_per_order.get(resource, econ.courier_cny_per_order)


def fleet_cost(
    scenario: Scenario, resource: str, stats: dict[str, float], deliveries: int
) -> float:
    """CNY a courier fleet cost over the counted span: its couriers' paid hours (the
    same labour line as :func:`period_costs`) plus its pay for ``deliveries``."""
    hours = stats["mean_servers"] * stats["span_min"] / HOUR
    return (
        labour_rate(scenario.economics, resource) * hours
        + courier_rate(scenario, resource) * deliveries
    )


def stock_unit_days(inventory: pd.DataFrame, start: float, end: float) -> float:
    """Integral of total units on hand over [start, end], in unit-days."""
    if inventory.empty:
        return 0.0
    times = inventory["time"].to_numpy()
    level = np.cumsum(inventory["on_hand_change"].to_numpy())  # ledger is in time order
    # Step function: after event i the level is level[i] until times[i + 1].
    edges = np.clip(np.append(times, end), start, end)
    return float(np.sum(level * np.diff(edges)) / DAY)


# -- weights and freight modes of the SKUs ------------------------------------------
def sku_modes(scenario: Scenario) -> list[str]:
    """The freight mode that restocks each SKU id: its replenishment class's ``mode``,
    else ``economics.stock_freight_mode``."""
    default, wh = scenario.economics.stock_freight_mode, scenario.warehouse
    skus = sum(cat.skus for cat in _catalogues(scenario))
    if wh is None:
        return [default] * skus
    rep = wh.replenishment
    specs = [*rep.classes, rep]
    blocks = class_blocks(skus, [c.share for c in rep.classes])
    return [spec.mode or default for spec, block in zip(specs, blocks, strict=True) for _ in block]


def freight_problem(scenario: Scenario) -> str | None:
    """Why the freight cannot be priced (a mode without a tariff), or None."""
    wh, freight = scenario.warehouse, scenario.economics.freight
    if wh is None:
        return None
    rep = wh.replenishment
    for where, spec in [*((f"classes.{c.name}", c) for c in rep.classes), ("", rep)]:
        if spec.mode is not None and spec.mode not in freight:
            key = ".".join(filter(None, ("warehouse.replenishment", where, "mode")))
            return (
                f"{key} = {spec.mode!r} has no tariff in economics.freight "
                f"(has: {', '.join(freight) or 'none'})"
            )
    return None


def _tariffs(scenario: Scenario) -> list[Tariff]:
    problem = freight_problem(scenario)
    if problem is not None:
        raise ScenarioError(problem)
    freight = scenario.economics.freight
    return [freight[mode] for mode in sku_modes(scenario)]


def purchase_order_freight(scenario: Scenario, inventory: pd.DataFrame) -> float:
    """CNY of the per-shipment freight of the purchase orders placed after the warm-up
    (one purchase order is one shipment of its SKU's mode)."""
    if inventory.empty:
        return 0.0
    orders = inventory[
        (inventory["kind"].astype(str) == "purchase_order")
        & (inventory["time"] >= scenario.scenario.warmup)
    ]
    per_shipment = np.array([t.cny_per_shipment for t in _tariffs(scenario)])
    return float(per_shipment[orders["sku"].to_numpy()].sum())


def _per_order(counted: pd.DataFrame, per_unit: np.ndarray) -> np.ndarray:
    """Sum of ``per_unit[sku]`` over each order's lines."""
    skus = counted["skus"].to_numpy()
    lines = np.fromiter((len(s) for s in skus), dtype=np.int64, count=len(skus))
    flat = np.fromiter(itertools.chain.from_iterable(skus), dtype=np.int64, count=lines.sum())
    owner = np.repeat(np.arange(len(skus)), lines)
    return np.bincount(owner, weights=per_unit[flat], minlength=len(skus))


def _parcel(tariff: Tariff, weight: np.ndarray) -> np.ndarray:
    """Cents of one parcel of each weight (kg) at ``tariff``."""
    return _cents(tariff.cny_per_shipment + tariff.cny_per_kg * weight)


def event_discounts(scenario: Scenario, orders: pd.DataFrame) -> np.ndarray:
    """Price discount (share) of each order from the calendar events on its date.

    Discounts of events on the same date compound; the purchase cost is not discounted.
    """
    keep = np.ones(len(orders))
    events = [e for e in scenario.customers.calendar if e.discount > 0]
    if not events:
        return np.zeros(len(orders))
    day = np.floor(orders["placed"].to_numpy() / DAY).astype(np.int64)
    segment = orders["segment"].astype(str).to_numpy()
    for event in events:
        first = (event.start - scenario.scenario.start).days
        on = (day >= first) & (day < first + event.days)
        if event.segments:
            on &= np.isin(segment, event.segments)
        keep[on] *= 1.0 - event.discount
    return 1.0 - keep


def _logistics(scenario: Scenario, counted: pd.DataFrame) -> dict[str, np.ndarray]:
    """The lines set by each channel's route, in cents: freight, fees, packaging, the
    rider, postage and return shipping (before the returns handling)."""
    econ, n = scenario.economics, len(counted)
    channel = counted["channel"].astype(str).to_numpy()
    outcome = counted["outcome"].astype(str).to_numpy()
    completed = np.isin(outcome, COMPLETED)
    unit_kg = sku_weights(scenario)
    weight = _per_order(counted, unit_kg)
    rates = np.array([t.cny_per_kg for t in _tariffs(scenario)]) * unit_kg
    stock_freight = _cents(_per_order(counted, rates))
    post = econ.freight[econ.parcel_freight_mode]

    def stamped(name: str) -> np.ndarray:
        return counted[name].notna().to_numpy()

    out = {k: np.zeros(n, dtype=np.int64) for k in ("freight", "packaging", "courier")}
    out |= {k: np.zeros(n, dtype=np.int64) for k in ("postage", "return_shipping")}
    out["fees"] = np.where(stamped("declared"), int(_cents(econ.customs_cny_per_declaration)), 0)
    out["fees"] += np.where(stamped("port_declared"), int(_cents(econ.port_cny_per_parcel)), 0)
    sent, packed, delivered = stamped("dispatched"), stamped("packed"), stamped("delivered")
    for name, spec in scenario.channels.items():
        rows = channel == name
        if not rows.any():
            continue
        route, last = spec.route, spec.route[-1]
        parcel = "seller_ship" in route  # 9610: the seller ships one parcel per order
        shipped = stamped("port_arrived") & rows if parcel else np.zeros(n, dtype=bool)
        out["freight"] += np.where(shipped, _parcel(post, weight), 0)
        if not parcel:
            out["freight"] += np.where(rows & completed, stock_freight, 0)
        rider = "deliver" in route
        wrapped = packed | shipped | (sent & rider)
        out["packaging"] += np.where(rows & wrapped, int(_cents(econ.packaging_cny_per_order)), 0)
        pay = int(_cents(courier_rate(scenario, fleet_resource(spec.fleet))))
        out["courier"] += np.where(rows & delivered & rider, pay, 0)
        if last in POSTED and len(route) > 1:  # handed to the courier: the stage before ended
            handed = rows & stamped(STAGE_END[route[-2]])
            out["postage"] += np.where(handed, _parcel(econ.postage, weight), 0)
        if last in DELIVERING:  # a return of goods sent to the door comes back as a parcel
            back = _parcel(post if parcel else econ.postage, weight)
            out["return_shipping"] += np.where(rows & (outcome == "returned"), back, 0)
    out["weight"] = weight  # kg, not cents
    return out


def order_money(
    scenario: Scenario,
    run: RunTables,
    counted: pd.DataFrame | None = None,
    place: tuple[int, int | None] = (0, None),
) -> Money:
    """Every counted order's revenue, cost lines and profit (CNY, exact to the cent).

    ``counted`` prices one block of the counted orders instead (:mod:`o2osim.money_blocks`);
    ``place`` = (completed orders before the block, completed orders in all) places its
    share of the period costs.
    """
    econ, meta = scenario.economics, scenario.scenario
    if counted is None:
        counted = rows_where(run.orders, run.orders["after_warmup"])  # shares all-NaN columns
    channel = counted["channel"].astype(str).to_numpy()
    outcome = counted["outcome"].astype(str).to_numpy()
    completed = np.isin(outcome, COMPLETED)
    value = _cents(counted["value_cny"].to_numpy() * (1.0 - event_discounts(scenario, counted)))
    value = membership.member_prices(scenario, counted, value)  # unchanged without [membership]
    fee = np.zeros(len(counted), dtype=np.int64)
    for name, rule in econ.delivery_fees.items():
        waived = (
            value >= _cents(rule.free_above_cny)
            if rule.free_above_cny is not None
            else np.zeros(len(value), dtype=bool)
        )
        charged = (channel == name) & completed & ~waived
        fee[charged] = int(_cents(rule.fee_cny))
    revenue = np.where(completed, value, 0) + fee
    tax = np.where(completed, _cents(counted["tax_cny"].to_numpy()), 0)
    duty_paid = [
        n for n, ch in scenario.channels.items() if getattr(ch, "goods", "") == "duty_paid"
    ]
    purchase = counted["value_cny"].to_numpy() * econ.purchase_cost_share
    logistics = _logistics(scenario, counted)
    trade, paid_tax = None, tax  # paid_tax: the tax that goes through the payment
    if scenario.trade is not None:  # an export market: its dated duties, fees and VAT
        from .trade.landed import trade_money

        trade = trade_money(scenario, counted, value, purchase, logistics["freight"], run.inventory)
        tax, paid_tax = trade.customer, trade.vat  # duty paid at the door is the carrier's
        logistics["fees"] = logistics["fees"] + trade.seller_fees
    returned = outcome == "returned"
    lines = {
        "cogs": np.where(completed, _cents(purchase), 0),
        "duty": np.where(
            completed & np.isin(channel, duty_paid),
            _cents(purchase * econ.duty_share_of_purchase_cost),
            0,
        )
        if trade is None
        else trade.seller_duty,
        **{k: logistics[k] for k in ("freight", "fees", "packaging", "courier", "postage")},
        "payment": np.where(
            completed, _cents((revenue + paid_tax) / 100.0 * econ.payment_share), 0
        ),
        "reverse": np.where(returned, int(_cents(econ.returns_handling_cny)), 0)
        + logistics["return_shipping"]
        if scenario.cross_returns is None  # else each return path's own cost
        else _cents(np.nan_to_num(counted["reverse_cny"].to_numpy())),
        "write_off": _cents(
            np.nan_to_num(counted["written_off_cny"].to_numpy()) * econ.purchase_cost_share
        ),
        "marketing": _cents(revenue / 100.0 * econ.marketing_share_of_revenue),
    }
    period = period_costs(scenario, run.stats, run.inventory, run.counts)
    extra = optional_costs(scenario)  # none unless a feature with period lines is configured
    period |= extra
    costs = COSTS + tuple(extra)
    receivers = np.flatnonzero(completed)
    before, total = place[0], len(receivers) if place[1] is None else place[1]
    for name in (*PERIOD, *extra):
        share = np.zeros(len(counted), dtype=np.int64)
        share[receivers] = spread_part(period[name], len(receivers), before, total)
        lines[name] = share
    unallocated = 0 if total else sum(period.values())
    club_fees = np.zeros(len(counted), dtype=np.int64)  # [membership]: fees accrued, as revenue
    club_days = (meta.horizon - meta.warmup) / DAY
    club_fees[receivers] = spread_part(
        membership.fee_cents(scenario, club_days), len(receivers), before, total
    )
    revenue = revenue + club_fees
    profit = revenue - sum(lines[name] for name in costs)
    table = pd.DataFrame(
        {
            "order_id": counted["order_id"].to_numpy(),
            "channel": counted["channel"].to_numpy(),
            "outcome": counted["outcome"].to_numpy(),
            "weight_kg": logistics["weight"],
            "revenue_cny": revenue / 100.0,
            "delivery_fee_cny": fee / 100.0,
            "tax_cny": tax / 100.0,
            **{f"{name}_cny": lines[name] / 100.0 for name in costs},
            "profit_cny": profit / 100.0,
        }
    )
    if trade is not None:
        from .trade.landed import market_columns

        table = market_columns(table, trade, [f"{name}_cny" for name in LANDED])
    if scenario.membership is not None:  # the fees' share of each order's revenue
        table.insert(
            table.columns.get_loc("revenue_cny") + 1, "membership_fee_cny", club_fees / 100.0
        )
    if scenario.sellers is not None:  # SMEs' orders: split between platform and seller
        from .sellers.money import seller_split

        table = seller_split(scenario, counted, table, run.inventory)
    days = (meta.horizon - meta.warmup) / DAY
    return Money(table, period, unallocated, days)
