"""The export side's trade arithmetic: exchange rates, dated duty rules, landed cost.

:mod:`~.fx` converts between CNY and a market's currency to the cent; :mod:`~.duty`
applies a destination's dated rules to one parcel or consignment; :mod:`~.landed`
prices every order of an export run (called by :mod:`o2osim.economics`);
:mod:`~.choice` lets customers choose a channel on the landed price they see. Money
is CNY unless a name says ``_mkt`` (the market's currency). Nothing here runs the
model.
"""

from .duty import Charges, Line, consignment_charges, in_force, parcel_charges, sale_vat
from .fx import cny_per_unit, instant, round_cent, to_cents, to_cny, to_market

__all__ = [
    "Charges",
    "Line",
    "cny_per_unit",
    "consignment_charges",
    "in_force",
    "instant",
    "parcel_charges",
    "round_cent",
    "sale_vat",
    "to_cents",
    "to_cny",
    "to_market",
]
