"""``o2osim trace``: one order's journey through its stages, or a Gantt chart of many.

    o2osim trace results/run --order 667              # the journey as a table
    o2osim trace results/run --chart traces.png       # 30 orders, spread over channels
    o2osim trace results/run --chart traces.png --sample 12

This module only parses and prints; :mod:`o2osim.traces` reads the run and draws.
Bad input (no such folder or order) raises :class:`o2osim.scenario.ScenarioError`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from .scenario import ScenarioError

DEFAULT_SAMPLE = 30


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "trace", help="an order's journey through its stages, or a Gantt chart of many"
    )
    parser.add_argument("run_folder", type=Path, help="a run's results folder")
    parser.add_argument("--order", default=None, metavar="ID", help="the order id to follow")
    parser.add_argument(
        "--chart", type=Path, default=None, metavar="FILE.png", help="draw a Gantt chart"
    )
    parser.add_argument(
        "--sample",
        default=str(DEFAULT_SAMPLE),
        metavar="N",
        help=f"orders in the chart, spread over the channels (default {DEFAULT_SAMPLE})",
    )


def _whole(text: str, option: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ScenarioError(f"{option} {text}: give a whole number") from None


def run(args: argparse.Namespace, out: Console) -> int:
    from .traces import order_journey, read_traced_run, sample_journeys, write_gantt

    if args.order is None and args.chart is None:
        raise ScenarioError("o2osim trace: give --order ID, --chart FILE.png, or both")
    if args.chart is not None and args.chart.suffix.lower() != ".png":
        raise ScenarioError(f"--chart {args.chart}: the chart is a PNG; name it FILE.png")
    order = None if args.order is None else _whole(args.order, "--order")
    sample = _whole(args.sample, "--sample")
    traced = read_traced_run(args.run_folder)
    if order is not None:
        _print_journey(order_journey(traced, order), out)
    if args.chart is not None:
        if not args.chart.parent.is_dir():
            raise ScenarioError(f"--chart {args.chart}: folder {args.chart.parent} does not exist")
        journeys = sample_journeys(traced, sample)
        title = f"Order traces: {len(journeys)} orders of {traced.scenario.scenario.name}"
        write_gantt(journeys, args.chart, title)
        out.print(f"chart of {len(journeys)} orders written to {args.chart}")
    return 0


def _print_journey(journey: Any, out: Console) -> None:
    from .glossary import stage_name
    from .traces import clock, readable

    waited = sum(leg.wait for leg in journey.legs)
    served = sum(leg.service for leg in journey.legs)
    span = f"lead time {readable(journey.lead_time)}"
    if journey.lead_time != journey.lead_time:  # NaN: it never reached the customer
        span = f"traced for {readable(waited + served)}"
    title = (
        f"order {journey.order_id}: channel {journey.channel}, {journey.outcome}, "
        f"placed {clock(journey.placed)}, {span}"
    )
    table = Table(title=title)
    for column in ("stage", "queued from", "service start", "end"):
        table.add_column(column)
    for column in ("waiting", "service"):
        table.add_column(column, justify="right")
    for leg in journey.legs:
        table.add_row(
            stage_name(leg.stage),
            clock(leg.begin),
            clock(leg.start),
            clock(leg.end),
            readable(leg.wait),
            readable(leg.service),
        )
    for stage in journey.unreached:
        table.add_row(stage_name(stage), "-", "-", "not reached", "-", "-")
    table.add_row("total", "", "", "", readable(waited), readable(served), style="bold")
    out.print(table)
