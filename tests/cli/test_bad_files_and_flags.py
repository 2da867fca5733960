"""Files that are not scenarios and bad flags: one line on stderr, exit status 2, no results
folder, no traceback; through ``main``, ``python -m o2osim.cli`` and the console script.

A missing file, a folder, JSON, text, binary or NUL bytes in place of a scenario, and
malformed ``--set`` and ``--horizon`` options, run as ``o2osim run FILE --out DIR
--quiet`` in-process; then a bad file through the real console script, and ``o2osim
check``. Malformed values in a scenario file are in test_bad_scenario_values.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from o2osim.scenario import load_scenario, scenario_from_dict

from bad_scenarios import Case, check_bad_scenario, only_line, rename, write_case
from helpers import BASELINE, ROOT

CASES = {
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
    "set-index-without-brackets": Case(
        ("no entry named '0' under customers.segments; by index write customers.segments[0]",),
        args=("--set", "customers.segments.0.arrivals_per_day=1"),
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


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_file_or_flag_gives_one_line_and_status_2(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check_bad_scenario(case, tmp_path, capsys)


# ---------------------------------------------------------------- the real console script


def _bad_file(tmp_path: Path) -> Path:
    """The misspelt ``warehouse.pickrs`` of test_bad_scenario_values.py."""
    return write_case(Case((), rename("warehouse.pickers", "pickrs")), tmp_path)


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
