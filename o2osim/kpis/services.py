"""Service KPIs: the ``service`` family (bookings, load factor, denials, money per product).

Only a run with ``[services]`` has ``service`` rows, one name per product. They cover
the service dates that fell in [warm-up, horizon) (a date's bookings, cancellations and
refunds are credited at its date; see :mod:`o2osim.facilities.services`), read from
the run's counters ``services.NAME.*``. ``load_factor`` is customers served over places
offered; ``denied_per_show`` the customers denied over those who showed;
``denied_per_date`` the mean customers denied per date; ``dates_denying_share`` the
share of dates that denied anybody; ``booking_limit`` the overbooking policy's limit.
Money is CNY: ``net_revenue`` is revenue less refunds and compensation, ``margin`` that
less the partner's seat cost. This module only reads tables and the scenario.
"""

from __future__ import annotations

from ..overbooking import booking_limit
from .registry import KpiInput, Row, Rows, register

SERVICE_KPIS = (
    "dates", "places", "booking_limit", "requests", "refused", "bookings", "cancelled",
    "no_shows", "served", "denied", "load_factor", "denied_per_show", "denied_per_date",
    "dates_denying_share", "revenue_cny", "refunds_cny", "compensation_cny",
    "net_revenue_cny", "seat_cost_cny", "margin_cny",
)  # fmt: skip


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom else float("nan")


@register("service")
def service_kpis(source: KpiInput) -> Rows:
    """Per product: bookings and their fates, load factor, denied service, money."""
    services = source.scenario.services
    if services is None:
        return []
    counts = source.run.counts
    out: Rows = []
    for name, product in services.products.items():
        c = {k.rsplit(".", 1)[1]: v for k, v in counts.items() if k.startswith(f"services.{name}.")}
        shows = c["served"] + c["denied"]
        net = c["revenue_cents"] - c["refund_cents"] - c["compensation_cents"]
        rows: list[Row] = [
            ("dates", c["dates"], "dates"),
            ("places", c["places"], "places"),
            ("booking_limit", booking_limit(product), "bookings"),
            ("requests", c["requests"], "requests"),
            ("refused", c["refused"], "requests"),
            ("bookings", c["booked"], "bookings"),
            ("cancelled", c["cancelled"], "bookings"),
            ("no_shows", c["no_show"], "bookings"),
            ("served", c["served"], "bookings"),
            ("denied", c["denied"], "bookings"),
            ("load_factor", _ratio(c["served"], c["places"]), "share"),
            ("denied_per_show", _ratio(c["denied"], shows), "share"),
            ("denied_per_date", _ratio(c["denied"], c["dates"]), "customers"),
            ("dates_denying_share", _ratio(c["dates_denying"], c["dates"]), "share"),
            ("revenue_cny", c["revenue_cents"] / 100, "CNY"),
            ("refunds_cny", c["refund_cents"] / 100, "CNY"),
            ("compensation_cny", c["compensation_cents"] / 100, "CNY"),
            ("net_revenue_cny", net / 100, "CNY"),
            ("seat_cost_cny", c["seat_cost_cents"] / 100, "CNY"),
            ("margin_cny", (net - c["seat_cost_cents"]) / 100, "CNY"),
        ]
        out.append((name, rows))
    return out
