"""Running per-file work in parallel processes.

Results stream back in task order as they are produced; syntax trees never
leave the worker that built them (only facts and diagnostics are sent back),
so memory stays flat however large the tree. Small batches run in-process:
starting workers costs more than it saves below ``MIN_PARALLEL`` tasks (or,
for tasks of known size, below ``MIN_PARALLEL_WEIGHT`` characters of source).

The cyclic garbage collector is paused while tasks run, here and in the
workers. Syntax trees and facts contain no reference cycles, so reference
counting frees them all the same, but the collector would otherwise re-scan
every tree under construction and every result already gathered: measured on
the standard library, a third of the facts phase went to it.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import multiprocessing.context

T = TypeVar("T")

MIN_PARALLEL = 24
MIN_PARALLEL_WEIGHT = 200_000  # characters: about 5,000 lines, ~0.5 s of libcst


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    # fork is much cheaper to start and inherits the already-imported rules;
    # elsewhere (macOS, Windows) spawn is the only safe choice. Imported here:
    # a run that stays in one process (pre-commit) need not pay for it.
    import multiprocessing

    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic collector for a batch of acyclic work; restore it after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _call_star(call: tuple[Callable[..., T], tuple[Any, ...]]) -> T:
    fn, args = call
    return fn(*args)


def run_tasks(
    fn: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    jobs: int,
    progress: Callable[[int], None] | None = None,
    weights: Sequence[int] | None = None,
) -> Iterator[T]:
    """Yield ``fn(*task)`` for each task, in order, using up to ``jobs`` processes.

    ``weights`` (e.g. each task's source size) let a few large tasks go
    parallel where task counting alone would keep them in-process.
    """
    with paused_gc():
        yield from _run(fn, tasks, jobs, progress, weights)


def _run(
    fn: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    jobs: int,
    progress: Callable[[int], None] | None,
    weights: Sequence[int] | None,
) -> Iterator[T]:
    heavy = weights is not None and len(tasks) > 1 and sum(weights) >= MIN_PARALLEL_WEIGHT
    if jobs <= 1 or (len(tasks) < MIN_PARALLEL and not heavy):
        for task in tasks:
            result = fn(*task)
            if progress:
                progress(1)
            yield result
        return
    workers = min(jobs, len(tasks))
    # Few, large tasks: one at a time, so the biggest do not queue behind each other.
    chunk = 1 if heavy else max(1, min(64, len(tasks) // (workers * 8)))
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=gc.disable)
    with pool:
        for result in pool.map(_call_star, ((fn, t) for t in tasks), chunksize=chunk):
            if progress:
                progress(1)
            yield result
