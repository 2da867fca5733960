"""Read and validate an MDRP instance folder (the ``grubhub/mdrplib`` text format).

Every problem is one :class:`~o2osim.scenario.ScenarioError` line naming the file,
the line and the column, the bad value and what is allowed, e.g.
``orders.txt:12: column ready_time: 'soon' is not a whole number of minutes``.
This module must not simulate; it returns an :class:`Instance` or raises.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from ..scenario import ScenarioError
from .instance import Courier, Instance, Order, Parameters, Restaurant, bundled_root

T = TypeVar("T")

RESTAURANT_COLUMNS = ("restaurant", "x", "y")
ORDER_COLUMNS = ("order", "x", "y", "placement_time", "restaurant", "ready_time")
COURIER_COLUMNS = ("courier", "x", "y", "on_time", "off_time")
PARAMETER_COLUMNS = (
    "meters_per_minute",
    "pickup service minutes",
    "dropoff service minutes",
    "target click-to-door",
    "maximum click-to-door",
    "pay per order",
    "guaranteed pay per hour",
)


class Row:
    """One data line of a table file, with the place to name in messages."""

    def __init__(self, where: str, columns: tuple[str, ...], cells: list[str]) -> None:
        self.where, self.columns, self.cells = where, columns, cells

    def text(self, column: str) -> str:
        return self.cells[self.columns.index(column)]

    def fail(self, column: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.where}: column {column}: {self.text(column)!r} {message}")

    def parse(self, column: str, convert: Callable[[str], T], allowed: str) -> T:
        try:
            return convert(self.text(column))
        except ValueError:
            raise self.fail(column, f"is not {allowed}") from None

    def minutes(self, column: str) -> int:
        value = self.parse(column, int, "a whole number of minutes")
        if value < 0:
            raise self.fail(column, "is negative; times count minutes from the start of the day")
        return value

    def number(self, column: str, positive: bool = False) -> float:
        value = self.parse(column, float, "a number")
        if not math.isfinite(value) or (positive and value <= 0):
            raise self.fail(column, "must be a finite number" + (" above 0" if positive else ""))
        return value


def read_rows(folder: Path, name: str, columns: tuple[str, ...]) -> Iterator[Row]:
    """The data lines of ``folder/name``, tab-separated under a header naming ``columns``."""
    path = folder / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: missing; an MDRP instance folder holds {name}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc})") from None
    header = tuple(cell.strip() for cell in lines[0].split("\t")) if lines else ()
    if header != columns:
        raise ScenarioError(
            f"{path}:1: header {list(header)} is not the expected {list(columns)} (tab-separated)"
        )
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) != len(columns):
            raise ScenarioError(
                f"{path}:{number}: {len(cells)} tab-separated columns, expected {len(columns)}"
            )
        yield Row(f"{path}:{number}", columns, cells)


def _unique_id(row: Row, column: str, seen: dict[str, int]) -> str:
    name = row.text(column)
    if not name:
        raise row.fail(column, "is empty; every row needs an id")
    if name in seen:
        raise row.fail(column, "appears twice; ids must be unique")
    seen[name] = len(seen)
    return name


def _restaurants(folder: Path) -> tuple[tuple[Restaurant, ...], dict[str, int]]:
    index: dict[str, int] = {}
    found = [
        Restaurant(_unique_id(r, "restaurant", index), (r.number("x"), r.number("y")))
        for r in read_rows(folder, "restaurants.txt", RESTAURANT_COLUMNS)
    ]
    return tuple(found), index


def _order(row: Row, seen: dict[str, int], restaurants: dict[str, int]) -> Order:
    name = _unique_id(row, "order", seen)
    placed, ready = row.minutes("placement_time"), row.minutes("ready_time")
    if ready < placed:
        raise row.fail("ready_time", f"is before the placement time {placed}")
    restaurant = restaurants.get(row.text("restaurant"))
    if restaurant is None:
        raise row.fail("restaurant", "is not a restaurant of restaurants.txt")
    return Order(name, (row.number("x"), row.number("y")), placed, restaurant, ready)


def _courier(row: Row, seen: dict[str, int]) -> Courier:
    name = _unique_id(row, "courier", seen)
    on, off = row.minutes("on_time"), row.minutes("off_time")
    if off <= on:
        raise row.fail("off_time", f"is not after the on time {on}")
    return Courier(name, (row.number("x"), row.number("y")), on, off)


def _parameters(folder: Path) -> Parameters:
    rows = list(read_rows(folder, "instance_parameters.txt", PARAMETER_COLUMNS))
    if len(rows) != 1:
        raise ScenarioError(
            f"{folder / 'instance_parameters.txt'}: {len(rows)} data lines, expected exactly 1"
        )
    row = rows[0]
    return Parameters(
        metres_per_minute=row.number("meters_per_minute", positive=True),
        pickup_service=row.minutes("pickup service minutes"),
        dropoff_service=row.minutes("dropoff service minutes"),
        target_click_to_door=row.minutes("target click-to-door"),
        max_click_to_door=row.minutes("maximum click-to-door"),
        pay_per_order=row.number("pay per order"),
        guaranteed_pay_per_hour=row.number("guaranteed pay per hour"),
    )


def resolve_instance(text: str | Path) -> Path:
    """A folder path, or the name of a bundled instance (``0o100t100s1p100``)."""
    path = Path(text)
    if path.is_dir():
        return path
    bundled = bundled_root() / str(text)
    if bundled.is_dir() and "/" not in str(text):
        return bundled
    names = ", ".join(sorted(p.name for p in bundled_root().iterdir() if p.is_dir()))
    raise ScenarioError(
        f"{text}: not an instance folder nor a bundled MDRP instance (bundled: {names})"
    )


def load_instance(folder: str | Path) -> Instance:
    """The instance in ``folder`` (or the bundled instance of that name), validated."""
    path = resolve_instance(folder)
    restaurants, restaurant_index = _restaurants(path)
    orders: dict[str, int] = {}
    couriers: dict[str, int] = {}
    instance = Instance(
        name=path.resolve().name,
        restaurants=restaurants,
        orders=tuple(
            _order(r, orders, restaurant_index)
            for r in read_rows(path, "orders.txt", ORDER_COLUMNS)
        ),
        couriers=tuple(
            _courier(r, couriers) for r in read_rows(path, "couriers.txt", COURIER_COLUMNS)
        ),
        parameters=_parameters(path),
    )
    if not instance.couriers or not instance.orders:
        raise ScenarioError(f"{path}: needs at least one order and one courier")
    return instance
