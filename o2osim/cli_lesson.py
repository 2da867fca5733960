"""``o2osim lesson``: list the lessons, show a handout, regenerate a key, run a lesson.

    o2osim lesson list
    o2osim lesson show airport_counters            # the student handout (Markdown)
    o2osim lesson key airport_counters --out keys/airport [--replications 8]
    o2osim lesson run airport_counters --set peak_counters=5 --out results/mine

``--set`` takes lesson decisions by their short names (``peak_counters=5``), never
scenario keys. This module only parses and prints; lessons live in
:mod:`o2osim.lessons`. Bad input raises :class:`o2osim.scenario.ScenarioError`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from .scenario import ScenarioError


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser("lesson", help="teaching lessons: handouts, computed keys, runs")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    verbs.add_parser("list", help="the lessons, their decisions and class time")
    show = verbs.add_parser("show", help="print a lesson's student handout (Markdown)")
    show.add_argument("name")
    key = verbs.add_parser("key", help="regenerate the instructor key by running the model")
    key.add_argument("name")
    key.add_argument("--out", type=Path, required=True, help="new folder for the key")
    key.add_argument("--replications", type=int, default=None)
    _decisions(key)
    run = verbs.add_parser("run", help="run a lesson's scenario once with your decisions")
    run.add_argument("name")
    run.add_argument("--out", type=Path, required=True, help="new results folder")
    run.add_argument("--seed", type=int, default=1)
    _decisions(run)


def _decisions(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        dest="decisions",
        action="append",
        default=[],
        metavar="DECISION=VALUE",
        help="a lesson decision by its short name, e.g. --set peak_counters=5",
    )


def parse_decisions(items: list[str]) -> dict[str, float]:
    """``["peak_counters=5"]`` -> ``{"peak_counters": 5.0}``; a bad item is a ScenarioError."""
    chosen: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        try:
            chosen[name.strip()] = float(text)
        except ValueError:
            sep = ""
        if not sep:
            raise ScenarioError(f"--set {item}: write DECISION=NUMBER, e.g. peak_counters=5")
    return chosen


def run(args: argparse.Namespace, out: Console) -> int:
    from . import lessons

    if args.verb == "list":
        return _list(out)
    lesson = lessons.get_lesson(args.name)
    if args.verb == "show":
        sys.stdout.write(lessons.handout_markdown(lesson))  # plain Markdown, never wrapped
        return 0
    chosen = parse_decisions(args.decisions)
    lesson.values(chosen)  # checks every decision before anything runs
    if args.verb == "key":
        return _key(lesson, chosen, args, out)
    return _run(lesson, chosen, args, out)


def _list(out: Console) -> int:
    from .lessons import LESSONS

    table = Table(title="lessons")
    for column in ("name", "title", "decisions", "minutes"):
        table.add_column(column)
    for lesson in LESSONS.values():
        names = ", ".join(d.name for d in lesson.decisions)
        table.add_row(lesson.name, lesson.title, names, str(lesson.minutes))
    out.print(table)
    return 0


def _key(lesson: Any, chosen: dict[str, float], args: argparse.Namespace, out: Console) -> int:
    from .lessons import DEFAULT_REPLICATIONS, handout_markdown, make_key, write_key
    from .results import check_target

    replications = args.replications or DEFAULT_REPLICATIONS
    if replications < 2:
        raise ScenarioError(f"--replications {replications}: a CI needs at least 2")
    if args.out.is_dir() and any(args.out.iterdir()):
        raise ScenarioError(f"{args.out}: exists; a key is never written over — choose a new --out")
    check_target(args.out, False, make_parents=True)
    key = make_key(lesson, chosen, replications)
    write_key(lesson, key, args.out, handout_markdown(lesson))
    table = Table(title=f"{lesson.name}: key ({key.seconds:.1f} s, {replications} replications)")
    for column in ("question", "model", "99% CI", "theory", "agrees"):
        table.add_column(column)
    for a in key.answers:
        theory = "-" if a.theory is None else f"{a.theory:.4g} ({a.theory_name})"
        verdict = {None: "-", True: "yes", False: "NO"}[a.agrees]
        table.add_row(a.question, f"{a.model:.4g}", f"[{a.low:.4g}, {a.high:.4g}]", theory, verdict)
    out.print(table)
    out.print(f"key written to {args.out}")
    return 0


def _run(lesson: Any, chosen: dict[str, float], args: argparse.Namespace, out: Console) -> int:
    from .api import simulate
    from .glossary import label, shown
    from .lessons import lesson_scenario
    from .results import check_target

    check_target(args.out, False, make_parents=True)
    result = simulate(lesson_scenario(lesson, chosen), seed=args.seed)
    result.save(args.out)
    table = Table(title=f"{lesson.title} (seed {args.seed})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for group, name, kpi in lesson.measure:
        value, unit = shown(kpi, result.kpi(group, name, kpi))
        table.add_row(label(group, name, kpi), f"{value:,.3g} {unit}".strip())
    out.print(table)
    out.print(f"results written to {args.out}")
    return 0
