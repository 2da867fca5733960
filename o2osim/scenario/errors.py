"""The scenario's error types and the small helpers that phrase keys and values.

Every problem with a scenario reaches the user as one :class:`ScenarioError` line;
cross-field checks raise :class:`KeyPathError` to name the key at fault, and
:mod:`o2osim.scenario.messages` turns it into that line. This module must not
import the schema or anything beyond the standard library.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any


class ScenarioError(ValueError):
    """A scenario problem, already phrased as one line for the user."""


#: The ``value`` of a :class:`KeyPathError` about a key that is not in the file.
ABSENT = object()


class KeyPathError(ValueError):
    """Raised by cross-field checks to name the key path at fault, not the whole table."""

    def __init__(self, path: str, value: Any, message: str) -> None:
        super().__init__(message)
        self.path, self.value, self.message = path, value, message


def printable(text: str) -> str:
    """``text`` itself, or its repr if it holds line breaks or other control characters."""
    return text if text.isprintable() else repr(text)


def key_text(part: Any) -> str:
    """A key as a key path shows it: bare if it can be, else quoted (one line, always).

    Letters of any script stay as typed ("pickérs"); a key with spaces or punctuation is
    quoted, and control or invisible characters are escaped so that they show.
    """
    text = str(part)
    if re.fullmatch(r"[\w-]+", text):
        return text
    return json.dumps(text, ensure_ascii=not text.isprintable())


def short_value(value: Any) -> str:
    """A value as messages show it, cut to 60 characters."""
    text = value.isoformat() if isinstance(value, dt.date | dt.time) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def short_path(path: str) -> str:
    """A key path as messages show it, cut to 60 characters."""
    return path if len(path) <= 60 else path[:57] + "..."
