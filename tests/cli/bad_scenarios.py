"""Malformed scenario files for the command line's error tests.

A case is a copy of the bundled baseline with one mutation (or raw bytes, a folder, no
file at all), run as ``o2osim run FILE --out DIR --quiet`` in-process, and the fragments
of the one line it must give.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from o2osim.cli import EXIT_BAD_INPUT, main

from helpers import write_baseline

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


def write_case(case: Case, tmp_path: Path) -> Path:
    path = tmp_path / case.name
    if case.missing:
        return path
    if case.folder:
        path.mkdir()
    elif case.raw is not None:
        path.write_bytes(case.raw)
    else:
        write_baseline(path, case.mutate)
    return path


def only_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, f"expected exactly one line, got {len(lines)}: {text!r}"
    assert lines[0].strip(), "the error line is empty"
    return lines[0]


def check_bad_scenario(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Exit status 2, one line naming the file (or the flag) and holding the case's
    fragments, no traceback, no results folder."""
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
