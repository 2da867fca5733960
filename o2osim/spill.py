"""Move settled orders out of memory during a run, into Parquet row groups in a spill file.

An order's row is *settled* once the order has ended and the run's settle lag
(:mod:`o2osim.settle`) has passed since: nothing touches it again. While the run goes
on, :meth:`Spill.tick` (called between the kernel's steps, never as an event, so the
model's events and their order are untouched) converts the longest settled prefix of
the book, whole blocks of :data:`BLOCK_ROWS` orders at a time, into rows of the orders
table (:func:`o2osim.tables.orders_table` on that range: the same columns, the same
values), writes them as one Parquet row group and drops them from the book: their
cells become None (one pointer each instead of a float or a tuple; ids stay global,
``order_id - first`` indexes a block). The small-integer columns the run still reads
(outcome, channel, segment, step, reason, failed stage) stay, as they cost nothing
but their pointer. The stock ledger and the resource snapshots go the same way, whole.

At the end (:meth:`Spill.finish`) the rest is written and the file becomes the run's
orders table (:class:`o2osim.order_store.OrderStore`). A run that never filled
:data:`START_ROWS` orders keeps its tables in memory: writing and reading a file would
cost a small run (a test's, a notebook's) more than it saves. A row written to after it
left (a settle lag too short) is found at the end and raises :class:`LateWriteError`.

This module reads the World's logs; it must not change the model or schedule events.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .log_tables import inventory_table, resources_table
from .memory import release_free_memory
from .order_store import OrderStore, TempFolder
from .promises import due_times
from .recorder import InventoryLedger, OrderBook, ResourceLog
from .settle import BLOCK_ROWS, START_ROWS, settle_lag
from .tables import RunTables, orders_table
from .units import DAY

if TYPE_CHECKING:
    from .world import World

#: Book columns that hold small integers the run reads after an order ended: kept.
KEPT = ("segment", "channel", "outcome", "failed_at", "step", "reason")
#: Of those, the ones whose value must not change once spilled (checked at the end).
CHECKED = ("outcome", "reason", "failed_at")


class LateWriteError(RuntimeError):
    """The model wrote to an order after its row left memory: a settle lag is too short."""


class Spill:
    """The spill of one World: its orders, stock ledger and resource snapshots.

    ``block`` and ``start`` override :data:`BLOCK_ROWS` and :data:`START_ROWS` (tests
    force tiny blocks to exercise the spilled path).
    """

    def __init__(self, world: World, block: int | None = None, start: int | None = None) -> None:
        self.world, self.book = world, world.book
        scenario = world.scenario
        self.lag = settle_lag(scenario)
        self.block = BLOCK_ROWS if block is None else block
        self.start = START_ROWS if start is None else start
        self.routes = [list(scenario.channels[n].route) for n in world.channel_names]
        self.failed_names = sorted({"", *(stage for route in self.routes for stage in route)})
        self.failed_used: set[int] = set()
        self.written = 0  # orders [0, written) are in the file
        self.settled = 0  # orders [0, settled) are known to be settled
        self.checks: dict[str, list[np.ndarray]] = {name: [] for name in CHECKED}
        self.folder: TempFolder | None = None
        self.writers: dict[str, pq.ParquetWriter] = {}

    # -- during the run -------------------------------------------------------------
    def tick(self, now: float) -> None:
        """Write every whole block of settled orders at simulated time ``now`` (minutes)."""
        if len(self.book) < self.start and not self.written:
            return
        end = self._settled_end(now - self.lag)
        while end - self.written >= self.block:
            self._write_orders(self.written + self.block)
        world = self.world
        if self.written and max(len(world.ledger.time), len(world.resource_log.time)) >= self.block:
            self._write_logs()

    def _settled_end(self, before: float) -> int:
        """The first order not ended before ``before`` (or held until after it); every one
        before it has. A hold passed is dropped."""
        book = self.book
        outcome, finished, holds, n = book.outcome, book.finished, book.holds, len(book)
        i = self.settled
        while i < n and outcome[i] and finished[i] < before:
            if holds and i in holds:
                if holds[i] >= before:
                    break
                del holds[i]
            i += 1
        self.settled = i
        return i

    def _write_orders(self, end: int) -> None:
        first, book = self.written, self.book
        frame = self._frame(first, end)
        self._append("orders", pa.Table.from_pandas(frame, preserve_index=False))
        self.failed_used.update(np.unique(frame["failed_at"].cat.codes).tolist())
        for name in CHECKED:
            self.checks[name].append(np.asarray(getattr(book, name)[first:end], dtype=np.int16))
        blank = [None] * (end - first)
        for column in _dropped(book):
            column[first:end] = blank
        self.written = end

    def _frame(self, first: int, end: int) -> pd.DataFrame:
        book, world = self.book, self.world
        meta = world.scenario.scenario
        return orders_table(
            book,
            world.segment_names,
            world.channel_names,
            self.routes,
            meta.warmup,
            partial(due_times, world.plan.channels),
            meta.horizon,
            rows=(first, end),
            failed_names=self.failed_names,
        )

    def _write_logs(self) -> None:
        world = self.world
        if world.ledger.time:
            self._append("inventory", _table(inventory_table(world.ledger), strings=()))
            _clear(world.ledger)
        if world.resource_log.time:
            self._append("resources", _table(resources_table(world.resource_log), ("resource",)))
            _clear(world.resource_log)

    def _append(self, name: str, table: pa.Table) -> None:
        writer = self.writers.get(name)
        if writer is None:
            if self.folder is None:
                self.folder = TempFolder()
            schema = _fixed(table.schema)
            writer = pq.ParquetWriter(self.folder.path / f"{name}.parquet", schema)
            self.writers[name] = writer
        writer.write_table(table.cast(writer.schema))

    def run_options(self, progress: Callable[[float], None] | None) -> dict[str, Any]:
        """The arguments of :meth:`World.run`: its progress callback also calls
        :meth:`tick`; without one, the run stops once a simulated day to tick (and not at
        all if nothing can settle during the run, as before)."""
        if progress is None:
            return {"progress": self.tick, "chunk": DAY} if math.isfinite(self.lag) else {}

        def tick(now: float) -> None:
            progress(now)
            self.tick(now)

        return {"progress": tick}

    # -- at the end -------------------------------------------------------------------
    @property
    def spilled(self) -> bool:
        """Whether any order left memory (else the tables are built in memory)."""
        return self.written > 0

    def finish(self) -> OrderStore:
        """Write the rest of the book and the logs; the orders store (call once, after the
        run, only if :attr:`spilled`; :func:`read_logs` reads the logs back)."""
        if self.folder is None:
            raise RuntimeError("the order book was never spilled: nothing to finish")
        n = len(self.book)
        self._check_late_writes()
        while self.written < n:
            self._write_orders(min(self.written + self.block, n))
        self._write_logs()
        for writer in self.writers.values():
            writer.close()
        used = [self.failed_names[i] for i in sorted(self.failed_used)]
        return OrderStore(self.folder.path / "orders.parquet", used, self.folder)

    def _check_late_writes(self) -> None:
        written = self.written
        for column in _dropped(self.book):
            head = column[:written]
            if head.count(None) != written and not _all_blank(head):
                raise LateWriteError(_LATE)
        for name, parts in self.checks.items():
            now = np.asarray(getattr(self.book, name)[:written], dtype=np.int16)
            if not np.array_equal(now, np.concatenate(parts)):
                raise LateWriteError(_LATE)


_LATE = (
    "an order was written to after it was spilled to disk: a feature's settle lag is "
    "too short (declare it in o2osim/settle.py)"
)


def _dropped(book: OrderBook) -> list[list[Any]]:
    """The book's columns whose spilled cells become None (every one but :data:`KEPT`)."""
    kept = {id(getattr(book, name)) for name in KEPT}
    columns: list[list[Any]] = [book.placed, book.value, book.tax, book.distance, book.x]
    columns += [book.y, book.skus]
    columns += [c for c in book._grown if id(c) not in kept]
    return columns


def _all_blank(cells: list[Any]) -> bool:
    """Every cell None or NaN (a column created after the block left: NaN, never written)."""
    try:
        return bool(np.isnan(np.asarray(cells, dtype=float)).all())
    except (TypeError, ValueError):
        return False


def _fixed(schema: pa.Schema) -> pa.Schema:
    """``schema`` with the SKU lists typed as integers even if a first block had none."""
    if "skus" in schema.names:
        i = schema.get_field_index("skus")
        schema = schema.set(i, pa.field("skus", pa.list_(pa.int64())))
    return schema


def _table(frame: pd.DataFrame, strings: tuple[str, ...]) -> pa.Table:
    """A log block as Arrow, its name columns as plain strings (categories are made once
    at the end, from every block)."""
    for name in strings:
        frame[name] = frame[name].astype(object)
    return pa.Table.from_pandas(frame, preserve_index=False)


def _clear(log: Any) -> None:
    for value in vars(log).values():
        if isinstance(value, list):
            value.clear()


def spilled_tables(store: OrderStore, memory: RunTables) -> RunTables:
    """A spilled run's tables: the orders in ``store``, the logs read back from their
    files beside it, the rest (flights, statistics, counters) from ``memory``."""
    resources, inventory = read_logs(store)
    release_free_memory()  # the Arrow copies of the logs
    return RunTables(
        None,
        resources,
        inventory,
        memory.flights,
        memory.resource_stats,
        memory.counters,
        store=store,
    )


def read_logs(store: OrderStore) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The resource snapshots and the stock ledger spilled beside ``store``'s orders (read
    after the World is gone: a year's ledger is millions of rows)."""
    folder = store.path.parent
    resources = _read_log(folder, "resources", resources_table(ResourceLog()))
    return resources, _read_log(folder, "inventory", inventory_table(InventoryLedger()))


def _read_log(folder: Path, name: str, empty: pd.DataFrame) -> pd.DataFrame:
    """A log read back whole, with the dtypes of its in-memory table."""
    path = folder / f"{name}.parquet"
    if not path.exists():
        return empty
    frame = pq.read_table(path).to_pandas()
    if name == "resources":
        frame["resource"] = pd.Categorical(frame["resource"])
    return frame
