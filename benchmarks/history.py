"""Append a benchmark's figures to ``benchmarks/history.csv`` (a helper of the scripts).

One row per benchmark run: commit, UTC date, machine, benchmark name and its
figures as one JSON cell, so benchmarks with different figures share one file and
a slowdown between commits shows. This module must not measure anything.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

HISTORY = Path(__file__).resolve().parent / "history.csv"
COLUMNS = ("commit", "date", "machine", "python", "benchmark", "figures")


def commit() -> str:
    """The checked-out commit (short), with ``+dirty`` for uncommitted changes."""
    root = HISTORY.parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return (head or "unknown") + ("+dirty" if dirty else "")


def machine() -> str:
    """Where the figures were measured: host, CPU model and cores."""
    return f"{platform.node()} {platform.processor() or platform.machine()} {os.cpu_count()} cores"


def append_history(figures: dict[str, Any], path: Path = HISTORY) -> None:
    """Append one row for ``figures`` (its ``benchmark`` key names the benchmark)."""
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(COLUMNS)
        writer.writerow(
            [
                commit(),
                dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                machine(),
                platform.python_version(),
                figures.get("benchmark", "?"),
                json.dumps(figures, sort_keys=True),
            ]
        )


def emit(figures: dict[str, Any], history: bool) -> None:
    """Print ``figures`` as one JSON line on stdout; with ``history`` also append them."""
    print(json.dumps(figures), flush=True)
    if history:
        append_history(figures)
