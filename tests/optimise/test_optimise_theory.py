"""The optimiser's answers against closed-form theory (Erlang C, Poisson base stock).

Monotone search over one integer on stripped-down textbook stations: the smallest
number of servers for a wait-probability target must be the one Erlang C gives, and
the smallest base-stock level for a fill rate the one the Poisson formula gives. The
targets sit between two neighbouring exact values with room on both sides, so each
candidate's constraint is decided at 95% in a few short replications.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from o2osim.optimise import optimise
from o2osim.theory import erlang_c, poisson_fill_rate
from o2osim.validation import stock_scenario

from helpers import stripped

RATE, SERVICE = 3.0, 1.0  # orders/min and min per order: offered load 3 Erlangs
SEQUENTIAL = {"replications": 3, "step": 3, "max_replications": 12, "confidence": 0.95}


def erlang_answer(target: float, threshold: float) -> int:
    """Smallest c with P(W > threshold) = C(c, a) exp(-(c mu - lambda) t) <= target."""
    c = math.floor(RATE * SERVICE) + 1
    while erlang_c(c, RATE * SERVICE) * math.exp(-(c / SERVICE - RATE) * threshold) > target:
        c += 1
    return c


@pytest.mark.parametrize(
    ("kpi", "over", "threshold", "target"),
    [
        ("resource/pick/share_waited", None, 0.0, 0.15),  # P(W > 0): Erlang C itself
        ("resource/pick/wait_over", "30s", 0.5, 0.05),  # P(W > 30 s): the new derived KPI
    ],
)
def test_minimum_servers_is_the_erlang_c_answer(
    write_problem, tmp_path: Path, kpi: str, over: str | None, threshold: float, target: float
) -> None:
    constraint = {"kpi": kpi, "max": target} | ({"over": over} if over else {})
    path = write_problem(
        stripped(["pick"], RATE, horizon="1d", warmup="2h"),
        variables=[{"name": "pickers", "keys": ["warehouse.pickers"], "low": 4, "high": 12}],
        constraints=[constraint],
        objective={"kpi": "resource/pick/servers"},
        **SEQUENTIAL,
    )
    done = optimise(path, tmp_path / "out")
    exact = erlang_answer(target, threshold)
    assert exact == 6  # the targets were chosen between c = 5 and c = 6
    assert done.chosen is not None
    assert dict(done.chosen.candidate.values)["pickers"] == exact


def test_minimum_base_stock_is_the_poisson_answer(write_problem, tmp_path: Path) -> None:
    # 10 units a day per SKU, deterministic 1-day lead time: lead-time demand Poisson(10);
    # fill rate of base stock S is P(D <= S - 1) (Hadley & Whitin).
    target = 0.89
    path = write_problem(
        stock_scenario(
            10.0,
            40,
            {"policy": "base_stock", "review": "0s", "order_up_to_units": 10},
            initial=10,
            horizon="12d",
            warmup="2d",
        ),
        variables=[
            {
                "name": "S",
                "keys": [
                    "warehouse.replenishment.order_up_to_units",
                    "warehouse.initial_stock_units",
                ],
                "low": 8,
                "high": 20,
            }
        ],
        constraints=[{"kpi": "overall/all/fill_rate", "min": target}],
        objective={"kpi": "stock/bonded/mean_on_hand"},
        **SEQUENTIAL,
    )
    done = optimise(path, tmp_path / "out")
    exact = next(s for s in range(1, 40) if poisson_fill_rate(10.0, s) >= target)
    assert exact == 15
    assert done.chosen is not None
    assert dict(done.chosen.candidate.values)["S"] == exact
