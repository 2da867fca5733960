"""Lean tables: subsets that share all-NaN columns, Parquet written a row group at a time.

Both are memory savings that must be invisible: ``rows_where(frame, mask)`` is
``frame[mask]`` value for value, and a table written in row groups reads back as the
one written whole. Editing one shared all-NaN column must leave the others alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from o2osim.run_folder import write_parquet
from o2osim.tables import rows_where


def _frame(values: list[float], picks: list[bool]) -> pd.DataFrame:
    n = len(values)
    blank = pd.Series(np.full(n, np.nan))
    return pd.DataFrame(
        {
            "order_id": np.arange(n, dtype=np.int64),
            "value": np.asarray(values, dtype=float),
            "picked": blank,  # two all-NaN columns sharing one array, as orders_table makes
            "packed": blank,
            "skus": np.fromiter(([i, i + 1] for i in range(n)), dtype=object, count=n),
            "outcome": pd.Categorical.from_codes(
                np.asarray(picks, dtype=np.int64), categories=["in_flight", "delivered"]
            ),
        },
        copy=False,
    )


rows = st.integers(min_value=0, max_value=40)


@given(rows.flatmap(lambda n: st.tuples(
    st.lists(st.floats(-1e6, 1e6), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n),
)))  # fmt: skip
def test_rows_where_is_the_boolean_subset(data: tuple[list[float], list[bool], list[bool]]) -> None:
    values, picks, mask = data
    frame = _frame(values, picks)
    subset = rows_where(frame, np.asarray(mask, dtype=bool))
    expected = frame[np.asarray(mask, dtype=bool)]
    pd.testing.assert_frame_equal(subset, expected)
    assert list(subset.columns) == list(frame.columns)


def test_editing_a_shared_blank_column_leaves_the_others_alone() -> None:
    frame = _frame([1.0, 2.0, 3.0], [True, False, True])
    subset = rows_where(frame, np.array([True, False, True]))
    subset.loc[subset.index[0], "picked"] = 5.0
    assert subset["packed"].isna().all()
    assert frame["picked"].isna().all() and frame["packed"].isna().all()


@given(st.integers(min_value=0, max_value=60), st.integers(min_value=1, max_value=25))
def test_row_groups_read_back_as_the_whole_table(n: int, group: int) -> None:
    import tempfile

    frame = _frame([float(i) / 3 for i in range(n)], [i % 3 == 0 for i in range(n)])
    with tempfile.TemporaryDirectory() as folder:
        whole, grouped = Path(folder) / "whole.parquet", Path(folder) / "grouped.parquet"
        frame.to_parquet(whole, index=False)
        write_parquet(frame, grouped, rows=group)
        a, b = pd.read_parquet(whole), pd.read_parquet(grouped)
    pd.testing.assert_frame_equal(a, b)
    assert a.to_csv() == b.to_csv()  # what the reference hashes compare


def test_consuming_the_book_gives_the_same_table_and_empties_it(baseline_path: Path) -> None:
    from o2osim.api import run_tables
    from o2osim.scenario import RunParameters, load_scenario
    from o2osim.world import World

    scenario = RunParameters(3, "2d", "12h").apply(
        load_scenario(baseline_path), origin="test", overrides=()
    )
    kept, consumed = World(scenario), World(scenario)
    info_kept, info_consumed = kept.run(), consumed.run()
    whole = run_tables(kept, info_kept).orders
    lean = run_tables(consumed, info_consumed, consume=True).orders
    pd.testing.assert_frame_equal(whole, lean)
    assert len(whole) > 1000
    assert len(consumed.book.placed) == 0 and len(consumed.book.skus) == 0
    assert all(len(column) == 0 for column in consumed.book.stamps.values())
    blank = [name for name in lean if lean[name].dtype == float and lean[name].isna().all()]
    assert len(blank) > 2  # the baseline has no airport: its stamps share one array
    first = lean[blank[0]].to_numpy()
    assert all(np.shares_memory(first, lean[name].to_numpy()) for name in blank[1:])
