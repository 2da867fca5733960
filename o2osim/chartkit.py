"""Drawing charts without ever losing a run: each chart is drawn and saved on its own,
and one that fails is skipped with a :class:`ChartWarning` instead of raising.

Used by the run charts (:mod:`o2osim.plots`) and the experiment report
(:mod:`o2osim.report`, :mod:`o2osim.experiment_charts`); both are drawn after
the work is done, when an exception would throw the results away. Also holds
the small drawing helpers they share (empty-axes notes, safe bins, stacked
segment bars, KPI rows as a table), the one palette that gives every layout,
channel, outcome and cost line the same colour in every chart, and the duration
axes and labels (minutes, hours or days, never "15,571 min"). It reads no file,
knows no scenario and draws no chart of its own.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator

NO_ORDERS = "no orders after the warm-up"


class ChartWarning(UserWarning):
    """A chart could not be drawn and was skipped; the tables were written."""


@dataclass
class SavedCharts:
    """The chart files written, and the ones skipped with the reason."""

    drawn: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def save_charts(
    folder: Path,
    makers: dict[str, Callable[[], Figure | None]],
    dpi: int = 110,
    write: Callable[[Path, Figure], None] | None = None,
) -> SavedCharts:
    """Draw and save each chart (file name -> maker; a maker may return None: nothing to
    draw). A chart that fails is skipped with a :class:`ChartWarning`.

    ``OSError`` is not a chart's fault (a full disk, a lost folder) and propagates.
    """
    saved = SavedCharts()
    for name, make in makers.items():
        before = set(plt.get_fignums())
        try:
            with warnings.catch_warnings():
                # Matplotlib's complaints about empty or flat axes are expected here.
                warnings.simplefilter("ignore")
                fig = make()
                if fig is None:
                    continue
                if write is None:
                    fig.savefig(folder / name, dpi=dpi)
                else:
                    write(folder / name, fig)
            saved.drawn.append(name)
        except OSError:
            raise
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:200]
            saved.skipped[name] = reason
            (folder / name).unlink(missing_ok=True)
            warnings.warn(
                f"chart {name} skipped ({reason}); the tables are saved", ChartWarning, stacklevel=2
            )
        finally:
            # A maker that failed half-way leaves its figure open; close only ours.
            for number in set(plt.get_fignums()) - before:
                plt.close(number)
    return saved


def note_empty(ax: plt.Axes, text: str = NO_ORDERS) -> None:
    """Write ``text`` across an axes that has nothing to show."""
    ax.text(
        0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=12, color="grey"
    )


def finite(values: np.ndarray) -> np.ndarray:
    """The finite values (NaN and infinities cannot be binned or placed on an axis)."""
    values = np.asarray(values, dtype=float)
    return values[np.isfinite(values)]


def safe_bins(values: np.ndarray, wanted: int = 60) -> np.ndarray:
    """The edges of ``wanted`` equal bins, unless the values are too close together in
    floating point for that many (huge values with a tiny spread): then of one bin.

    Edges, not a count: numpy would compute them again, overflowing near the float limit.
    """
    try:
        with np.errstate(all="ignore"):  # a span near the float limit overflows harmlessly
            edges = np.histogram_bin_edges(values, bins=wanted)
            if np.isfinite(edges).all() and (np.diff(edges) > 0).all():
                return edges
    except ValueError:
        pass
    low, high = float(np.min(values)), float(np.max(values))
    if high > low:
        return np.array([low, high])  # numpy's last bin holds its right edge
    if low > -np.finfo(float).max:
        return np.array([np.nextafter(low, -np.inf), high])
    return np.array([low, np.nextafter(high, np.inf)])  # the lowest float: widen upwards


def segment_bars(table: pd.DataFrame, title: str, xlabel: str, **style: object) -> Figure:
    """Stacked horizontal bars, one per segment (rows of ``table``), each part labelled
    with its share of the row when it is at least 6%."""
    fig, ax = plt.subplots(figsize=(8, 1.4 + 0.6 * len(table)))
    table.plot.barh(stacked=True, ax=ax, width=0.6, **style)
    totals = table.sum(axis=1).to_numpy()
    for container in ax.containers:
        if not isinstance(container, BarContainer):  # barh draws only bars; for the checker
            continue
        values = np.asarray(container.datavalues, dtype=float)
        ax.bar_label(
            container,
            labels=[
                f"{v / t:.0%}" if t and v / t >= 0.06 else ""
                for v, t in zip(values, totals, strict=True)
            ],
            label_type="center",
            fontsize=8,
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.set_title(title)
    # Beside the bars, not under them: below, a legend's offset in axes units grows with
    # the number of segments and ran into the x label for one or two segments.
    ax.legend(
        frameon=False,
        ncols=1 if len(table.columns) <= 8 else 2,
        fontsize=8,
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
    )
    fig.tight_layout()
    return fig


def step_histograms(
    ax: plt.Axes, members: list[tuple[str, np.ndarray, float | None, str]], what: str
) -> None:
    """Step histograms (density) of durations in minutes on one axis, in the unit they
    read best, each with its promise (minutes) as a dashed line: (label, minutes,
    promise or None, colour) per member. A promise far off the axis is named instead."""
    scale, unit = duration_unit([np.percentile(m, 99.5) for _, m, _, _ in members] or [0.0])
    promises = []
    for label, minutes, promise, colour in members:
        shown = minutes[minutes <= np.percentile(minutes, 99.5)] / scale
        ax.hist(
            shown,
            bins=safe_bins(shown).tolist(),
            histtype="step",
            lw=1.6,
            density=True,
            color=colour,
            label=f"{label} (n={len(minutes):,})",
        )
        if promise is not None:  # next-day and slot promises have no single lead time
            promises.append((promise / scale, colour))
    right, off_axis = ax.get_xlim()[1], 0
    for promised, colour in promises:
        if promised > 10 * right:
            # A promise of years would squash every histogram against the left edge.
            ax.text(
                0.99,
                0.95 - 0.06 * off_axis,
                f"promise {promised:,.0f} {unit}: off the axis",
                color=colour,
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=8,
            )
            off_axis += 1
            continue
        ax.axvline(promised, color=colour, ls="--", lw=1)
        ax.text(promised, ax.get_ylim()[1] * 0.95, " promise", color=colour, va="top", fontsize=8)
    ax.set_xlabel(f"{what} ({UNIT_NAMES[unit]})")
    ax.set_ylabel("density")
    if members:
        ax.legend(frameon=False, fontsize=8)


def hatch_unfinished(ax: plt.Axes, unfinished: list[bool]) -> None:
    """Hatch the stacked-bar series (in drawing order) of orders that had not ended."""
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    for container, hatched in zip(bars, unfinished, strict=False):
        if hatched:
            for patch in container:
                patch.set_hatch("//")


def kpi_table(rows: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """KPI rows named ``<prefix><part>`` as a table: one row per name, one column per part."""
    return (
        rows.assign(part=rows["kpi"].str.removeprefix(prefix))
        .pivot_table(index="name", columns="part", values="value", sort=False)
        .fillna(0.0)
    )


# ------------------------------------------------------------------ colours

#: Fixed colours: the five layouts, then the channels of the Wenzhou networks (a channel
#: named like a layout takes its colour; no two channels share one).
FIXED_COLOURS = {
    "direct_mail": "#8c564b",
    "bonded_front_store": "#1f77b4",
    "airport_pickup": "#9467bd",
    "instant_delivery": "#d62728",
    "omnichannel_hub": "#2ca02c",
    "online_delivery": "#17becf",
    "store_pickup": "#bcbd22",
    "store_takeaway": "#ff7f0e",
    "store_delivery": "#393b79",
    "speed_delivery": "#e377c2",
    "next_day": "#7f7f7f",
    "scheduled": "#8c6d31",
}
#: Outcomes: completed in greens, lost in reds and oranges, unfinished in greys.
OUTCOME_COLOURS = {
    "delivered": "#2ca02c",
    "collected": "#98df8a",
    "returned": "#bcbd22",
    "missed": "#ff7f0e",
    "cancelled": "#ffbb78",
    "rejected": "#d62728",
    "lost_sale": "#ff9896",
    "turned_away": "#c49c94",
    "no_purchase": "#dbdb8d",
    "balked": "#e377c2",
    "reneged": "#f7b6d2",
    "in_flight": "#7f7f7f",
    "censored": "#7f7f7f",
}
#: The colours a name outside FIXED_COLOURS is hashed onto.
_SPARE = [
    "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d",
    "#31a354", "#756bb1", "#636363", "#6baed6", "#fd8d3c", "#74c476", "#9e9ac8",
    "#e7ba52", "#ad494a", "#a55194", "#5254a3", "#8ca252", "#bd9e39",
]  # fmt: skip
_SPARE = [c for c in _SPARE if c not in FIXED_COLOURS.values()]


def palette(names: Iterable[str]) -> dict[str, str]:
    """A colour per name, the same in every chart: a fixed colour for the known layouts
    and channels, otherwise one chosen by a hash of the name (not by its position, so a
    chart with fewer names does not shift the others). Two unknown names of one chart
    that hash alike are told apart by taking the next spare colour, in sorted order."""
    out: dict[str, str] = {}
    taken = set()
    unique = list(dict.fromkeys(str(n) for n in names))
    for name in unique:
        if name in FIXED_COLOURS:
            out[name] = FIXED_COLOURS[name]
            taken.add(out[name])
    for name in sorted(n for n in unique if n not in out):
        start = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % len(_SPARE)
        for step in range(len(_SPARE)):
            colour = _SPARE[(start + step) % len(_SPARE)]
            if colour not in taken or step == len(_SPARE) - 1:
                break
        out[name] = colour
        taken.add(colour)
    return {name: out[name] for name in unique}


# ------------------------------------------------------------------ durations

#: Tick marks of a log duration axis (minutes) and how they read.
_DURATION_TICKS = [
    (1, "1 min"), (5, "5 min"), (15, "15 min"), (30, "30 min"), (60, "1 h"), (120, "2 h"),
    (240, "4 h"), (480, "8 h"), (1440, "1 d"), (2880, "2 d"), (5760, "4 d"),
    (10080, "1 wk"), (20160, "2 wk"), (40320, "4 wk"), (80640, "8 wk"),
]  # fmt: skip


UNIT_NAMES = {"min": "minutes", "h": "hours", "d": "days"}


def duration_unit(minutes: Sequence[float] | np.ndarray | pd.Series | float) -> tuple[float, str]:
    """The unit a set of durations (minutes) reads best in: (minutes per unit, name).

    Minutes below 2 h, hours below 3 days, days beyond: never "15,571 min"."""
    values = finite(np.asarray(minutes if np.ndim(minutes) else [minutes], dtype=float))
    largest = float(np.max(np.abs(values))) if len(values) else 0.0
    if largest < 120:
        return 1.0, "min"
    if largest < 3 * 1440:
        return 60.0, "h"
    return 1440.0, "d"


def fmt_duration(minutes: float, unit: tuple[float, str] | None = None) -> str:
    """A duration in minutes as it reads best ("45 min", "3.2 h", "6.5 d"); "–" if NaN."""
    if not np.isfinite(minutes):
        return "–" if np.isnan(minutes) else "∞"
    whole_days = minutes >= 1440 and minutes % 1440 == 0
    scale, name = unit or ((1440.0, "d") if whole_days else duration_unit(minutes))
    value = minutes / scale
    text = f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{text} {name}"


def duration_log_axis(ax: plt.Axes, axis: str = "x") -> None:
    """A log axis of durations given in minutes, ticked at 15 min, 1 h, 1 d, 1 wk..."""
    getattr(ax, f"set_{axis}scale")("log")
    low, high = getattr(ax, f"get_{axis}lim")()
    ticks = [(v, t) for v, t in _DURATION_TICKS if low <= v <= high]
    if len(ticks) > 8:  # keep every other tick on a wide span
        ticks = ticks[::2]
    target = ax.xaxis if axis == "x" else ax.yaxis
    if ticks:
        target.set_major_locator(FixedLocator([v for v, _ in ticks]))
        target.set_ticklabels([t for _, t in ticks])
    target.set_minor_locator(NullLocator())
