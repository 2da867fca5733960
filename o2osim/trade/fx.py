"""Exchange rates and instants: CNY <-> an export market's currency, to the cent.

A market's rate is a constant or a dated path (the last point at or before an
instant; before the first point, the first). Conversions round half up to the cent,
as a price list or an invoice does. Simulation time is minutes since the scenario's
start date at midnight; :func:`instant` turns it into a date-time. This module must
not read tables or run the model.
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from ..scenario.trade import Trade

CENT = Decimal("0.01")


def to_cents(amount: float | Decimal) -> int:
    """``amount`` (currency units) as integer cents, half up."""
    return int((Decimal(str(amount)) / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def round_cent(amount: float | Decimal) -> float:
    """``amount`` rounded half up to the cent."""
    return to_cents(amount) / 100.0


def instant(start: dt.date, minutes: float) -> dt.datetime:
    """The date-time ``minutes`` after midnight of ``start`` (to the second)."""
    midnight = dt.datetime.combine(start, dt.time())
    return midnight + dt.timedelta(seconds=round(minutes * 60.0))


def cny_per_unit(trade: Trade, when: dt.datetime) -> float:
    """CNY per unit of the market's currency at ``when``."""
    if trade.cny_per_unit is not None:
        return trade.cny_per_unit
    starts = [point.start for point in trade.exchange]
    index = max(bisect.bisect_right(starts, when) - 1, 0)
    return trade.exchange[index].cny_per_unit


def to_market(cny: float, rate: float) -> float:
    """CNY converted to the market's currency at ``rate`` CNY per unit, to the cent."""
    return round_cent(Decimal(str(cny)) / Decimal(str(rate)))


def to_cny(amount: float, rate: float) -> float:
    """An amount in the market's currency converted to CNY at ``rate``, to the cent."""
    return round_cent(Decimal(str(amount)) * Decimal(str(rate)))
