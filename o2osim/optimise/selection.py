"""Ranking and selection: the KN procedure of Kim & Nelson (2001).

Kim, S.-H. and Nelson, B. L. (2001) "A fully sequential procedure for
indifference-zone selection in simulation", ACM TOMACS 11(3), 251-273. With
normal observations, common random numbers allowed (variances of *differences*
are used), it selects the system with the largest mean with probability at least
``1 - alpha`` whenever that mean beats every other by at least the indifference
zone ``delta``; inside the zone any system it picks is within ``delta`` of the best.

The paper's formulas, implemented as written (with its c = 1):

- eta = 1/2 [ (2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1 ],  h^2 = 2 eta (n0 - 1);
- after n0 observations of every system, S_il^2 = sample variance of X_ij - X_lj;
- at stage r, system i survives if Xbar_i(r) >= Xbar_l(r) - W_il(r) for every other
  survivor l, with W_il(r) = max(0, delta / (2 r) (h^2 S_il^2 / delta^2 - r));
- stop when one system survives; else one more observation of each survivor.

Replication ``r`` of every system should share its random numbers (the caller's
``draw`` decides). If ``max_replications`` stops the procedure first, the
survivor with the best mean is returned and ``guaranteed`` is False. This
module is statistics only: it never runs the model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

#: draw(systems, replications) -> observations, one row per system, one column per rep.
Draw = Callable[[Sequence[int], range], np.ndarray]


@dataclass(frozen=True)
class Selection:
    """The outcome of :func:`kn_select`."""

    best: int
    means: tuple[float, ...]
    replications: tuple[int, ...]
    eliminated_at: tuple[int | None, ...]
    guaranteed: bool
    alpha: float
    delta: float

    @property
    def total(self) -> int:
        return int(sum(self.replications))


def kn_constants(k: int, alpha: float, n0: int) -> tuple[float, float]:
    """(eta, h^2) of KN for ``k`` systems, error ``alpha`` and first stage ``n0``."""
    if k < 2 or n0 < 2 or not 0 < alpha < 1 - 1 / k:
        raise ValueError("KN needs k >= 2, n0 >= 2 and 0 < alpha < 1 - 1/k")
    eta = 0.5 * ((2 * alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1)
    return eta, 2 * eta * (n0 - 1)


def kn_select(
    draw: Draw,
    k: int,
    alpha: float,
    delta: float,
    n0: int,
    *,
    maximise: bool = True,
    max_replications: int | None = None,
) -> Selection:
    """Select the best of ``k`` systems by KN (see the module docstring)."""
    if delta <= 0:
        raise ValueError("the indifference zone delta must be > 0")
    _, h2 = kn_constants(k, alpha, n0)
    sign = 1.0 if maximise else -1.0
    data = [list(row) for row in sign * np.asarray(draw(range(k), range(n0)), dtype=float)]
    first = np.array(data)
    diffs = first[:, None, :] - first[None, :, :]  # X_ij - X_lj
    s2 = diffs.var(axis=2, ddof=1)
    alive = list(range(k))
    eliminated: list[int | None] = [None] * k
    r = n0
    limit = max_replications if max_replications is not None else np.inf
    while True:
        means = np.array([np.mean(data[i][:r]) for i in range(k)])
        old = list(alive)
        for i in old:
            for other in old:
                if other == i:
                    continue
                w = max(0.0, delta / (2 * r) * (h2 * s2[i, other] / delta**2 - r))
                if means[i] < means[other] - w:
                    alive.remove(i)
                    eliminated[i] = r
                    break
        if len(alive) <= 1 or r >= limit:
            break
        new = np.asarray(draw(alive, range(r, r + 1)), dtype=float) * sign
        for row, i in enumerate(alive):
            data[i].append(float(new[row, 0]))
        r += 1
    if not alive:  # all eliminated on one stage (ties): keep the best mean of that stage
        alive = [max(old, key=lambda i: means[i])]
    best = max(alive, key=lambda i: means[i])
    return Selection(
        best=best,
        means=tuple(float(sign * np.mean(row)) for row in data),
        replications=tuple(len(row) for row in data),
        eliminated_at=tuple(eliminated),
        guaranteed=len(alive) == 1,
        alpha=alpha,
        delta=delta,
    )
