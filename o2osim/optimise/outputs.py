"""What an optimisation leaves for people: candidates.csv, decision.json, report.md.

Nothing here depends on timing or on the number of workers, so the files are
identical however the runs were executed. Wall time and run counts of a session
are printed by the command, not stored. This module only formats results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..results import write_atomic
from .evaluate import Estimate, Evaluation
from .problem import ProblemFile
from .selection import Selection
from .store import write_json


def _ci(prefix: str, e: Estimate) -> dict[str, float]:
    return {f"{prefix}_mean": e.mean, f"{prefix}_low": e.low, f"{prefix}_high": e.high}


def candidates_table(evaluations: list[Evaluation], chosen: Evaluation | None) -> pd.DataFrame:
    """One row per candidate, in the order evaluated."""
    rows = []
    for e in evaluations:
        row: dict[str, Any] = {"candidate": e.candidate.candidate_id, "label": e.candidate.label}
        row.update(dict(e.candidate.values))
        row["replications"] = e.replications
        row.update(_ci("objective", e.objective))
        for constraint, estimate, decision in e.constraints:
            row.update(_ci(constraint.key, estimate))
            row[f"{constraint.key}_decision"] = decision
        row["feasible"] = e.feasible
        row["chosen"] = chosen is not None and e.candidate.candidate_id == (
            chosen.candidate.candidate_id
        )
        rows.append(row)
    return pd.DataFrame(rows)


def decision(
    problem: ProblemFile,
    chosen: Evaluation | None,
    evaluations: list[Evaluation],
    selection: Selection | None,
    differences: dict[str, Estimate] | None = None,
) -> dict[str, Any]:
    """The answer as plain data (decision.json)."""
    meta = problem.problem
    out: dict[str, Any] = {
        "problem": meta.name,
        "search": meta.search,
        "confidence": meta.confidence,
        "objective": {"kpi": problem.objective.kpi, "direction": problem.objective.direction},
        "candidates_evaluated": len(evaluations),
        "runs_used": sum(e.replications for e in evaluations),
        "chosen": None,
    }
    if chosen is not None:
        out["chosen"] = {
            "candidate": chosen.candidate.candidate_id,
            "label": chosen.candidate.label,
            "values": dict(chosen.candidate.values),
            "replications": chosen.replications,
            "objective": _ci("objective", chosen.objective),
            "constraints": [
                {"constraint": c.text(), "decision": d, **_ci("kpi", est)}
                for c, est, d in chosen.constraints
            ],
        }
    if selection is not None:
        out["selection"] = {
            "procedure": "KN (Kim & Nelson 2001), fully sequential, common random numbers",
            "alpha": selection.alpha,
            "delta": selection.delta,
            "guaranteed": selection.guaranteed,
            "replications": {
                e.candidate.label: n
                for e, n in zip(evaluations, selection.replications, strict=True)
            },
            "chosen_minus_other": {
                label: _ci("difference", e) for label, e in (differences or {}).items()
            },
        }
    return out


def report_text(data: dict[str, Any], table: pd.DataFrame) -> str:
    """A short Markdown report of the decision and the candidates."""
    lines = [f"# Optimisation: {data['problem']}", ""]
    objective = data["objective"]
    level = f"{data['confidence']:.0%}"
    lines.append(
        f"Search: {data['search']}; objective: {objective['direction']} {objective['kpi']}."
    )
    lines.append(
        f"Candidates evaluated: {data['candidates_evaluated']}; runs used: {data['runs_used']}."
    )
    lines.append("")
    chosen = data["chosen"]
    if chosen is None:
        lines.append("**No candidate met every constraint at the stated confidence.**")
    else:
        o = chosen["objective"]
        lines.append(
            f"**Chosen: {chosen['label']}** — objective {o['objective_mean']:.4g} "
            f"({level} CI {o['objective_low']:.4g} to {o['objective_high']:.4g}), "
            f"{chosen['replications']} replications."
        )
        for c in chosen["constraints"]:
            lines.append(
                f"- {c['constraint']}: mean {c['kpi_mean']:.4g} ({level} CI {c['kpi_low']:.4g} "
                f"to {c['kpi_high']:.4g}), {c['decision']} at one-sided {level}"
            )
    if "selection" in data:
        s = data["selection"]
        guarantee = (
            f"With probability at least {1 - s['alpha']:.0%}, the chosen network is the best, or "
            f"within delta = {s['delta']:g} of the best, in mean {objective['kpi']}"
        )
        if not s["guaranteed"]:
            guarantee = "The replication limit stopped KN first: **no guarantee**; " + guarantee
        lines += ["", f"Selection: {s['procedure']}. {guarantee}.", ""]
        for label, d in s["chosen_minus_other"].items():
            lines.append(
                f"- chosen minus {label}: {d['difference_mean']:+.4g} ({level} CI "
                f"{d['difference_low']:+.4g} to {d['difference_high']:+.4g}), paired"
            )
    lines += ["", "## Candidates", "", markdown(table), ""]
    return "\n".join(lines)


def markdown(table: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table (numbers to 4 significant digits)."""

    def cell(value: Any) -> str:
        return f"{value:.4g}" if isinstance(value, float) else str(value)

    head = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "|" + "---|" * len(table.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join([head, rule, *body])


def write_outputs(
    out: Path,
    problem: ProblemFile,
    chosen: Evaluation | None,
    evaluations: list[Evaluation],
    selection: Selection | None,
    differences: dict[str, Estimate] | None = None,
) -> dict[str, Any]:
    """Write candidates.csv, decision.json, report.md and the frontier chart."""
    from .chart import frontier_chart

    table = candidates_table(evaluations, chosen)
    write_atomic(out / "candidates.csv", lambda p: table.to_csv(p, index=False))
    data = decision(problem, chosen, evaluations, selection, differences)
    write_json(out / "decision.json", data)
    text = report_text(data, table)
    write_atomic(out / "report.md", lambda p: p.write_text(text, encoding="utf-8"))
    (out / "charts").mkdir(exist_ok=True)
    frontier_chart(problem, evaluations, chosen, out / "charts" / "frontier.png")
    return data
