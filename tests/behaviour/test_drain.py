"""The drain after the horizon (o2osim.world.World.run, scenario.drain).

Arrivals stop at the horizon; the run goes on until every order placed before it
has ended or the drain limit is reached. The drain must not change anything before
the horizon (the same events in the same order), nor what the resource statistics
and counters cover (the warm-up to the horizon), and the KPIs count the same orders.
"""

from __future__ import annotations

import hashlib
import json
import warnings

import numpy as np
import pandas as pd
import pytest

from o2osim import simulate
from o2osim.api import load_run
from o2osim.bundled import bundled_scenarios
from o2osim.kpis.stability import UnstableRunWarning
from o2osim.scenario import load_scenario
from o2osim.units import DAY

from helpers import stripped

SCENARIOS = {path.stem: path for path in bundled_scenarios()}
SHORT = {"wenzhou_baseline": ("2d", "12h"), "shanghai_hongqiao_airport": ("3d", "1d")}


def _short(name: str, drain: str | None = None):
    horizon, warmup = SHORT[name]
    keys = [f'scenario.horizon="{horizon}"', f'scenario.warmup="{warmup}"']
    if drain is not None:
        keys.append(f'scenario.drain="{drain}"')
    return load_scenario(SCENARIOS[name], keys)


@pytest.fixture(scope="module", params=sorted(SHORT))
def pair(request):
    """One scenario run with its default drain and with none, same seed."""
    name = request.param
    return simulate(_short(name), seed=3), simulate(_short(name, "0s"), seed=3)


def test_arrivals_stop_at_the_horizon_and_every_order_ends_in_the_drain(pair):
    drained, cut = pair
    meta = drained.scenario.scenario
    assert meta.drain == 30 * DAY  # the default
    orders = drained.orders
    # Poisson customers and airport pre-orders alike: nobody arrives after the horizon.
    assert (orders["placed"] < meta.horizon).all()
    assert len(orders) == len(cut.orders)
    # Orders in flight at the horizon ended after it, within the limit; none is censored.
    assert (orders["finished"] > meta.horizon).any()
    assert (orders["outcome"] != "in_flight").all()
    assert meta.horizon < drained.info.stopped <= meta.horizon + meta.drain
    assert drained.manifest["stopped_min"] == drained.info.stopped
    assert drained.kpi("overall", "all", "censored") == 0
    counted = cut.orders[cut.orders["after_warmup"]]
    assert cut.kpi("overall", "all", "censored") == (counted["outcome"] == "in_flight").sum()
    assert cut.kpi("overall", "all", "censored") > 0
    assert cut.info.stopped == meta.horizon


def test_the_drain_changes_nothing_before_the_horizon(pair):
    drained, cut = pair
    horizon = drained.scenario.scenario.horizon
    # The same statistics (read at the horizon), counters and snapshots (which stop there).
    pd.testing.assert_frame_equal(drained.resource_stats, cut.resource_stats)
    pd.testing.assert_frame_equal(drained.counters, cut.counters)
    pd.testing.assert_frame_equal(drained.resources, cut.resources)
    # Every order that ended before the horizon ended the same way at the same time.
    ended = cut.orders["outcome"] != "in_flight"
    columns = ["order_id", "channel", "placed", "finished", "outcome", "reason", "after_warmup"]
    pd.testing.assert_frame_equal(
        drained.orders.loc[ended, columns], cut.orders.loc[ended, columns]
    )
    assert (cut.orders["finished"].dropna() <= horizon).all()
    # The KPIs count the same orders and resources; only the censored ones end now.
    for kpi in ("orders_placed", "fill_rate"):
        assert drained.kpi("overall", "all", kpi) == cut.kpi("overall", "all", kpi)
    for resource in drained.scenario.resources():
        if resource in drained.info.resource_stats:
            assert drained.kpi("resource", resource, "utilisation") == cut.kpi(
                "resource", resource, "utilisation"
            )


def test_orders_placed_in_the_warmup_or_the_drain_count_nowhere():
    scenario = stripped(
        ["reserve", "customs", "pick", "deliver"],
        per_minute=1.0,
        horizon="1d",
        warmup="6h",
        customs={"per_order_limit_cny": 300.0, "capacity": 40},
        customers={"population": 2000, "split_on_rejection": 1.0, "resubmit_after": "2h"},
        catalogue={
            "skus": 50,
            "items_per_order": 3.0,
            "price_cny": {"dist": "lognormal", "mean": 180.0, "cv": 0.9},
        },
    )
    result = simulate(scenario, seed=2)
    orders, meta = result.orders, scenario.scenario
    late_parts = orders["placed"] >= meta.horizon
    # Parts of split orders the customers resubmitted after the horizon were simulated...
    assert late_parts.any() and (orders.loc[late_parts, "parent"] >= 0).all()
    # ...but, like the warm-up's orders, they are not counted.
    counted = (orders["placed"] >= meta.warmup) & ~late_parts
    assert (orders["after_warmup"] == counted).all()
    assert result.kpi("overall", "all", "split_orders") == ((orders["parent"] >= 0) & counted).sum()


def test_a_drain_limit_leaves_the_slowest_orders_censored():
    # Lead time = one lognormal courier transit of mean 3 days; the drain stops after 1.
    scenario = stripped(
        ["courier"],
        per_minute=100 / DAY,
        horizon="6d",
        warmup="1d",
        scenario={"drain": "1d"},
        direct_mail={"courier_transit": {"dist": "lognormal", "mean": "3d", "cv": 0.5}},
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = simulate(scenario, seed=1)
    meta, orders = scenario.scenario, result.orders
    assert result.info.stopped == meta.horizon + meta.drain
    open_ = orders[orders["after_warmup"] & (orders["outcome"] == "in_flight")]
    assert len(open_) > 0
    # Each censored order had lived at least a day and was still going.
    assert (meta.horizon + meta.drain - open_["placed"] >= DAY).all()
    assert np.isnan(open_["finished"]).all()
    share = len(open_) / orders["after_warmup"].sum()
    assert result.kpi("overall", "all", "censored_share") == pytest.approx(share)
    # More than 5% censored after a drain: the run is flagged, with its figure.
    assert result.kpi("overall", "all", "unstable") == 1
    reasons = result.manifest["unstable"]
    assert reasons and f"{share:.1%} still in flight after the 1d drain" in reasons[0]
    assert [str(w.message) for w in caught if w.category is UnstableRunWarning] == [
        f"textbook (seed 1) looks unstable: {reason}" for reason in reasons
    ]


def test_a_folder_written_before_the_drain_reads_as_a_run_cut_at_the_horizon(tmp_path):
    # No drain key in its scenario.toml (the default is now 30d), none in its manifest.
    result = simulate(_short("wenzhou_baseline", "0s"), seed=3)
    folder = result.save(tmp_path / "old", charts=False)
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    old = "\n".join(line for line in toml.splitlines() if not line.startswith("drain ="))
    (folder / "scenario.toml").write_text(old + "\n", encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["drain_min"], manifest["stopped_min"]
    manifest["scenario_sha256"] = hashlib.sha256(
        (folder / "scenario.toml").read_bytes()
    ).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    again = load_run(folder)
    assert again.scenario.scenario.drain == 0  # its orders were censored at the horizon
    pd.testing.assert_frame_equal(again.kpis, result.kpis)
