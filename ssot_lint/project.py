"""The project index: every file's facts, and the questions asked of them.

Built once per run from the per-file facts (never from syntax trees), it
answers what cross-file rules, the knowledge handed to per-file rules, and the
import graph need: which module is where, and what a dotted name denotes
after following re-exports and aliases.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

import pathspec

from ssot_lint.config import Settings
from ssot_lint.facts import FileFacts
from ssot_lint.source import ProjectLayout


@dataclass
class ProjectFile:
    path: Path  # absolute
    rel_path: str  # project-relative POSIX
    facts: FileFacts
    is_test: bool
    is_target: bool  # reported on in this run (pre-commit mode checks a few files)


@dataclass
class Project:
    layout: ProjectLayout
    settings: Settings
    files: dict[str, ProjectFile] = field(default_factory=dict)  # by rel_path
    modules: dict[str, ProjectFile] = field(default_factory=dict)  # by module name

    def add(self, file: ProjectFile) -> None:
        self.files[file.rel_path] = file
        existing = self.modules.get(file.facts.module)
        # A package's __init__.py and a same-named .pyi: prefer the .py.
        if existing is None or existing.rel_path.endswith(".pyi"):
            self.modules[file.facts.module] = file

    def __iter__(self) -> Iterator[ProjectFile]:
        return iter(self.files.values())

    @property
    def targets(self) -> Iterator[ProjectFile]:
        return (f for f in self.files.values() if f.is_target)

    # -- modules -------------------------------------------------------------

    def is_module(self, name: str) -> bool:
        return name in self.modules or self.is_package(name)

    def is_package(self, name: str) -> bool:
        """A regular package, or a namespace package (a directory of modules)."""
        prefix = name + "."
        if name in self.modules and self.modules[name].facts.is_package:
            return True
        return any(m.startswith(prefix) for m in self.modules)

    def is_first_party(self, module: str) -> bool:
        return self.layout.is_first_party(module)

    def split(self, qualified: str) -> tuple[str, list[str]]:
        """Longest known module prefix of ``qualified`` and the remaining names."""
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if self.is_module(module):
                return module, parts[cut:]
        return "", parts

    # -- symbols -------------------------------------------------------------

    def resolve(self, qualified: str, _seen: frozenset[str] = frozenset()) -> str:
        """Follow imports, re-exports and ``X = Y`` aliases to where a name is defined.

        Returns the qualified name of the definition, or ``qualified`` itself
        where the chain leaves the project or cannot be followed.
        """
        if qualified in _seen:
            return qualified
        seen = _seen | {qualified}
        module, rest = self.split(qualified)
        if not module or not rest or module not in self.modules:
            return qualified
        facts = self.modules[module].facts
        head, tail = rest[0], rest[1:]
        suffix = "." + ".".join(tail) if tail else ""
        if any(c.name == head for c in facts.classes):
            return qualified
        for imp in facts.imports:
            if not imp.in_function and not imp.is_star and imp.bound_name == head:
                target = imp.target if (imp.name is not None or imp.asname) else head
                return self.resolve(target + suffix, seen)
        if head in facts.aliases:
            return self.resolve(facts.aliases[head] + suffix, seen)
        for imp in facts.star_imports:
            if imp.module and self.is_first_party(imp.module):
                candidate = f"{imp.module}.{head}"
                resolved = self.resolve(candidate + suffix, seen)
                if self.defines(candidate) or resolved != candidate + suffix:
                    return resolved
        return qualified

    def defines(self, qualified: str) -> bool:
        module, rest = self.split(qualified)
        if not module or len(rest) != 1 or module not in self.modules:
            return False
        return rest[0] in self.modules[module].facts.bindings

    def aliases_of(self, qualified: str) -> frozenset[str]:
        """Every first-party ``module.name`` that denotes the same object."""
        target = self.resolve(qualified)
        found = set()
        for module, file in self.modules.items():
            facts = file.facts
            names = {
                imp.bound_name for imp in facts.imports if not imp.in_function and not imp.is_star
            }
            names.update(facts.aliases)
            for name in names:
                candidate = f"{module}.{name}"
                if candidate != target and self.resolve(candidate) == target:
                    found.add(candidate)
        return frozenset(found)


def make_test_matcher(settings: Settings):
    """Predicate: is this project-relative path a test module?"""
    spec = pathspec.GitIgnoreSpec.from_lines(settings.test_patterns)

    def is_test(rel_path: str) -> bool:
        name = rel_path.rsplit("/", 1)[-1]
        return spec.match_file(rel_path) or any(
            fnmatchcase(name, p) for p in settings.test_patterns if "/" not in p
        )

    return is_test
