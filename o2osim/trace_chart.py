"""The Gantt chart of order traces: one panel per channel, one row per order.

Each bar is one stage of one order, from the time it reached the stage to the time it
left, measured from when the order was placed: the waiting part pale and hatched, the
service part solid, a colour per stage (the same colours in every trace chart). Each
channel gets its own panel and time axis, because an instant delivery's hour and a
regional delivery's day cannot be read on one axis. This module only draws
(:mod:`o2osim.traces` reads the run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .chartkit import UNIT_NAMES, duration_unit
from .glossary import stage_name

if TYPE_CHECKING:
    from .traces import Journey

_ROW_INCHES = 0.22
_BAR = 0.7
_GREY = "#7f7f7f"


def gantt_figure(journeys: list[Journey], title: str, colours: dict[str, str]) -> Figure:
    """The figure (one panel per channel, in the order the journeys come)."""
    channels = list(dict.fromkeys(j.channel for j in journeys))
    rows = [sum(j.channel == c for j in journeys) for c in channels]
    height = 1.6 + sum(max(r, 2) * _ROW_INCHES + 0.75 for r in rows)
    fig, axes = plt.subplots(
        len(channels) or 1,
        1,
        figsize=(10, height),
        gridspec_kw={"height_ratios": [max(r, 2) + 3 for r in rows] or [1]},
        squeeze=False,
    )
    used: list[str] = []
    for ax, channel in zip(axes[:, 0], channels, strict=False):
        mine = [j for j in journeys if j.channel == channel]
        used += [leg.stage for j in mine for leg in j.legs]
        _panel(ax, mine, channel, colours)
    if not channels:
        axes[0, 0].text(0.5, 0.5, "no order went through its route after the warm-up", ha="center")
        axes[0, 0].set_axis_off()
    fig.suptitle(title)
    # route order; a stage added to the stage table after the palette comes last, in grey
    names = [s for s in colours if s in used] + [s for s in dict.fromkeys(used) if s not in colours]
    handles = [Patch(color=colours.get(s, _GREY), label=stage_name(s)) for s in names]
    handles.append(Patch(facecolor="white", edgecolor="grey", hatch="///", label="waiting"))
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), fontsize=8)
    legend_rows = -(-len(handles) // 4)
    fig.tight_layout(rect=(0, (0.25 + 0.2 * legend_rows) / height, 1, 1))
    return fig


def _panel(ax: plt.Axes, journeys: list[Journey], channel: str, colours: dict[str, str]) -> None:
    spans = [j.legs[-1].end - j.placed for j in journeys if j.legs]
    scale, unit = duration_unit(spans or [0.0])
    for row, journey in enumerate(journeys):
        for leg in journey.legs:
            colour = colours.get(leg.stage, _GREY)
            at = (leg.begin - journey.placed) / scale
            if leg.wait > 0:
                ax.barh(row, leg.wait / scale, left=at, height=_BAR, color=colour, alpha=0.35,
                        hatch="///", edgecolor=colour, linewidth=0)  # fmt: skip
            if leg.service > 0:
                ax.barh(row, leg.service / scale, left=at + leg.wait / scale, height=_BAR,
                        color=colour)  # fmt: skip
    ax.set_yticks(range(len(journeys)), [f"#{j.order_id}" for j in journeys], fontsize=7)
    ax.set_ylim(len(journeys) - 0.5, -0.5)  # first order on top
    ax.set_xlim(left=0)
    ax.set_title(f"channel {channel}", loc="left", fontsize=10)
    ax.set_xlabel(f"time since the order was placed or the visitor arrived ({UNIT_NAMES[unit]})")
    ax.grid(axis="x", alpha=0.3)
