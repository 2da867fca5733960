"""The lesson pack: scenarios, decisions in plain terms, handouts and computed keys.

``o2osim lesson list | show NAME | key NAME --out FOLDER | run NAME`` (see
:mod:`o2osim.cli_lesson`), the dashboard and the notebooks read lessons from
:data:`LESSONS`. A lesson whose scenario files are not in this checkout (the
export policy shock, until its configs land) is simply not listed. This package
must not import optional extras (Panel, Jupyter).
"""

from __future__ import annotations

from ..bundled import BUNDLED
from ..scenario import ScenarioError
from .airport import AIRPORT_COUNTERS
from .channels import CHANNEL_CHOICE
from .core import Decision, Lesson, decision_overrides, lesson_scenario
from .export import EXPORT_SHOCK
from .handout import handout_markdown
from .keys import Answer, Key, key_markdown, make_key, write_key
from .layouts import LAYOUT_COMPARISON
from .riders import RIDERS
from .stock import ONE_STOCK_POOL
from .store import LITTLE_STORE

#: name -> lesson, in teaching order
LESSONS: dict[str, Lesson] = {
    lesson.name: lesson
    for lesson in (
        AIRPORT_COUNTERS,
        LITTLE_STORE,
        ONE_STOCK_POOL,
        CHANNEL_CHOICE,
        RIDERS,
        LAYOUT_COMPARISON,
    )
}
if (BUNDLED / "wenzhou_shoes_eu.toml").exists():
    LESSONS[EXPORT_SHOCK.name] = EXPORT_SHOCK  # the export side's scenario is in this checkout
#: replications of a key unless told otherwise: 99% CIs with 7 degrees of freedom
DEFAULT_REPLICATIONS = 8


def get_lesson(name: str) -> Lesson:
    """The lesson called ``name``; a :class:`ScenarioError` listing the lessons otherwise."""
    if name not in LESSONS:
        allowed = ", ".join(LESSONS)
        raise ScenarioError(f"lesson {name!r}: no such lesson; allowed: {allowed}")
    return LESSONS[name]


__all__ = [
    "DEFAULT_REPLICATIONS",
    "LESSONS",
    "Answer",
    "Decision",
    "Key",
    "Lesson",
    "decision_overrides",
    "get_lesson",
    "handout_markdown",
    "key_markdown",
    "lesson_scenario",
    "make_key",
    "write_key",
]
