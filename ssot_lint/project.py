"""The project index: every file's facts, and the questions asked of them.

Built once per run from the per-file facts (never from syntax trees), it
answers what cross-file rules, the knowledge handed to per-file rules, and the
import graph need: which module is where, what a dotted name denotes after
following re-exports and aliases, and whether ``from m import X`` can work.

Module names come from ``ProjectLayout`` (several first-party roots, namespace
packages); relative imports are already absolute in the facts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from ssot_lint.config import Settings
from ssot_lint.discovery import any_pattern, gitignore_spec
from ssot_lint.facts import ClassFact, FileFacts, ImportFact
from ssot_lint.source import ProjectLayout

_EXTENSION_SUFFIXES = (".so", ".pyd")
# Attributes every module has without binding them.
_MODULE_ATTRIBUTES = frozenset(
    {"__name__", "__file__", "__doc__", "__spec__", "__loader__", "__package__", "__dict__"}
)


class Found(Enum):
    """Answer to "does this exist?" — UNKNOWN where guessing would be wrong."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Lookup:
    found: Found
    reason: str = ""  # why not (NO) or why the question cannot be answered (UNKNOWN)


_YES = Lookup(Found.YES)


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
    # Every proper dotted prefix of a module name: the packages, regular or
    # namespace. A set, so that `is_package` does not scan all modules.
    _packages: set[str] = field(default_factory=set, repr=False)
    _memo: dict[str, str] = field(default_factory=dict, repr=False)
    _lookups: dict[tuple[str, str], Lookup] = field(default_factory=dict, repr=False)
    _importers: dict[bool, dict[str, set[str]]] = field(default_factory=dict, repr=False)
    _definitions: dict[str, list[str]] = field(default_factory=dict, repr=False)
    # What the file system said about modules the facts do not cover (excluded
    # files, compiled extensions): the one input outside the analysed files,
    # recorded so a reused whole-run result can be checked against it.
    disk_answers: dict[str, bool] = field(default_factory=dict, repr=False)

    def add(self, file: ProjectFile) -> None:
        self.files[file.rel_path] = file
        existing = self.modules.get(file.facts.module)
        # A package's __init__.py and a same-named .pyi: prefer the .py. Adding
        # a file again (the language server, after an edit) replaces it.
        if (
            existing is None
            or existing.rel_path == file.rel_path
            or existing.rel_path.endswith(".pyi")
        ):
            self.modules[file.facts.module] = file
        parts = file.facts.module.split(".")
        for cut in range(1, len(parts)):
            self._packages.add(".".join(parts[:cut]))
        self._memo.clear()
        self._lookups.clear()
        self._importers.clear()
        self.disk_answers.clear()
        self._definitions.clear()

    def __iter__(self) -> Iterator[ProjectFile]:
        return iter(self.files.values())

    @property
    def targets(self) -> Iterator[ProjectFile]:
        return (f for f in self.files.values() if f.is_target)

    # -- modules -------------------------------------------------------------

    def is_module(self, name: str) -> bool:
        return name in self.modules or name in self._packages

    def is_package(self, name: str) -> bool:
        """A regular package, or a namespace package (a directory of modules)."""
        if name in self.modules and self.modules[name].facts.is_package:
            return True
        return name in self._packages

    def is_first_party(self, module: str) -> bool:
        return bool(module) and self.layout.is_first_party(module)

    def split(self, qualified: str) -> tuple[str, list[str]]:
        """Longest known module prefix of ``qualified`` and the remaining names."""
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if self.is_module(module):
                return module, parts[cut:]
        return "", parts

    def module_state(self, module: str) -> Found:
        """Is ``module`` importable? UNKNOWN for third-party modules and for
        first-party files that exist on disk but were not analysed (excluded,
        gitignored, compiled extensions)."""
        if self.is_module(module):
            return Found.YES
        if not self.is_first_party(module):
            return Found.UNKNOWN
        return Found.UNKNOWN if self._on_disk(module) else Found.NO

    def _on_disk(self, module: str) -> bool:
        answer = self.disk_answers.get(module)
        if answer is None:
            answer = self.disk_answers[module] = module_on_disk(self.layout, module)
        return answer

    # -- can this import work? -----------------------------------------------

    def lookup_import(self, imp: ImportFact) -> Lookup:
        """Would this first-party import succeed, as far as the facts can tell?"""
        if imp.level and not imp.module:
            return Lookup(Found.NO, "relative import climbs above the top-level package")
        if imp.name is None or imp.is_star:
            state = self.module_state(imp.module)
            if state is Found.NO:
                return Lookup(Found.NO, f"module `{imp.module}` not found")
            return Lookup(state)
        return self.lookup(imp.module, imp.name)

    def lookup(self, module: str, name: str) -> Lookup:
        """Can ``from module import name`` succeed?

        YES when the module defines or binds the name (assignment, import,
        ``global``, a re-export), when a first-party star import provides it,
        or when ``module.name`` is a submodule. UNKNOWN — never a guess — when
        the module has a module-level ``__getattr__``, a star import that
        cannot be followed, or cannot be analysed at all.
        """
        key = (module, name)
        found = self._lookups.get(key)
        if found is None:
            found = self._lookups[key] = self._lookup(module, name, frozenset())
        return found

    def _lookup(self, module: str, name: str, _seen: frozenset[str]) -> Lookup:
        state = self.module_state(module)
        if state is Found.NO:
            return Lookup(Found.NO, f"module `{module}` not found")
        if state is Found.UNKNOWN:
            return Lookup(Found.UNKNOWN, f"module `{module}` is not analysed")
        submodule = f"{module}.{name}"
        if self.is_module(submodule):
            return _YES
        file = self.modules.get(module)
        if file is None:  # a namespace package: only submodules live there
            if self._on_disk(submodule):
                return Lookup(Found.UNKNOWN, f"`{submodule}` exists but is not analysed")
            return Lookup(Found.NO, f"namespace package `{module}` has no submodule `{name}`")
        facts = file.facts
        if facts.syntax_error is not None:
            return Lookup(Found.UNKNOWN, f"module `{module}` does not parse")
        if name in facts.bindings or name in _MODULE_ATTRIBUTES:
            return _YES
        if name == "__path__" and facts.is_package:
            return _YES
        if self._on_disk(submodule):
            return Lookup(Found.UNKNOWN, f"`{submodule}` exists but is not analysed")
        if facts.has_getattr:
            return Lookup(Found.UNKNOWN, f"module `{module}` has a module-level __getattr__")
        unknown = ""
        seen = _seen | {module}
        for star in facts.star_imports:
            if not star.module or not self.is_first_party(star.module):
                unknown = unknown or f"`from {star.module or '.'} import *` cannot be followed"
                continue
            if star.module in seen:
                continue
            target = self.modules.get(star.module)
            exported = target.facts.all_names if target is not None else None
            # A star import skips private names unless __all__ lists them.
            if name.startswith("_") and (exported is None or name not in exported):
                continue
            found = self._lookup(star.module, name, seen)
            if found.found is Found.YES:
                return _YES
            if found.found is Found.UNKNOWN:
                unknown = unknown or found.reason
        if unknown:
            return Lookup(Found.UNKNOWN, unknown)
        return Lookup(
            Found.NO,
            f"module `{module}` neither defines, imports nor re-exports `{name}`, "
            "and has no such submodule",
        )

    # -- symbols -------------------------------------------------------------

    def resolve(self, qualified: str) -> str:
        """Follow imports, re-exports and ``X = Y`` aliases to where a name is defined.

        Returns the qualified name of the definition, or ``qualified`` itself
        where the chain leaves the project or cannot be followed.
        """
        cached = self._memo.get(qualified)
        if cached is None:
            cached = self._memo[qualified] = self._resolve(qualified, frozenset())
        return cached

    def resolution_chain(self, qualified: str) -> list[str]:
        """Every name ``resolve`` passes through, ``qualified`` first, the
        definition last: the re-exports a registered import path relies on."""
        trail: list[str] = []
        self._resolve(qualified, frozenset(), trail)
        return trail

    def _resolve(self, qualified: str, seen: frozenset[str], trail: list[str] | None = None) -> str:
        if trail is not None:
            trail.append(qualified)
        if qualified in seen:
            return qualified
        seen = seen | {qualified}
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
                return self._resolve(target + suffix, seen, trail)
        if head in facts.aliases:
            return self._resolve(facts.aliases[head] + suffix, seen, trail)
        if head in facts.bindings:
            return qualified
        for imp in facts.star_imports:
            if imp.module and self.is_first_party(imp.module):
                candidate = f"{imp.module}.{head}"
                resolved = self._resolve(candidate + suffix, seen)
                if self.defines(candidate) or resolved != candidate + suffix:
                    if trail is not None:
                        self._resolve(candidate + suffix, seen, trail)
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

    # -- classes -------------------------------------------------------------

    def class_at(self, qualified: str) -> tuple[ProjectFile, ClassFact] | None:
        """The module-level class a (resolved) qualified name denotes, if any."""
        resolved = self.resolve(qualified)
        module, rest = self.split(resolved)
        file = self.modules.get(module)
        if file is None or len(rest) != 1:
            return None
        # The last definition wins at run time.
        found = [c for c in file.facts.classes if c.name == rest[0]]
        return (file, found[-1]) if found else None

    def base_classes(self, file: ProjectFile, cls: ClassFact) -> list[str]:
        """The class's bases, resolved to their definitions where first-party."""
        return [self.resolve(base) for base in cls.bases]

    def is_enum(
        self, file: ProjectFile, cls: ClassFact, _seen: frozenset[str] = frozenset()
    ) -> bool:
        """An Enum subclass: directly, or through first-party base classes."""
        if cls.is_enum_by_bases:
            return True
        qualified = f"{file.facts.module}.{cls.name}"
        if qualified in _seen:
            return False
        for base in self.base_classes(file, cls):
            found = self.class_at(base)
            if found is not None and self.is_enum(*found, _seen | {qualified}):
                return True
        return False

    def inherits_from(
        self,
        file: ProjectFile,
        cls: ClassFact,
        accept: Callable[[str], bool],
        _seen: frozenset[str] = frozenset(),
    ) -> bool:
        """Does some (transitive) base class satisfy ``accept(qualified name)``?"""
        qualified = f"{file.facts.module}.{cls.name}"
        if qualified in _seen:
            return False
        for base in self.base_classes(file, cls):
            if accept(base):
                return True
            found = self.class_at(base)
            if found is not None and self.inherits_from(*found, accept, _seen | {qualified}):
                return True
        return False

    # -- usage ---------------------------------------------------------------

    def importers_of(self, qualified: str, include_tests: bool = True) -> set[str]:
        """Modules that import the object ``qualified`` resolves to (by name)."""
        index = self._importers.get(include_tests)
        if index is None:
            index = {}
            for file in self.files.values():
                if file.is_test and not include_tests:
                    continue
                for imp in file.facts.imports:
                    if imp.name is None or imp.is_star or not self.is_first_party(imp.module):
                        continue
                    target = self.resolve(imp.target)
                    index.setdefault(target, set()).add(file.facts.module)
            self._importers[include_tests] = index
        return index.get(self.resolve(qualified), set())

    def definitions_named(self, name: str) -> list[str]:
        """Qualified names of every module-level definition called ``name``
        (classes, functions, assignments — not imports), sorted."""
        found = self._definitions.get(name)
        if found is None:
            # A run asks for a few names (suggestions for unresolved imports):
            # a membership test per module each, not an index of every name
            # (14 ms on 1,800 files, most of a pre-commit run's project rules).
            modules = [
                module
                for module, file in self.modules.items()
                if name in file.facts.bindings
                and name not in file.facts.aliases
                and name not in file.facts.import_table()
            ]
            found = self._definitions[name] = [f"{module}.{name}" for module in sorted(modules)]
        return list(found)


def module_on_disk(layout: ProjectLayout, module: str) -> bool:
    """Whether a first-party module exists on disk, analysed or not."""
    top, *rest = module.split(".")
    location = layout.packages.get(top)
    if location is None:
        return False
    if not rest:
        return location.exists()
    if location.suffix in (".py", ".pyi"):
        return False  # a single-file top-level module has no submodules
    base = location.joinpath(*rest)
    if base.is_dir() or base.with_suffix(".py").is_file() or base.with_suffix(".pyi").is_file():
        return True
    try:
        siblings = os.listdir(base.parent)
    except OSError:
        return False
    prefix = base.name + "."
    return any(s.startswith(prefix) and s.endswith(_EXTENSION_SUFFIXES) for s in siblings)


class IsTestPath:
    """Predicate: is this project-relative path a test module?

    Asked of every file several times a run (the run key, the index): the
    answer per path is kept, and one regex rules out most paths at once.
    ``known``: answers a previous run gave for the same patterns (the engine
    keeps them in the cache), so that an unchanged project never compiles
    the patterns, nor imports pathspec to do so.
    """

    def __init__(self, patterns: list[str], known: dict[str, bool] | None = None) -> None:
        self.patterns = patterns
        self.answers: dict[str, bool] = dict(known or {})
        self.learned = False  # some answer was worked out, not known
        self._matchers: tuple[Any, Any, list[str]] | None = None

    def __call__(self, rel_path: str) -> bool:
        answer = self.answers.get(rel_path)
        if answer is None:
            answer = self.answers[rel_path] = self._match(rel_path)
            self.learned = True
        return answer

    def _match(self, rel_path: str) -> bool:
        if self._matchers is None:
            spec = gitignore_spec(self.patterns)
            name_patterns = [p for p in self.patterns if "/" not in p]
            self._matchers = (spec, any_pattern(spec), name_patterns)
        spec, prefilter, name_patterns = self._matchers
        name = rel_path.rsplit("/", 1)[-1]
        return (
            (prefilter is None or prefilter.match(rel_path) is not None)
            and spec.match_file(rel_path)
        ) or any(fnmatchcase(name, p) for p in name_patterns)


def make_test_matcher(settings: Settings, known: dict[str, bool] | None = None) -> IsTestPath:
    return IsTestPath(list(settings.test_patterns), known)
