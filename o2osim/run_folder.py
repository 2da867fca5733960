"""A run folder on disk: which files hold a run's tables, writing them, reading them back.

A run folder is self-contained: besides the resolved ``scenario.toml`` it holds
every table the KPIs and the money are computed from (:data:`TABLE_FILES`), and
``manifest.json`` records the sha256 of the scenario text. Reading checks all of
it and names every problem on one line each, so ``o2osim report RUN_DIR`` can
refuse a damaged folder in one go. Writing happens inside a temporary folder
that :mod:`o2osim.results` renames when complete.

This module only moves tables between memory and disk: it must not compute KPIs
or money (:mod:`o2osim.api` does, from what is read here) and must not run the model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__
from .folders import read_json
from .scenario import (
    Scenario,
    ScenarioError,
    dump_scenario,
    scenario_from_dict,
    scenario_hash,
)
from .tables import RunTables

if TYPE_CHECKING:
    from .world import RunInfo

#: The tables of a run folder, by file: the KPIs and the money read these and the scenario.
#: ``flights.parquet`` is written only with an airport.
TABLE_FILES = {
    "orders": "orders.parquet",
    "resources": "resources.parquet",
    "inventory": "inventory.parquet",
    "flights": "flights.parquet",
    "resource_stats": "resource_stats.parquet",
    "counters": "counters.parquet",
}
#: kpis.csv is for people: six significant digits (the exact values are in memory).
KPIS_CSV_FLOAT_FORMAT = "%.6g"
#: Rows per Parquet row group of a run's tables (one group is converted at a time).
ROW_GROUP_ROWS = 65_536
_AGAIN = "run the scenario again to rebuild the folder"


class RunFolderError(ScenarioError):
    """A run folder cannot be read back; the message has one line per problem."""


@dataclass(frozen=True)
class StoredRun:
    """What a run folder holds, read back and checked."""

    scenario: Scenario
    tables: RunTables
    manifest: dict[str, Any]


def write_run_tables(
    folder: Path, scenario: Scenario, tables: RunTables, money: pd.DataFrame | Path
) -> None:
    """Write ``scenario.toml``, every table of :data:`TABLE_FILES` and ``money.parquet``
    (``money``: the table, or a file :func:`write_parquet` wrote it to, copied)."""
    # Bytes, not text: the manifest's scenario_sha256 covers exactly these (no CRLF).
    (folder / "scenario.toml").write_bytes(dump_scenario(scenario).encode("utf-8"))
    for name, file in TABLE_FILES.items():
        if name == "flights" and scenario.airport is None:
            continue
        if name == "orders" and tables.store is not None:
            write_groups(tables.store.row_groups(), folder / file)
            continue
        frame: pd.DataFrame = getattr(tables, name)
        write_parquet(frame, folder / file)
    if isinstance(money, Path):
        shutil.copyfile(money, folder / "money.parquet")
    else:
        write_parquet(money, folder / "money.parquet")


def run_manifest(
    scenario: Scenario,
    seed: int,
    info: RunInfo,
    orders: int,
    wall: float,
    unstable: list[str],
    streams: list[str],
) -> dict[str, Any]:
    """What ``manifest.json`` records of a run: versions, its scenario's hash, the clock
    (horizon, warm-up, drain, stop in minutes), counts and the wall time (s)."""
    meta = scenario.scenario
    return {
        "o2osim_version": __version__,
        "scenario": meta.name,
        "layout": meta.layout,
        "seed": seed,
        "scenario_sha256": scenario_hash(scenario),
        "horizon_min": meta.horizon,
        "warmup_min": meta.warmup,
        "drain_min": meta.drain,
        "stopped_min": info.stopped,
        "unstable": unstable,
        "orders": orders,
        "events": info.events,
        "wall_time_s": round(wall, 3),
        "orders_per_wall_s": round(orders / wall, 1) if wall else None,
        "counters": info.counters,
        "random_streams": streams,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }


def write_parquet(frame: pd.DataFrame, path: Path, rows: int = ROW_GROUP_ROWS) -> None:
    """Write ``frame`` (without its index) to ``path`` in row groups of ``rows`` rows.

    One group at a time is converted to Arrow, so writing a year's orders table does
    not hold a second, Arrow copy of all of it; read back it is the same frame.
    """
    if len(frame) <= rows:
        frame.to_parquet(path, index=False)
        return
    first = pa.Table.from_pandas(frame.iloc[:rows], preserve_index=False)
    with pq.ParquetWriter(path, first.schema) as writer:
        writer.write_table(first)
        del first
        for start in range(rows, len(frame), rows):
            part = frame.iloc[start : start + rows]
            writer.write_table(
                pa.Table.from_pandas(part, schema=writer.schema, preserve_index=False)
            )


def write_groups(groups: Iterator[pa.Table], path: Path) -> None:
    """Write Arrow row groups (a run's orders from its spill file) to ``path``, in order."""
    writer: pq.ParquetWriter | None = None
    try:
        for table in groups:
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def write_kpis_csv(kpis: pd.DataFrame, path: Path) -> None:
    """Write the KPI table as ``kpis.csv`` (one format, so a recomputed file compares)."""
    kpis.to_csv(path, index=False, float_format=KPIS_CSV_FLOAT_FORMAT)


def check_run_folder(folder: str | Path) -> list[str]:
    """One line per problem that stops ``folder`` from computing its KPIs again (none: [])."""
    return read_run_folder(Path(folder))[1]


def read_run_folder(folder: Path) -> tuple[StoredRun | None, list[str]]:
    """The run stored in ``folder`` and no problems, or None and one line per problem."""
    if not folder.exists():
        return None, [f"{folder}: does not exist; give the --out folder of a run"]
    if not folder.is_dir():
        return None, [f"{folder}: is not a folder; give the --out folder of a run"]
    manifest = read_json(folder / "manifest.json")
    if manifest is None or "o2osim_version" not in manifest:
        return None, [
            f"{folder}: not an o2osim run folder (manifest.json missing or "
            "unreadable); give the --out folder of a run"
        ]
    problems: list[str] = []
    scenario = _read_scenario(folder, manifest, problems)
    frames: dict[str, pd.DataFrame] = {}
    for name, file in TABLE_FILES.items():
        path = folder / file
        if (
            name == "flights"
            and not path.exists()
            and (scenario is None or scenario.airport is None)
        ):
            frames[name] = pd.DataFrame()  # written only with an airport
            continue
        frame = _read_table(path, problems)
        if frame is not None:
            frames[name] = frame
    if scenario is None or problems:
        return None, problems
    return StoredRun(scenario, RunTables(**frames), manifest), []


def _read_table(path: Path, problems: list[str]) -> pd.DataFrame | None:
    try:
        return pd.read_parquet(path)
    except FileNotFoundError:
        problems.append(f"{path.parent}: {path.name} is missing; {_AGAIN}")
    except (OSError, ValueError, pa.ArrowException):
        problems.append(
            f"{path.parent}: {path.name} is unreadable (truncated or damaged); {_AGAIN}"
        )
    return None


def _read_scenario(folder: Path, manifest: dict[str, Any], problems: list[str]) -> Scenario | None:
    path = folder / "scenario.toml"
    try:
        data = path.read_bytes()
        raw = tomllib.loads(data.decode("utf-8"))
    except FileNotFoundError:
        problems.append(f"{folder}: scenario.toml is missing; {_AGAIN}")
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{folder}: scenario.toml is unreadable ({exc}); {_AGAIN}")
        return None
    # The file as written is what the manifest's hash covers: an edited copy would give
    # KPIs of a scenario that was never simulated.
    recorded = manifest.get("scenario_sha256")
    if recorded is None:
        problems.append(
            f"{folder}: manifest.json records no scenario_sha256, so scenario.toml "
            f"cannot be trusted; {_AGAIN}"
        )
        return None
    if hashlib.sha256(data).hexdigest() != recorded:
        problems.append(
            f"{folder}: scenario.toml is not the scenario this run simulated "
            "(its sha256 differs from manifest.json's); restore it or "
            f"{_AGAIN}"
        )
        return None
    try:
        return scenario_from_dict(raw, source=str(path))
    except ScenarioError as exc:
        problems.append(f"{str(exc).splitlines()[0]}; {_AGAIN}")
        return None
