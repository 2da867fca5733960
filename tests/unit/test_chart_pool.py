"""Charts drawn on forked processes: the same files, the same list, the same warnings as
drawn one after another (o2osim.chart_pool)."""

from __future__ import annotations

import threading
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from o2osim.chart_pool import can_fork, save_charts_on
from o2osim.chartkit import ChartWarning, save_charts

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork and no other thread")


def _line(k: int) -> Figure:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot(range(10), [i * k for i in range(10)])
    ax.set_title(f"chart {k}")
    return fig


def _broken() -> Figure:
    raise ValueError("no data for this chart")


def _makers() -> dict:
    return {
        "a.png": lambda: _line(1),
        "b.png": _broken,
        "c.png": lambda: None,  # nothing to draw
        "d.png": lambda: _line(3),
        "e.png": lambda: _line(4),
    }


def test_forked_charts_are_the_serial_charts(tmp_path: Path) -> None:
    serial, forked = tmp_path / "serial", tmp_path / "forked"
    serial.mkdir()
    forked.mkdir()
    with pytest.warns(ChartWarning, match="chart b.png skipped"):
        one = save_charts(serial, _makers())
    with pytest.warns(ChartWarning, match="chart b.png skipped"):
        two = save_charts_on(2, forked, _makers())
    assert two.drawn == one.drawn == ["a.png", "d.png", "e.png"]
    assert two.skipped == one.skipped == {"b.png": "ValueError: no data for this chart"}
    for name in one.drawn:
        assert (forked / name).read_bytes() == (serial / name).read_bytes()
    assert sorted(p.name for p in forked.iterdir()) == one.drawn


def test_a_lost_folder_is_not_a_chart_fault(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        save_charts_on(2, tmp_path / "gone", {"a.png": lambda: _line(1), "d.png": lambda: _line(2)})


def test_no_fork_while_another_thread_runs(tmp_path: Path) -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork()
        saved = save_charts_on(2, tmp_path, {"a.png": lambda: _line(1)})
        assert saved.drawn == ["a.png"]
    finally:
        stop.set()
        other.join()
