"""The ``o2osim`` command line's grammar: commands, options and their help.

Only argparse lives here; :mod:`o2osim.cli` does the work. Usage errors are one
line (``o2osim: error: ...``) with exit status 2, like every other user error.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from .cli_commands import add_extra_parsers

EXIT_BAD_INPUT = 2

EPILOG = """examples:
  o2osim scenarios                                  list the bundled scenarios
  o2osim run wenzhou_baseline --out results/base    one run, tables + charts + KPIs
  o2osim run wenzhou_baseline --horizon 2d --warmup 0d --set warehouse.pickers=16
  o2osim check wenzhou_baseline                     print the resolved scenario
  o2osim sweep experiments/pickers_riders.toml      variants x replications
  o2osim report results/pickers_riders              rebuild an experiment's report
  o2osim report results/base                        a run's kpis.csv again, from its tables
  o2osim validate                                   compare the model with theory

o2osim never deletes a folder it did not write: --force replaces only an o2osim
results or experiment folder."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: the problem and where to read the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            EXIT_BAD_INPUT, f"o2osim: error: {self.prog}: {message} (see {self.prog} --help)\n"
        )


#: Options whose value may start with "-" (a negative duration must reach the checks
#: that say why it is wrong, not argparse's "expected one argument").
VALUE_OPTIONS = ("--horizon", "--warmup", "--seed", "--workers", "--replications")


def join_values(argv: Sequence[str]) -> list[str]:
    joined: list[str] = []
    items = iter(argv)
    for item in items:
        value = next(items, None) if item in VALUE_OPTIONS else None
        joined.append(item if value is None else f"{item}={value}")
    return joined


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="o2osim",
        description="Discrete-event simulation of cross-border e-commerce O2O retail.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"o2osim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run one scenario and write a results folder")
    run.add_argument("scenario", help="scenario TOML file, or the name of a bundled scenario")
    run.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    run.add_argument("--horizon", help='simulated time, e.g. "14d" (default: the scenario\'s)')
    run.add_argument(
        "--warmup",
        help='time before KPIs count, e.g. "0d" (default: the '
        "scenario's); shorter than the horizon",
    )
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario value, e.g. --set warehouse.pickers=16",
    )
    run.add_argument("--out", type=Path, help="results folder (default: results/NAME-seedN)")
    run.add_argument(
        "--force",
        action="store_true",
        help="replace an existing o2osim results folder (never any other folder)",
    )
    run.add_argument(
        "--yes", action="store_true", help="run even if the size estimate is above the safe limit"
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar or KPI table")
    run.add_argument("--no-charts", action="store_true", help="skip the PNG charts")

    check = sub.add_parser("check", help="validate a scenario and print it resolved")
    check.add_argument("scenario")
    check.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")

    sub.add_parser("scenarios", help="list the bundled scenarios")

    sweep = sub.add_parser("sweep", help="run an experiment file: variants x replications")
    sweep.add_argument("experiment", help="experiment TOML file")
    sweep.add_argument(
        "--workers", type=int, default=None, help="local worker processes (default: one per core)"
    )
    sweep.add_argument(
        "--dask",
        metavar="ADDR",
        help='run on Dask: "local" starts a LocalCluster, or tcp://host:8786',
    )
    sweep.add_argument("--resume", action="store_true", help="run only the missing runs")
    sweep.add_argument(
        "--force",
        action="store_true",
        help="replace an existing o2osim experiment folder (never any other)",
    )
    sweep.add_argument(
        "--yes", action="store_true", help="run even if the size estimate is above the safe limit"
    )
    sweep.add_argument("--out", type=Path, help="experiment folder (default: results/NAME)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")

    report = sub.add_parser(
        "report",
        help="rebuild from a folder's tables: an experiment's charts and report.md, "
        "or a run's kpis.csv",
    )
    report.add_argument("results", type=Path, help="experiment folder or run folder")

    validate = sub.add_parser("validate", help="compare stripped-down runs with theory")
    validate.add_argument("--replications", type=int, default=10)
    validate.add_argument("--workers", type=int, default=None)
    add_extra_parsers(sub)
    return parser
