"""Malformed scenarios: one line on stderr, exit status 2, no results folder, no traceback.

Each case derives a scenario file from the bundled baseline (load with tomllib,
mutate the dict, write with tomli_w) or writes raw bytes, then runs
``o2osim run FILE --out DIR --quiet`` in-process.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from o2osim.cli import EXIT_BAD_INPUT, main
from o2osim.scenario import load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "configs" / "wenzhou_baseline.toml"
BASE: dict[str, Any] = tomllib.loads(BASELINE.read_text(encoding="utf-8"))

Mutation = Callable[[dict[str, Any]], None]


def _parent(data: dict[str, Any], path: str) -> tuple[Any, str | int]:
    """The container holding ``path`` ("a.b.0.c": list entries by index) and the last key."""
    *head, last = path.split(".")
    node: Any = data
    for part in head:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node, int(last) if isinstance(node, list) else last


def put(path: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node, key = _parent(data, path)
        node[key] = value

    return mutate


def drop(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node, key = _parent(data, path)
        del node[key]

    return mutate


def rename(path: str, new: str) -> Mutation:
    """A misspelt key: the value moves to ``new`` (so the right key goes missing too)."""

    def mutate(data: dict[str, Any]) -> None:
        node, key = _parent(data, path)
        node[new] = node.pop(key)

    return mutate


@dataclass(frozen=True)
class Case:
    expect: tuple[str, ...]  # fragments the error line must contain
    mutate: Mutation | None = None  # applied to a copy of the baseline
    raw: bytes | None = None  # or: the file's bytes, written as is
    folder: bool = False  # or: the scenario path is a folder
    missing: bool = False  # or: nothing is written at all
    name: str = "scenario.toml"
    args: tuple[str, ...] = ()  # extra command-line arguments
    names_file: bool = True  # the line starts with the file's path (else with the flag)
    flag: str = "--set"  # the option the line starts with when it does not name the file


CASES = {
    # wrong types
    "pickers-is-a-word": Case(
        ("warehouse.pickers = 'twelve'", "valid integer"), put("warehouse.pickers", "twelve")
    ),
    "speed-is-a-word": Case(
        ("couriers.speed_kmh = 'fast'", "valid number"), put("couriers.speed_kmh", "fast")
    ),
    "pick-time-is-a-string": Case(
        ("warehouse.pick_time = '45s'", "dictionary"), put("warehouse.pick_time", "45s")
    ),
    "route-is-a-string": Case(
        ("channels.online_delivery.route = 'reserve'", "valid list"),
        put("channels.online_delivery.route", "reserve"),
    ),
    # capacities and counts
    "pickers-negative": Case(
        ("warehouse.pickers = -3", "greater than or equal to 1"), put("warehouse.pickers", -3)
    ),
    "riders-zero": Case(
        ("couriers.riders = 0", "greater than or equal to 1"), put("couriers.riders", 0)
    ),
    "catalogue-empty": Case(
        ("catalogue.skus = 0", "greater than or equal to 1"), put("catalogue.skus", 0)
    ),
    # probabilities
    "inspection-rate-above-one": Case(
        ("customs.inspection_rate = 1.5", "less than or equal to 1"),
        put("customs.inspection_rate", 1.5),
    ),
    "tax-rate-negative": Case(
        ("customs.tax_rate = -0.1", "greater than or equal to 0"), put("customs.tax_rate", -0.1)
    ),
    # durations
    "pick-time-mean-without-unit": Case(
        ("warehouse.pick_time.mean = 45", "needs a unit", '"90s"'),
        put("warehouse.pick_time.mean", 45),
    ),
    "horizon-without-unit": Case(
        ("scenario.horizon = 28", "needs a unit"), put("scenario.horizon", 28)
    ),
    "horizon-is-a-bool": Case(
        ("scenario.horizon = True", "needs a unit"), put("scenario.horizon", True)
    ),
    "horizon-malformed": Case(
        ("scenario.horizon = '5 minutes'", "not a duration", "s, min, h, d"),
        put("scenario.horizon", "5 minutes"),
    ),
    "horizon-shorter-than-warmup": Case(
        ("scenario.warmup = '7d'", "shorter than scenario.horizon (5d)"),
        put("scenario.horizon", "5d"),
    ),
    # unknown and missing keys
    "unknown-top-level-table": Case(
        ("warehose: unknown key", "did you mean 'warehouse'?", "allowed here: scenario,"),
        rename("warehouse", "warehose"),
    ),
    "extra-top-level-table": Case(
        ("reporting: unknown key (allowed here: scenario, customers",),
        put("reporting", {"charts": True}),
    ),
    "unknown-nested-key": Case(
        ("warehouse.pickrs: unknown key", "did you mean 'pickers'?", "allowed here: pickers,"),
        rename("warehouse.pickers", "pickrs"),
    ),
    "unknown-key-in-list-entry": Case(
        ("customers.segments[0].arrivals_per_dya: unknown key", "did you mean 'arrivals_per_day'?"),
        rename("customers.segments.0.arrivals_per_day", "arrivals_per_dya"),
    ),
    "unknown-key-in-distribution": Case(
        ("warehouse.pick_time.cvv: unknown key", "did you mean 'cv'?"),
        rename("warehouse.pick_time.cv", "cvv"),
    ),
    "unknown-key-in-inline-table": Case(
        ("warehouse.replenishment.reveiw: unknown key", "did you mean 'review'?"),
        rename("warehouse.replenishment.review", "reveiw"),
    ),
    "unknown-key-with-line-break": Case(
        ('warehouse."pick\\nrs": unknown key',), put("warehouse.pick\nrs", 3)
    ),
    "required-key-missing": Case(
        ("couriers.riders: required key is missing",), drop("couriers.riders")
    ),
    # distribution parameters
    "lognormal-cv-negative": Case(
        ("warehouse.pick_time = ", "lognormal cv must be between 0 and 10 (got -0.5)"),
        put("warehouse.pick_time.cv", -0.5),
    ),
    "uniform-low-above-high": Case(
        ("warehouse.pick_time = ", "uniform needs 0 <= low <= high", "low=2.0, high=1.0"),
        put("warehouse.pick_time", {"dist": "uniform", "low": "2min", "high": "1min"}),
    ),
    "triangular-mode-above-high": Case(
        ("couriers.handover_time = ", "low <= mode <= high", "mode=9.0"),
        put("couriers.handover_time.mode", "9min"),
    ),
    "triangular-mode-below-low": Case(
        ("couriers.handover_time = ", "low <= mode <= high", "mode=0.5"),
        put("couriers.handover_time.mode", "30s"),
    ),
    "unknown-distribution": Case(
        ("warehouse.pick_time = ", "dist must be one of: exponential,", "empirical"),
        put("warehouse.pick_time", {"dist": "weibull", "mean": "45s", "shape": 1.5}),
    ),
    "empirical-without-values": Case(
        ("warehouse.pick_time.values = []", "at least 1 item"),
        put("warehouse.pick_time", {"dist": "empirical", "values": []}),
    ),
    "empirical-values-without-unit": Case(
        ("warehouse.pick_time.values[0] = 40", "needs a unit"),
        put("warehouse.pick_time", {"dist": "empirical", "values": [40, 50]}),
    ),
    "distance-mean-with-unit": Case(
        ("customers.segments[0].distance_km.mean = '4km'", "valid number"),
        put("customers.segments.0.distance_km.mean", "4km"),
    ),
    # cross references and routes
    "segment-uses-undefined-channel": Case(
        (
            "customers.segments[0].channels = 'online_delivry'",
            "channel 'online_delivry' is not defined",
            "defined: online_delivery",
        ),
        put("customers.segments.0.channels", ["online_delivry"]),
    ),
    "route-unknown-stage": Case(
        ("channels.online_delivery.route[1] = 'teleport'", "'reserve', 'customs'"),
        put("channels.online_delivery.route", ["reserve", "teleport", "deliver"]),
    ),
    "route-out-of-order": Case(
        (
            "channels.online_delivery = ",
            "in the order reserve -> customs -> pick -> pack",
            "(got reserve -> pick -> customs)",
        ),
        put("channels.online_delivery.route", ["reserve", "pick", "customs"]),
    ),
    "replenishment-levels-reversed": Case(
        ("warehouse.replenishment = ", "order_up_to_days (3.0) must exceed reorder_point_days"),
        put("warehouse.replenishment.order_up_to_days", 3),
    ),
    # the bonded layout's tables
    "route-needs-a-store": Case(
        ("channels.online_delivery.route = 'store_visit'", "needs a [[stores]] table"),
        put("channels.online_delivery.route", ["store_visit", "reserve"]),
    ),
    "route-with-two-hand-overs": Case(
        ("a route ends at one of collect, deliver, regional, courier", "(got deliver, regional)"),
        put("channels.online_delivery.route", ["reserve", "deliver", "regional"]),
    ),
    "allocation-priority-unknown-channel": Case(
        ("warehouse.allocation.priority = 'store'", "channel 'store' is not defined"),
        put("warehouse.allocation", {"policy": "channel_priority", "priority": ["store"]}),
    ),
    "replenishment-mode-undefined": Case(
        ("warehouse.replenishment.mode = 'air'", "not defined under warehouse.replenishment.modes"),
        put("warehouse.replenishment.mode", "air"),
    ),
    "r_Q-without-quantity": Case(
        ("warehouse.replenishment = ", "policy r_Q needs order_quantity_days"),
        put("warehouse.replenishment.policy", "r_Q"),
    ),
    "cut-off-beyond-a-day": Case(
        ("warehouse.regional.cutoffs = ['26h']", "times of day, shorter than 1d"),
        put("warehouse.regional", {"cutoffs": ["26h"]}),
    ),
    "population-zero": Case(
        ("customers.segments[0].population = 0", "greater than or equal to 1"),
        put("customers.segments.0.population", 0),
    ),
    # couriers, depots, promises
    "dispatch-policy-unknown": Case(
        (
            "couriers.dispatch = 'zigzag'",
            "unknown dispatch policy",
            "allowed: fcfs, batch, nearest_neighbour",
        ),
        put("couriers.dispatch", "zigzag"),
    ),
    "fcfs-with-capacity": Case(
        ("couriers.capacity = 3", "'fcfs' sends one order per trip"), put("couriers.capacity", 3)
    ),
    "shift-riders-do-not-add-up": Case(
        ("couriers.shifts: the shifts have 100 riders in all, but couriers.riders = 240",),
        put("couriers.shifts", [{"start": "08:00", "end": "16:00", "riders": 100}]),
    ),
    "shift-start-is-not-a-clock-time": Case(
        ("couriers.shifts[0].start = '8h'", 'a time of day is written "HH:MM"'),
        put("couriers.shifts", [{"start": "8h", "end": "16:00", "riders": 240}]),
    ),
    "fleet-depot-unknown": Case(
        ("couriers.depot = 'harbour'", "no depot of that name; depots: warehouse"),
        put("couriers.depot", "harbour"),
    ),
    "channel-fleet-unknown": Case(
        ("channels.online_delivery.fleet = 'drones'", "fleets: couriers"),
        put("channels.online_delivery.fleet", "drones"),
    ),
    "front-pick-at-the-bonded-warehouse": Case(
        ("channels.online_delivery.route = ", "'front_pick' picks at a front warehouse"),
        put("channels.online_delivery.route", ["reserve", "front_pick", "deliver"]),
    ),
    "hold-without-slots": Case(
        ("channels.online_delivery.route = ", "'hold' needs slots"),
        put("channels.online_delivery.route", ["reserve", "pick", "hold", "deliver"]),
    ),
    "two-promises": Case(
        (
            "channels.online_delivery: a channel needs exactly one promise",
            "(got promise, next_day)",
        ),
        put("channels.online_delivery.next_day", {"by": "21:00"}),
    ),
    "traffic-profile-unknown": Case(
        ("city.traffic_profile = 'rushhour'", "allowed: free, city"),
        put("city", {"traffic_profile": "rushhour"}),
    ),
    "speed-distribution-reaches-zero": Case(
        ("couriers.speed_kmh = ", "must not reach 0 km/h"),
        put("couriers.speed_kmh", {"dist": "uniform", "low": 0.0, "high": 20.0}),
    ),
    "segment-around-unknown-depot": Case(
        ("customers.segments[0].around = 'moon'", "no depot of that name"),
        put("customers.segments.0.around", "moon"),
    ),
    # files that are not scenarios
    "missing-file": Case(("no such file",), missing=True),
    "folder-not-file": Case(("is a folder",), folder=True),
    "json-file": Case(
        ("not a TOML file",),
        raw=b'{"scenario": {"name": "x", "horizon": "1d"}}\n',
        name="scenario.json",
    ),
    "garbage-text": Case(
        ("not a TOML file", "(at line 1, column 7)"), raw=b"hello world\nthis is not toml\n"
    ),
    "binary-not-utf8": Case(
        ("not a TOML file (not UTF-8 text)",), raw=bytes(range(256)) * 4, name="scenario.bin"
    ),
    "nul-bytes": Case(("not a TOML file",), raw=b"\x00\x00\x00"),
    # --set and --horizon
    "set-unknown-key": Case(
        ("--set warehouse.pickrs=3: warehouse.pickrs: unknown key", "did you mean 'pickers'?"),
        args=("--set", "warehouse.pickrs=3"),
    ),
    "set-unknown-table": Case(("--set foo.bar=1: foo: unknown key",), args=("--set", "foo.bar=1")),
    "set-without-equals": Case(
        ("--set 'foo': write key=value",), args=("--set", "foo"), names_file=False
    ),
    "set-unknown-entry-name": Case(
        (
            "--set customers.segments.tourist.arrivals_per_day=1",
            "no entry named 'tourist' under customers.segments; names: resident",
        ),
        args=("--set", "customers.segments.tourist.arrivals_per_day=1"),
        names_file=False,
    ),
    "set-index-out-of-range": Case(
        ("--set customers.segments[3].arrivals_per_day=1", "segments has 1 entries, no [3]"),
        args=("--set", "customers.segments[3].arrivals_per_day=1"),
        names_file=False,
    ),
    "set-through-a-value": Case(
        ("--set warehouse.pickers.x=1", "warehouse.pickers is a value (12), not a table"),
        args=("--set", "warehouse.pickers.x=1"),
        names_file=False,
    ),
    "set-probability-above-one": Case(
        ("--set customs.inspection_rate=1.5: customs.inspection_rate = 1.5",),
        args=("--set", "customs.inspection_rate=1.5"),
    ),
    "set-by-name-negative-rate": Case(
        (
            "--set customers.segments.resident.arrivals_per_day=-5",
            "customers.segments[0].arrivals_per_day = -5",
        ),
        args=("--set", "customers.segments.resident.arrivals_per_day=-5"),
    ),
    # The file is not at fault, so the line names the option the user typed instead.
    "horizon-option-malformed": Case(
        ("scenario.horizon = '2 weeks'", "not a duration"),
        args=("--horizon", "2 weeks"),
        names_file=False,
        flag="--horizon",
    ),
}


def write_case(case: Case, tmp_path: Path) -> Path:
    path = tmp_path / case.name
    if case.missing:
        return path
    if case.folder:
        path.mkdir()
    elif case.raw is not None:
        path.write_bytes(case.raw)
    else:
        data = copy.deepcopy(BASE)
        if case.mutate is not None:
            case.mutate(data)
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def only_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, f"expected exactly one line, got {len(lines)}: {text!r}"
    assert lines[0].strip(), "the error line is empty"
    return lines[0]


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_scenario_gives_one_line_and_status_2(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_case(case, tmp_path)
    out = tmp_path / "out"

    status = main(["run", str(path), "--out", str(out), "--quiet", *case.args])

    captured = capsys.readouterr()
    assert status == EXIT_BAD_INPUT == 2
    line = only_line(captured.err)
    assert line.startswith("o2osim: error: ")
    if case.names_file:
        assert line.startswith(f"o2osim: error: {path}: "), line
    else:
        assert line.startswith(f"o2osim: error: {case.flag} "), line
    for fragment in case.expect:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert "Traceback" not in captured.out + captured.err
    assert not out.exists()


def test_cases_cover_at_least_eighteen_distinct_scenarios() -> None:
    assert len(CASES) >= 18


def test_the_unmutated_copy_is_a_valid_scenario(tmp_path: Path) -> None:
    """Each case fails because of its mutation, not because of the copy it starts from."""
    path = write_case(Case(expect=()), tmp_path)
    assert load_scenario(path) == load_scenario(BASELINE)


def test_every_mutated_case_is_still_valid_toml(tmp_path: Path) -> None:
    for name, case in CASES.items():
        if case.mutate is not None:
            (tmp_path / name).mkdir()
            tomllib.loads(write_case(case, tmp_path / name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the real console script


def _bad_file(tmp_path: Path) -> Path:
    return write_case(CASES["unknown-nested-key"], tmp_path)


def _assert_clean_failure(proc: subprocess.CompletedProcess[str], path: Path, out: Path) -> None:
    assert proc.returncode == 2, proc
    line = only_line(proc.stderr)
    assert line.startswith(f"o2osim: error: {path}: warehouse.pickrs: unknown key")
    assert "did you mean 'pickers'?" in line
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not out.exists()


def _console_script() -> str:
    script = Path(sysconfig.get_path("scripts")) / "o2osim"
    if not script.exists():
        pytest.skip("the o2osim console script is not installed next to this interpreter")
    return str(script)


def test_python_dash_m_reports_one_line(tmp_path: Path) -> None:
    path, out = _bad_file(tmp_path), tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "o2osim.cli", "run", str(path), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    _assert_clean_failure(proc, path, out)


def test_console_script_reports_one_line(tmp_path: Path) -> None:
    path, out = _bad_file(tmp_path), tmp_path / "out"
    proc = subprocess.run(
        [_console_script(), "run", str(path), "--out", str(out)],  # not quiet: still one line
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    _assert_clean_failure(proc, path, out)


# ---------------------------------------------------------------- o2osim check


def _check(columns: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run(
        [_console_script(), "check", str(BASELINE)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )


def test_check_prints_a_scenario_that_reloads_equal() -> None:
    proc = _check(columns=10_000)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert scenario_from_dict(tomllib.loads(proc.stdout)) == load_scenario(BASELINE)


def test_check_output_is_not_wrapped_at_80_columns() -> None:
    proc = _check(columns=80)
    assert proc.returncode == 0, proc.stderr
    assert scenario_from_dict(tomllib.loads(proc.stdout)) == load_scenario(BASELINE)
