"""The dashboard's run-against-baseline charts: both runs on one axis, empty queues dropped."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from o2osim.dashboard.compare import lead_time_figure, queue_figure, write_comparison
from o2osim.dashboard.runs import Run, run_choice


@pytest.fixture(scope="module")
def runs() -> tuple[Run, Run]:
    """The riders lesson with four evening riders fewer than its baseline: longer queues."""
    return run_choice("couriers_dispatch", {"evening_riders": 14}), run_choice("couriers_dispatch")


def test_both_lead_time_distributions_share_one_axis(runs: tuple[Run, Run]) -> None:
    mine, base = runs
    figure = lead_time_figure(mine.result, base.result)
    (ax,) = figure.axes
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [label.split(":")[0] for label in labels] == ["baseline", "this run"]
    assert "lead time" in ax.get_xlabel() and "share of orders" in ax.get_ylabel()
    plt.close(figure)


def test_queues_are_overlaid_with_plain_names_and_empty_places_dropped(
    runs: tuple[Run, Run],
) -> None:
    mine, base = runs
    figure = queue_figure(mine.result, base.result)
    (ax,) = figure.axes
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert {"riders, this run", "riders, baseline"} <= labels
    # the lesson's customs, pickers and packers never queue: no flat lines at zero
    assert all(label.startswith("riders") for label in labels)
    plt.close(figure)


def test_the_charts_are_written_beside_the_results_folder(runs: tuple[Run, Run]) -> None:
    mine, base = runs
    paths = write_comparison(mine.result, base.result, mine.folder.parent)
    assert [p.name for p in paths] == ["vs_baseline_lead_time.png", "vs_baseline_queues.png"]
    assert all(p.stat().st_size > 5_000 and p.parent != mine.folder for p in paths)
    assert not any(Path(mine.folder).glob("vs_baseline*"))
