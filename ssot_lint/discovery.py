"""Finding the Python files to analyse.

Directories are walked without following symbolic links to directories (no
loops, nothing outside the tree); ``exclude``/``extend-exclude`` patterns and
every ``.gitignore`` on the way are gitignore-style and apply relative to the
directory that declares them. Paths named on the command line are analysed
even if excluded, unless ``force-exclude`` is set (as in ruff).

Given the previous walk's ``WalkMemo``, directories unchanged since then are
not listed again (``walk_memo.py``); pathspec is imported only when some
directory has to be.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ssot_lint.config import Settings
from ssot_lint.walk_memo import Entry, WalkMemo, ignore_stat

if TYPE_CHECKING:
    import pathspec

PYTHON_SUFFIXES = (".py", ".pyi")


class DiscoveryError(Exception):
    """A path the user named does not exist (a usage error, exit 2)."""


def absolute(path: Path) -> Path:
    """Absolute and normalised, but with symbolic links kept as the user sees them."""
    return Path(os.path.abspath(path))


def gitignore_spec(lines: list[str]) -> pathspec.PathSpec:
    # pathspec (with typing_extensions, ~12 ms) loads only for a walk that
    # has patterns to ask.
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def any_pattern(spec: pathspec.PathSpec) -> re.Pattern[str] | None:
    """One regex matching wherever some pattern of ``spec`` matches.

    Most paths match no pattern at all; one search tells so, where
    ``check_file`` tries every pattern in turn (a third of a warm run's walk).
    None: no prefilter (a pattern this cannot combine), ask ``check_file``.
    """
    parts = []
    for pattern in spec.patterns:
        if pattern.include is None:
            continue  # comments and blank lines
        regex = getattr(pattern, "regex", None)
        if not isinstance(regex, re.Pattern) or not isinstance(regex.pattern, str):
            return None
        # Named groups cannot repeat across alternatives; only their span matters.
        parts.append(f"(?:{re.sub(r'[(][?]P<[^>]+>', '(?:', regex.pattern)})")
    if not parts:
        return re.compile(r"(?!)")  # matches nothing
    try:
        return re.compile("|".join(parts))
    except re.error:
        return None


@dataclass
class _Ignore:
    base: Path
    spec: pathspec.PathSpec
    any_pattern: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        self.any_pattern = any_pattern(self.spec)

    def verdict(self, path: Path, is_dir: bool) -> bool | None:
        """True: ignored, False: re-included by a ``!`` pattern, None: not mentioned."""
        try:
            rel = path.relative_to(self.base).as_posix()
        except ValueError:
            return None
        return self.verdict_rel(rel, is_dir)

    def verdict_rel(self, rel: str, is_dir: bool) -> bool | None:
        """``verdict`` for a path already made relative to ``base`` (POSIX)."""
        if rel in ("", "."):
            return None
        path = rel + "/" if is_dir else rel
        if self.any_pattern is not None and self.any_pattern.match(path) is None:
            return None
        return self.spec.check_file(path).include

    def matches(self, path: Path, is_dir: bool) -> bool:
        return self.verdict(path, is_dir) is True


def _child_rel(rel_dir: str | None, name: str) -> str | None:
    """An entry's path relative to the root, from its directory's (None: outside)."""
    if rel_dir is None:
        return None
    return f"{rel_dir}/{name}" if rel_dir else name


def _mtime_ns(directory: Path) -> int | None:
    try:
        return os.stat(directory).st_mtime_ns
    except OSError:
        return None


class Discoverer:
    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = absolute(root)
        self.settings = settings
        self._exclude_ignore: _Ignore | None = None
        self._gitignores: dict[Path, _Ignore | None] = {}
        # .gitignore files above the project root count up to the repository's
        # top (a project may be a sub-directory of a git repository).
        self._outer: list[Path] = []
        if settings.respect_gitignore and not (self.root / ".git").exists():
            for directory in self.root.parents:
                self._outer.insert(0, directory)
                if (directory / ".git").exists():
                    break
            else:
                self._outer = []  # not in a repository: only the project's own files
        self._previous: WalkMemo | None = None
        # This walk's memo; ``memo_changed`` says whether it needs storing.
        self.memo = WalkMemo(started_ns=time.time_ns())
        self.memo_changed = True
        # Files a walk from inside the root kept: by definition not excluded.
        self._kept: set[Path] = set()

    def start_from(self, memo: WalkMemo) -> None:
        """Reuse what a previous walk with the same ``memo_key`` recorded."""
        if not memo.still_valid():
            return
        self._previous = memo
        self.memo_changed = False
        # The previous listings, replaced wherever a directory is listed again.
        self.memo.ignore_files = dict(memo.ignore_files)
        self.memo.listings = {
            rel: (mtime, entries)
            for rel, (mtime, entries) in memo.listings.items()
            if memo.entries(rel, mtime) is not None  # racy ones are dropped
        }

    def memo_key(self) -> tuple[str, ...]:
        """What a ``WalkMemo`` of this root is only valid for."""
        return (
            "walk",
            str(self.root),
            repr(self.settings.exclude),
            repr(self.settings.extend_exclude),
            str(self.settings.respect_gitignore),
            *map(str, self._outer),
        )

    @property
    def _exclude(self) -> _Ignore:
        if self._exclude_ignore is None:
            patterns = [*self.settings.exclude, *self.settings.extend_exclude]
            self._exclude_ignore = _Ignore(self.root, gitignore_spec(patterns))
        return self._exclude_ignore

    def _gitignore(self, directory: Path) -> _Ignore | None:
        if directory not in self._gitignores:
            found = None
            candidate = directory / ".gitignore"
            try:
                exists = candidate.is_file()
                # Inside the root, a .gitignore that appears changes its
                # directory's time; above it, only its absence recorded tells.
                if exists or directory in self._outer:
                    self._record_ignore_file(str(candidate))
                if exists:
                    lines = candidate.read_text(encoding="utf-8", errors="replace").splitlines()
                    found = _Ignore(directory, gitignore_spec(lines))
            except OSError:
                found = None  # an unreadable .gitignore ignores nothing
            self._gitignores[directory] = found
        return self._gitignores[directory]

    def _record_ignore_file(self, path: str) -> None:
        stat = ignore_stat(path)
        if self.memo.ignore_files.get(path, False) != stat:
            self.memo.ignore_files[path] = stat
            self.memo_changed = True

    def _ignored(self, path: Path, is_dir: bool) -> bool:
        if path != self.root and self._exclude.matches(path, is_dir):
            return True
        if not self.settings.respect_gitignore or path == self.root:
            return False
        if not path.is_relative_to(self.root):
            return False
        # Every .gitignore from the top down to the path's directory applies;
        # as in git, a deeper file overrides a shallower one (``!keep.py``).
        chain = [*self._outer]
        directory = self.root
        chain.append(directory)
        for part in path.relative_to(self.root).parts[:-1]:
            directory = directory / part
            chain.append(directory)
        verdict: bool | None = None
        for d in chain:
            ignore = self._gitignore(d)
            if ignore is not None:
                this = ignore.verdict(path, is_dir)
                if this is not None:
                    verdict = this
        return verdict is True

    def discover(self, paths: list[Path]) -> list[Path]:
        """Python files under ``paths`` (sorted, without duplicates)."""
        found: dict[Path, None] = {}
        for raw in paths:
            path = absolute(raw)
            if not os.path.lexists(path):
                raise DiscoveryError(f"path does not exist: {raw}")
            if path.is_symlink() and path.is_dir():
                continue  # a symbolic link to a directory is never followed
            if path.is_dir():
                excluded = self._ignored(path, True) or self._below_excluded(path)
                if excluded and self.settings.force_exclude:
                    continue
                for file in self._walk(path, named_excluded=excluded):
                    found[file] = None
            else:
                if (
                    self.settings.force_exclude
                    and path not in self._kept
                    and (self._ignored(path, False) or self._below_excluded(path))
                ):
                    continue
                found[path] = None
        return sorted(found)

    def _below_excluded(self, path: Path) -> bool:
        """Whether a directory between the root and ``path`` is excluded."""
        if not path.is_relative_to(self.root):
            return False
        directory = self.root
        for part in path.relative_to(self.root).parts[:-1]:
            directory = directory / part
            if self._ignored(directory, True):
                return True
        return False

    def _name_ignored(self, directory: Path, name: str, is_dir: bool) -> bool:
        if self._exclude.verdict_rel(name, is_dir) is True:
            return True
        local = self._gitignore(directory) if self.settings.respect_gitignore else None
        return local is not None and local.verdict_rel(name, is_dir) is True

    def _walk(self, directory: Path, *, named_excluded: bool = False) -> list[Path]:
        """Python files below ``directory``, not following links to directories.

        ``named_excluded``: the user named an excluded directory explicitly. Its
        contents are then analysed (as in ruff), so a pattern that matches only
        because the named directory matches (``build`` for ``build/x.py``) must
        not exclude them: below an excluded directory, an entry is excluded
        when its own name matches (``.venv``, ``*_pb2.py``).

        Paths are handled as strings relative to the root, and each directory
        carries the .gitignore files that apply to it: ``pathlib`` arithmetic
        per entry cost more than the whole walk.
        """
        out: list[Path] = []
        # A directory's chain is worked out only if it has to be listed.
        start = self._rel(directory)
        stack: list[tuple[Path, str | None, list[tuple[_Ignore, str]] | None]] = [
            (directory, start, None)
        ]
        # Listings hold what a walk keeps by the root's own rules.
        remember = not named_excluded
        visited: set[str] = set()
        while stack:
            current, rel_dir, chain = stack.pop()
            if rel_dir is not None:
                visited.add(rel_dir)
            memo_rel = rel_dir if remember else None  # None: this listing is not memoised
            # Taken before any listing: a change made while listing shows as
            # a newer time next run.
            mtime_ns = _mtime_ns(current) if memo_rel is not None else None
            kept = None
            if memo_rel is not None and mtime_ns is not None and self._previous is not None:
                kept = self._previous.entries(memo_rel, mtime_ns)
            if kept is None:
                if chain is None:
                    chain = self._chain(current)
                listed = self._list(current, rel_dir, chain, named_excluded)
                if listed is not None and memo_rel is not None and mtime_ns is not None:
                    self._remember(current, memo_rel, mtime_ns, listed)
                kept = listed or ()
            base = str(current)
            for name, is_dir in kept:
                path = Path(os.path.join(base, name))
                if not is_dir:
                    out.append(path)
                    continue
                rel = _child_rel(rel_dir, name)
                inner = chain
                if chain is not None and rel is not None and self.settings.respect_gitignore:
                    local = self._gitignore(path)
                    if local is not None:
                        inner = [*chain, (local, rel)]
                stack.append((path, rel, inner))
        if remember and start is not None:
            self._kept.update(out)
        if remember and start == "":
            # A walk of the whole root saw every directory there is.
            gone = [rel for rel in self.memo.listings if rel not in visited]
            for rel in gone:
                del self.memo.listings[rel]
            self.memo_changed = self.memo_changed or bool(gone)
        return out

    def _list(
        self,
        current: Path,
        rel_dir: str | None,
        chain: list[tuple[_Ignore, str]],
        named_excluded: bool,
    ) -> tuple[Entry, ...] | None:
        """The entries of ``current`` a walk keeps, read from the disk; None
        for an unreadable directory (nothing to analyse in it)."""
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            return None
        parent_ignored = named_excluded and self._ignored(current, True)
        kept: list[Entry] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if not is_dir and not entry.name.endswith(PYTHON_SUFFIXES):
                continue
            rel = _child_rel(rel_dir, entry.name)
            if parent_ignored:
                if self._name_ignored(current, entry.name, is_dir):
                    continue
            elif rel is not None and self._rel_ignored(rel, is_dir, chain):
                continue
            kept.append((entry.name, is_dir))
        return tuple(kept)

    def _remember(
        self, current: Path, rel_dir: str, mtime_ns: int, kept: tuple[Entry, ...]
    ) -> None:
        if self._previous is not None and self.settings.respect_gitignore:
            # A .gitignore that appeared (or went) here changes what the
            # previous walk kept below: trust none of it from now on.
            path = str(current / ".gitignore")
            if (path in self._previous.ignore_files) != (self._gitignore(current) is not None):
                self._previous = None
        if self.memo.listings.get(rel_dir) != (mtime_ns, kept):
            self.memo.listings[rel_dir] = (mtime_ns, kept)
            self.memo_changed = True

    def _rel(self, path: Path) -> str | None:
        """POSIX path relative to the root ('' for the root), None outside it."""
        absolute_path = absolute(path)
        if not absolute_path.is_relative_to(self.root):
            return None
        rel = absolute_path.relative_to(self.root).as_posix()
        return "" if rel == "." else rel

    def _chain(self, directory: Path) -> list[tuple[_Ignore, str]]:
        """The .gitignore files that apply inside ``directory``, outermost first,
        each with its directory relative to the root; for one above the root,
        "/" and the root's path relative to it."""
        if not self.settings.respect_gitignore or self._rel(directory) is None:
            return []
        chain: list[tuple[_Ignore, str]] = []
        for outer in self._outer:
            ignore = self._gitignore(outer)
            if ignore is not None:
                # Above the root: paths are the root's own path below it, then rel.
                chain.append((ignore, "/" + self.root.relative_to(outer).as_posix()))
        current = self.root
        rel = ""
        for part in ["", *Path(self._rel(directory) or "").parts]:
            if part:
                current = current / part
                rel = f"{rel}/{part}" if rel else part
            ignore = self._gitignore(current)
            if ignore is not None:
                chain.append((ignore, rel))
        return chain

    def _rel_ignored(self, rel: str, is_dir: bool, chain: list[tuple[_Ignore, str]]) -> bool:
        """``_ignored`` for a path given relative to the root."""
        if self._exclude.verdict_rel(rel, is_dir) is True:
            return True
        # As in git, a deeper .gitignore overrides a shallower one (``!keep.py``).
        verdict: bool | None = None
        for ignore, base in chain:
            if base.startswith("/"):  # above the root
                inner = f"{base[1:]}/{rel}"
            elif base:
                inner = rel[len(base) + 1 :]
            else:
                inner = rel
            this = ignore.verdict_rel(inner, is_dir)
            if this is not None:
                verdict = this
        return verdict is True
