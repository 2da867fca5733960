"""Reading, validating, writing and hashing scenarios.

:func:`load_scenario` reads a TOML file (a regular file of bounded size, checked
before it is opened), applies ``--set`` overrides (:mod:`o2osim.scenario.overrides`)
and validates it, turning any problem into one :class:`ScenarioError` line
(:mod:`o2osim.scenario.messages`); :func:`dump_scenario` writes the resolved scenario
back as TOML and :func:`scenario_hash` fingerprints it. This module must not import
the runtime.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from ..limits import MAX_DEPTH, MAX_FILE_BYTES
from .compose import Composed, compose, compose_parts, is_composed
from .errors import ScenarioError, printable
from .messages import describe_validation_error
from .overrides import apply_overrides, check_depth
from .root import Scenario


def load_scenario(
    path: str | Path, overrides: list[str] | None = None, *, origin: str = "--set"
) -> Scenario:
    """Read, override and validate a scenario file; raise :class:`ScenarioError`.

    ``origin`` names where the overrides come from in messages: ``--set`` (typed on
    the command line), or e.g. ``"experiments/x.toml: factors"`` when a program
    derived them from another file.
    """
    path = Path(path)
    raw = read_toml(path)
    return scenario_from_dict(
        raw, source=printable(str(path)), overrides=overrides, origin=origin, base=path.parent
    )


_UTF8_BOM = b"\xef\xbb\xbf"


_NOT_FILES = (
    (stat.S_ISDIR, "is a folder, not a TOML file"),
    (stat.S_ISFIFO, "is a FIFO (named pipe), not a regular file"),
    (stat.S_ISCHR, "is a device, not a regular file"),
    (stat.S_ISBLK, "is a device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning every failure into one :class:`ScenarioError` line.

    Only a regular file of at most :data:`~o2osim.limits.MAX_FILE_BYTES` is read, and
    it is checked before it is opened: opening a FIFO blocks until a writer comes, and
    ``/dev/zero`` never ends. A UTF-8 byte-order mark (Windows editors) is skipped.
    """
    name = printable(str(path))
    text = _decode(name, _read_bytes(Path(path), name))
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{name}: not a TOML file ({exc})") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ScenarioError(
            f"{name}: nested too deeply (tables and lists nest at most {MAX_DEPTH} levels)"
        ) from None
    check_depth(raw, name)
    return raw


def _read_bytes(path: Path, name: str) -> bytes:
    if "\0" in str(path):  # os.stat would raise ValueError
        raise ScenarioError(f"{name}: not a valid file name (it holds a NUL character)")
    try:
        info = os.stat(path)
        _check_regular(name, info.st_mode)
        if info.st_size > MAX_FILE_BYTES:
            raise ScenarioError(_too_large(name))
        # O_NONBLOCK: should a FIFO replace the file after the check, open must not wait.
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            _check_regular(name, os.fstat(handle.fileno()).st_mode)
            data = handle.read(MAX_FILE_BYTES + 1)  # never more, whatever the file is
    except (FileNotFoundError, NotADirectoryError):
        raise ScenarioError(f"{name}: no such file") from None
    except OSError as exc:
        raise ScenarioError(f"{name}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_FILE_BYTES:  # grew since the stat
        raise ScenarioError(_too_large(name))
    return data


def _too_large(name: str) -> str:
    return (
        f"{name}: larger than {MAX_FILE_BYTES // 1_000_000} MB; a scenario or experiment "
        "file is a few KB of TOML text"
    )


def _check_regular(name: str, mode: int) -> None:
    for test, what in _NOT_FILES:
        if test(mode):
            raise ScenarioError(f"{name}: {what}")
    if not stat.S_ISREG(mode):
        raise ScenarioError(f"{name}: not a regular file")


def _decode(name: str, data: bytes) -> str:
    """UTF-8 text without a byte-order mark; the first non-UTF-8 byte is named."""
    data = data.removeprefix(_UTF8_BOM)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError(
            f"{name}: not a TOML file (not UTF-8 text): it is UTF-16; save it as UTF-8"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise ScenarioError(
            f"{name}: not a TOML file (not UTF-8 text): byte "
            f"0x{data[exc.start]:02x} at line {line}, column {column}; "
            "save it as UTF-8"
        ) from None


def scenario_from_dict(
    raw: dict[str, Any],
    source: str = "<scenario>",
    overrides: list[str] | None = None,
    *,
    origin: str = "--set",
    base: Path | None = None,
) -> Scenario:
    """Validate a raw (TOML-shaped) dict, after applying dotted overrides.

    Messages start with ``source`` and name the override at fault as ``origin item``.
    Data naming a ``market`` and a ``network`` is composed first
    (:mod:`o2osim.scenario.compose`; their paths are relative to ``base``), and a
    message then names the market's, the network's or this file's key at fault.
    """
    if is_composed(raw):
        composed = compose(raw, source, base, read_toml)
        return _validated(composed.data, source, list(overrides or []), origin, composed)
    return _validated(raw, source, list(overrides or []), origin)


def compose_scenario(
    market: Path, network: Path, *, name: str | None = None, source: str | None = None
) -> Scenario:
    """The scenario of a market file and a network file (an experiment's layouts).

    ``name`` replaces the composed name (``MARKET_NETWORK``); ``source`` names the file
    that asked for it in messages about the pair (default: the network file).
    """
    overlay: dict[str, Any] = {"scenario": {"name": name}} if name else {}
    composed = compose_parts(
        (printable(str(market)), read_toml(market)),
        (printable(str(network)), read_toml(network)),
        (source or printable(str(network)), overlay),
    )
    return _validated(composed.data, composed.source, [], "--set", composed)


def with_overrides(scenario: Scenario, overrides: list[str], *, origin: str = "--set") -> Scenario:
    """Return a new scenario with dotted ``key=value`` overrides applied.

    The scenario itself is valid, so a problem is the overrides': the message starts
    with them (``origin item``), not with a file.
    """
    return _validated(scenario_to_dict(scenario), None, list(overrides), origin)


def _validated(
    raw: dict[str, Any],
    source: str | None,
    overrides: list[str],
    origin: str,
    composed: Composed | None = None,
) -> Scenario:
    """``source`` None: the data is a valid scenario and only ``overrides`` can be at fault."""
    data = apply_overrides(raw, overrides, source or "<scenario>", origin=origin)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        line = describe_validation_error(
            exc,
            data,
            source or "",
            overrides,
            origin=origin,
            before=raw,
            blame_all=source is None,
            locate=composed.locate if composed is not None else None,
        )
        raise ScenarioError(line) from None


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as TOML-shaped data (durations as strings with units)."""
    return _dist_first(scenario.model_dump(mode="python", exclude_none=True))


def _dist_first(node: Any) -> Any:
    """Put a distribution table's ``dist`` key first, as people write it."""
    if isinstance(node, dict):
        items = {k: _dist_first(v) for k, v in node.items()}
        if "dist" in items:
            items = {"dist": items.pop("dist"), **items}
        return items
    if isinstance(node, list):
        return [_dist_first(v) for v in node]
    return node


def dump_scenario(scenario: Scenario) -> str:
    """The resolved scenario as TOML text; loading it gives an equal scenario."""
    return tomli_w.dumps(scenario_to_dict(scenario))


def scenario_hash(scenario: Scenario) -> str:
    """sha256 of the resolved scenario's TOML text."""
    return hashlib.sha256(dump_scenario(scenario).encode("utf-8")).hexdigest()
