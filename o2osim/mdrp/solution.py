"""An MDRP solution as the instance set's three text files: build, write, read back.

``solution_info_assignments.txt`` (one line per assignment), ``solution_info_orders.txt``
(one line per delivered order) and ``solution_info_couriers.txt`` (one line per courier
move, grouped per courier in execution order); space-separated with a header, as the
``grubhub/mdrplib`` description gives them, so independent tools can check them.
Times are whole minutes. Reading names ``file:line`` in every error. This module must
not simulate, check feasibility or compute metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..scenario import ScenarioError
from .instance import Instance
from .trip import Move, Trip

ASSIGNMENTS = "solution_info_assignments.txt"
ORDERS = "solution_info_orders.txt"
COURIERS = "solution_info_couriers.txt"
FILES = (ASSIGNMENTS, ORDERS, COURIERS)

ASSIGNMENT_HEADER = "assignment_time pickup_time courier orders"
ORDER_HEADER = "order placement_time ready_time pickup_time dropoff_time courier"
COURIER_HEADER = "courier departure_time origin destination"


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """One assignment: bundle ``orders`` (ids, drop-off sequence) to ``courier`` (id)."""

    assigned: int
    pickup: int
    courier: str
    orders: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One delivered order, times in minutes."""

    order: str
    placed: int
    ready: int
    pickup: int
    dropoff: int
    courier: str


@dataclass(frozen=True)
class Solution:
    """The three tables of a solution, as written and read."""

    assignments: tuple[AssignmentRow, ...]
    orders: tuple[OrderRow, ...]
    moves: tuple[Move, ...]


def solution_from_trips(instance: Instance, trips: list[Trip]) -> Solution:
    """The tables of a simulated day: assignments in time order, orders by id order,
    moves grouped per courier (instance order) in execution order."""
    courier_of = {t.courier: instance.couriers[t.courier].id for t in trips}
    assignments = tuple(
        AssignmentRow(
            t.assigned,
            t.pickup,
            courier_of[t.courier],
            tuple(instance.orders[o].id for o in t.orders),
        )
        for t in trips
    )
    delivered = sorted(
        (o, t.pickup, drop, courier_of[t.courier])
        for t in trips
        for o, drop in zip(t.orders, t.dropoffs, strict=True)
    )
    orders = tuple(
        OrderRow(
            instance.orders[o].id, instance.orders[o].placed, instance.orders[o].ready, p, d, c
        )
        for o, p, d, c in delivered
    )
    by_courier = sorted(trips, key=lambda t: (t.courier, t.assigned))
    moves = tuple(m for t in by_courier for m in t.moves)
    return Solution(assignments, orders, moves)


def write_solution(folder: Path, solution: Solution) -> None:
    """The three files into ``folder`` (which the caller makes atomic)."""
    lines = {
        ASSIGNMENTS: [ASSIGNMENT_HEADER]
        + [
            f"{a.assigned} {a.pickup} {a.courier} {' '.join(a.orders)}"
            for a in solution.assignments
        ],
        ORDERS: [ORDER_HEADER]
        + [
            f"{o.order} {o.placed} {o.ready} {o.pickup} {o.dropoff} {o.courier}"
            for o in solution.orders
        ],
        COURIERS: [COURIER_HEADER]
        + [f"{m.courier} {m.departure} {m.origin} {m.destination}" for m in solution.moves],
    }
    for name, rows in lines.items():
        (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")


def _rows(folder: Path, name: str, minimum: int) -> list[tuple[str, list[str]]]:
    """(``file:line``, cells) of each data line, each with at least ``minimum`` cells."""
    path = folder / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ScenarioError(
            f"{path}: missing; a solution folder holds {', '.join(FILES)}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc})") from None
    found = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split()
        if not cells:
            continue
        if len(cells) < minimum:
            raise ScenarioError(f"{path}:{number}: {len(cells)} columns, expected {minimum}")
        found.append((f"{path}:{number}", cells))
    return found


def _minute(where: str, column: str, text: str) -> int:
    try:
        return int(float(text))
    except ValueError:
        raise ScenarioError(
            f"{where}: column {column}: {text!r} is not a time in minutes"
        ) from None


def _order_row(where: str, cells: list[str]) -> OrderRow:
    times = [
        _minute(where, column, cells[i])
        for i, column in enumerate(ORDER_HEADER.split())
        if 0 < i < 5
    ]
    return OrderRow(cells[0], times[0], times[1], times[2], times[3], cells[5])


def read_solution(folder: str | Path) -> Solution:
    """The tables of the solution files in ``folder``."""
    path = Path(folder)
    assignments = tuple(
        AssignmentRow(
            _minute(w, "assignment_time", c[0]), _minute(w, "pickup_time", c[1]), c[2], tuple(c[3:])
        )
        for w, c in _rows(path, ASSIGNMENTS, 4)
    )
    orders = tuple(_order_row(w, c) for w, c in _rows(path, ORDERS, 6))
    moves = tuple(
        Move(c[0], _minute(w, "departure_time", c[1]), c[2], c[3])
        for w, c in _rows(path, COURIERS, 4)
    )
    return Solution(assignments, orders, moves)
