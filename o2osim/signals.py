"""SIGTERM handled like Ctrl-C, so a terminated run cleans up like an interrupted one.

A process manager (systemd, a batch scheduler, ``kill``) stops a run with
SIGTERM. Raising :class:`Terminated`, a KeyboardInterrupt, unwinds the same
``finally`` blocks as Ctrl-C: temporary folders are removed and pool workers
are stopped. This module must not import anything of o2osim.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwind like Ctrl-C so temporary folders and workers are cleaned up."""


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (main thread only)."""

    def handler(signum: int, frame: object) -> None:
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (e.g. called from a notebook worker)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
