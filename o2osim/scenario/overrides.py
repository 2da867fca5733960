"""The ``--set`` language: dotted ``key=value`` overrides of a scenario's raw data.

``warehouse.pickers=16``, ``customers.segments[0].arrivals_per_day=500`` or, by name,
``customers.segments.resident.arrivals_per_day=500``; values are TOML. Overrides
change a copy of the raw (TOML-shaped) data before validation; nesting depth is
checked without recursion first. This module must not validate a scenario nor import
the schema or the runtime.
"""

from __future__ import annotations

import copy
import re
import tomllib
from typing import Any

import tomli_w

from ..limits import MAX_DEPTH
from .errors import ScenarioError, key_text, printable, short_path, short_value


def check_depth(data: Any, where: str) -> None:
    """Refuse tables and lists nested deeper than :data:`~o2osim.limits.MAX_DEPTH`.

    Checked without recursion before anything that recurses (copying, validating,
    describing) sees the data.
    """
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, dict):
            children = [
                (v, f"{path}.{key_text(k)}" if path else key_text(k)) for k, v in node.items()
            ]
        elif isinstance(node, list):
            children = [(v, f"{path}[{i}]") for i, v in enumerate(node)]
        else:
            continue
        if depth > MAX_DEPTH:
            raise ScenarioError(
                f"{where}: {short_path(path)}: nested more than {MAX_DEPTH} "
                "levels deep (a scenario nests at most 7)"
            )
        stack.extend((child, depth + 1, where_) for child, where_ in children)


#: A key path segment: a TOML bare key (or any word, in any script, so that a misspelt
#: "pickérs" is reported as an unknown key with a suggestion), and an optional index.
KEY_SEGMENT = re.compile(r"^([\w-]+)(?:\[([0-9]+)\])?$")


def parse_override_value(text: str) -> Any:
    """A TOML value (``16``, ``0.5``, ``true``, ``"3h"``, ``[1, 2]``, ``{...}``), else a string.

    A value nested so deeply that the TOML parser runs out of stack raises
    ``RecursionError``; :func:`apply_overrides` turns it into one line.
    """
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def override_label(origin: str, item: str) -> str:
    """How messages name an override: ``--set k=v`` as typed, or ``file: table: k=v``.

    A very long one (a pasted table, 500 brackets) is cut, so the line stays readable.
    """
    shown = printable(item)
    shown = shown if len(shown) <= 100 else shown[:97] + "..."
    return f"{origin} {shown}" if origin.startswith("-") else f"{origin}: {shown}"


def apply_overrides(
    raw: dict[str, Any], overrides: list[str], source: str, *, origin: str = "--set"
) -> dict[str, Any]:
    """Apply ``a.b[0].c=value`` overrides to a copy of ``raw``.

    A list of named tables can also be addressed by name:
    ``customers.segments.resident.arrivals_per_day=500``. Errors name the override
    as ``origin item`` (:func:`override_label`).
    """

    check_depth(raw, source)  # deepcopy recurses per level
    data = copy.deepcopy(raw)
    for item in overrides:
        label = override_label(origin, item)
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            shown = override_label(origin, repr(item))
            raise ScenarioError(f"{shown}: write key=value, e.g. warehouse.pickers=16")
        try:
            value = parse_override_value(text.strip())
        except RecursionError:
            value = None  # reported just below, as for a value that parsed but is too deep
            depth = MAX_DEPTH + 1
        else:
            depth = key.count(".") + 1 + _depth(value)
        if depth > MAX_DEPTH:
            raise ScenarioError(
                f"{label}: nested more than {MAX_DEPTH} levels deep (a scenario nests at most 7)"
            )
        _set_path(data, key, value, label)
    return data


def _depth(value: Any) -> int:
    """Nesting depth of a parsed value (0 for a plain value), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack and deepest <= MAX_DEPTH:
        node, depth = stack.pop()
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        )
        if children is not None:
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _set_path(data: dict[str, Any], key: str, value: Any, label: str) -> None:
    node: Any = data
    parts = key.split(".")
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            names = [t.get("name") for t in node if isinstance(t, dict)]
            if part not in names:
                where = ".".join(parts[:depth])
                known = [str(n) for n in names if n is not None]
                # A list of tables is indexed with brackets: a bare number is a name here.
                hint = (
                    f"by index write {where}[{part}]"
                    if part.isdigit()
                    else f"names: {', '.join(known)}"
                    if known
                    else f"its tables have no names; write {where}[INDEX]"
                )
                raise ScenarioError(f"{label}: no entry named {part!r} under {where}; {hint}")
            if last:
                raise ScenarioError(f"{label}: cannot replace a whole table by name")
            node = node[names.index(part)]
            continue
        if not isinstance(node, dict):
            raise ScenarioError(
                f"{label}: {'.'.join(parts[:depth])} is a value ({short_value(node)}), "
                f"not a table, so it has no key {part!r}"
            )
        match = KEY_SEGMENT.match(part)
        if match is None:
            raise ScenarioError(f"{label}: {part!r} is not a key path segment")
        name, index = match.group(1), match.group(2)
        if index is not None:
            seq = node.get(name)
            if not isinstance(seq, list) or int(index) >= len(seq):
                size = len(seq) if isinstance(seq, list) else 0
                raise ScenarioError(f"{label}: {name} has {size} entries, no [{index}]")
            if last:
                seq[int(index)] = value
            else:
                node = seq[int(index)]
            continue
        if last:
            node[name] = value
        else:
            node = node.setdefault(name, {})


def override_text(value: Any) -> str:
    """A value as one line of TOML: tables inline (``{dist = "exponential", ...}``),
    because an override is one ``key=value`` line."""
    if isinstance(value, dict):
        items = (
            f"{tomli_w.dumps({k: 0}).split(' = ')[0]} = {override_text(v)}"
            for k, v in value.items()
        )
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(override_text(v) for v in value) + "]"
    return tomli_w.dumps({"v": value}).strip().removeprefix("v = ")
