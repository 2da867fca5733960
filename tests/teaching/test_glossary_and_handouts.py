"""Plain names and units: the glossary, the handouts and the dashboard's KPI table."""

from __future__ import annotations

import zipfile

import pytest

from o2osim.dashboard.runs import kpi_table, run_choice, zip_folder
from o2osim.glossary import label, shown
from o2osim.lessons import LESSONS, handout_markdown


def test_durations_are_shown_in_minutes_hours_or_days_and_shares_in_percent():
    assert shown("lead_time_p95", 15_571.0) == (pytest.approx(15_571 / 1440), "days")
    assert shown("lead_time_p50", 180.0) == (3.0, "hours")
    assert shown("lead_time_p50", 90.0) == (90.0, "min")
    assert shown("mean_wait", 2.5) == (2.5, "min")
    assert shown("on_time_rate", 0.25) == (25.0, "%")
    assert label("overall", "all", "lead_time_p95") == "Lead time, 95th percentile (all orders)"
    assert label("resource", "deliver", "mean_wait") == "Wait, mean (riders)"


@pytest.mark.parametrize("name", list(LESSONS))
def test_handouts_use_plain_names_and_hold_no_key_path(name):
    text = handout_markdown(LESSONS[name])
    assert "overall/all" not in text and "resource/" not in text
    assert "## Exercises" in text and "## What you decide" in text
    for decision in LESSONS[name].decisions:
        assert decision.label in text


def test_the_dashboard_table_puts_a_run_beside_its_baseline_and_zips_the_folder():
    run = run_choice("little_store", {"zone_capacity": 20})
    base = run_choice("little_store")
    table = kpi_table("little_store", run.result, base.result)
    wait = table.set_index("measure").loc["Wait at the door, mean (experience store)"]
    assert wait["unit"] == "min"
    assert wait["this run"] < wait["baseline"]  # 20 places instead of 12: shorter door waits
    archive = zipfile.ZipFile(zip_folder(run.folder))
    names = archive.namelist()
    assert "results/kpis.csv" in names and "results/scenario.toml" in names
