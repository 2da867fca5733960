"""Every bundled scenario gives the same tables spilled during the run as kept in memory.

The settle rules (o2osim.settle) and the holds (a return, a showroomer's visit) claim
that nothing touches an order's row once it has settled. Here each bundled scenario
runs twice at the same seed: in memory, and with its settled orders leaving memory in
blocks of 300 (tiny, so they leave during the run). A write to a row that left raises
LateWriteError; a read of one meets None and fails; a value lost between the two paths
shows as a difference in the orders, the stock ledger, the money or the KPIs.

Rows leave in order, so a scenario's longest orders (a parcel abroad, a return days
after delivery) hold back every later one: such scenarios run longer, at a tenth of
their demand where that keeps the test short, until orders do leave during the run.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import o2osim
import o2osim.money_blocks as money_blocks
import o2osim.spill as spill
from o2osim.settle import settle_lag

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "configs").glob("*.toml"))
#: (demand factor, horizon) where three days at full demand leave no order settled.
LONGER = {
    "shanghai_hongqiao_airport": (1.0, "6d"),
    "wenzhou_virtual_warehouse": (1.0, "18d"),
    "hangzhou_xiasha_bonded": (0.1, "20d"),
    "xiasha_journeys": (0.1, "12d"),
    "wenzhou_bonded_or_mail": (0.1, "30d"),
    "wenzhou_eyewear_us": (1.0, "30d"),
    "wenzhou_shoes_eu": (1.0, "30d"),
    "wenzhou_travel_services": (1.0, "30d"),
    "wenzhou_direct_mail": (0.1, "45d"),
}


def _run(scenario: o2osim.Scenario, block: int | None, written: list[int]) -> o2osim.Result:
    demand, horizon = LONGER.get(scenario.scenario.name, (1.0, "3d"))
    overrides = [
        f"customers.segments[{i}].arrivals_per_day={segment.arrivals_per_day * demand!r}"
        for i, segment in enumerate(scenario.customers.segments)
        if demand != 1.0
    ]
    options = {"seed": 11, "horizon": horizon, "warmup": "1d", "overrides": overrides}
    if block is None:
        return o2osim.simulate(scenario, **options)
    finish = spill.Spill.finish

    def counting(self: spill.Spill) -> object:
        written.append(self.written)  # orders that left memory during the run
        return finish(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spill, "BLOCK_ROWS", block)
        patch.setattr(spill, "START_ROWS", block)
        patch.setattr(money_blocks, "BLOCK_ORDERS", 7 * block)  # priced in several blocks
        patch.setattr(spill.Spill, "finish", counting)
        return o2osim.simulate(scenario, **options)


# Overloaded scenarios over three days warn that they look unstable: expected here.
@pytest.mark.filterwarnings("ignore::o2osim.kpis.stability.UnstableRunWarning")
@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_spilled_during_the_run_is_kept_in_memory(config: Path) -> None:
    scenario = o2osim.load_scenario(config)
    assert not math.isinf(settle_lag(scenario))  # every bundled scenario may spill
    written: list[int] = []
    kept = _run(scenario, None, written)
    spilled = _run(scenario, 300, written)
    pd.testing.assert_frame_equal(kept.orders, spilled.orders)
    pd.testing.assert_frame_equal(kept.inventory, spilled.inventory)
    pd.testing.assert_frame_equal(kept.money, spilled.money)
    pd.testing.assert_frame_equal(kept.kpis, spilled.kpis)
    assert written == [written[0]] and written[0] > 0  # orders left during the run
