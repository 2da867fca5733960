"""Progress displays of the command line: everywhere a user waits, something moves.

``o2osim run`` shows a bar over simulated days and then names each step after the
simulation (tables, KPIs, writing, charts) on the same line; sweeps show runs
done, runs per second and the time left; ``validate`` counts replications. This
module only builds rich displays: it must not run or read anything itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RunsPerSecond(ProgressColumn):
    """Runs finished per second (blank until rich has seen two finish)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.2f} runs/s")


def run_progress(out: Console, name: str, seed: int) -> Progress:
    """The bar of one run: simulated days, then the step under way after the simulation."""
    return Progress(
        TextColumn(f"[bold]{name}[/] seed {seed}"),
        BarColumn(),
        TextColumn("day {task.completed:.1f}/{task.total:.0f}"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=out,
        transient=True,
    )


def sweep_progress(out: Console, name: str, quiet: bool) -> Progress:
    """The bar of a sweep: runs done of all, runs per second, time taken and left."""
    return Progress(
        TextColumn(f"[bold]{name}[/]"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} runs"),
        RunsPerSecond(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=out,
        transient=True,
        disable=quiet,
    )


@contextmanager
def counting(out: Console, title: str, unit: str) -> Iterator[Callable[[int, int], None]]:
    """A bar for ``done`` of ``total`` jobs; yields the ``on_done(done, total)`` to call."""
    with Progress(
        TextColumn(f"[bold]{title}[/]"),
        BarColumn(),
        TextColumn(f"{{task.completed:.0f}}/{{task.fields[of]}} {unit}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=out,
        transient=True,
    ) as progress:
        # The total is known only once the jobs are listed: "?" until the first is done.
        task = progress.add_task(title, total=None, of="?")
        yield lambda done, total: progress.update(task, completed=done, total=total, of=total)
