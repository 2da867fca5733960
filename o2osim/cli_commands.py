"""Subcommands that live in their own modules (``optimise``, ``lesson``, ``mdrp`` ...).

Each entry names a module exposing ``add_parser(sub)`` (adds its subparser to
the ``argparse`` subparsers object) and ``run(args, out) -> int`` (does the work,
returns the exit status; raises :class:`o2osim.scenario.ScenarioError` for bad
input so :func:`o2osim.cli.main` prints one line and exits with 2). A new
command is one module plus one line here, so :mod:`o2osim.cli` stays small.

Command modules must import their heavy dependencies inside ``run`` so that
``o2osim --help`` stays fast and works without optional extras.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any, Protocol, cast

from rich.console import Console


class CommandModule(Protocol):
    def add_parser(self, sub: argparse._SubParsersAction[Any]) -> None: ...

    def run(self, args: argparse.Namespace, out: Console) -> int: ...


#: command name -> module path; each module adds exactly one subparser of that name.
EXTRA_COMMANDS: dict[str, str] = {
    "optimise": "o2osim.cli_optimise",
    "mdrp": "o2osim.cli_mdrp",
    "lesson": "o2osim.cli_lesson",
    "dashboard": "o2osim.cli_dashboard",
    "class": "o2osim.cli_class",
    "trace": "o2osim.cli_trace",
    "export-report": "o2osim.cli_export",
}


def command_module(name: str) -> CommandModule:
    """The module behind an extra command."""
    return cast(CommandModule, importlib.import_module(EXTRA_COMMANDS[name]))


def add_extra_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    """Let every extra command add its subparser."""
    for name in EXTRA_COMMANDS:
        command_module(name).add_parser(sub)
