"""What the dashboard runs and shows, without any widget: testable without a browser.

:func:`run_choice` runs a lesson with chosen decisions (or a bundled scenario on a
short calendar) into a results folder; :func:`kpi_table` puts its KPIs beside the
baseline's with the glossary's names and units; :func:`zip_folder` packs a folder
for download. This module must not import Panel.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..api import Result, simulate
from ..glossary import label, shown
from ..lessons import LESSONS, lesson_scenario
from ..scenario import Scenario, load_scenario

SCENARIO_PREFIX = "scenario: "
#: a bundled scenario runs this long in the dashboard: answers in seconds, not minutes
SCENARIO_CALENDAR = ("3d", "1d")
#: KPIs shown for a bundled scenario (a lesson shows its own ``measure``)
SCENARIO_KPIS = (
    ("overall", "all", "orders_placed"),
    ("overall", "all", "lead_time_p50"),
    ("overall", "all", "lead_time_p90"),
    ("overall", "all", "on_time_rate"),
    ("overall", "all", "fill_rate"),
    ("overall", "all", "landed_cost_per_order"),
    ("overall", "all", "profit_per_order"),
)
#: the run's own charts, shown below the run-against-baseline charts (which replace its
#: lead-time and queue charts: see :mod:`o2osim.dashboard.compare`)
CHARTS = ("utilisation.png", "outcomes.png")


def choices() -> list[str]:
    """Lesson names, then bundled scenarios as ``scenario: NAME``."""
    from ..bundled import bundled_names

    return [*LESSONS, *(SCENARIO_PREFIX + name for name in bundled_names())]


@dataclass
class Run:
    """One dashboard run: its result and the folder it was saved in."""

    result: Result
    folder: Path


def scenario_of(choice: str, decisions: Mapping[str, float] | None = None) -> Scenario:
    """The scenario behind a choice; a lesson's decisions are applied to it."""
    if choice.startswith(SCENARIO_PREFIX):
        from ..bundled import resolve_scenario_path

        return load_scenario(resolve_scenario_path(choice[len(SCENARIO_PREFIX) :]))
    return lesson_scenario(LESSONS[choice], decisions)


def measures(choice: str) -> tuple[tuple[str, str, str], ...]:
    return SCENARIO_KPIS if choice.startswith(SCENARIO_PREFIX) else LESSONS[choice].measure


def run_choice(
    choice: str,
    decisions: Mapping[str, float] | None = None,
    seed: int = 1,
    progress: Callable[[float], None] | None = None,
) -> Run:
    """Run and save into a fresh temporary folder; ``progress`` gets 0..1."""
    scenario = scenario_of(choice, decisions)
    horizon, warmup = SCENARIO_CALENDAR if choice.startswith(SCENARIO_PREFIX) else (None, None)
    end = scenario.scenario.horizon

    def tick(now: float) -> None:
        if progress is not None:
            progress(min(1.0, now / end) if end else 1.0)

    result = simulate(scenario, seed=seed, horizon=horizon, warmup=warmup, progress=tick)
    folder = Path(tempfile.mkdtemp(dir=_scratch_root())) / "results"
    result.save(folder)
    return Run(result, folder)


_SCRATCH: list[tempfile.TemporaryDirectory[str]] = []


def _scratch_root() -> str:
    """One temporary folder for this process's runs; the finaliser of
    :class:`tempfile.TemporaryDirectory` removes it (and every run) when the server exits."""
    if not _SCRATCH:
        _SCRATCH.append(tempfile.TemporaryDirectory(prefix="o2osim-dashboard-"))
    return _SCRATCH[0].name


def kpi_table(choice: str, run: Result, baseline: Result | None) -> pd.DataFrame:
    """One row per KPI: the glossary's name, this run, the baseline, the unit."""
    rows = []
    for group, name, kpi in measures(choice):
        try:
            value, unit = shown(kpi, run.kpi(group, name, kpi))
        except KeyError:
            continue
        base = float("nan")
        if baseline is not None:
            with contextlib.suppress(KeyError):  # a KPI the baseline did not produce
                base = shown(kpi, baseline.kpi(group, name, kpi))[0]
        rows.append(
            {"measure": label(group, name, kpi), "this run": value, "baseline": base, "unit": unit}
        )
    return pd.DataFrame(rows, columns=["measure", "this run", "baseline", "unit"])


def zip_folder(folder: Path) -> io.BytesIO:
    """The folder's files in a zip archive (in memory), named under the folder's name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path(folder.name) / path.relative_to(folder))
    buffer.seek(0)
    return buffer
