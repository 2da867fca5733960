"""Absurd sizes, periods and files are refused in one line, fast; the size estimate is right.

Issue 12: 1e7 arrivals a day, a 1000x peak day, a review every microsecond, 1e9 SKUs,
1e8 riders, 1e300 days of stock, a horizon of "1e99d", a FIFO or /dev/zero as the
scenario, TOML nested 500 levels deep used to hang, exhaust the memory or end in a
traceback. Each case here runs ``o2osim run`` in-process and wants exit status 2, one
line naming the file (or the override), the key path, the value and what is allowed,
within a second, and no results folder. Then the size estimate
(:mod:`o2osim.sizing`) is compared with real runs of the bundled scenarios.
"""

from __future__ import annotations

import json
import math
import os
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import o2osim.api  # noqa: F401  (imported now, so that no case pays for it in its second)
from o2osim.cli import EXIT_BAD_INPUT, main
from o2osim.experiment import load_experiment
from o2osim.limits import MAX_DURATION, MAX_HORIZON, MIN_PERIOD
from o2osim.scenario import (
    ScenarioError,
    apply_overrides,
    load_scenario,
    scenario_from_dict,
    with_overrides,
)
from o2osim.units import UNIT_MINUTES, parse_duration

from helpers import BASELINE, ROOT, write_baseline

BASE_TEXT = BASELINE.read_text(encoding="utf-8")
BASE: dict[str, Any] = tomllib.loads(BASE_TEXT)
#: The baseline with one Latin-1 byte (é) where UTF-8 needs two.
LATIN1 = BASE_TEXT.encode().replace(b"Wenzhou residents", b"Wenzhou r\xe9sidents", 1)
LATIN1_LINE = LATIN1[: LATIN1.index(b"\xe9")].count(b"\n") + 1
DEEP = 500  # levels of nesting the issue tried

Mutation = Callable[[dict[str, Any]], None]


def put(path: str, value: Any) -> Mutation:
    """Set ``path`` ("a.b.0.c": list entries by index) in the baseline's copy."""

    def mutate(data: dict[str, Any]) -> None:
        *head, last = path.split(".")
        node: Any = data
        for part in head:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        node[int(last) if isinstance(node, list) else last] = value

    return mutate


@dataclass(frozen=True)
class Case:
    expect: tuple[str, ...]  # fragments the one line must hold
    mutate: Mutation | None = None  # applied to a copy of the baseline
    raw: bytes | None = None  # or: the file's bytes
    path: str | None = None  # or: this path instead of a file (a device, a FIFO)
    fifo: bool = False  # or: a FIFO in the scratch folder
    args: tuple[str, ...] = ()  # more arguments of `o2osim run`
    # What the line starts with after "o2osim: error: " (default: the file's path); a
    # tuple: any of these ("{path}" stands for the file's path).
    starts: str | tuple[str, ...] | None = None


CASES = {
    # sizes
    "arrivals-1e7-a-day": Case(
        ("customers.segments[0].arrivals_per_day = 10000000.0", "must be at most 1,000,000"),
        put("customers.segments.0.arrivals_per_day", 1e7),
    ),
    "peak-day-1000x": Case(
        ("customers.segments[0].peak_days[0].factor = 1000", "must be at most 100"),
        put("customers.segments.0.peak_days", [{"date": "2026-11-11", "factor": 1000}]),
    ),
    "calendar-1000x": Case(
        ("customers.calendar[0].factor = 1000.0", "must be at most 100"),
        put("customers.calendar", [{"name": "d11", "start": "2026-11-11", "factor": 1e3}]),
    ),
    "skus-1e9": Case(
        ("catalogue.skus = 1000000000", "must be at most 1,000,000"),
        put("catalogue.skus", 1_000_000_000),
    ),
    "skus-1e9-as-a-float": Case(
        ("catalogue.skus = 1000000000.0", "valid integer", "whole number"),
        put("catalogue.skus", 1e9),
    ),
    "riders-1e8": Case(
        ("couriers.riders = 100000000", "must be at most 100,000"),
        put("couriers.riders", 100_000_000),
    ),
    "pickers-1e8": Case(
        ("warehouse.pickers = 100000000", "must be at most 100,000"),
        put("warehouse.pickers", 100_000_000),
    ),
    "initial-stock-days-1e300": Case(
        ("warehouse.initial_stock_days = 1e+300", "must be at most 3,650"),
        put("warehouse.initial_stock_days", 1e300),
    ),
    "population-1e12": Case(
        ("customers.segments[0].population = 1000000000000", "must be at most 50,000,000"),
        put("customers.segments.0.population", 10**12),
    ),
    # periods
    "review-1e-6s": Case(
        ("warehouse.replenishment.review = '1e-6s'", '"0s" (continuous review) or at least 1s'),
        put("warehouse.replenishment.review", "1e-6s"),
    ),
    "resource-interval-1e-6s": Case(
        ("recorder.resource_interval = '1e-6s'", "at least 1s"),
        put("recorder.resource_interval", "1e-6s"),
    ),
    "resource-interval-0s": Case(
        ("recorder.resource_interval = '0s'", "at least 1s"),
        put("recorder.resource_interval", "0s"),
    ),
    "batch-window-1ms": Case(
        ("couriers.batch_window = '1e-3s'", '"0s" (no waiting) or at least 1s'),
        put("couriers.batch_window", "1e-3s"),
    ),
    "wave-cut-offs-half-a-second-apart": Case(
        ("warehouse.regional.cutoffs", "at least 1s apart"),
        put("warehouse.regional", {"cutoffs": ["12h", "720.005min"]}),
    ),
    # durations
    "horizon-1e99d": Case(
        ("scenario.horizon = '1e99d'", "too long", "0s to 3650000d (10,000 years)"),
        put("scenario.horizon", "1e99d"),
    ),
    "horizon-minus-1d": Case(
        ("scenario.horizon = '-1d'", "is negative", "0s to"), put("scenario.horizon", "-1d")
    ),
    "horizon-inf": Case(
        ("scenario.horizon = 'inf d'", "not a finite duration", "0s to"),
        put("scenario.horizon", "inf d"),
    ),
    "horizon-nan": Case(
        ("scenario.horizon = 'nan s'", "not a finite duration"), put("scenario.horizon", "nan s")
    ),
    "horizon-11-years": Case(
        ("scenario.horizon = '4000d'", "at most 3650d (10 years"), put("scenario.horizon", "4000d")
    ),
    "promise-1e99d": Case(
        ("channels.online_delivery.promise = '1e99d'", "too long"),
        put("channels.online_delivery.promise", "1e99d"),
    ),
    "horizon-1e99d-by-set": Case(
        ("--set scenario.horizon=\"1e99d\": scenario.horizon = '1e99d'", "too long"),
        args=("--set", 'scenario.horizon="1e99d"'),
    ),
    # files that are not scenario files
    "fifo": Case(("is a FIFO (named pipe), not a regular file",), fifo=True),
    "dev-zero": Case(("is a device, not a regular file",), path="/dev/zero"),
    "not-utf8": Case(
        ("not a TOML file (not UTF-8 text)", f"byte 0xe9 at line {LATIN1_LINE}, column "),
        raw=LATIN1,
    ),
    "utf16": Case(("it is UTF-16; save it as UTF-8",), raw=BASE_TEXT.encode("utf-16")),
    "nested-500-arrays-in-file": Case(
        ("nested too deeply", "at most 32 levels"), raw=f"x = {'[' * DEEP}{']' * DEEP}\n".encode()
    ),
    "nested-500-tables-in-file": Case(
        ("a.a.a.a", "nested more than 32 levels deep"),
        raw=f"[{'.'.join(['a'] * DEEP)}]\nb = 1\n".encode(),
    ),
    "nested-500-by-set": Case(
        ("nested more than 32 levels deep",),
        args=("--set", f"warehouse.pickers={'[' * DEEP}{']' * DEEP}"),
        starts="--set warehouse.pickers=[[[",
    ),
    "key-path-500-deep-by-set": Case(
        ("nested more than 32 levels deep",),
        args=("--set", ".".join(["a"] * DEEP) + "=1"),
        starts="--set a.a.a.",
    ),
    # messages
    "deep-set-blames-the-set": Case(
        ("--set foo.bar.baz=1: foo: unknown key",), args=("--set", "foo.bar.baz=1")
    ),
    "unicode-key-by-set": Case(
        ("--set warehouse.pickérs=3: warehouse.pickérs: unknown key", "did you mean 'pickers'?"),
        args=("--set", "warehouse.pickérs=3"),
    ),
    "unicode-key-in-file": Case(
        ("warehouse.pickérs: unknown key", "did you mean 'pickers'?"), put("warehouse.pickérs", 3)
    ),
    # the whole run is too big for any machine: refused even with --yes
    "ten-years-of-a-million-a-day": Case(
        ("estimated at ~", "G orders", "of memory here, so it cannot finish"),
        put("scenario.horizon", "3650d"),
        args=("--yes", "--set", "customers.segments[0].arrivals_per_day=1e6"),
        starts=("{path}: ", "this run is estimated at "),
    ),  # the CLI may name the file
}


def write_case(case: Case, folder: Path) -> Path:
    if case.path is not None:
        return Path(case.path)
    path = folder / "scenario.toml"
    if case.fifo:
        os.mkfifo(path)
    elif case.raw is not None:
        path.write_bytes(case.raw)
    else:
        write_baseline(path, case.mutate)
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_absurd_input_is_refused_in_one_line_within_a_second(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_case(case, tmp_path)
    out = tmp_path / "out"

    started = time.perf_counter()
    status = main(["run", str(path), "--out", str(out), "--quiet", *case.args])
    elapsed = time.perf_counter() - started

    captured = capsys.readouterr()
    assert status == EXIT_BAD_INPUT
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    line = lines[0].removeprefix("o2osim: error: ")
    assert line != lines[0], line
    starts = case.starts or "{path}: "
    allowed = (starts,) if isinstance(starts, str) else starts
    assert line.startswith(tuple(s.replace("{path}", str(path)) for s in allowed)), line
    for fragment in case.expect:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert "\\u" not in line  # unicode as typed, never JSON-escaped
    assert len(line) < 1000  # a 500-level --set is cut, not echoed in full
    assert "Traceback" not in captured.out + captured.err
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    assert not out.exists()


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE_TEXT.encode("utf-8"))
    assert load_scenario(path) == load_scenario(BASELINE)


def test_a_file_larger_than_10_mb_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    with path.open("wb") as handle:
        handle.truncate(20_000_000)  # sparse: costs no disk
    with pytest.raises(ScenarioError, match="larger than 10 MB"):
        load_scenario(path)


# ---------------------------------------------------------------- origins of overrides


def test_an_override_added_by_a_program_names_its_real_origin() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, ["warehouse.pickers=0"], origin="experiments/x.toml: factors")
    assert str(info.value).startswith(
        f"{BASELINE}: experiments/x.toml: factors: warehouse.pickers=0: warehouse.pickers = 0: "
    )
    assert "--set" not in str(info.value)


def test_with_overrides_names_the_overrides_not_a_file() -> None:
    base = load_scenario(BASELINE)
    with pytest.raises(ScenarioError) as info:
        with_overrides(base, ['scenario.warmup="30d"'], origin="experiments/x.toml: experiment")
    assert str(info.value) == (
        "experiments/x.toml: experiment: scenario.warmup=\"30d\": scenario.warmup = '30d': "
        "must be shorter than scenario.horizon (28d)"
    )


def test_a_cross_check_blames_the_override_of_the_key_it_names() -> None:
    """A shorter horizon makes the file's warm-up too long: the horizon's override is named."""
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(BASE, "base.toml", ['scenario.horizon="3d"', "warehouse.pickers=20"])
    assert str(info.value) == (
        "base.toml: --set scenario.horizon=\"3d\": scenario.warmup = '7d': "
        "must be shorter than scenario.horizon (3d)"
    )


def test_override_syntax_errors_name_the_origin() -> None:
    with pytest.raises(ScenarioError, match=r"^experiments/x\.toml: factors: 'pickers': write"):
        apply_overrides(BASE, ["pickers"], "base.toml", origin="experiments/x.toml: factors")


# ---------------------------------------------------------------- durations, any text

duration_texts = st.one_of(
    st.text(max_size=30),
    st.builds(
        "{}{}{}{}".format,
        st.sampled_from(["", "-", "+", " ", "- "]),
        st.one_of(
            st.floats().map(repr),
            st.integers(0, 10**400).map(str),
            st.sampled_from(
                ["inf", "Infinity", "nan", "NaN", ".5", "1.", "1e-6", "1e99", "1e400", "0"]
            ),
        ),
        st.sampled_from(["", " "]),
        st.sampled_from([*UNIT_MINUTES, "D", "ms", "y", ""]),
    ),
)


@settings(max_examples=300, deadline=None)
@given(duration_texts)
@example("1e99d")
@example("-1d")
@example("1e308d")
@example("inf s")
@example("3650000d")
def test_any_duration_text_parses_within_bounds_or_raises_value_error(text: str) -> None:
    try:
        minutes = parse_duration(text, at_most=MAX_DURATION)
    except ValueError as exc:
        assert "\n" not in str(exc)
        return
    assert math.isfinite(minutes)
    assert 0 <= minutes <= MAX_DURATION


@settings(max_examples=150, deadline=None)
@given(duration_texts)
@example("1e-6s")
@example("0.5s")
@example("1s")
@example("-0s")
def test_any_duration_text_in_a_scenario_is_valid_or_one_scenario_error(text: str) -> None:
    """Horizon and review: within their bounds, or a ScenarioError (never another error)."""
    for key in ("scenario.horizon", "warehouse.replenishment.review"):
        try:
            scenario = scenario_from_dict(BASE, "base.toml", [f"{key}={json.dumps(text)}"])
        except ScenarioError as exc:
            assert str(exc).startswith(f"base.toml: --set {key}=")
            continue
        horizon = scenario.scenario.horizon
        review = scenario.warehouse.replenishment.review
        assert 0 < horizon <= MAX_HORIZON and scenario.scenario.warmup < horizon
        assert review == 0 or MIN_PERIOD <= review <= MAX_DURATION


# ---------------------------------------------------------------- bundled files


def test_every_bundled_scenario_and_experiment_still_loads() -> None:
    for path in sorted((ROOT / "configs").glob("*.toml")):
        load_scenario(path)
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        assert load_experiment(path).variants
