"""Loading the bundled MDRP instances, and one-line errors for bad instance files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2osim.mdrp.instance import Instance
from o2osim.mdrp.loader import load_instance
from o2osim.scenario import ScenarioError

from mdrp_cases import NAMES, characteristics, copy_instance


@pytest.mark.parametrize("name", NAMES)
def test_counts_and_courier_hours_match_the_published_characteristics(
    name: str, instances: dict[str, Instance]
) -> None:
    instance, published = instances[name], characteristics(name)
    assert len(instance.orders) == published["orders"]
    assert len(instance.restaurants) == published["restaurants"]
    assert len(instance.couriers) == published["couriers"]
    assert instance.courier_hours == pytest.approx(published["courier_hours"], abs=0.005)


@pytest.mark.parametrize("name", NAMES)
def test_travel_rule_reproduces_the_published_travel_minutes(
    name: str, instances: dict[str, Instance]
) -> None:
    # ceil(metres / metres-per-minute), restaurant -> customer: the characteristics file
    # gives its mean to two decimals; the preparation mean checks ready - placement.
    instance, published = instances[name], characteristics(name)
    minutes = [
        instance.travel(instance.restaurant_of(i).pos, o.pos) for i, o in enumerate(instance.orders)
    ]
    assert np.mean(minutes) == pytest.approx(published["travel_minutes_mean"], abs=0.006)
    preparation = [o.ready - o.placed for o in instance.orders]
    assert np.mean(preparation) == pytest.approx(published["preparation_mean"], abs=0.006)


def _corrupt(folder: Path, file: str, line: int, column: int, value: str) -> None:
    path = folder / file
    lines = path.read_text().splitlines()
    cells = lines[line - 1].split("\t")
    cells[column] = value
    lines[line - 1] = "\t".join(cells)
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("file", "column", "value", "phrase"),
    [
        ("orders.txt", 5, "soon", "column ready_time: 'soon' is not a whole number"),
        ("orders.txt", 4, "nowhere", "column restaurant: 'nowhere' is not a restaurant"),
        ("couriers.txt", 4, "0", "column off_time: '0' is not after the on time"),
        ("restaurants.txt", 1, "nan", "column x: 'nan' must be a finite number"),
        ("instance_parameters.txt", 0, "-3", "column meters_per_minute: '-3' must be a finite"),
    ],
)
def test_a_bad_cell_is_named_by_file_line_and_column(
    tmp_path: Path, file: str, column: int, value: str, phrase: str
) -> None:
    folder = copy_instance(NAMES[0], tmp_path / "bad")
    _corrupt(folder, file, 2, column, value)
    with pytest.raises(ScenarioError) as error:
        load_instance(folder)
    message = str(error.value)
    assert "\n" not in message
    assert f"{file}:2: {phrase}" in message


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    line=st.integers(2, 200),
    column=st.sampled_from([3, 5]),
    junk=st.sampled_from(["x", "1.5", "", "-"]),
)
def test_any_unreadable_time_is_reported_on_one_line_at_its_place(
    tmp_path: Path, line: int, column: int, junk: str
) -> None:
    folder = copy_instance(NAMES[1], tmp_path / f"h{line}_{column}")
    _corrupt(folder, "orders.txt", line, column, junk)
    with pytest.raises(ScenarioError) as error:
        load_instance(folder)
    name = "placement_time" if column == 3 else "ready_time"
    assert str(error.value).splitlines() == [str(error.value)]
    assert f"orders.txt:{line}: column {name}: {junk!r}" in str(error.value)


def test_a_missing_file_and_an_unknown_name_are_one_line(tmp_path: Path) -> None:
    folder = copy_instance(NAMES[0], tmp_path / "nocouriers")
    (folder / "couriers.txt").unlink()
    with pytest.raises(ScenarioError, match=r"couriers.txt: missing"):
        load_instance(folder)
    with pytest.raises(ScenarioError, match=r"not an instance folder nor a bundled"):
        load_instance("no_such_instance")
