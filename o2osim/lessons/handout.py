"""The student handout of a lesson, as Markdown: the story, the decisions, what to
measure (in the glossary's words) and the exercises. It must not hold answers."""

from __future__ import annotations

from ..glossary import label, term
from .core import Lesson, _num


def handout_markdown(lesson: Lesson) -> str:
    lines = [f"# {lesson.title}", "", f"*About {lesson.minutes} minutes.*", "", lesson.story, ""]
    lines += [
        "## What you decide",
        "",
        "| decision | range | starting value | short name |",
        "|---|---|---|---|",
    ]
    for d in lesson.decisions:
        lines.append(
            f"| {d.label} | {_num(d.low)} to {_num(d.high)} {d.unit} | {_num(d.default)} | "
            f"`{d.name}` |"
        )
    lines += ["", "## What you measure", ""]
    for group, name, kpi in lesson.measure:
        meaning = term(kpi).meaning
        lines.append(f"- **{label(group, name, kpi)}**" + (f": {meaning}" if meaning else ""))
    lines += ["", "## Exercises", ""]
    lines += [f"{i}. {text}" for i, text in enumerate(lesson.exercises, start=1)]
    lines += [
        "",
        "## How to run it",
        "",
        f"- In the browser: `o2osim dashboard`, then pick *{lesson.title}*.",
        f"- From a shell: `o2osim lesson run {lesson.name} --set "
        f"{lesson.decisions[0].name}={_num(lesson.decisions[0].default)} --out results/mine`.",
        "",
        "Sources: " + "; ".join(lesson.sources) + ".",
    ]
    return "\n".join(lines) + "\n"
