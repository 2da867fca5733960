"""Customs builders: mode 1210 clearance, and direct mail (9610) through the port.

:func:`build_customs` makes the bonded customs office (always: its idle officers
cost labour too) and, when some route ships direct mail, the parcel transit
``seller_ship``, the port's customs office ``port_customs`` and the national
courier ``courier``. Both offices share one quota book (the annual limit is per
person). A rejected order goes to the order flow's ``rejected`` with the limit
that refused it. Random streams: ``customs.*``, ``port_customs.*``,
``direct_mail.*``. This module must not decide an order's fate.
"""

from __future__ import annotations

from ..facilities.customs import Customs
from ..facilities.station import Delay
from ..scenario import Customs as CustomsConfig
from ..scenario import TimeDist
from ..scenario.stages import STAGE_END
from .context import Build
from .registry import register_shared


def build_customs(b: Build) -> None:
    """The customs office, and the direct-mail stages when a route uses one."""
    b.customs = _office(b, "customs", b.scenario.customs, "")
    if b.plan.used & {"seller_ship", "port_customs", "courier"}:
        mail = b.scenario.direct_mail
        # In this order: the streams are created as the stages are built.
        _transit(b, "seller_ship", "direct_mail.parcel_transit", mail.parcel_transit)
        b.port_customs = _office(b, "port_customs", mail.port_customs, "port_")
        _transit(b, "courier", "direct_mail.courier_transit", mail.courier_transit)


def _transit(b: Build, stage: str, stream: str, time: TimeDist) -> None:
    """A direct-mail leg: a pure delay that sets the stage's end stamp."""
    b.stages[stage] = b.add(
        f"stage {stage!r}",
        Delay(b.env, b.draw(stream, time), b.book.column(STAGE_END[stage]), done=b.flow.advance),
    )


def _office(b: Build, stage: str, config: CustomsConfig, prefix: str) -> Customs:
    office = Customs(
        b.env,
        config,
        b.book,
        b.quota,
        b.draw(f"{stage}.clearance_time", config.clearance_time),
        b.uniform(f"{stage}.inspection"),
        b.draw(f"{stage}.inspection_time", config.inspection_time),
        b.uniform(f"{stage}.documents"),
        b.draw(f"{stage}.manual_time", config.manual_time),
        stage=stage,
        prefix=prefix,
        done=b.flow.advance,
        reject=b.flow.rejected,
    )
    b.stages[stage] = b.add(f"stage {stage!r}", office)
    return office


register_shared("customs", "seller_ship", "port_customs", "courier")
