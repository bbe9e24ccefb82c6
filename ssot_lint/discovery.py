"""Finding the Python files to analyse.

Directories are walked without following symbolic links to directories (no
loops, nothing outside the tree); ``exclude``/``extend-exclude`` patterns and
every ``.gitignore`` on the way are gitignore-style and apply relative to the
directory that declares them. Paths named on the command line are analysed
even if excluded, unless ``force-exclude`` is set (as in ruff).
"""

from __future__ import annotations

import os
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


@dataclass
class _Ignore:
    base: Path
    spec: pathspec.PathSpec

    def matches(self, path: Path, is_dir: bool) -> bool:
        try:
            rel = path.relative_to(self.base).as_posix()
        except ValueError:
            return False
        return self.spec.match_file(rel + "/" if is_dir else rel)


class Discoverer:
    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = absolute(root)
        self.settings = settings
        patterns = [*settings.exclude, *settings.extend_exclude]
        self._exclude = _Ignore(self.root, pathspec.GitIgnoreSpec.from_lines(patterns))
        self._gitignores: dict[Path, _Ignore | None] = {}

    def _gitignore(self, directory: Path) -> _Ignore | None:
        if directory not in self._gitignores:
            found = None
            candidate = directory / ".gitignore"
            if self.settings.respect_gitignore and candidate.is_file():
                try:
                    lines = candidate.read_text(encoding="utf-8", errors="replace").splitlines()
                    found = _Ignore(directory, pathspec.GitIgnoreSpec.from_lines(lines))
                except OSError:
                    found = None
            self._gitignores[directory] = found
        return self._gitignores[directory]

    def _ignored(self, path: Path, is_dir: bool) -> bool:
        if path != self.root and self._exclude.matches(path, is_dir):
            return True
        if not self.settings.respect_gitignore or not path.is_relative_to(self.root):
            return False
        # Every .gitignore from the root down to the path's directory applies.
        directory = path.parent
        chain = []
        while directory.is_relative_to(self.root):
            chain.append(directory)
            if directory == self.root:
                break
            directory = directory.parent
        return any(
            ignore.matches(path, is_dir)
            for d in chain
            if (ignore := self._gitignore(d)) is not None
        )

    def discover(self, paths: list[Path]) -> list[Path]:
        found: dict[Path, None] = {}
        for raw in paths:
            path = absolute(raw)
            if not os.path.lexists(path):
                raise DiscoveryError(f"path does not exist: {raw}")
            if path.is_dir() and not path.is_symlink():
                if self.settings.force_exclude and self._ignored(path, True):
                    continue
                for file in self._walk(path):
                    found[file] = None
            elif path.is_dir():
                continue  # a symlink to a directory named explicitly: not followed
            else:
                if self.settings.force_exclude and self._ignored(path, False):
                    continue
                found[path] = None
        return sorted(found)

    def _walk(self, directory: Path) -> list[Path]:
        out: list[Path] = []
        stack = [directory]
        while stack:
            current = stack.pop()
            try:
                entries = sorted(os.scandir(current), key=lambda e: e.name)
            except OSError:
                continue  # unreadable directory: nothing to analyse in it
            for entry in entries:
                path = Path(entry.path)
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if is_dir:
                    if not self._ignored(path, True):
                        stack.append(path)
                elif entry.name.endswith(PYTHON_SUFFIXES) and not self._ignored(path, False):
                    out.append(path)
        return out
