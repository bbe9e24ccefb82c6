"""Running per-file work in parallel processes.

Results stream back in task order as they are produced; syntax trees never
leave the worker that built them (only facts and diagnostics are sent back),
so memory stays flat however large the tree. Small batches run in-process:
starting workers costs more than it saves below ``MIN_PARALLEL`` tasks.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

MIN_PARALLEL = 24


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    # fork is much cheaper to start and inherits the already-imported rules;
    # elsewhere (macOS, Windows) spawn is the only safe choice.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _call_star(call: tuple[Callable[..., T], tuple[Any, ...]]) -> T:
    fn, args = call
    return fn(*args)


def run_tasks(
    fn: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[T]:
    """Yield ``fn(*task)`` for each task, in order, using up to ``jobs`` processes."""
    if jobs <= 1 or len(tasks) < MIN_PARALLEL:
        for task in tasks:
            result = fn(*task)
            if progress:
                progress(1)
            yield result
        return
    workers = min(jobs, len(tasks))
    chunk = max(1, min(64, len(tasks) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        for result in pool.map(_call_star, ((fn, t) for t in tasks), chunksize=chunk):
            if progress:
                progress(1)
            yield result
