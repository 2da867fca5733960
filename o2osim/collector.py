"""When Python's cyclic garbage collector runs during :func:`o2osim.simulate`.

A run makes millions of objects and, once it has run, turns them into tables: left
alone, the collector would walk the whole heap again and again for garbage that is
freed by reference counting anyway, and each full collection also walks every object
that existed before the run (a notebook's, or the imported modules: ~75 ms). These
context managers only change when the collector looks; they must not keep or free
anything themselves.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    """Hide the objects that exist already from the collector for the block, so its
    collections walk only what the block made. Not done if the caller has frozen
    objects itself (unfreezing would undo that)."""
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection in the block (an explicit ``gc.collect()`` still runs)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
