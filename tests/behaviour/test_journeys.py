"""Customer journeys between the store and the online shop (GfK 2014; docs/sources.md).

Showrooming: a visitor who does not buy in the store (probability 1 - q) orders the
same basket online later with probability p, so showroom orders per visit are
(1 - q) p. Webrooming: a share p of the customers who chose an online channel buy in
the store instead. A door wait over ``bad_wait`` (or, with a memory, a remembered bad
visit) multiplies the store's conversion q by a factor. Each test asserts that the
exact share lies in the 99% confidence interval of independent replications.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2osim import simulate
from o2osim.cli import bundled_scenarios
from o2osim.lessons.channels import store_or_online
from o2osim.scenario import ScenarioError, load_scenario, scenario_from_dict, scenario_to_dict

from helpers import ROOT, confidence_interval

REPLICATIONS = 12
WARMUP = 360.0  # minutes


def _journeys(
    per_minute: float = 1.0,
    horizon: str = "2d",
    shares=(0.6, 0.4),
    store: dict | None = None,
    **segment,
):
    """The channel-choice lesson's store-or-online scenario with fixed channel shares."""
    customers = {"channel_shares": list(shares), **segment}
    return store_or_online(customers, per_minute=per_minute, horizon=horizon, store=store)


def test_showroom_orders_per_visit_are_the_non_buyers_times_p():
    q, p = 0.3, 0.28
    scenario = _journeys(
        journeys={"showrooming": p, "showroom_channel": "online", "showroom_after": "2h"}
    )
    ratios = []
    for seed in range(1, REPLICATIONS + 1):
        result = simulate(scenario, seed=seed)
        orders = result.orders
        end = result.info.horizon - 180.0  # every visit before this has its online order
        visits = orders[
            (orders["channel"] == "visit") & (orders["placed"] >= WARMUP) & (orders["placed"] < end)
        ]
        children = orders[orders["parent"] >= 0]
        ratios.append(children["parent"].isin(visits["order_id"]).sum() / len(visits))
        # Every showroom order comes from a visit that ended no_purchase, showroomed, and
        # copies its customer's basket onto the online channel, 2 h after the visit.
        parents = orders.set_index("order_id").loc[children["parent"]]
        assert (parents["outcome"] == "no_purchase").all()
        assert (parents["reason"] == "showroomed").all()
        assert (children["channel"] == "online").all()
        assert children["showroomed"].notna().all()
        assert (children["skus"].to_numpy() == parents["skus"].to_numpy()).all()
        np.testing.assert_allclose(children["value_cny"], parents["value_cny"])
        np.testing.assert_allclose(children["tax_cny"], np.round(parents["value_cny"] * 0.091, 2))
        assert (parents["tax_cny"] == 0).all()
        np.testing.assert_allclose(children["placed"], parents["finished"].to_numpy() + 120.0)
        assert children["order_id"].is_unique and children["parent"].is_unique
        showroomed = orders[orders["reason"] == "showroomed"]
        late = showroomed["finished"] + 120.0 >= result.info.stopped  # the end of the drain
        assert set(showroomed.loc[~late, "order_id"]) == set(children["parent"])
        # Conservation: a visit bought, did not buy, or is still inside; an online order
        # was chosen online or placed by a showroomer.
        at_store = orders[orders["channel"] == "visit"]
        assert (
            len(at_store)
            == (at_store["outcome"].isin(["collected", "no_purchase", "in_flight"])).sum()
        )
        online = orders[orders["channel"] == "online"]
        assert len(online) == (online["parent"] < 0).sum() + len(children)
        counted = orders[orders["after_warmup"]]
        assert result.info.counters["showroomed"] == (counted["parent"] >= 0).sum()
        assert result.kpi("overall", "all", "showroom_orders") == (counted["parent"] >= 0).sum()
        assert result.kpi("overall", "all", "split_orders") == 0
    low, high = confidence_interval(ratios)
    exact = (1 - q) * p
    assert low <= exact <= high, f"(1-q)p = {exact:.4f} outside [{low:.4f}, {high:.4f}]"


def test_webroomers_are_the_share_p_of_online_choices_and_buy_as_told():
    p, after = 0.41, 45.0
    scenario = _journeys(
        shares=(0.5, 0.5),
        journeys={
            "webrooming": p,
            "webroom_channel": "visit",
            "webroom_after": "45min",
            "webroom_purchase_probability": 0.9,
        },
    )
    shares, conversions = [], []
    for seed in range(1, REPLICATIONS + 1):
        result = simulate(scenario, seed=seed)
        orders = result.orders
        went = orders[orders["webroomed"] >= WARMUP]
        stayed = orders[(orders["channel"] == "online") & (orders["placed"] >= WARMUP)]
        shares.append(len(went) / (len(went) + len(stayed)))
        # The same row moves to the store channel: its tax is the store's, it reaches
        # the door 45 min after choosing.
        assert (went["channel"] == "visit").all() and (went["tax_cny"] == 0).all()
        arrived = went[went["door_queued"].notna()]
        np.testing.assert_allclose(arrived["placed"], arrived["webroomed"] + after)
        np.testing.assert_allclose(arrived["door_queued"], arrived["placed"])
        assert (went["webroomed"] + after >= result.info.stopped).sum() == len(went) - len(arrived)
        left = went[went["left_store"].notna()]
        conversions.append(float((left["outcome"] != "no_purchase").mean()))
        assert result.info.counters["webroomed"] == (orders["webroomed"] >= WARMUP).sum()
    low, high = confidence_interval(shares)
    assert low <= p <= high, f"webroom share {p} outside [{low:.4f}, {high:.4f}]"
    low, high = confidence_interval(conversions)
    assert low <= 0.9 <= high, f"webroomer conversion 0.9 outside [{low:.4f}, {high:.4f}]"


def _bad_wait_split(orders: pd.DataFrame, bad_wait: float) -> tuple[pd.Series, pd.Series]:
    visits = orders[(orders["placed"] >= WARMUP) & orders["left_store"].notna()]
    bought = visits["outcome"] != "no_purchase"
    return bought, (visits["entered"] - visits["door_queued"]) > bad_wait


def test_a_long_door_wait_lowers_conversion_by_the_factor():
    # rho = 0.83 at a 3-visitor zone: about 40% of the visitors wait longer than 2 min.
    q, factor = 0.6, 0.5
    scenario = _journeys(
        per_minute=0.75,
        shares=(1.0, 0.0),
        store={
            "capacity": 3,
            "purchase_probability": q,
            "browse_time": {"dist": "exponential", "mean": "3min"},
        },
        journeys={"bad_wait": "2min", "bad_experience_factor": factor},
    )
    slow, fast = [], []
    for seed in range(1, REPLICATIONS + 1):
        result = simulate(scenario, seed=seed)
        bought, bad = _bad_wait_split(result.orders, 2.0)
        slow.append(float(bought[bad].mean()))
        fast.append(float(bought[~bad].mean()))
        # Counters stop at the horizon; visits that left during the drain are not in them.
        left = result.orders.loc[bad.index, "left_store"] < result.info.horizon
        assert result.info.counters["bad_door_waits"] >= (bad & left).sum()
    for measured, exact in ((slow, q * factor), (fast, q)):
        low, high = confidence_interval(measured)
        assert low <= exact <= high, f"conversion {exact} outside [{low:.4f}, {high:.4f}]"


def test_customers_remember_a_bad_visit_until_a_good_one():
    # With a memory, a customer whose previous visit started with a long wait buys at
    # q * factor even after a short wait; a good visit restores q.
    q, factor = 0.6, 0.5
    scenario = _journeys(
        per_minute=0.75,
        shares=(1.0, 0.0),
        store={
            "capacity": 3,
            "purchase_probability": q,
            "browse_time": {"dist": "exponential", "mean": "3min"},
        },
        population=300,
        memory={"on_time_gain": 0.0, "late_loss": 0.0, "failed_loss": 0.0},
        journeys={"bad_wait": "2min", "bad_experience_factor": factor},
    )
    soured, fine = [], []
    for seed in range(1, REPLICATIONS + 1):
        orders = simulate(scenario, seed=seed).orders
        visits = orders[orders["entered"].notna()].sort_values(["entered", "order_id"])
        bad = (visits["entered"] - visits["door_queued"]) > 2.0
        before = bad.groupby(visits["customer"]).shift(1, fill_value=False).astype(bool)
        counted = (visits["placed"] >= WARMUP) & visits["left_store"].notna() & ~bad
        bought = visits["outcome"] != "no_purchase"
        soured.append(float(bought[counted & before].mean()))
        fine.append(float(bought[counted & ~before].mean()))
    for measured, exact in ((soured, q * factor), (fine, q)):
        low, high = confidence_interval(measured)
        assert low <= exact <= high, f"conversion {exact} outside [{low:.4f}, {high:.4f}]"


def test_journeys_off_leave_the_run_unchanged():
    plain = _journeys()
    idle = _journeys(journeys={})
    first, second = simulate(plain, seed=3).orders, simulate(idle, seed=3).orders
    pd.testing.assert_frame_equal(first, second.drop(columns=["webroomed", "showroomed"]))


CHANNELS = ["visit", "online", "stranger", None]


@settings(max_examples=60, deadline=None)
@given(
    showroom=st.sampled_from(CHANNELS),
    webroom=st.sampled_from(CHANNELS),
    showrooming=st.sampled_from([0.0, 0.28]),
    webrooming=st.sampled_from([0.0, 0.41]),
)
def test_journeys_name_the_segments_channels(showroom, webroom, showrooming, webrooming):
    # "stranger" is a channel of the scenario but not of the segment.
    raw = scenario_to_dict(_journeys())
    raw["channels"]["stranger"] = {"route": ["pick"], "promise": "1d"}
    journeys = {"showrooming": showrooming, "webrooming": webrooming}
    journeys |= {"showroom_channel": showroom} if showroom else {}
    journeys |= {"webroom_channel": webroom} if webroom else {}
    raw["customers"]["segments"][0]["journeys"] = journeys
    showroom_ok = showroom == "online" or (showroom is None and showrooming == 0)
    webroom_ok = webroom == "visit" or (webroom is None and webrooming == 0)
    if showroom_ok and webroom_ok:
        scenario_from_dict(raw)
        return
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(raw)
    key = "showroom_channel" if not showroom_ok else "webroom_channel"
    assert f"customers.segments[0].journeys.{key}" in str(info.value)


def test_the_xiasha_journeys_scenario_is_bundled_and_runs():
    path = ROOT / "configs" / "xiasha_journeys.toml"
    assert path in bundled_scenarios()
    scenario = load_scenario(path, ['scenario.horizon="2d"', 'scenario.warmup="12h"'])
    result = simulate(scenario, seed=1)
    counters = result.info.counters
    assert counters["showroomed"] > 0 and counters["webroomed"] > 0
    store = result.kpis.query("group == 'store'").set_index("kpi")["value"]
    assert store["showroomed"] > 0 and store["webroomers"] > 0
