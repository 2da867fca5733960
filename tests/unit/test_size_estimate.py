"""The size estimate of a run: orders and memory against real runs, and the limits.

The estimate (o2osim.sizing) is an expectation: orders are the integral of the
arrival rates, so a real run's count falls within a few per cent; memory comes
from a fit to peak RSS, checked here in a fresh process.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib

import pytest

from o2osim.scenario import ScenarioError, load_scenario, scenario_from_dict
from o2osim.sizing import SizeEstimate, check_size, estimate_size

from helpers import BASELINE, ROOT

BASE = tomllib.loads(BASELINE.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the size estimate


def test_describe_is_one_short_line() -> None:
    assert (
        SizeEstimate(2.2e6, 13e6, 7.7e9).describe()
        == "~2.2 M orders, ~13 M events, ~7.7 GB peak memory"
    )
    assert (
        SizeEstimate(850, 4_200, 210e6).describe()
        == "~850 orders, ~4.2 k events, ~210 MB peak memory"
    )


#: (scenario, extra overrides, tolerance). Poisson arrivals: the count's sd is ~0.5-1% of
#: these means, and splits, webrooming and memory change it by a few per cent, so 8%.
#: The airport's pre-orders ramp up over the first 72 h (flights before the start have
#: no orders), so its first days hold fewer than the daily mean: 15%.
ESTIMATED = {
    "wenzhou_baseline": ((), 0.08),
    "sams_speed_delivery": ((), 0.08),
    "wenzhou_channel_choice": (("scenario.start=2026-11-10",), 0.08),  # its calendar events
    "xiasha_journeys": (("scenario.start=2026-11-10",), 0.08),  # 5x peak day, showrooming
    "shanghai_hongqiao_airport": ((), 0.15),
}


@pytest.mark.parametrize("name", list(ESTIMATED))
def test_estimated_orders_match_a_real_run(name: str) -> None:
    from o2osim.api import simulate

    extra, tolerance = ESTIMATED[name]
    scenario = load_scenario(
        ROOT / "configs" / f"{name}.toml", ['scenario.horizon="2d"', 'scenario.warmup="0s"', *extra]
    )
    estimate = estimate_size(scenario)
    result = simulate(scenario)
    orders = len(result.orders)
    assert abs(orders - estimate.orders) <= tolerance * estimate.orders, (orders, estimate)
    # Events: an expectation too, but orders still in transit at the horizon have not
    # had all their stage events yet (direct mail: 9 days of transit), so a factor of 2.
    assert 0.5 <= estimate.events / result.manifest["events"] <= 2.0


@pytest.mark.skipif(sys.platform == "win32", reason="resource.getrusage is POSIX")
def test_estimated_memory_matches_the_peak_of_a_real_run() -> None:
    """The fit in o2osim.sizing still describes this code (a fresh process: ~2 s)."""
    code = (
        "import resource, o2osim\n"
        # VmHWM starts afresh at exec; ru_maxrss keeps the high-water mark of the forking
        # parent (a pytest worker that already holds hundreds of MB).
        "def peak():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1]) * 1024\n"
        "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "from o2osim.api import simulate\n"
        f"s = o2osim.load_scenario({str(BASELINE)!r}, ['scenario.horizon=\"6d\"',"
        " 'scenario.warmup=\"1d\"'])\n"
        "simulate(s)\n"
        "print(peak())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    peak = int(proc.stdout.split()[-1])
    scenario = load_scenario(BASELINE, ['scenario.horizon="6d"', 'scenario.warmup="1d"'])
    estimate = estimate_size(scenario).memory_bytes
    # The estimate includes ~60 MB for writing the results and charts, not run here.
    assert 0.8 <= estimate / peak <= 1.8, (estimate, peak)


def test_the_estimate_of_a_ten_year_run_is_quick() -> None:
    scenario = scenario_from_dict(BASE, overrides=['scenario.horizon="3650d"'])
    started = time.perf_counter()
    estimate = estimate_size(scenario)
    assert time.perf_counter() - started < 0.5
    assert estimate.orders == pytest.approx(6000 * 3650, rel=0.01)


GB = 1e9


def test_check_size_passes_a_small_run() -> None:
    check_size(SizeEstimate(20e3, 1e5, 0.3 * GB), allow_large=False, memory=16 * GB)


@pytest.mark.parametrize(
    ("estimate", "reason"),
    [
        (SizeEstimate(1e6, 6e6, 5 * GB), "over a quarter of the 16 GB of memory"),
        (SizeEstimate(11e6, 6e7, 2 * GB), "over 10 M orders"),
        (SizeEstimate(1e6, 3e8, 2 * GB), "over 200 M events"),
    ],
)
def test_check_size_asks_for_yes_above_the_soft_limits(estimate: SizeEstimate, reason: str) -> None:
    with pytest.raises(ScenarioError) as info:
        check_size(estimate, allow_large=False, source="big.toml", memory=16 * GB)
    line = str(info.value)
    assert line.startswith(f"big.toml: this run is estimated at {estimate.describe()}: ")
    assert reason in line
    assert line.endswith("pass --yes to run it anyway")
    check_size(estimate, allow_large=True, memory=16 * GB)  # a deliberate giant runs


def test_check_size_refuses_more_than_the_memory_even_with_yes() -> None:
    with pytest.raises(ScenarioError, match="more than the 16 GB of memory here"):
        check_size(SizeEstimate(5e6, 3e7, 20 * GB), allow_large=True, memory=16 * GB)
