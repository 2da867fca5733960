"""Error messages: a pydantic validation error as one line naming file, key and value.

The line names the key path at fault (or the key a cross-check blames), the value,
what is allowed, a likely misspelling, and the ``--set`` override that wrote the
key, so nobody searches the file for it. This module must not change data or import
the runtime.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ValidationError

from ..distributions import DIST_NAMES
from .errors import ABSENT, KeyPathError, key_text, short_value
from .overrides import KEY_SEGMENT, override_label
from .root import Scenario


def describe_validation_error(
    exc: ValidationError,
    data: dict[str, Any],
    source: str,
    overrides: list[str] | None = None,
    *,
    origin: str = "--set",
    before: dict[str, Any] | None = None,
    blame_all: bool = False,
    locate: Callable[[str], tuple[str, str]] | None = None,
) -> str:
    """One line for the first problem, naming the file, key path, value and what is allowed.

    If an override wrote the key at fault (or the table holding it, or created the
    unknown table it lies in: ``before`` is the data before the overrides), the line
    names that override as ``origin item`` too, so nobody searches the file for it.
    ``blame_all``: the data was valid before the overrides, so when no single one
    matches, all of them are named. An empty ``source`` starts the line with them.
    ``locate`` maps a key path of ``data`` to the file that wrote it and the key path as
    that file writes it (a scenario composed of a market and a network).
    """
    errors = exc.errors(include_url=False)
    first = _likely_cause(errors)
    path, value, known = _walk(data, first["loc"])
    where = path or "(top level)"
    kind = first["type"]
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, KeyPathError):
        shown = "" if cause.value is ABSENT else f" = {short_value(cause.value)}"
        line = f"{cause.path}{shown}: {cause.message}"
    elif kind == "extra_forbidden":
        allowed = _allowed_keys(first["loc"], data)
        leaf = str(first["loc"][-1])
        # 0.7, not difflib's 0.6: a typo scores >= 0.8; "reporting" vs "airport" scores 0.625.
        hint = difflib.get_close_matches(leaf, allowed, n=1, cutoff=0.7)
        did_you_mean = f"; did you mean {hint[0]!r}?" if hint else ""
        line = f"{where}: unknown key{did_you_mean} (allowed here: {', '.join(allowed)})"
    elif kind == "missing":
        line = f"{where}: required key is missing"
    else:
        msg = first["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if kind == "union_tag_invalid" or kind == "union_tag_not_found":
            msg = f"dist must be one of: {DIST_NAMES}"
        if kind == "int_type" and isinstance(value, float):  # TOML reads 1e9 as a float
            msg += " (write a whole number without a decimal point or exponent)"
        shown = f" = {short_value(value)}" if known else ""
        line = f"{where}{shown}: {msg}"
    more = len(errors) - 1
    if more:
        line += f" (and {more} more problem{'s' if more > 1 else ''})"
    in_before = before is None or _walk(before, first["loc"])[2]
    fault = cause.path if isinstance(cause, KeyPathError) else path
    culprit = _blame(fault, data, overrides, created=not in_before, message=line)
    if locate is not None and fault and culprit is None and not (blame_all and overrides):
        source, shown_path = locate(fault)
        line = shown_path + line[len(fault) :] if line.startswith(fault) else line
    if culprit is not None:
        line = f"{override_label(origin, culprit)}: {line}"
    elif blame_all and overrides:
        line = f"{override_label(origin, ', '.join(overrides))}: {line}"
    return f"{source}: {line}" if source else line


def _likely_cause(errors: list[Any]) -> Any:
    """The error to report: an unknown key beside a missing one is most likely its misspelling."""
    first = errors[0]
    if first["type"] == "missing":
        for error in errors:
            if error["type"] == "extra_forbidden" and error["loc"][:-1] == first["loc"][:-1]:
                return error
    return first


def _blame(
    path: str, data: Any, overrides: list[str] | None, created: bool = False, message: str = ""
) -> str | None:
    """The last override that set ``path``, a table above it, or a key directly in it.

    ``created``: ``path`` was not in the data before the overrides, so an override
    that wrote below it (``foo.bar.baz=1`` for an unknown ``foo``) created it. Else
    the last override of a key that ``message`` names: a cross-field check blames one
    key but names the other (``--set scenario.horizon="1s"`` makes the file's warm-up
    "longer than scenario.horizon").
    """
    if not path:
        return None
    targets = [
        (item, _override_path(data, item.partition("=")[0].strip()))
        for item in reversed(overrides or [])
    ]
    for item, target in targets:
        parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", target)
        if path in (target, parent) or path.startswith((target + ".", target + "[")):
            return item
        if created and target.startswith((path + ".", path + "[")):
            return item
    for item, target in targets:
        if target and re.search(rf"(?<![\w.\[]){re.escape(target)}(?![\w.\[])", message):
            return item
    return None


def _override_path(data: Any, key: str) -> str:
    """An override's key path as :func:`_walk` spells it (named list entries by index)."""
    path, node = "", data
    for part in key.split("."):
        if isinstance(node, list):
            names = [t.get("name") if isinstance(t, dict) else None for t in node]
            if part not in names:
                break
            node = node[names.index(part)]
            path += f"[{names.index(part)}]"
            continue
        match = KEY_SEGMENT.match(part)
        if match is None or not isinstance(node, dict):
            break
        name, index = match.group(1), match.group(2)
        node = node.get(name)
        path += f".{key_text(name)}" if path else key_text(name)
        if index is not None:
            path += f"[{index}]"
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
    return path


def _walk(data: Any, loc: tuple[Any, ...]) -> tuple[str, Any, bool]:
    """Follow ``loc`` through the raw data, skipping pydantic's union/validator tags."""
    path = ""
    node = data
    known = True
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            path += f"[{part}]"
        elif isinstance(node, dict) and part in node:
            node = node[part]
            path += f".{key_text(part)}" if path else key_text(part)
        elif _is_tag(part, node):
            continue
        else:
            path += f".{key_text(part)}" if path else key_text(part)
            known = False
    return path, node, known


def _is_tag(part: Any, node: Any) -> bool:
    """Is ``part`` pydantic's name for a union member or validator rather than a key?"""
    if not isinstance(part, str) or (isinstance(node, dict) and part in node):
        return False
    if isinstance(node, dict) and node.get("dist") == part:
        return True
    return (
        "[" in part
        or part.startswith("constrained-")
        or part in {"str", "list[...]", "float", "int"}
    )


def _allowed_keys(loc: tuple[Any, ...], data: Any) -> list[str]:
    """Field names of the model that owns the unknown key at ``loc``."""
    model: Any = Scenario
    node = data
    for part in loc[:-1]:
        if _is_tag(part, node):
            continue
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        model = _child_model(model, part, node)
        if model is None:
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _child_model(model: Any, part: Any, node: Any) -> Any:
    if isinstance(model, _ListOf):
        return _unwrap(model.item, node)
    if isinstance(model, type) and issubclass(model, BaseModel):
        if part not in model.model_fields:
            return None
        return _unwrap(model.model_fields[part].annotation, node)
    return model


def _unwrap(annotation: Any, node: Any) -> Any:
    """Reduce list/dict/Optional/discriminated-union annotations to one model class."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0], node)
    if origin in (list, dict):
        args = typing.get_args(annotation)
        return _ListOf(args[-1])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        for member in members:
            member = _unwrap(member, node)
            if isinstance(member, type) and issubclass(member, BaseModel):
                tag = member.model_fields.get("dist")
                if tag is None or (
                    isinstance(node, dict) and node.get("dist") in typing.get_args(tag.annotation)
                ):
                    return member
        return members[0] if members else None
    return annotation


class _ListOf:
    """Stands for list[Model] / dict[str, Model] while walking a key path."""

    def __init__(self, item: Any) -> None:
        self.item = item
