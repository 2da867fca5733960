"""Drawing charts without ever losing a run: each chart is drawn and saved on its own,
and one that fails is skipped with a :class:`ChartWarning` instead of raising.

Used by the run charts (:mod:`o2osim.plots`) and the experiment report
(:mod:`o2osim.report`, :mod:`o2osim.experiment_charts`); both are drawn after
the work is done, when an exception would throw the results away. Also holds
the small drawing helpers they share (empty-axes notes, safe bins, stacked
segment bars, KPI rows as a table). It reads no file, knows no scenario and
draws no chart of its own.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

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


def segment_bars(
    table: pd.DataFrame, title: str, xlabel: str, ncols: int, **style: object
) -> Figure:
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
    ax.legend(
        frameon=False,
        ncols=ncols,
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.35 if len(table) < 3 else -0.2),
    )
    fig.tight_layout()
    return fig


def kpi_table(rows: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """KPI rows named ``<prefix><part>`` as a table: one row per name, one column per part."""
    return (
        rows.assign(part=rows["kpi"].str.removeprefix(prefix))
        .pivot_table(index="name", columns="part", values="value", sort=False)
        .fillna(0.0)
    )
