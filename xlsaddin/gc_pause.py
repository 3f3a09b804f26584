"""Pause Python's cyclic garbage collector during bulk work.

Consolidation unpickles, builds and writes tens of thousands of small, acyclic
objects; each allocation burst triggers full collections that walk the whole
heap again (measured: 0.1-0.2 s of a 0.6 s consolidation). Reference counting
still frees everything as usual; cycles are collected once the block ends.
Worker processes re-enable the collector when they start. Use it as a context
manager or as a decorator (``@gc_paused()``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
