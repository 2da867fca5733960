"""Returns across channels: units and money conserved on every return path.

On the bundled virtual-warehouse config (shortened, with a category whose returns
are resellable only half the time), per return path: the units returned are the
units restocked plus the units written off (the ledger's ``return`` and
``write_off`` rows of the path's orders); the reverse logistics line of the money
table is the path's cost times its returns, to the cent; a returned order earns no
revenue. Over all orders: units sold = units kept + units returned. And a unit
returned in the store goes back on the store site's shelf.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from o2osim import simulate
from o2osim.scenario import load_scenario, with_overrides
from o2osim.scenario.sites import RETURN_PATHS

CONFIG = Path(__file__).parents[2] / "configs" / "wenzhou_virtual_warehouse.toml"


@pytest.fixture(scope="module")
def result():
    scenario = with_overrides(
        load_scenario(CONFIG),
        [
            'scenario.horizon="4d"',
            'scenario.drain="10d"',
            "catalogue.categories=[{name='fresh', share=0.5, resellable=0.5}, "
            "{name='durable', share=0.5}]",
            "channels.store_walk_in.return_rate=0.3",
            "cross_returns.store_to_parcel.share=0.4",
        ],
        origin="test",
    )
    return simulate(scenario, seed=7)


def test_units_are_conserved_on_every_path(result):
    orders, ledger = result.tables.orders, result.tables.inventory
    kind = ledger["kind"].astype(str)
    for path in RETURN_PATHS:
        ids = orders.loc[orders["return_path"] == path, "order_id"]
        returned = int(orders.loc[orders["return_path"] == path, "lines"].sum())
        restocked = int((ledger["order_id"].isin(ids) & (kind == "return")).sum())
        scrapped = int((ledger["order_id"].isin(ids) & (kind == "write_off")).sum())
        assert returned > 0, path
        assert returned == restocked + scrapped, path
        assert result.kpi("return_path", path, "units_returned") >= 0
    outcome = orders["outcome"].astype(str)
    sold = orders.loc[outcome.isin(["delivered", "collected", "returned"]), "lines"].sum()
    kept = orders.loc[outcome.isin(["delivered", "collected"]), "lines"].sum()
    assert sold == kept + orders.loc[outcome == "returned", "lines"].sum()
    assert (orders["return_path"].notna() == (outcome == "returned")).all()


def test_money_is_conserved_to_the_cent_on_every_path(result):
    money, orders = result.money, result.tables.orders
    spec = result.scenario.cross_returns
    path = orders.set_index("order_id").loc[money["order_id"], "return_path"].to_numpy()
    reverse = np.rint(money["reverse_cny"].to_numpy() * 100).astype(np.int64)
    for name in RETURN_PATHS:
        mine = path == name
        cents = int(np.rint(spec.path(name).cost_cny * 100))
        assert reverse[mine].sum() == cents * mine.sum(), name
        assert (money.loc[mine, "revenue_cny"] == 0).all(), name
        kpi = result.kpi("return_path", name, "reverse_cny")
        assert round(kpi * 100) == cents * int(mine.sum()), name
    assert reverse[pd_isna(path)].sum() == 0


def pd_isna(values: np.ndarray) -> np.ndarray:
    return np.array([v != v or v is None for v in values], dtype=bool)


def test_in_store_returns_go_back_on_the_store_shelf(result):
    orders, ledger = result.tables.orders, result.tables.inventory
    in_store = orders.loc[orders["return_path"].isin(["online_to_store", "store_to_store"])]
    # Site 2 is the downtown store (sites: warehouse, lucheng_front, downtown, ...).
    assert result.kpi("stock_site", "downtown", "units_restocked") > 0
    assert len(in_store) > 0
    back = ledger[
        (ledger["kind"].astype(str) == "return") & ledger["order_id"].isin(in_store["order_id"])
    ]
    assert len(back) > 0
