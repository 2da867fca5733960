"""``o2osim validate`` end to end: every check against its theory, through the command line.

Three replications keep the run short; the checks' seeds are fixed (1, 2, 3), so the
verdicts are deterministic.
"""

from __future__ import annotations

import pytest

from o2osim.cli import main
from o2osim.validation import CHECKS, run_checks

NEW_CHECKS = ("Base-stock fill rate", "(r, Q) fill rate", "Little's law L / (lambda W)")


def test_validate_command_passes_every_check(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # one table row per line, names unwrapped
    status = main(["validate", "--replications", "3"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "FAIL" not in out
    rows = [line for line in out.splitlines() if line.rstrip().endswith("│")]
    passed = [line for line in rows if "pass" in line]
    assert len(passed) == len(CHECKS), out
    for name in CHECKS:
        assert name in out, f"{name!r} is not in the table"
    for prefix in NEW_CHECKS:
        assert any(name.startswith(prefix) for name in CHECKS)


def test_run_checks_runs_a_named_subset() -> None:
    name = next(n for n in CHECKS if n.startswith("Little's law"))
    (check,) = run_checks(2, only=[name])
    assert check.name == name
    assert check.exact == 1.0
    assert check.passed


def test_run_checks_refuses_an_unknown_check() -> None:
    with pytest.raises(ValueError, match="unknown check 'no such check'"):
        run_checks(2, only=["no such check"])
