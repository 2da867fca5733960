"""Orders spilled to disk during the run give the tables of the in-memory run, to the bit.

A run whose settled orders leave memory a few hundred at a time (tiny blocks, so a
short run spills many times during the run) must give the same orders, resources,
stock ledger, money and KPIs as the run that keeps everything in memory, and its
run folder the same files. Conservation on the spilled path: every order placed is
one row, every ledger row follows from the one before it. A settle lag that is too
short (a courier's way back stamps orders after their delivery) is caught, not
silently lost.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import o2osim
import o2osim.spill as spill
from o2osim.order_store import OrderStore
from o2osim.scenario import RunParameters
from o2osim.tables import RunTables

BASELINE = Path(__file__).resolve().parents[2] / "configs" / "wenzhou_baseline.toml"


@pytest.fixture(scope="module")
def scenario() -> o2osim.Scenario:
    return o2osim.load_scenario(BASELINE)


@pytest.fixture(scope="module")
def both(scenario: o2osim.Scenario) -> tuple[o2osim.Result, o2osim.Result, int]:
    """The same run in memory and spilled in blocks of 500 orders; how many orders the
    spilled run had written before its end."""
    kept = o2osim.simulate(scenario, seed=3, horizon="3d", warmup="1d")
    during: list[int] = []
    finish = spill.Spill.finish

    def counting(self: spill.Spill) -> tuple[OrderStore, pd.DataFrame, pd.DataFrame]:
        during.append(self.written)
        return finish(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spill, "BLOCK_ROWS", 500)
        patch.setattr(spill, "START_ROWS", 500)
        patch.setattr(spill.Spill, "finish", counting)
        spilled = o2osim.simulate(scenario, seed=3, horizon="3d", warmup="1d")
    return kept, spilled, during[0]


def test_the_run_spilled_during_the_run(both: tuple[o2osim.Result, o2osim.Result, int]) -> None:
    kept, spilled, written = both
    assert isinstance(spilled.orders_source, RunTables)
    assert spilled.orders_source.store is not None
    # Most of a 3-day run's orders had settled (ended over a day before) by its end.
    assert written >= 0.4 * len(kept.orders)


def test_spilled_tables_are_the_in_memory_tables(
    both: tuple[o2osim.Result, o2osim.Result, int],
) -> None:
    kept, spilled, _ = both
    pd.testing.assert_frame_equal(kept.orders, spilled.orders)
    pd.testing.assert_frame_equal(kept.resources, spilled.resources)
    pd.testing.assert_frame_equal(kept.inventory, spilled.inventory)
    pd.testing.assert_frame_equal(kept.money, spilled.money)
    pd.testing.assert_frame_equal(kept.kpis, spilled.kpis)


def test_spilled_run_folder_is_the_in_memory_one(
    both: tuple[o2osim.Result, o2osim.Result, int], tmp_path: Path
) -> None:
    kept, spilled, _ = both
    kept.save(tmp_path / "kept", charts=False)
    spilled.save(tmp_path / "spilled", charts=False)
    for name in ("orders", "money", "resources", "inventory"):
        a = pd.read_parquet(tmp_path / "kept" / f"{name}.parquet")
        b = pd.read_parquet(tmp_path / "spilled" / f"{name}.parquet")
        pd.testing.assert_frame_equal(a, b)
    kpis = (tmp_path / "kept" / "kpis.csv").read_bytes()
    assert kpis == (tmp_path / "spilled" / "kpis.csv").read_bytes()


def test_spilled_orders_and_ledger_are_conserved(
    both: tuple[o2osim.Result, o2osim.Result, int],
) -> None:
    _, spilled, _ = both
    orders = spilled.orders
    # Every order placed is one row, in id order, and has one outcome.
    assert (orders["order_id"].to_numpy() == np.arange(len(orders))).all()
    assert int(orders["outcome"].value_counts().sum()) == len(orders)
    # The ledger: each SKU's level is the running sum of its changes.
    ledger = spilled.inventory
    running = ledger.groupby("sku")["on_hand_change"].cumsum()
    assert (running.to_numpy() == ledger["on_hand"].to_numpy()).all()


def test_a_settle_lag_too_short_is_caught(scenario: o2osim.Scenario) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spill, "BLOCK_ROWS", 200)
        patch.setattr(spill, "START_ROWS", 200)
        patch.setattr(spill, "settle_lag", lambda _scenario: 0.0)
        with pytest.raises(spill.LateWriteError, match="settle lag"):
            o2osim.simulate(scenario, seed=3, horizon="2d", warmup="0d")


def test_settle_lags(scenario: o2osim.Scenario) -> None:
    from o2osim.settle import BASE_LAG, settle_lag

    assert settle_lag(scenario) == BASE_LAG

    def changed(*overrides: str) -> o2osim.Scenario:
        return RunParameters(None, None, None).apply(scenario, origin="test", overrides=overrides)

    # Returns hold each order until its return instead of a lag (test_returns_hold_...).
    assert settle_lag(changed("channels.online_delivery.return_rate=0.1")) == BASE_LAG
    split = (
        "customers.segments[0].split_on_rejection=0.5",
        "customers.segments[0].resubmit_after=2d",
    )
    assert settle_lag(changed(*split)) == 2 * BASE_LAG


RETURNS = (
    "channels.online_delivery.return_rate=0.3",
    'channels.online_delivery.return_after={dist = "lognormal", mean = "12h", cv = 0.5}',
)


def _spilled_in_blocks(scenario: o2osim.Scenario, block: int) -> o2osim.Result:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spill, "BLOCK_ROWS", block)
        patch.setattr(spill, "START_ROWS", block)
        return o2osim.simulate(scenario, seed=5, horizon="3d", warmup="1d", overrides=RETURNS)


def test_returns_hold_their_orders_and_the_tables_are_the_same(
    scenario: o2osim.Scenario,
) -> None:
    kept = o2osim.simulate(scenario, seed=5, horizon="3d", warmup="1d", overrides=RETURNS)
    returned = int((kept.orders["outcome"] == "returned").sum())
    assert returned > 1000  # the holds are exercised: many returns land after a block left
    spilled = _spilled_in_blocks(scenario, 400)
    assert isinstance(spilled.orders_source, RunTables)
    assert spilled.orders_source.store is not None
    pd.testing.assert_frame_equal(kept.orders, spilled.orders)
    pd.testing.assert_frame_equal(kept.inventory, spilled.inventory)
    pd.testing.assert_frame_equal(kept.money, spilled.money)
    pd.testing.assert_frame_equal(kept.kpis, spilled.kpis)


def test_without_the_hold_a_return_is_a_late_write(scenario: o2osim.Scenario) -> None:
    from o2osim.recorder import OrderBook

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(OrderBook, "hold", lambda self, order_id, until: None)
        # The return reads a cell that left (None: TypeError) or writes one (caught at the end).
        with pytest.raises((spill.LateWriteError, TypeError)):
            _spilled_in_blocks(scenario, 400)
