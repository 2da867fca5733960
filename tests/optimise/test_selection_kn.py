"""KN (Kim & Nelson 2001) on synthetic systems whose best is known.

Normal observations with a common component in each replication (as common random
numbers make them), the best system ``delta`` better than the others (the slippage
configuration, where KN's bound is tight). Over many macro-replications the share of
correct selections must not be significantly below 1 - alpha (one-sided binomial
test at 0.1%).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from scipy import stats

from o2osim.optimise import kn_constants, kn_select

K, ALPHA, DELTA, N0 = 5, 0.05, 0.5, 10
MACRO = 300


def _systems(rng: np.random.Generator, means: np.ndarray):
    common: list[float] = []

    def draw(systems: Sequence[int], reps: range) -> np.ndarray:
        while len(common) < reps.stop:  # one shared draw per replication: CRN
            common.append(float(rng.normal(0.0, 1.0)))
        own = rng.normal(0.0, 1.0, size=(len(systems), len(reps)))
        return means[list(systems)][:, None] + np.array(common[reps.start : reps.stop]) + own

    return draw


@pytest.mark.parametrize("maximise", [True, False])
def test_kn_picks_the_best_at_least_one_minus_alpha_of_the_time(maximise: bool) -> None:
    rng = np.random.default_rng(20011)
    best = 3
    means = np.zeros(K)
    means[best] = DELTA if maximise else -DELTA
    correct, runs = 0, []
    for _ in range(MACRO):
        result = kn_select(_systems(rng, means), K, ALPHA, DELTA, N0, maximise=maximise)
        correct += result.best == best and result.guaranteed
        runs.append(result.total)
    floor = stats.binom.ppf(0.001, MACRO, 1 - ALPHA)
    assert correct >= floor, f"{correct}/{MACRO} correct, below the binomial floor {floor}"
    # Sequential: fewer observations than running every system to the largest N_i.
    assert np.mean(runs) < K * 4 * N0


def test_kn_constants_follow_the_paper() -> None:
    # eta = 1/2 [(2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1]; h^2 = 2 eta (n0 - 1).
    eta, h2 = kn_constants(K, ALPHA, N0)
    assert eta == pytest.approx(0.5 * ((2 * 0.05 / 4) ** (-2 / 9) - 1))
    assert h2 == pytest.approx(2 * eta * 9)
    with pytest.raises(ValueError):
        kn_constants(1, ALPHA, N0)


def test_kn_stops_at_the_replication_limit_without_a_guarantee() -> None:
    rng = np.random.default_rng(5)
    equal = np.zeros(K)  # no best: KN cannot finish quickly
    result = kn_select(_systems(rng, equal), K, ALPHA, DELTA, N0, max_replications=N0 + 2)
    assert not result.guaranteed
    assert max(result.replications) <= N0 + 2
