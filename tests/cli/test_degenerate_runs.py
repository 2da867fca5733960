"""Degenerate but valid runs finish and save a complete folder (issue 12).

No orders at all, a calendar event that stops all arrivals, a promise of a
century, an airport without pre-orders, a zero warm-up, a horizon one minute
past the warm-up: the KPIs are computed (NaN where undefined), the charts that
can be drawn are drawn, and a chart that fails is skipped with a warning and
named in manifest.json, never costing the tables. The experiment report does
the same with empty, NaN and infinite KPI values.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2osim import plots
from o2osim.api import simulate
from o2osim.bundled import BUNDLED
from o2osim.chartkit import ChartWarning, finite, safe_bins, save_charts
from o2osim.cli import main
from o2osim.experiment import load_experiment
from o2osim.report import write_report
from o2osim.runner import run_experiment
from o2osim.scenario import ScenarioError, dump_scenario, load_scenario
from o2osim.validation import textbook_scenario

SHORT = ['scenario.horizon="2d"', 'scenario.warmup="1d"']
AIRPORT_SHORT = ['scenario.horizon="5d"', 'scenario.warmup="4d"']  # one counted day

CASES = {
    # Every segment of a two-segment scenario with no arrivals.
    "no_arrivals": (
        "hangzhou_xiasha_bonded",
        [
            "customers.segments[0].arrivals_per_day=0",
            "customers.segments[1].arrivals_per_day=0",
            *SHORT,
        ],
    ),
    "calendar_factor_0": (
        "wenzhou_channel_choice",
        ['customers.calendar=[{name="strike", start=2026-11-01, days=30, factor=0.0}]', *SHORT],
    ),
    "promise_of_a_century": (
        "wenzhou_baseline",
        ['channels.online_delivery.promise="36500d"', *SHORT],
    ),
    "airport_no_preorders": (
        "shanghai_hongqiao_airport",
        ["airport.preorder_share=0.0", *AIRPORT_SHORT],
    ),
    "airport_no_warmup_one_minute": (
        "shanghai_hongqiao_airport",
        ['scenario.warmup="0s"', 'scenario.horizon="1min"'],
    ),
    "airport_warmup_plus_one_minute": (
        "shanghai_hongqiao_airport",
        ['scenario.warmup="4d"', 'scenario.horizon="5761min"'],
    ),
    "no_warmup_one_minute": (
        "wenzhou_channel_choice",
        ['scenario.warmup="0s"', 'scenario.horizon="1min"'],
    ),
}
NO_ORDERS = {"no_arrivals", "calendar_factor_0", "airport_no_preorders", "no_warmup_one_minute"}


def _kpi(kpis: pd.DataFrame, group: str, name: str, kpi: str) -> float:
    row = kpis[(kpis["group"] == group) & (kpis["name"] == name) & (kpis["kpi"] == kpi)]
    return float(row["value"].iloc[0])


@pytest.mark.parametrize("case", list(CASES))
def test_degenerate_run_saves_a_complete_folder(case, tmp_path):
    name, overrides = CASES[case]
    result = simulate(load_scenario(BUNDLED / f"{name}.toml", overrides))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ChartWarning)  # every chart here must draw or opt out
        folder = result.save(tmp_path / "out")
    orders = pd.read_parquet(folder / "orders.parquet")
    assert len(orders) == len(result.orders)
    kpis = pd.read_csv(folder / "kpis.csv")
    assert len(kpis) == len(result.kpis) and (kpis["group"] == "overall").any()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["charts_skipped"] == {}
    assert manifest["charts"], "the charts that can be drawn are drawn"
    for chart in manifest["charts"]:
        assert (folder / chart).stat().st_size > 0
    assert not plt.get_fignums(), "every figure is closed"
    if case in NO_ORDERS:
        assert _kpi(result.kpis, "overall", "all", "orders_placed") == 0
        assert math.isnan(_kpi(result.kpis, "overall", "all", "fill_rate"))  # undefined


def test_a_failing_chart_is_skipped_with_a_warning_and_the_tables_kept(tmp_path, monkeypatch):
    def broken(*args: object) -> None:
        plt.figure()  # a figure left open half-way must be closed too
        raise RuntimeError("cannot draw this")

    monkeypatch.setattr(plots, "outcomes_chart", broken)
    result = simulate(textbook_scenario(["pick", "pack"], 0.5, horizon="3h", warmup="1h"))
    with pytest.warns(ChartWarning, match=r"outcomes\.png.*cannot draw this"):
        folder = result.save(tmp_path / "out")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert "outcomes.png" in manifest["charts_skipped"]
    assert "outcomes.png" not in manifest["charts"] and not (folder / "outcomes.png").exists()
    assert "lead_time_by_channel.png" in manifest["charts"]
    assert len(pd.read_parquet(folder / "orders.parquet")) == len(result.orders)
    assert (folder / "kpis.csv").exists()
    assert not plt.get_fignums()


def test_a_full_disk_is_not_a_chart_problem(tmp_path):
    def full(path: Path, fig: object) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        save_charts(tmp_path, {"a.png": lambda: plt.figure()}, write=full)
    assert not plt.get_fignums()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=1, max_size=30))
def test_any_values_can_be_binned(values):
    data = finite(np.array(values))
    if not len(data):
        return
    counts, _ = np.histogram(data, bins=safe_bins(data))
    assert counts.sum() == len(data)


def test_the_run_command_saves_a_run_without_orders(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = main(
        [
            "run",
            "wenzhou_baseline",
            "--set",
            "customers.segments[0].arrivals_per_day=0",
            "--horizon",
            "2d",
            "--set",
            'scenario.warmup="1d"',
            "--out",
            "run",
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "run" / "orders.parquet").exists()


# ---------------------------------------------------------------- the experiment report
def _copy(source: Path, target: Path) -> Path:
    target.mkdir()
    for item in source.iterdir():
        if item.is_file():
            (target / item.name).write_bytes(item.read_bytes())
    return target


@pytest.fixture(scope="module")
def experiment_folder(tmp_path_factory):
    """A tiny sweep in which half the variants get no orders at all."""
    folder = tmp_path_factory.mktemp("sweep")
    scenario = textbook_scenario(["pick", "pack", "deliver"], 0.5)
    (folder / "tiny.toml").write_text(dump_scenario(scenario))
    (folder / "experiment.toml").write_text("""
[experiment]
name = "degenerate"
scenario = "tiny.toml"
replications = 2
horizon = "4h"
warmup = "1h"
report_kpis = ["overall/all/lead_time_mean", "overall/all/on_time_rate",
               "overall/all/break_even_orders_per_day", "overall/all/fill_rate"]

[factors]
"customers.segments[0].arrivals_per_day" = [0, 720]
"warehouse.pickers" = [2, 3]
""")
    return run_experiment(load_experiment(folder / "experiment.toml"), folder / "out")


def test_report_of_variants_without_orders(experiment_folder):
    report = (experiment_folder / "report.md").read_text()
    assert "| – | – |" in report  # the fill rate of a variant with no orders is undefined
    assert (experiment_folder / "charts" / "kpi_bars.png").exists()


def test_report_with_nan_and_infinite_values(experiment_folder, tmp_path):
    folder = _copy(experiment_folder, tmp_path / "copy")
    summary = pd.read_csv(folder / "summary.csv")
    for column in ("mean", "ci_half_width", "ci_low", "ci_high"):
        summary[column] = np.where(
            np.arange(len(summary)) % 3 == 0,
            np.inf,
            np.where(np.arange(len(summary)) % 3 == 1, np.nan, -np.inf),
        )
    summary.to_csv(folder / "summary.csv", index=False)
    diffs = pd.read_csv(folder / "differences.csv")
    diffs[["mean_diff", "ci_low", "ci_high"]] = np.inf
    diffs.to_csv(folder / "differences.csv", index=False)
    leads = pd.read_parquet(folder / "lead_times.parquet")
    leads["lead_time_min"] = np.nan
    leads.to_parquet(folder / "lead_times.parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ChartWarning)
        report = write_report(folder).read_text()
    assert "∞" in report and "–" in report
    assert (folder / "charts" / "kpi_bars.png").exists()
    assert not plt.get_fignums()


def test_report_with_empty_tables(experiment_folder, tmp_path):
    folder = _copy(experiment_folder, tmp_path / "empty")
    for name in ("summary.csv", "differences.csv"):
        pd.read_csv(folder / name).iloc[0:0].to_csv(folder / name, index=False)
    pd.read_parquet(folder / "lead_times.parquet").iloc[0:0].to_parquet(
        folder / "lead_times.parquet"
    )
    report = write_report(folder).read_text()
    assert "## Variants" in report


def test_report_chart_failure_is_skipped_and_named(experiment_folder, tmp_path, monkeypatch):
    from o2osim import report as report_module

    def broken(*args: object) -> None:
        raise ValueError("bad data")

    monkeypatch.setattr(report_module, "kpi_bars_chart", broken)
    folder = _copy(experiment_folder, tmp_path / "broken")
    with pytest.warns(ChartWarning, match="kpi_bars.png"):
        report = write_report(folder).read_text()
    assert "kpi_bars.png" in report and "could not be drawn" in report
    assert not (folder / "charts" / "kpi_bars.png").exists()


@pytest.mark.parametrize(
    "damage", ["truncated_summary", "no_experiment_json", "bad_report_kpis", "unknown_report_kpi"]
)
def test_report_on_a_damaged_folder(damage, experiment_folder, tmp_path):
    folder = _copy(experiment_folder, tmp_path / "damaged")
    spec = folder / "experiment.toml"
    if damage == "truncated_summary":
        (folder / "summary.csv").write_bytes(b"")
    elif damage == "no_experiment_json":
        (folder / "experiment.json").unlink()
    elif damage == "bad_report_kpis":
        spec.write_text(spec.read_text().replace('"overall/all/fill_rate"', '"fill_rate"'))
    else:
        spec.write_text(spec.read_text().replace("overall/all/fill_rate", "overall/all/nope"))
    if damage == "unknown_report_kpi":  # well-formed: the report says it has no such values
        write_report(folder)
        assert "`overall/all/nope`" in (folder / "report.md").read_text()
        return
    with pytest.raises(ScenarioError) as caught:
        write_report(folder)
    message = str(caught.value)
    assert "\n" not in message
    expected = {
        "truncated_summary": "summary.csv",
        "no_experiment_json": "experiment.json",
        "bad_report_kpis": "experiment.report_kpis[3] = 'fill_rate'",
    }[damage]
    assert expected in message
