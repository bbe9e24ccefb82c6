"""Finding the Python files to analyse.

Directories are walked without following symbolic links to directories (no
loops, nothing outside the tree); ``exclude``/``extend-exclude`` patterns and
every ``.gitignore`` on the way are gitignore-style and apply relative to the
directory that declares them. Paths named on the command line are analysed
even if excluded, unless ``force-exclude`` is set (as in ruff).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pathspec

from ssot_lint.config import Settings

PYTHON_SUFFIXES = (".py", ".pyi")


class DiscoveryError(Exception):
    """A path the user named does not exist (a usage error, exit 2)."""


def absolute(path: Path) -> Path:
    """Absolute and normalised, but with symbolic links kept as the user sees them."""
    return Path(os.path.abspath(path))


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


class Discoverer:
    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = absolute(root)
        self.settings = settings
        patterns = [*settings.exclude, *settings.extend_exclude]
        self._exclude = _Ignore(self.root, pathspec.GitIgnoreSpec.from_lines(patterns))
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

    def _gitignore(self, directory: Path) -> _Ignore | None:
        if directory not in self._gitignores:
            found = None
            candidate = directory / ".gitignore"
            try:
                if candidate.is_file():
                    lines = candidate.read_text(encoding="utf-8", errors="replace").splitlines()
                    found = _Ignore(directory, pathspec.GitIgnoreSpec.from_lines(lines))
            except OSError:
                found = None  # an unreadable .gitignore ignores nothing
            self._gitignores[directory] = found
        return self._gitignores[directory]

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
                if self.settings.force_exclude and (
                    self._ignored(path, False) or self._below_excluded(path)
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
        stack = [(directory, self._rel(directory), self._chain(directory))]
        while stack:
            current, rel_dir, chain = stack.pop()
            try:
                entries = sorted(os.scandir(current), key=lambda e: e.name)
            except OSError:
                continue  # unreadable directory: nothing to analyse in it
            parent_ignored = named_excluded and self._ignored(current, True)
            for entry in entries:
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if not is_dir and not entry.name.endswith(PYTHON_SUFFIXES):
                    continue
                rel = (
                    None
                    if rel_dir is None
                    else (f"{rel_dir}/{entry.name}" if rel_dir else entry.name)
                )
                if parent_ignored:
                    if self._name_ignored(current, entry.name, is_dir):
                        continue
                elif rel is not None and self._rel_ignored(rel, is_dir, chain):
                    continue
                path = Path(entry.path)
                if is_dir:
                    inner = chain
                    if rel is not None and self.settings.respect_gitignore:
                        local = self._gitignore(path)
                        if local is not None:
                            inner = [*chain, (local, rel)]
                    stack.append((path, rel, inner))
                else:
                    out.append(path)
        return out

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
