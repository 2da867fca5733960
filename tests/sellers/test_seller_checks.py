"""The ``[sellers]`` table refuses what cannot be: one-line errors naming the key.

Properties (hypothesis): a commission is a share in [0, 1); every SKU id is owned by
exactly one declared seller (an SME or the platform); SKU ids exist in the catalogue.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from seller_scenarios import seller_scenario, smes

from o2osim.scenario import ScenarioError, load_scenario, with_overrides
from o2osim.scenario.sellers import PLATFORM

from helpers import ROOT

BASE = seller_scenario(horizon="4d")


def _set(*overrides: str):
    return with_overrides(BASE, list(overrides))


@given(st.floats(min_value=0.0, max_value=1.5, allow_nan=False))
def test_commission_is_a_share_below_one(share):
    key = "sellers.smes.consigner.commission"
    if share < 1.0:
        assert _set(f"{key} = {share!r}").sellers.smes["consigner"].commission == share
    else:
        with pytest.raises(ScenarioError, match="commission"):
            _set(f"{key} = {share!r}")


@given(st.lists(st.integers(min_value=0, max_value=39), min_size=1, max_size=12, unique=True))
def test_every_sku_has_exactly_one_declared_owner(skus):
    taken = set(range(20, 30))  # the shipper's
    key = f"sellers.smes.consigner.skus = {sorted(skus)}"
    if taken & set(skus):
        with pytest.raises(ScenarioError, match="is owned by"):
            _set(key)
        return
    sellers = _set(key).sellers
    owners = sellers.owners(40)
    assert set(owners) <= {PLATFORM, *sellers.smes}
    for sku, owner in enumerate(owners):
        holders = [n for n, s in sellers.smes.items() if sku in s.skus]
        assert holders == ([owner] if owner != PLATFORM else [])


@given(st.integers(min_value=40, max_value=10_000))
def test_sku_ids_exist_in_the_catalogue(sku):
    with pytest.raises(ScenarioError, match=r"sellers\.smes\.consigner\.skus.*0 \.\. 39"):
        _set(f"sellers.smes.consigner.skus = [1, {sku}]")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("sellers.smes.consigner.skus = [1, 1]", "each SKU once"),
        ("sellers.smes.consigner.fulfilment = 'drop_ship'", "fulfilment"),
        ("warehouse.unlimited_stock = true", "consignment needs a \\[warehouse\\]"),
        ("sellers.smes.consigner.stock.mode = 'sea'", "own lead_time"),
    ],
)
def test_impossible_sellers_are_refused(override, message):
    with pytest.raises(ScenarioError, match=message):
        _set(override)


def test_a_store_visit_cannot_be_split_per_seller():
    store = load_scenario(ROOT / "configs" / "hangzhou_xiasha_bonded.toml")
    sme = "sellers.smes.shop = { fulfilment = 'self', skus = [1], commission = 0.1 }"
    with pytest.raises(ScenarioError, match=r"channels\.\w+\.route.*one order per seller"):
        with_overrides(store, ['warehouse.sync_lag = "0s"', sme])


def test_sellers_need_the_live_stock_figure():
    with pytest.raises(ScenarioError, match=r"warehouse\.sync_lag = '5min'.*live stock figure"):
        _set('warehouse.sync_lag = "5min"')


def test_platform_is_not_an_sme_name():
    table = smes()
    table["smes"][PLATFORM] = table["smes"].pop("shipper")
    with pytest.raises(ScenarioError, match="platform's own stock"):
        seller_scenario(sellers=table)
