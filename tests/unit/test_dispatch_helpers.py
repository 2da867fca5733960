"""Dispatch helpers as plain functions: the nearest-neighbour tour and the next cut-off."""

from __future__ import annotations

import math

import pytest

from o2osim.dispatch import nearest_neighbour, nearest_neighbour_tour
from o2osim.facilities.warehouse import next_departure


def test_nearest_neighbour_tour_and_policy():
    x = [0.0, 5.0, 1.0, 3.0, 10.0]
    y = [0.0] * 5
    assert nearest_neighbour_tour([1, 3, 4, 2], (0.0, 0.0), x, y) == [2, 3, 1, 4]

    class View:
        capacity, window, depot = 3, 5.0, (0.0, 0.0)

        def __init__(self) -> None:
            self.ready = [0.0, 1.0, 2.0, 3.0, 4.0]
            self.x, self.y = x, y

    # Window still open and the batch not full: wait until the oldest order's window closes.
    assert nearest_neighbour([4, 1], 2.0, View()) == ([], 9.0)
    # The oldest order (4, far out) always goes, with its nearest waiting neighbours.
    stops, wake = nearest_neighbour([4, 0, 2, 1, 3], 9.0, View())
    assert stops == [3, 1, 4] and wake == math.inf


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (0.0, 720.0),
        (719.0, 720.0),
        (720.0, 1260.0),
        (1300.0, 1440 + 720.0),
        (1260.0, 2160.0),
    ],
)
def test_next_departure_is_the_next_cut_off(now, expected):
    assert next_departure(now, [1260.0, 720.0]) == expected
