"""Draw a set of independent charts on several processes (the sweep report's charts).

A sweep's report is drawn after its last run, by one process, while the other cores
wait: on the 2-core layout comparison it is the largest part of the sweep that does
not run in parallel (~3 s of ~55 s). :func:`save_charts_on` draws the charts on
``processes`` forked children, one chart per task, and gives back the same
:class:`~o2osim.chartkit.SavedCharts` (in the makers' order) and the same files as
:func:`~o2osim.chartkit.save_charts` drawing them one after another.

The makers are closures over the report's tables, which cannot be pickled: a child
inherits them by ``fork`` (a module-level slot set just before the pool starts) and
receives only a chart's name. Where ``fork`` is unavailable (Windows, macOS's
default), or another thread is alive (a Dask client: forking a process with threads
can deadlock its child), the charts are drawn here, one after another. This module
must not draw anything itself, nor change what a chart shows.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from matplotlib.figure import Figure

from .chartkit import ChartWarning, SavedCharts, save_charts

Makers = dict[str, Callable[[], Figure | None]]
Writer = Callable[[Path, Figure], None] | None

#: What the forked children draw from: (folder, makers, dpi, write), set while a pool runs.
_JOB: list[tuple[Path, Makers, int, Writer]] = []


def can_fork() -> bool:
    """Whether the charts may be drawn on forked children here and now."""
    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def save_charts_on(
    processes: int,
    folder: Path,
    makers: Makers,
    dpi: int = 110,
    write: Writer = None,
) -> SavedCharts:
    """:func:`~o2osim.chartkit.save_charts` on up to ``processes`` processes."""
    workers = min(processes, len(makers))
    if workers <= 1 or _JOB or not can_fork():
        return save_charts(folder, makers, dpi, write)
    _JOB.append((folder, makers, dpi, write))
    try:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        with pool:
            parts = list(pool.map(_save_one, makers))  # in the makers' order
    finally:
        _JOB.clear()
    saved = SavedCharts()
    for part in parts:
        saved.drawn += part.drawn
        saved.skipped |= part.skipped
    for name, reason in saved.skipped.items():  # the child's warning did not reach here
        warnings.warn(
            f"chart {name} skipped ({reason}); the tables are saved", ChartWarning, stacklevel=2
        )
    return saved


def _save_one(name: str) -> SavedCharts:
    """In a forked child: draw and save the one chart ``name``."""
    folder, makers, dpi, write = _JOB[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChartWarning)  # the parent warns
        return save_charts(folder, {name: makers[name]}, dpi, write)
