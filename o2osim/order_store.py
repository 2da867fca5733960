"""A run's orders table kept in a Parquet file, read a few columns (and rows) at a time.

A large run's orders table (written during the run by :mod:`o2osim.spill`) is never
whole in memory: the KPIs, the money and the charts each read the columns they need,
optionally only some rows (the counted orders), a row group at a time; a notebook
gets the whole table on demand (:meth:`OrderStore.frame`). What is read has the
dtypes, values and column order of :func:`o2osim.tables.orders_table`: the all-NaN
columns share one Series as there, the SKUs are lists, ``failed_at``'s categories are
the stages found. This module only reads tables; it must not compute KPIs or money.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


class TempFolder:
    """A temporary folder, removed with the last object that holds it (or at exit)."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="o2osim-spill-"))
        self._remove = weakref.finalize(self, shutil.rmtree, str(self.path), True)


class OrderStore:
    """The orders table in the Parquet file ``path``.

    ``failed_used`` are the categories of ``failed_at`` in the table (the file may hold
    more; None: the file's are right); ``owner`` keeps a temporary folder alive.
    """

    def __init__(
        self, path: Path, failed_used: list[str] | None = None, owner: TempFolder | None = None
    ) -> None:
        self.path, self.failed_used, self.owner = path, failed_used, owner
        self.file = pq.ParquetFile(path)
        meta = self.file.metadata
        self.rows: int = meta.num_rows
        self.names: list[str] = list(self.file.schema_arrow.names)
        self.group_rows = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        self.blank = self._blank_columns()

    def __len__(self) -> int:
        return self.rows

    def _blank_columns(self) -> set[str]:
        """Float columns without a value in any row group (from the file's statistics)."""
        meta, schema = self.file.metadata, self.file.schema_arrow
        blank = set()
        for j, name in enumerate(self.names):
            if schema.field(name).type != pa.float64():
                continue
            nulls = 0
            for i in range(meta.num_row_groups):
                stats = meta.row_group(i).column(j).statistics
                if stats is None or not stats.has_null_count:
                    nulls = -1
                    break
                nulls += stats.null_count
            if nulls == self.rows:
                blank.add(name)
        return blank

    def column(self, name: str) -> np.ndarray:
        """One column as a numpy array (categoricals: their labels as objects)."""
        values = self.file.read(columns=[name]).column(name)
        if pa.types.is_dictionary(values.type):
            return np.asarray(values.to_pandas().astype(object))
        return np.asarray(values.to_numpy())

    def read(
        self,
        columns: Sequence[str] | None = None,
        rows: np.ndarray | None = None,
        *,
        sku_lists: bool = True,
    ) -> pd.DataFrame:
        """The table's ``columns`` (default: all) of the rows where ``rows`` (a boolean
        mask over every order) is True, indexed by row number as ``frame[rows]`` is.

        ``sku_lists=False`` gives each order's SKUs as a numpy array, not a list: the
        same numbers, several times faster to read (for the money)."""
        names = self.names if columns is None else [c for c in self.names if c in columns]
        wanted = [c for c in names if c not in self.blank]
        groups = self._groups(rows)
        n = sum(count for _, count, _ in groups)
        arrays: dict[str, np.ndarray] = {}
        categories: dict[str, list[str]] = {}
        at = 0
        for i, _, keep in groups:
            part = self.file.read_row_group(i, columns=wanted)
            if keep is not None:
                part = part.filter(pa.array(keep))
            size = part.num_rows
            for name in wanted:
                values = _numpy(part.column(name), name, sku_lists, categories)
                if name not in arrays:
                    arrays[name] = np.empty(n, dtype=values.dtype)
                arrays[name][at : at + size] = values
            at += size
            del part
        index = pd.RangeIndex(n) if rows is None else pd.Index(np.flatnonzero(rows))
        return self._finish(arrays, categories, names, index)

    def _groups(self, rows: np.ndarray | None) -> list[tuple[int, int, np.ndarray | None]]:
        """(row group, its rows, the mask of its rows kept or None for all) to read."""
        groups, start = [], 0
        for i, count in enumerate(self.group_rows):
            keep = None if rows is None else rows[start : start + count]
            start += count
            if keep is not None and keep.all():
                keep = None
            if keep is None or keep.any():
                groups.append((i, count if keep is None else int(keep.sum()), keep))
        return groups

    def _finish(
        self,
        arrays: dict[str, np.ndarray],
        categories: dict[str, list[str]],
        names: list[str],
        index: pd.Index,
    ) -> pd.DataFrame:
        empty = pd.Series(np.full(len(index), np.nan), index=index)
        out: dict[str, pd.Series] = {}
        for name in names:
            if name in self.blank:
                out[name] = empty
                continue
            values = arrays.pop(name, np.empty(0))
            if name in categories:
                labels = pd.Categorical.from_codes(values, categories=categories[name])
                if name == "failed_at" and self.failed_used is not None:
                    labels = labels.set_categories(self.failed_used)
                out[name] = pd.Series(labels, index=index)
            else:
                out[name] = pd.Series(values, index=index, copy=False)
        return pd.DataFrame(out, copy=False)

    def frame(self) -> pd.DataFrame:
        """The whole table (what ``Result.orders`` gives a notebook)."""
        return self.read()

    def row_groups(self) -> Iterator[pa.Table]:
        """The row groups as Arrow tables, ``failed_at`` with the categories found (for
        writing the run folder's copy one group at a time)."""
        for i in range(len(self.group_rows)):
            table = self.file.read_row_group(i)
            if self.failed_used is not None:
                j = table.schema.get_field_index("failed_at")
                table = table.set_column(j, "failed_at", _recode(table.column(j), self.failed_used))
            yield table


def _numpy(
    column: pa.ChunkedArray, name: str, sku_lists: bool, categories: dict[str, list[str]]
) -> np.ndarray:
    """One row group's column as numpy: a categorical's codes (its categories into
    ``categories``), the SKUs as lists (or arrays), numbers as they are."""
    if pa.types.is_dictionary(column.type):
        chunk = column.combine_chunks()
        labels = chunk.dictionary.to_pylist()
        if categories.setdefault(name, labels) != labels:
            raise ValueError(f"{name}: row groups with different categories")
        return np.asarray(chunk.indices.fill_null(-1).to_numpy(zero_copy_only=False))  # -1: NaN
    if pa.types.is_list(column.type) and sku_lists:
        return np.fromiter(column.to_pylist(), dtype=object, count=len(column))
    return np.asarray(column.to_numpy())


def _recode(column: pa.ChunkedArray, used: list[str]) -> pa.ChunkedArray:
    """A dictionary column re-encoded over the categories ``used`` (same index type)."""
    chunks = []
    for chunk in column.chunks:
        old = chunk.dictionary.to_pylist()
        lookup = np.array([used.index(v) if v in used else -1 for v in old], dtype=np.int64)
        codes = lookup[chunk.indices.to_numpy(zero_copy_only=False)]
        indices = pa.array(codes, type=chunk.indices.type)
        chunks.append(pa.DictionaryArray.from_arrays(indices, pa.array(used, pa.string())))
    return pa.chunked_array(chunks, type=column.type)
