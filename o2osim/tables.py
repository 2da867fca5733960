"""A run's tables: built once from a finished World's logs, and what a run folder holds.

Times are minutes since the scenario start; ``lead_time_min`` is
``finished - placed`` for orders that ended; ``lateness_min`` is ``finished -
due`` (negative: early); outcomes, reasons and names are categoricals; money is
CNY. ``after_warmup`` marks the orders every KPI counts: placed after the warm-up
and before the horizon (an order placed during the drain after the horizon, such
as a split order's part or a showroomer's online order, counts nowhere, as one
placed during the warm-up); an order still ``in_flight`` had not ended when the
run stopped, at the end of the drain (see :mod:`o2osim.world`).

:class:`RunTables` is everything the KPIs and the money need besides the
scenario: the orders, resource snapshots, stock ledger and flights, and the
run's statistics that are not logs (resource time averages, event counters) as
two more tables. A run folder stores each as a Parquet file, so its KPIs can be
computed again from the folder alone. This module only converts and describes
tables; it must not compute KPIs or money, and must not import the World.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .log_tables import counters_dict, counters_table, resource_stats_dict, resource_stats_table
from .recorder import (
    NAN,
    OUTCOME_NAMES,
    REASON_NAMES,
    RESPONSE_NAMES,
    OrderBook,
)
from .scenario.sites import RETURN_PATHS
from .scenario.stages import STAGE_TABLE

if TYPE_CHECKING:
    from .order_store import OrderStore

#: Due times (minutes) from the orders' channel codes, placed times and slot starts.
DueRule = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]

#: Outcomes that complete an order: the goods reached the customer, as the stage table's
#: hand-over stages end it. The one definition used by the KPIs, the money (only these
#: earn revenue) and the charts.
COMPLETED: tuple[str, ...] = tuple(
    dict.fromkeys(row.outcome for row in STAGE_TABLE if row.outcome is not None)
)
#: Integer columns of the order book shown as labels (-1: none, an empty cell).
LABELS = {"stockout_response": list(RESPONSE_NAMES), "return_path": list(RETURN_PATHS)}


def _categorical(codes: list[int] | np.ndarray, names: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=names)


def _array(cells: list[Any], dtype: type) -> np.ndarray:
    """``cells`` as an array. A column the book never wrote to holds its fill object (the
    one NaN, or a small int such as -1) in every cell: filled, not converted cell by cell."""
    if cells and _fill_only(cells, dtype):
        return np.full(len(cells), cells[0], dtype=dtype)
    # fromiter with the count known: no pass to discover the list's shape and type
    return np.fromiter(cells, dtype=dtype, count=len(cells))


def _fill_only(cells: list[Any], dtype: type) -> bool:
    """Whether every cell is the book's NaN, or the same int in an integer column (a sample
    first, so a column with data costs a few dozen looks)."""
    fill = cells[0]
    if fill is not NAN and not (type(fill) is int and dtype is np.int64):
        return False  # equal is not enough for floats: 0 == -0.0
    if any(cell is not fill for cell in cells[:: max(1, len(cells) // 64)]):
        return False
    return cells.count(fill) == len(cells)  # NaN: counts only the same object


def _sku_lists(skus: list[tuple[int, ...]] | np.ndarray) -> np.ndarray:
    """Each order's SKUs as a list, in an object array (a tenth of ``Series.map(list)``)."""
    return np.fromiter(map(list, skus), dtype=object, count=len(skus))


def _failed_stages(
    failed: np.ndarray, channel: np.ndarray, stage_names: list[list[str]], names: list[str] | None
) -> pd.Categorical:
    """The stage each order failed at ("" if none) as a categorical of ``names`` (default:
    the names found, sorted); codes made from the few failed orders, not a string per row."""
    at = np.flatnonzero(failed >= 0)
    found = [stage_names[channel[i]][failed[i]] for i in at]
    if names is None:
        names = sorted({*found, *([""] if len(at) < len(failed) else [])})
    index = {name: code for code, name in enumerate(names)}
    codes = np.full(len(failed), index.get("", -1), dtype=np.int64)
    codes[at] = [index.get(name, -1) for name in found]  # -1: not a category, NaN
    return pd.Categorical.from_codes(codes, categories=names)


def orders_table(
    book: OrderBook,
    segment_names: list[str],
    channel_names: list[str],
    stage_names: list[list[str]],
    warmup: float,
    due: np.ndarray | DueRule | None = None,
    horizon: float = np.inf,
    *,
    consume: bool = False,
    rows: tuple[int, int] | None = None,
    failed_names: list[str] | None = None,
    sku_lists: bool = True,
) -> pd.DataFrame:
    """One row per order placed: attributes, stage timestamps, outcome.

    ``after_warmup`` is True for orders placed in ``[warmup, horizon)`` (minutes), the
    orders the KPIs count.

    ``price_paid_cny`` is what the customer sees and pays: value plus cross-border tax.
    ``customer`` is -1 where the segment has no finite population; ``parent`` is the
    order a split order, or a showroomer's online order, came from (-1 if none).
    ``due`` is each order's due time (minutes) from its channel's promise, or the rule
    that gives them from the orders' channel codes, placed times and slot starts.
    ``stockout_response`` says what a customer who found the shelf short
    (``stocked_out``) did: substitute, switch_channel, wait or leave.

    ``consume`` empties each of the book's lists as soon as it is converted, so the
    book and the table are never both whole in memory; the book (and its World) is
    unusable afterwards.

    ``rows`` = (first, end) builds only the orders with ids in ``[first, end)`` (``due``
    then holds theirs), as :mod:`o2osim.spill` does a block at a time; ``failed_names``
    fixes the categories of ``failed_at`` (default: the stages found, sorted).

    ``sku_lists=False`` leaves each order's SKUs as the book's tuple (the same numbers);
    :func:`with_sku_lists` makes them lists later, e.g. after a garbage collection, which
    would otherwise walk every list.
    """
    first, end = (0, len(book)) if rows is None else rows
    whole = rows is None
    n = end - first
    # Columns of stages and legs a scenario does not have are all NaN: they share one
    # Series (copy-on-write keeps them apart if edited) instead of an array each.
    empty = pd.Series(np.full(n, np.nan))

    def take(column: list[Any], dtype: type = float) -> np.ndarray:
        values = _array(column if whole else column[first:end], dtype)
        if consume:
            column.clear()
        return values

    def floats(column: list[float] | None) -> np.ndarray | pd.Series:
        values = take(column) if column is not None else None
        return empty if values is None or np.isnan(values).all() else values

    def labels(column: list[int], names: list[str]) -> pd.Categorical:
        return _categorical(take(column, np.int64), names)

    placed, finished = take(book.placed), take(book.finished)
    failed, channel = take(book.failed_at, np.int64), take(book.channel, np.int64)
    value, tax = take(book.value), take(book.tax)
    stamps = {name: floats(book.stamps.get(name)) for name in book.stamp_names}
    if callable(due):  # from the arrays just made, not the book's lists again
        due = due(channel, placed, np.asarray(stamps.get("slot_start", empty), dtype=float))
    due = np.full(n, np.nan) if due is None else due
    skus = book.skus if whole else book.skus[first:end]
    columns: dict[str, Any] = {
        "order_id": np.arange(first, end, dtype=np.int64),
        "segment": labels(book.segment, segment_names),
        "channel": _categorical(channel, channel_names),
        "skus": None,  # made last, in the memory the book's numbers have given back
        "lines": np.fromiter(map(len, skus), dtype=np.int64, count=n),
        "value_cny": value,
        "tax_cny": np.round(tax, 2),
        "price_paid_cny": np.round(value + tax, 2),
        "distance_km": take(book.distance),
        "x_km": take(book.x),
        "y_km": take(book.y),
        "customer": take(book.customer, np.int64),
        "parent": take(book.parent, np.int64),
        "flight": take(book.flight, np.int64),
        "placed": placed,
        **stamps,
        **{name: floats(col) for name, col in book.values.items()},
        **{name: take(col, np.int64) for name, col in book.counts.items() if name not in LABELS},
        **{
            name: labels(book.counts[name], names)
            for name, names in LABELS.items()
            if name in book.counts
        },
        "finished": finished,
        "lead_time_min": finished - placed,
        "due": due,
        "lateness_min": finished - due,
        "outcome": labels(book.outcome, list(OUTCOME_NAMES)),
        "reason": labels(book.reason, list(REASON_NAMES)),
        "failed_at": _failed_stages(failed, channel, stage_names, failed_names),
        "refund_cny": np.round(take(book.refund), 2),
        "after_warmup": (placed >= warmup) & (placed < horizon),
    }
    columns["skus"] = _sku_lists(skus) if sku_lists else np.fromiter(skus, dtype=object, count=n)
    if consume:
        book.skus.clear()
    # No consolidation into 2-D blocks: that copy doubled the peak.
    return pd.DataFrame(columns, copy=False)


def with_sku_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (an orders table of :func:`orders_table` with ``sku_lists=False``) with its
    SKUs as lists, in place; a frame whose SKUs are not tuples is left as it is."""
    if "skus" in frame and len(frame) and isinstance(frame["skus"].iat[0], tuple):
        frame["skus"] = _sku_lists(frame["skus"].to_numpy())
    return frame


def rows_where(frame: pd.DataFrame, mask: pd.Series | np.ndarray) -> pd.DataFrame:
    """``frame[mask]``, with its all-NaN float columns sharing one Series, as in
    :func:`orders_table`: a subset of the orders costs only the columns that hold data."""
    keep = np.asarray(mask, dtype=bool)
    if keep.all():
        # A new frame sharing the data (copy-on-write): editing it leaves ``frame`` alone.
        return frame.copy(deep=False)
    blank = {
        name
        for name, dtype in frame.dtypes.items()
        if dtype == np.float64 and np.isnan(frame[name].to_numpy()).all()
    }
    if not blank:
        return frame[keep]
    rows = frame.drop(columns=list(blank))[keep]
    empty = pd.Series(np.full(len(rows), np.nan), index=rows.index)
    return pd.DataFrame(
        {name: empty if name in blank else rows[name] for name in frame.columns}, copy=False
    )


class RunTables:
    """One run's tables, in memory after :func:`o2osim.simulate` or read from its folder.

    ``resource_stats`` and ``counters`` are the tables of :func:`resource_stats_table`
    and :func:`counters_table`; :attr:`stats` and :attr:`counts` are their dict views.
    ``flights`` is empty without an airport. The orders are either a DataFrame or, for a
    large run, an :class:`~o2osim.order_store.OrderStore` (``store``): :attr:`orders`
    then reads the whole table on first use, and :meth:`order_columns` only what it is
    asked for, which is what the KPIs, the money and the charts use.
    """

    def __init__(
        self,
        orders: pd.DataFrame | None = None,
        resources: pd.DataFrame | None = None,
        inventory: pd.DataFrame | None = None,
        flights: pd.DataFrame | None = None,
        resource_stats: pd.DataFrame | None = None,
        counters: pd.DataFrame | None = None,
        store: OrderStore | None = None,
    ) -> None:
        self._orders = orders if orders is not None or store is not None else pd.DataFrame()
        self.store = store
        self.resources = pd.DataFrame() if resources is None else resources
        self.inventory = pd.DataFrame() if inventory is None else inventory
        self.flights = pd.DataFrame() if flights is None else flights
        self.resource_stats = resource_stats_table({}) if resource_stats is None else resource_stats
        self.counters = counters_table({}) if counters is None else counters

    @property
    def orders(self) -> pd.DataFrame:
        """The whole orders table (read from the store on first use)."""
        if self._orders is None:
            if self.store is None:  # the constructor sets one of the two
                raise RuntimeError("RunTables holds neither an orders table nor a store")
            self._orders = self.store.frame()
        return self._orders

    @orders.setter
    def orders(self, frame: pd.DataFrame) -> None:
        self._orders, self.store = frame, None

    @property
    def order_count(self) -> int:
        """How many rows the orders table has (without reading it)."""
        if self._orders is None and self.store is not None:
            return len(self.store)
        return len(self.orders)

    def order_columns(
        self,
        columns: list[str] | None = None,
        *,
        counted: bool = False,
        rows: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """The orders' ``columns`` (default: all), of the counted orders only (placed in
        the counted span, ``after_warmup``) if ``counted``, and of those where ``rows`` (a
        boolean mask over every order) is True; the all-NaN columns share one Series, so a
        subset costs only the columns that hold data."""
        if self._orders is None and self.store is not None:
            mask = rows
            if counted:
                mask = self.store.column("after_warmup").astype(bool) & (
                    True if rows is None else rows
                )
            return self.store.read(columns, mask)
        frame = self.orders
        mask = np.ones(len(frame), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
        if counted:
            mask = mask & frame["after_warmup"].to_numpy()
        if columns is not None:
            frame = frame[[c for c in frame.columns if c in columns]]
        return rows_where(frame, mask)

    @property
    def stats(self) -> dict[str, dict[str, float]]:
        """Resource name -> its time averages and counts (``span_min``, ``mean_queue``...)."""
        return resource_stats_dict(self.resource_stats)

    @property
    def counts(self) -> dict[str, int]:
        """Counter name -> events counted after the warm-up."""
        return counters_dict(self.counters)
