"""A sweep on two workers draws its report's charts on two processes: the same report and
the same chart files as one process draws them, and the bar is stopped first."""

from __future__ import annotations

import shutil

from o2osim.experiment import load_experiment
from o2osim.report import write_report
from o2osim.runner import run_experiment

from decoys import write_experiment


def test_report_on_two_processes_is_the_report_on_one(tmp_path):
    calls: list[str] = []
    out = run_experiment(
        load_experiment(write_experiment(tmp_path)),
        tmp_path / "two",
        workers=2,
        on_done=lambda _folder: calls.append("run"),
        on_runs_done=lambda: calls.append("runs done"),
    )
    assert calls == ["run"] * 6 + ["runs done"]  # once, after the last run, before the report
    one = tmp_path / "one"
    shutil.copytree(out, one)
    shutil.rmtree(one / "charts")
    (one / "report.md").unlink()
    write_report(one, processes=1)
    assert (one / "report.md").read_text() == (out / "report.md").read_text()
    charts = sorted(p.name for p in (out / "charts").glob("*.png"))
    assert charts and charts == sorted(p.name for p in (one / "charts").glob("*.png"))
    for name in charts:
        assert (one / "charts" / name).read_bytes() == (out / "charts" / name).read_bytes()
