"""The class dashboard: pick a lesson, move its decision sliders, run, compare.

Built with Panel (the ``[class]`` extra): the same :func:`build_app` object is served
in the browser by ``o2osim dashboard`` and shown inline in Jupyter, so a teacher's
notebook and the classroom page are one piece of code. The run happens in a worker
thread; a periodic callback on the server's event loop moves the progress bar, so
widgets are only ever touched from the loop. This module only arranges widgets;
what runs and what is shown is :mod:`o2osim.dashboard.runs`.
"""

from __future__ import annotations

import asyncio
import html
from pathlib import Path
from typing import Any

import pandas as pd
import panel as pn

from ..lessons import LESSONS, handout_markdown
from ..scenario import ScenarioError
from .compare import write_comparison
from .runs import CHARTS, SCENARIO_PREFIX, Run, choices, kpi_table, run_choice, zip_folder
from .widgets import decision_sliders

TITLE = "o2osim: O2O operations in class"


def _fmt(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:,.3g}"


def kpi_html(table: pd.DataFrame) -> str:
    """The KPI table as plain HTML (ids let a browser test find it)."""
    rows = "".join(
        f"<tr><td>{html.escape(str(r.measure))}</td><td class='run'>{_fmt(r[1])}</td>"
        f"<td class='baseline'>{_fmt(r[2])}</td><td>{html.escape(str(r.unit))}</td></tr>"
        for r in table.itertuples(index=False)
    )
    return (
        "<table id='kpi-table' style='border-collapse:collapse;font-size:14px'>"
        "<tr><th align='left'>measure</th><th>this run</th><th>baseline</th><th>unit</th></tr>"
        f"{rows}</table>"
    )


class Dashboard:
    """The widgets of one browser session and what happens when Run is pressed."""

    def __init__(self) -> None:
        self.choice = pn.widgets.Select(name="Lesson or scenario", options=choices(), width=300)
        self.sliders: dict[str, Any] = {}
        self.slider_box = pn.Column()
        self.run_button = pn.widgets.Button(name="Run", button_type="primary", width=120)
        self.progress = pn.indicators.Progress(name="progress", value=0, max=100, width=300)
        self.status = pn.pane.Markdown("Pick a lesson, set the decisions, press **Run**.")
        self.kpis = pn.pane.HTML("<p id='kpi-empty'>No run yet.</p>", sizing_mode="stretch_width")
        self.charts = pn.Column()
        self.handout = pn.pane.Markdown("", width=520)
        self.download = pn.widgets.FileDownload(
            callback=self._zip, filename="o2osim-results.zip", label="Download the results (zip)"
        )
        self.download.disabled = True
        self.baselines: dict[str, Run] = {}
        self.last: Run | None = None
        self._fraction = 0.0
        self.choice.param.watch(lambda _: self._show_choice(), "value")
        self.run_button.on_click(self._on_run)
        self._show_choice()

    def _show_choice(self) -> None:
        name = self.choice.value
        self.sliders = {}
        if name in LESSONS:
            lesson = LESSONS[name]
            self.sliders = decision_sliders(lesson)
            self.handout.object = handout_markdown(lesson)
        else:
            days, warmup = "3", "1"
            self.handout.object = (
                f"**{name[len(SCENARIO_PREFIX) :]}**: a bundled scenario, run for {days} days "
                f"({warmup} of warm-up). Lessons have decisions; scenarios run as shipped."
            )
        self.slider_box.objects = list(self.sliders.values())

    def decisions(self) -> dict[str, float]:
        return {name: float(slider.value) for name, slider in self.sliders.items()}

    def _tick(self) -> None:
        self.progress.value = int(100 * self._fraction)

    def _set_fraction(self, value: float) -> None:
        self._fraction = value  # read by _tick on the event loop

    async def _on_run(self, _event: object) -> None:
        name, decisions = self.choice.value, self.decisions()
        self.run_button.disabled = True
        self.progress.value, self._fraction = 0, 0.0
        self.status.object = "Running..."
        ticker = pn.state.add_periodic_callback(self._tick, period=200)
        try:
            loop = asyncio.get_running_loop()
            if name not in self.baselines:
                self.status.object = "Running the lesson's baseline first..."
                self.baselines[name] = await loop.run_in_executor(None, run_choice, name)
                self.status.object = "Running your decisions..."
            run = await loop.run_in_executor(
                None, lambda: run_choice(name, decisions, progress=self._set_fraction)
            )
        except ScenarioError as exc:
            self.status.object = f"**Cannot run:** {html.escape(str(exc))}"
            return
        except Exception as exc:  # the page must say so, not spin: the server log has more
            self.status.object = f"**Run failed:** {type(exc).__name__}: {html.escape(str(exc))}"
            raise
        finally:
            ticker.stop()
            self.run_button.disabled = False
        self.last = run
        self.progress.value = 100
        self._show_results(name, run)

    def _show_results(self, name: str, run: Run) -> None:
        baseline = self.baselines.get(name)
        table = kpi_table(name, run.result, baseline.result if baseline else None)
        self.kpis.object = kpi_html(table)
        orders = len(run.result.orders)
        self.status.object = (
            f"Done: {orders:,} orders or visits simulated in {run.result.wall_time_s:.1f} s."
        )
        # One axis for both runs: side-by-side PNGs with their own y-axes mislead.
        compared = (
            []
            if baseline is None
            else write_comparison(run.result, baseline.result, run.folder.parent)
        )
        self.charts.objects = [
            *(
                pn.pane.PNG(str(path), width=760, name=path.name, css_classes=["vs-baseline"])
                for path in compared
            ),
            *(
                pn.pane.PNG(str(run.folder / chart), width=560, name=f"this run: {chart}")
                for chart in CHARTS
                if (run.folder / chart).exists()
            ),
        ]
        self.download.disabled = False

    def _zip(self) -> Any:
        if self.last is None:
            return None
        return zip_folder(Path(self.last.folder))

    def controls(self) -> pn.Column:
        return pn.Column(
            self.choice, self.slider_box, pn.Row(self.run_button), self.progress, self.download
        )

    def results(self) -> pn.Tabs:
        results = pn.Column(
            self.status,
            pn.pane.Markdown("### Your run against the lesson's baseline"),
            self.kpis,
            pn.pane.Markdown(
                "Charts: this run and the baseline on the same axes; then this run's own"
            ),
            self.charts,
        )
        return pn.Tabs(("Results", results), ("Handout", self.handout))


def build_app(page: bool = False) -> Any:
    """A fresh dashboard: a browser page (``page=True``, one per session) or, for a
    Jupyter cell, a plain row of controls and results."""
    pn.extension(notifications=False)
    board = Dashboard()
    if not page:
        return pn.Row(board.controls(), board.results())
    return pn.template.BootstrapTemplate(
        title=TITLE, sidebar=[board.controls()], main=[board.results()]
    )
