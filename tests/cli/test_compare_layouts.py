"""The Wenzhou layout comparison, shortened: ``experiments/compare_layouts.toml`` itself,
run with a short horizon, two replications and two demand levels.

What it asserts comes from outside the code: the fairness of the comparison (replication r
brings the same customers to every layout: the same arrival times and homes, the same
orders from the segment every layout serves), money conservation per layout (revenue −
every cost = profit, to the cent, per order and in total), and the facts of the layouts
that issue 14 names (direct mail is the slowest and pays postage, and no bonded rent). The
report must name a best layout per demand level with paired CIs and state what was held
fixed; no chart may put bars on a log axis or a raw list in a label.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from o2osim import report as report_module
from o2osim.economics import COSTS
from o2osim.experiment import load_experiment
from o2osim.runner import run_experiment

from decoys import write_experiment
from helpers import ROOT

EXPERIMENT = ROOT / "experiments" / "compare_layouts.toml"
LEVELS = [0.5, 1.0]
REPLICATIONS = 2
#: Figures the report drew, by chart file name (filled by the spy on save_charts).
DRAWN: dict[str, Figure] = {}


def shortened(folder: Path) -> Path:
    """compare_layouts.toml with 36 hours of orders (12 of them warm-up), two replications
    and two demand levels; its files named by absolute path; every run's tables kept."""
    spec = tomllib.loads(EXPERIMENT.read_text(encoding="utf-8"))
    meta = spec["experiment"]
    here = EXPERIMENT.parent
    meta["market"] = str((here / meta["market"]).resolve())
    meta["networks"] = [str((here / n).resolve()) for n in meta["networks"]]
    meta.update(
        name="compare_layouts_short",
        replications=REPLICATIONS,
        horizon="36h",
        warmup="12h",
        save_tables=True,
        baseline="omnichannel_hub x 1.0 demand",
    )
    spec["factors"]["market.demand"] = LEVELS
    path = folder / "compare_layouts_short.toml"
    path.write_text(tomli_w.dumps(spec), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("compare")
    real = report_module.save_charts_on

    def spy(processes: int, charts_dir: Path, makers: dict, **kwargs: object) -> object:
        def keep(name: str, make: object) -> object:
            def draw() -> Figure | None:
                fig = make()  # type: ignore[operator]
                if fig is not None:
                    DRAWN[name] = fig
                    _check_figure(name, fig)
                return fig

            return draw

        # In this process: the figures are looked at here, not in forked children.
        return real(1, charts_dir, {n: keep(n, m) for n, m in makers.items()}, **kwargs)

    patch = pytest.MonkeyPatch()
    patch.setattr(report_module, "save_charts_on", spy)
    try:
        out = run_experiment(load_experiment(shortened(folder)), folder / "out", workers=1)
    finally:
        patch.undo()
    return out


def _check_figure(name: str, fig: Figure) -> None:
    """No bars on a log axis; no raw list or table in a tick label or legend."""
    for ax in fig.axes:
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        if bars:
            assert ax.get_xscale() == "linear" and ax.get_yscale() == "linear", (
                f"{name}: bars on a log axis"
            )
        texts = [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
        legend = ax.get_legend()
        texts += [t.get_text() for t in legend.get_texts()] if legend else []
        assert not [t for t in texts if "[" in t or "{" in t], f"{name}: raw list in {texts}"


@pytest.fixture(scope="module")
def runs(comparison: Path) -> pd.DataFrame:
    return pd.read_parquet(comparison / "runs.parquet")


@pytest.fixture(scope="module")
def variants(comparison: Path) -> pd.DataFrame:
    return pd.read_csv(comparison / "variants.csv")


def _kpi(runs: pd.DataFrame, group: str, name: str, kpi: str) -> pd.DataFrame:
    """One KPI as a table: a row per replication, a column per variant."""
    rows = runs[(runs["group"] == group) & (runs["name"] == name) & (runs["kpi"] == kpi)]
    return rows.pivot(index="replication", columns="variant", values="value")


def _levels(variants: pd.DataFrame) -> dict[float, list[str]]:
    """The variants of each demand level."""
    return {
        float(level): list(group["variant"])
        for level, group in variants.groupby("market.demand", sort=True)
    }


def test_every_layout_sees_the_same_customers(comparison, variants):
    # In replication r every layout gets the same residents and SME buyers: the same
    # arrival times and the same homes, at each demand level.
    for members in _levels(variants).values():
        for rep in range(REPLICATIONS):
            arrivals = {}
            for variant in members:
                orders = pd.read_parquet(
                    comparison / "runs" / variant / f"rep-{rep:03d}" / "orders.parquet"
                )
                first = orders[(orders["parent"] < 0)]
                arrivals[variant] = {
                    str(segment): group.sort_values("placed")[["placed", "x_km", "y_km"]]
                    for segment, group in first.groupby("segment", observed=True)
                    if str(segment) in ("resident", "sme_buyer")
                }
            reference = arrivals[members[0]]
            assert set(reference) == {"resident", "sme_buyer"}
            for variant in members[1:]:
                for segment, table in reference.items():
                    other = arrivals[variant][segment]
                    assert len(other) == len(table), (variant, segment)
                    np.testing.assert_array_equal(other.to_numpy(), table.to_numpy())


def test_orders_of_the_segment_every_layout_serves_are_equal(runs, variants):
    # SME buyers order online in every layout (no store visit, no distance limit): the
    # same buyers place the same number of orders in replication r of every layout.
    placed = _kpi(runs, "segment", "sme_buyer", "orders_placed")
    for members in _levels(variants).values():
        table = placed[members]
        assert (table.nunique(axis=1) == 1).all(), table
        assert (table.iloc[:, 0] > 0).all()


def test_money_is_conserved_per_layout(comparison, runs, variants):
    # revenue - every cost line = profit, to the cent, for each order and in total; the
    # run's KPIs add up the same money.
    for variant in variants["variant"]:
        for rep in range(REPLICATIONS):
            money = pd.read_parquet(
                comparison / "runs" / variant / f"rep-{rep:03d}" / "money.parquet"
            )
            cents = {
                c: np.rint(money[c].to_numpy() * 100).astype(np.int64)
                for c in money
                if c.endswith("_cny")
            }
            costs = sum(cents[f"{name}_cny"] for name in COSTS)
            assert (cents["revenue_cny"] - costs == cents["profit_cny"]).all(), variant
            kpis = runs[(runs["variant"] == variant) & (runs["replication"] == rep)]
            overall = kpis[kpis["group"] == "overall"].set_index("kpi")["value"]
            assert overall["profit_cny"] == pytest.approx(cents["profit_cny"].sum() / 100, abs=0.01)
            assert overall["net_revenue_cny"] == pytest.approx(
                cents["revenue_cny"].sum() / 100, abs=0.01
            )


def test_direct_mail_is_slowest_and_pays_postage_but_no_rent(runs, variants):
    layout = dict(zip(variants["variant"], variants["layout"], strict=True))
    p50 = _kpi(runs, "overall", "all", "lead_time_p50")
    postage = _kpi(runs, "overall", "all", "cost_postage_per_order")
    rent = _kpi(runs, "overall", "all", "cost_rent_per_order")
    for members in _levels(variants).values():
        mail = next(v for v in members if layout[v] == "direct_mail")
        others = [v for v in members if v != mail]
        # Slowest in every replication, by more than a factor of ten (days against hours).
        assert (p50[mail] > 10 * p50[others].max(axis=1)).all()
        assert (postage[mail] > 0).all()
        assert (rent[mail] == 0).all()  # no bonded warehouse, store or counter to pay for


def test_report_names_the_best_layout_per_level_with_paired_cis(comparison):
    report = (comparison / "report.md").read_text(encoding="utf-8")
    for heading in (
        "## The answer",
        "## What is held fixed and what differs",
        "## Runs flagged unstable",
        "## Best layout per demand level",
        "## Profit and break-even demand",
    ):
        assert heading in report
    assert "the market `wenzhou`" in report
    assert "replication r brings the same customers to every layout" in report
    for level in ("0.5× demand", "1× demand"):
        assert f"## Layouts at {level}" in report
        best = next(line for line in report.splitlines() if line.startswith(f"| {level} |"))
        assert "(" in best and " to " in best, best  # a paired CI next to the choice
    answer = report.split("## The answer")[1].split("##")[0].strip()
    assert answer.count(". ") >= 1 and "direct mail is the slowest" in answer.lower()
    kpi_table = report.split("## KPIs")[1].split("##")[0]
    for line in kpi_table.splitlines():
        if "`overall/all/lead_time" in line:  # never "15,571 min"
            mean, unit = (cell.strip() for cell in line.split("|")[3::2][:2])
            assert unit in ("min", "h", "d") and (unit != "min" or float(mean) < 120), line


def test_charts_are_drawn_paired_and_without_log_bars(comparison):
    charts = {p.name for p in (comparison / "charts").iterdir()}
    assert {
        "kpi_bars.png",
        "differences.png",
        "lead_time_vs_cost.png",
        "profit_vs_demand.png",
        "lead_time_distribution.png",
    } <= charts
    assert "heatmap.png" not in charts  # layouts x demand is not a grid of numbers
    assert set(DRAWN) >= charts  # every saved chart passed _check_figure


@pytest.mark.parametrize("design", ["grid", "zip"])
def test_heat_map_only_for_a_grid_of_two_numeric_factors(design, tmp_path):
    path = write_experiment(tmp_path, replications=2, horizon="6h")
    text = path.read_text().replace("[factors]", f'design = "{design}"\n[factors]')
    path.write_text(text + '"warehouse.packers" = [2, 3]\n')
    out = run_experiment(load_experiment(path), tmp_path / "out", workers=1)
    assert ((out / "charts" / "heatmap.png").exists()) == (design == "grid")
