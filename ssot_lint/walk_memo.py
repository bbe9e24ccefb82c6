"""What the last walk of the project found, directory by directory.

Like git's untracked cache: a directory's modification time changes when an
entry is added, removed or renamed in it, and only then. A directory whose
time has not moved since the last walk listed it holds the same entries, so
its kept entries (Python files and sub-directories that no exclude pattern
or ``.gitignore`` removes) are taken from here, without listing it and
without asking a single pattern. A pre-commit run on an unchanged tree then
stats its ~150 directories instead of listing 1,800 entries, and never
imports pathspec.

What else a directory's verdicts depend on is checked before anything is
trusted: the exclude settings and the repository's outer ``.gitignore``
chain are part of the memo's key, and every ``.gitignore`` the walk read is
recorded by its stat (a ``.gitignore`` edited in place does not touch its
directory's time). A ``.gitignore`` that appeared since is seen when its
directory is listed again, which drops the memo for the rest of the walk.

As in the stat index (``cache.py``), a time within ``RACY_SECONDS`` of the
walk that recorded it is not trusted: the directory may have changed again
in the same clock tick.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

RACY_NS = 2_000_000_000

# name, is_dir
Entry = tuple[str, bool]
# mtime_ns, size, inode; None: the file did not exist
IgnoreStat = tuple[int, int, int] | None


def ignore_stat(path: str) -> IgnoreStat:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


@dataclass
class WalkMemo:
    """Kept entries per directory (relative to the root), with the directory's
    time when listed, and the stat of each ``.gitignore`` read."""

    started_ns: int = 0  # when the walk that wrote this began
    listings: dict[str, tuple[int, tuple[Entry, ...]]] = field(default_factory=dict)
    ignore_files: dict[str, IgnoreStat] = field(default_factory=dict)

    def still_valid(self) -> bool:
        """Whether every ``.gitignore`` is as it was when the walk read it."""
        return all(ignore_stat(path) == recorded for path, recorded in self.ignore_files.items())

    def entries(self, rel_dir: str, mtime_ns: int) -> tuple[Entry, ...] | None:
        """The kept entries of a directory not changed since listed, else None."""
        found = self.listings.get(rel_dir)
        if found is None or found[0] != mtime_ns:
            return None
        if mtime_ns >= self.started_ns - RACY_NS:
            return None
        return found[1]
