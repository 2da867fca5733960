"""Ranking and selection in ``o2osim sweep``: the ``[selection]`` table of an experiment.

After the sweep's replications (KN's first stage, n0 = experiment.replications),
the KN procedure (:mod:`.selection`) screens the variants on the chosen KPI and asks
for one more replication of each survivor per stage, until one is left or
``max_replications`` is reached. The extra runs are ordinary run folders
(``runs/vNNN/rep-NNN``, written by :func:`o2osim.runner.run_one`) with the seed of
their replication index, so replication r is the same customers in every variant
(common random numbers) and a resumed sweep reuses them.

KN is replayed from the folder alone: the observations are read back in the
order the procedure asks for them, so the report can state the outcome without
running anything, and an interrupted selection continues where it stopped.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..experiment import Experiment, RunSpec, replication_seeds
from ..scenario import dump_scenario
from .evaluate import Executor, kpi_value
from .selection import Selection, kn_select


class _Missing(Exception):
    def __init__(self, needed: list[tuple[str, int]]) -> None:
        super().__init__(f"{len(needed)} runs needed")
        self.needed = needed


@dataclass
class Replay:
    """KN on an experiment folder's runs: the selection, or the runs it needs next."""

    folder: Path
    table: dict[str, Any]
    variants: list[str]
    labels: dict[str, str]
    first: pd.DataFrame
    cache: dict[tuple[str, int], float] = field(default_factory=dict)

    @classmethod
    def of(cls, folder: Path) -> Replay | None:
        try:  # the report checks the folder's files; a damaged one is its to name
            spec = tomllib.loads((folder / "experiment.toml").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None
        table = spec.get("selection")
        if not isinstance(table, dict):
            return None
        variants = pd.read_csv(folder / "variants.csv")
        runs = pd.read_parquet(folder / "runs.parquet")
        group, name, kpi = str(table["kpi"]).split("/")
        first = runs[(runs["group"] == group) & (runs["name"] == name) & (runs["kpi"] == kpi)]
        return cls(
            folder,
            table,
            list(variants["variant"]),
            dict(zip(variants["variant"], variants["label"], strict=True)),
            first,
        )

    @property
    def n0(self) -> int:
        info = json.loads((self.folder / "experiment.json").read_text(encoding="utf-8"))
        return int(info["replications"])

    def value(self, variant: str, replication: int) -> float | None:
        key = (variant, replication)
        if key not in self.cache:
            if replication < self.n0:
                hit = self.first[
                    (self.first["variant"] == variant) & (self.first["replication"] == replication)
                ]
                self.cache[key] = float(hit["value"].iloc[0])
            else:
                path = self.folder / f"runs/{variant}/rep-{replication:03d}"
                if not (path / "manifest.json").is_file():
                    return None
                kpis = pd.read_parquet(path / "kpis.parquet")
                self.cache[key] = kpi_value(kpis, str(self.table["kpi"]))
        return self.cache[key]

    def run(self) -> Selection | list[tuple[str, int]]:
        """The selection, or the (variant, replication) runs KN asks for next."""

        def draw(systems: Sequence[int], reps: range) -> np.ndarray:
            out, needed = [], []
            for i in systems:
                row = []
                for r in reps:
                    value = self.value(self.variants[i], r)
                    if value is None:
                        needed.append((self.variants[i], r))
                    row.append(value)
                out.append(row)
            if needed:
                raise _Missing(needed)
            return np.array(out, dtype=float)

        try:
            return kn_select(
                draw,
                len(self.variants),
                float(self.table.get("alpha", 0.05)),
                float(self.table["delta"]),
                self.n0,
                maximise=self.table.get("direction", "maximize") == "maximize",
                max_replications=int(self.table.get("max_replications", 100)),
            )
        except _Missing as missing:
            return missing.needed


def run_selection(
    experiment: Experiment, folder: Path, workers: int = 1, client: Any = None
) -> Selection | None:
    """Run the extra replications KN asks for (see the module docstring); rewrite the report."""
    from ..report import write_report
    from ..runner import run_one

    replay = Replay.of(folder)
    if replay is None or len(replay.variants) < 2:
        return None
    seeds = replication_seeds(experiment.spec.experiment.seed, replay.n0 + 10_000)
    by_id = {v.variant_id: v for v in experiment.variants}
    texts = {v.variant_id: dump_scenario(v.scenario) for v in experiment.variants}
    while True:
        outcome = replay.run()
        if isinstance(outcome, Selection):
            break
        todo = [
            RunSpec(v, r, seeds[r], texts[v], by_id[v].scenario) for v, r in sorted(set(outcome))
        ]
        Executor(workers, client).run(run_one, todo, folder, lambda _folder: None)
    write_report(folder)
    return outcome


def selection_lines(folder: Path) -> list[str]:
    """The report's section on the selection and its guarantee (none without [selection])."""
    replay = Replay.of(folder)
    if replay is None or len(replay.variants) < 2:
        return []
    outcome = replay.run()
    table = replay.table
    alpha, delta = float(table.get("alpha", 0.05)), float(table["delta"])
    lines = ["## Selection of the best variant", ""]
    lines.append(
        f"Procedure: KN (Kim & Nelson 2001), fully sequential, with common random numbers "
        f"(replication r is the same customers in every variant); first stage "
        f"n0 = {replay.n0} replications; {table.get('direction', 'maximize')} "
        f"`{table['kpi']}`; indifference zone delta = {delta:g}."
    )
    if not isinstance(outcome, Selection):
        lines += [
            "",
            f"_Not finished: KN asks for {len(outcome)} more run(s); run the sweep again "
            "with --resume._",
            "",
        ]
        return lines
    best = replay.variants[outcome.best]
    lines.append("")
    if outcome.guaranteed:
        lines.append(
            f"**Selected: `{replay.labels[best]}`.** With probability at least "
            f"{1 - alpha:.0%}, it has the best mean `{table['kpi']}`, or one within "
            f"{delta:g} of the best."
        )
    else:
        lines.append(
            f"**No guarantee:** max_replications stopped KN with several variants left; "
            f"`{replay.labels[best]}` has the best mean among them."
        )
    lines += [
        "",
        "| variant | label | replications | mean | eliminated after |",
        "|---|---|---|---|---|",
    ]
    for i, variant in enumerate(replay.variants):
        gone = outcome.eliminated_at[i]
        lines.append(
            f"| {variant} | {replay.labels[variant]} | {outcome.replications[i]} | "
            f"{outcome.means[i]:.4g} | {'' if gone is None else gone} |"
        )
    lines.append("")
    return lines


def select_after_sweep(
    experiment: Experiment, folder: Path, workers: int, dask: str | None
) -> Selection | None:
    """:func:`run_selection` on the local pool or on Dask (``dask``: as ``--dask``)."""
    if dask is None:
        return run_selection(experiment, folder, workers)
    from ..executors import dask_client

    with dask_client(dask, workers, 10.0) as client:
        return run_selection(experiment, folder, workers, client)
