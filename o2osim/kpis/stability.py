"""Does a run look unstable? The reasons behind ``overall/all/unstable``.

A layout whose demand outruns a resource does not settle: its queue grows for as
long as orders arrive, its averages depend on the horizon, and the drain cannot
end its orders. Two signs, each named with its figure:

- **orders that never ended**: more than :data:`CENSORED_SHARE` of the counted
  orders, overall or of a channel, still in flight when the drain stopped (a run
  without a drain, ``scenario.drain = "0s"``, cuts orders by design: this sign is
  not read then);
- **a queue that grows**: on the last day of the counted span (the 24 hours
  before the horizon) a resource's queue never emptied (every snapshot of
  ``resources`` had someone waiting), and either its servers were busy at least
  :data:`SATURATED` of the time they were open (warm-up to horizon), or its mean
  queue that day was at least :data:`GROWTH` times the first day's (the 24 hours
  after the warm-up).

A stable queue with daily ups and downs empties at least once a day (every
bundled scenario's resources do), and a peak day whose queue clears overnight is
not flagged. The rule reads tables only, so ``o2osim report RUN_DIR`` gives the
same verdict; :func:`o2osim.simulate` also prints each reason as a warning and
lists them in the manifest (``unstable``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..tables import rows_where
from ..units import DAY, format_duration
from .registry import KpiInput
from .survival import CENSORED, orders_placed


class UnstableRunWarning(UserWarning):
    """A run looks unstable (see the module docstring); the message names the figure."""


#: A censored share above this (after the drain) marks the run unstable.
CENSORED_SHARE = 0.05
#: Busy server-minutes over open server-minutes at or above this: saturated.
SATURATED = 0.99
#: Last day's mean queue at least this many times the first day's: growing.
GROWTH = 3.0


def instability(source: KpiInput) -> list[str]:
    """Why the run looks unstable, one sentence per sign (empty: it does not)."""
    return censoring_reasons(source) + queue_reasons(source)


def censoring_reasons(source: KpiInput) -> list[str]:
    """Overall and per channel: a censored share above :data:`CENSORED_SHARE`."""
    meta, counted = source.scenario.scenario, source.counted
    if meta.drain <= 0:
        return []  # without a drain, censoring tells the horizon from the lead time only
    drain = format_duration(meta.drain)
    channels = list(source.scenario.channels)
    groups = [("all orders", counted)] + [
        (f"channel {name}", rows_where(counted, counted["channel"] == name))
        for name in (channels if len(channels) > 1 else ())
    ]
    reasons = []
    for label, orders in groups:
        placed = orders_placed(orders)
        censored = int((orders["outcome"] == CENSORED).sum())
        if placed and censored / placed > CENSORED_SHARE:
            reasons.append(
                f"{label}: {censored / placed:.1%} still in flight after the {drain} drain "
                f"({censored:,} of {placed:,} orders; above {CENSORED_SHARE:.0%})"
            )
    return reasons


def queue_reasons(source: KpiInput) -> list[str]:
    """Each resource whose queue never emptied on the last day and was saturated or grew."""
    meta = source.scenario.scenario
    snapshots = source.run.resources
    if not len(snapshots):
        return []
    stats = source.run.stats
    reasons = []
    for name, queue in _window_queues(snapshots, meta.warmup, meta.horizon).items():
        times, lengths = queue
        last = lengths[times >= meta.horizon - DAY]
        first = lengths[times < meta.warmup + DAY]
        if not len(last) or last.min() <= 0:
            continue  # the queue emptied on the last day: no backlog carried
        utilisation = stats.get(name, {}).get("utilisation", np.nan)
        saturated = utilisation >= SATURATED
        grew = last.mean() >= GROWTH * first.mean()
        if saturated or grew:
            signs = [f"utilisation {utilisation:.3f}" + (f" (>= {SATURATED})" if saturated else "")]
            signs.append(
                f"mean queue {first.mean():,.1f} on the first day, {last.mean():,.1f} on the "
                "last" + (f" (>= {GROWTH:g}x)" if grew else "")
            )
            reasons.append(
                f"resource {name}: queue never empty on the last day; " + "; ".join(signs)
            )
    return reasons


def _window_queues(
    snapshots: pd.DataFrame, warmup: float, horizon: float
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per resource: snapshot times and queue lengths from the warm-up to the horizon."""
    time = snapshots["time"].to_numpy()
    inside = snapshots[(time >= warmup) & (time < horizon)]
    return {
        str(name): (group["time"].to_numpy(), group["queue"].to_numpy())
        for name, group in inside.groupby("resource", observed=True, sort=False)
    }
