"""Run a function over chunks of a large list in worker processes, one per core.

Validating and rendering are independent per record, so a large knowledge
base is split between the cores. Small inputs (tests, a contributor's
checkout) stay in one process, where a traceback is easier to read. Workers
are forked, so they start at once and share what the parent already loaded;
where fork is unavailable everything runs in this process.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

MINIMUM = 1000  # items below which one process is faster than starting others

# The work of the current map_chunks call. Forked workers inherit it, so only the bounds of
# each chunk travel to them, not the items (nor what the function carries, such as every record).
_work: tuple[Callable[[list], list], list] | None = None


def _run(start: int, stop: int) -> list:
    function, items = _work
    return function(items[start:stop])


def map_chunks(function: Callable[[list], list], items: list, minimum: int = MINIMUM) -> list:
    """function(chunk) -> list of results, applied to chunks of items; results keep the items' order."""
    global _work
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if len(items) < minimum or cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return function(items)
    size = -(-len(items) // cores)
    starts = list(range(0, len(items), size))
    _work = (function, items)
    try:
        with ProcessPoolExecutor(max_workers=cores, mp_context=multiprocessing.get_context("fork")) as pool:
            results = []
            for part in pool.map(_run, starts, [start + size for start in starts]):
                results.extend(part)
    finally:
        _work = None
    return results
