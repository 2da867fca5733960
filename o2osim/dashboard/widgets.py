"""Decision sliders of a lesson, shared by the dashboard and the class game's pages.

Each decision becomes an editable slider labelled with its plain name and unit and
tagged with the CSS class ``decision-NAME`` (browser tests find it by that class).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import panel as pn

from ..lessons import Decision, Lesson


def decision_sliders(
    lesson: Lesson, width: int = 270, only: Sequence[Decision] | None = None
) -> dict[str, Any]:
    """A slider per decision of the lesson (``only``: just these, e.g. a game's)."""
    sliders: dict[str, Any] = {}
    for d in lesson.decisions if only is None else only:
        kind = pn.widgets.EditableIntSlider if d.integer else pn.widgets.EditableFloatSlider
        cast = int if d.integer else float
        sliders[d.name] = kind(
            name=f"{d.label} ({d.unit})",
            start=cast(d.low),
            end=cast(d.high),
            step=cast(d.step),
            value=cast(d.default),
            width=width,
            css_classes=[f"decision-{d.name}"],
        )
    return sliders
