"""SSOT001 duplicate-ssot-class."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ssot_lint.config import CanonicalClass
from ssot_lint.diagnostics import Diagnostic
from ssot_lint.facts import ClassFact
from ssot_lint.names import matches_name
from ssot_lint.project import Project, ProjectFile
from ssot_lint.rules.base import ProjectRule


@dataclass(frozen=True)
class _Def:
    """One module-level class definition."""

    file: ProjectFile
    cls: ClassFact

    @property
    def name(self) -> str:
        return self.cls.name

    @property
    def qualified(self) -> str:
        return f"{self.file.facts.module}.{self.cls.name}"

    @property
    def where(self) -> str:
        return f"{self.file.rel_path}:{self.cls.line}"

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.file.rel_path, self.cls.line, self.cls.column)


class DuplicateSsotClass(ProjectRule):
    code = "SSOT001"
    name = "duplicate-ssot-class"
    summary = "Class that duplicates a single-source-of-truth class"
    what_it_does = """
        Finds classes that re-implement a single source of truth:

        (a) a class named in a canonical class's `absorbs` list
            (`AgentStateTracker`, `AgentExecutionTimeoutManager` were absorbed
            by `AgentExecutionTracker`), unless it is a pure compatibility
            shim (a body of only a docstring or `pass`, subclassing the
            canonical class). Alias assignments (`AgentStateTracker =
            AgentExecutionTracker`) are not classes and are never reported;
        (b) a module-level class whose name matches a duplicate pattern
            (`duplicates.patterns`, default `*Tracker`, `*TimeoutManager`,
            `*CircuitBreaker`) defined in two or more modules: every
            definition but the canonical one is reported, and the message
            lists the others as `path:line`;
        (c) an Enum defined under the same name in two or more modules:
            identical copies too, otherwise the message lists the member
            differences (missing, extra, different values) against the
            reference definition — the canonical one if configured (a
            `canonical` class or `state.enum`), else the one imported by the
            most modules, ties broken by path;
        (d) a class whose public methods (defined in its body, no leading
            underscore) overlap a canonical class's: at least
            `duplicates.min-shared-methods` shared and a Jaccard similarity of
            at least `duplicates.min-jaccard`; the message names the shared
            methods.

        Where no canonical class is configured for a duplicated name, the
        reference definition of (c) (most imported, then path) is the one left
        alone. Test modules (`duplicates.include-tests`, `test-patterns`) neither
        count nor are reported for (b) to (d). Classes nested in functions or
        classes are out of scope; `.pyi` stubs describe, they do not implement,
        and are ignored. Each class gets at most one diagnostic, at its name.
        """
    why_bad = """
        Every copy of a canonical class is a second truth that drifts. The
        platform's `AgentStateTracker` and `AgentExecutionTimeoutManager` kept
        their own phases and circuit breakers after `AgentExecutionTracker`
        absorbed them, and enum copies such as `ExecutionState` silently grew
        different members: a state set by one module was unknown to another.
        """
    example = """
        # file: netra_backend/app/core/agent_execution_tracker.py
        from enum import Enum


        class ExecutionState(Enum):
            PENDING = "pending"
            RUNNING = "running"
            COMPLETED = "completed"
            FAILED = "failed"


        class AgentExecutionTracker:
            def start_execution(self, agent_name: str) -> str: ...
            def update_execution_state(self, execution_id: str, state: ExecutionState) -> None: ...
            def complete_execution(self, execution_id: str) -> None: ...
            def record_heartbeat(self, execution_id: str) -> bool: ...
            def check_timeouts(self) -> list[str]: ...

        # file: netra_backend/app/agents/state_tracking.py
        from enum import Enum


        class ExecutionState(Enum):
            PENDING = "pending"
            RUNNING = "active"
            COMPLETED = "completed"
            SUCCESS = "success"


        class AgentStateTracker:
            def transition_state(self, agent_key: str, phase: str) -> bool: ...


        class BatchRunMonitor:
            def start_execution(self, agent_name: str) -> str: ...
            def complete_execution(self, execution_id: str) -> None: ...
            def record_heartbeat(self, execution_id: str) -> bool: ...
            def check_timeouts(self) -> list[str]: ...
            def pending_batches(self) -> int: ...
        """
    use_instead = """
        # file: netra_backend/app/core/agent_execution_tracker.py
        from enum import Enum


        class ExecutionState(Enum):
            PENDING = "pending"
            RUNNING = "running"
            COMPLETED = "completed"
            FAILED = "failed"


        class AgentExecutionTracker:
            def start_execution(self, agent_name: str) -> str: ...
            def update_execution_state(self, execution_id: str, state: ExecutionState) -> None: ...
            def complete_execution(self, execution_id: str) -> None: ...
            def record_heartbeat(self, execution_id: str) -> bool: ...
            def check_timeouts(self) -> list[str]: ...

        # file: netra_backend/app/core/compat.py
        from netra_backend.app.core.agent_execution_tracker import AgentExecutionTracker


        class AgentStateTracker(AgentExecutionTracker):
            \"\"\"Compatibility shim for plugins that subclass the old name.\"\"\"


        LegacyExecutionTracker = AgentExecutionTracker

        # file: netra_backend/app/agents/state_tracking.py
        from netra_backend.app.core.agent_execution_tracker import (
            AgentExecutionTracker,
            ExecutionState,
        )


        def mark_running(tracker: AgentExecutionTracker, execution_id: str) -> None:
            tracker.update_execution_state(execution_id, ExecutionState.RUNNING)
        """
    options = (
        "canonical.class",
        "canonical.absorbs",
        "state.enum",
        "duplicates.patterns",
        "duplicates.min-shared-methods",
        "duplicates.min-jaccard",
        "duplicates.include-tests",
        "test-patterns",
    )
    example_config = """
        state.enum = "netra_backend.app.core.agent_execution_tracker.ExecutionState"

        [[tool.ssot-lint.canonical]]
        class = "netra_backend.app.core.agent_execution_tracker.AgentExecutionTracker"
        absorbs = ["AgentStateTracker", "AgentExecutionTimeoutManager"]
        """
    fix_safety = """
        No automatic fix: removing a class means moving its callers to the
        canonical one, whose interface differs. The message names the canonical
        definition (and, for enums, exactly which members differ) so the
        migration can be planned.
        """
    VALID = [
        # A *Tracker class defined once in the code and once in a test double.
        """
        # file: netra_backend/app/services/usage_tracker.py
        class UsageTracker:
            def record(self, tokens: int) -> None: ...

        # file: tests/unit/test_usage.py
        class UsageTracker:
            def record(self, tokens: int) -> None: ...
        """,
        # Different names, and few shared methods with the canonical class.
        """
        # file: netra_backend/app/core/agent_execution_tracker.py
        class AgentExecutionTracker:
            def start_execution(self, agent_name: str) -> str: ...
            def complete_execution(self, execution_id: str) -> None: ...
            def record_heartbeat(self, execution_id: str) -> bool: ...
            def check_timeouts(self) -> list[str]: ...

        # file: netra_backend/app/services/thread_service.py
        class ThreadService:
            def start_execution(self, agent_name: str) -> str: ...
            def create_thread(self, user_id: str) -> str: ...
            def list_threads(self, user_id: str) -> list[str]: ...
        """,
    ]
    INVALID = [
        # The same *Tracker in two packages: one of them is reported.
        """
        # file: netra_backend/app/services/usage_tracker.py
        class UsageTracker:
            def record(self, tokens: int) -> None: ...

        # file: netra_backend/app/billing/usage.py
        class UsageTracker:
            def record(self, tokens: int) -> None: ...
        """,
        # An identical enum copy.
        """
        # file: netra_backend/app/core/phases.py
        from enum import Enum

        class AgentExecutionPhase(Enum):
            STARTING = "starting"
            THINKING = "thinking"

        # file: netra_backend/app/agents/phases.py
        import enum

        class AgentExecutionPhase(enum.Enum):
            STARTING = "starting"
            THINKING = "thinking"
        """,
    ]

    def check(self, project: Project) -> Iterable[Diagnostic]:
        return _Checker(project).run()


class _Checker:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.settings = project.settings
        self.dup = self.settings.duplicates
        self.every = [
            _Def(file, cls)
            for file in sorted(project, key=lambda f: f.rel_path)
            if not file.rel_path.endswith(".pyi") and file.facts.syntax_error is None
            for cls in file.facts.classes
        ]
        self.counted = [d for d in self.every if self.dup.include_tests or not d.file.is_test]
        # Only target classes are reported, so a group of same-named classes
        # matters only if a target defines that name: a pre-commit run naming
        # ten files classifies (is it an enum?) a few classes, not the project's.
        self.target_names = {d.name for d in self.every if d.file.is_target}
        self.reported: dict[tuple[str, int, int], Diagnostic] = {}
        self._canonical: dict[str, _Def | None] = {}
        self._enum: dict[tuple[str, int, int], bool] = {}

    def run(self) -> Iterator[Diagnostic]:
        self.absorbed()
        self.pattern_duplicates()
        self.enum_duplicates()
        self.method_overlap()
        return iter(sorted(self.reported.values(), key=lambda d: d.sort_key))

    # -- helpers -------------------------------------------------------------

    def report(self, definition: _Def, message: str) -> None:
        if definition.key in self.reported or not definition.file.is_target:
            return
        cls = definition.cls
        self.reported[definition.key] = Diagnostic(
            code=DuplicateSsotClass.code,
            message=message,
            path=definition.file.rel_path,
            line=cls.line,
            column=cls.column,
            end_line=cls.end_line,
            end_column=cls.end_column,
            scope=definition.file.facts.module,
            snippet=f"class {cls.name}",
        )

    def is_enum(self, definition: _Def) -> bool:
        if definition.key not in self._enum:
            self._enum[definition.key] = self.project.is_enum(definition.file, definition.cls)
        return self._enum[definition.key]

    def reference(self, definitions: list[_Def]) -> _Def:
        """The definition imported by the most (counted) modules; ties by path."""
        include_tests = self.dup.include_tests

        def popularity(d: _Def) -> tuple[int, str, int]:
            importers = self.project.importers_of(d.qualified, include_tests)
            return (-len(importers - {d.file.facts.module}), d.file.rel_path, d.cls.line)

        return min(definitions, key=popularity)

    def canonical(self, configured: str) -> _Def | None:
        """The definition a canonical configuration denotes, if the project has it.

        Qualified: that class (through re-exports). Bare: the only non-shim
        class of that name, or the most imported one when there are several.
        """
        if configured in self._canonical:
            return self._canonical[configured]
        found: _Def | None = None
        if "." in configured:
            hit = self.project.class_at(configured)
            if hit is not None and not hit[0].rel_path.endswith(".pyi"):
                found = _Def(*hit)
        else:
            candidates = [d for d in self.counted if d.name == configured and not d.cls.is_shim]
            if len(candidates) == 1:
                found = candidates[0]
            elif candidates:
                found = self.reference(candidates)
        self._canonical[configured] = found
        return found

    def canonical_definitions(self) -> list[_Def]:
        """Every configured canonical class the project defines."""
        found = (self.canonical(config.class_) for config in self.settings.canonical)
        return [c for c in found if c is not None]

    def subclasses(self, definition: _Def, accept: Callable[[str], bool]) -> bool:
        return self.project.inherits_from(definition.file, definition.cls, accept)

    def is_shim_of(self, definition: _Def, targets: Iterable[_Def], configured: str = "") -> bool:
        """A pure compatibility shim: docstring/pass body, subclassing a target."""
        if not definition.cls.is_shim:
            return False
        names = {t.qualified for t in targets}

        def accept(base: str) -> bool:
            return base in names or bool(configured and matches_name(base, configured))

        return self.subclasses(definition, accept)

    # -- (a) absorbed classes ------------------------------------------------

    def absorbed(self) -> None:
        for config in self.settings.canonical:
            canonical = self.canonical(config.class_)
            for absorbed_name in config.absorbs:
                for definition in self.every:
                    if not definition.file.is_target:
                        continue
                    if not matches_name(definition.qualified, absorbed_name):
                        continue
                    targets = [canonical] if canonical is not None else []
                    if self.is_shim_of(definition, targets, config.class_):
                        continue
                    self.report(definition, self.absorbed_message(definition, config, canonical))

    @staticmethod
    def absorbed_message(definition: _Def, config: CanonicalClass, canonical: _Def | None) -> str:
        where = f" ({canonical.where})" if canonical is not None else ""
        return (
            f"`{definition.name}` was absorbed by the canonical `{config.name}`{where}; "
            f"use `{config.name}` instead of keeping a separate class"
        )

    # -- (b) duplicated pattern names ----------------------------------------

    def pattern_duplicates(self) -> None:
        patterns = self.dup.patterns
        groups: dict[str, list[_Def]] = {}
        for definition in self.counted:
            if definition.name not in self.target_names:
                continue
            # Enum copies are (c)'s business.
            if any(fnmatchcase(definition.name, p) for p in patterns) and not self.is_enum(
                definition
            ):
                groups.setdefault(definition.name, []).append(definition)
        for name, definitions in sorted(groups.items()):
            group = self.distinct_modules(definitions)
            configured = self.canonical_names(name)
            canonicals = [c for n in configured if (c := self.canonical(n)) is not None]
            shim_targets = group + canonicals + self.canonical_definitions()
            group = [d for d in group if not self.is_shim_of(d, shim_targets)]
            if len({d.file.facts.module for d in group}) < 2:
                continue
            keep = next((c for c in canonicals if c in group), None)
            if keep is None and not configured:
                keep = self.reference(group)
            for definition in group:
                if definition == keep:
                    continue
                others = [d for d in group if d != definition]
                self.report(definition, self.pattern_message(definition, others, keep, configured))

    def canonical_names(self, name: str) -> list[str]:
        """Configured canonical classes (and the state enum) called ``name``."""
        names = [c.class_ for c in self.settings.canonical if c.name == name]
        enum = self.settings.state.enum
        if enum.rsplit(".", 1)[-1] == name:
            names.append(enum)
        return names

    @staticmethod
    def distinct_modules(definitions: list[_Def]) -> list[_Def]:
        """One definition per module (conditional redefinitions are one class)."""
        seen: dict[str, _Def] = {}
        for definition in definitions:
            seen.setdefault(definition.file.facts.module, definition)
        return list(seen.values())

    @staticmethod
    def pattern_message(
        definition: _Def, others: list[_Def], keep: _Def | None, configured: list[str]
    ) -> str:
        listed = ", ".join(d.where for d in others)
        if keep is not None and configured:
            rest = [d.where for d in others if d != keep]
            also = f"; also defined in {', '.join(rest)}" if rest else ""
            return (
                f"`{definition.name}` duplicates the canonical `{keep.name}` ({keep.where})"
                f"{also}; import the canonical class instead"
            )
        if configured:
            return (
                f"`{definition.name}` is defined in several modules ({listed}) and the "
                f"canonical `{configured[0]}` is none of them; define it once and import it"
            )
        return (
            f"`{definition.name}` is also defined in {listed}; keep "
            f"{keep.where if keep else 'one definition'} and import it instead"
        )

    # -- (c) enum copies -------------------------------------------------------

    def enum_duplicates(self) -> None:
        groups: dict[str, list[_Def]] = {}
        for definition in self.counted:
            if definition.name in self.target_names and self.is_enum(definition):
                groups.setdefault(definition.name, []).append(definition)
        for name, definitions in sorted(groups.items()):
            group = self.distinct_modules(definitions)
            group = [d for d in group if not (d.cls.is_shim and not d.cls.members)]
            if len({d.file.facts.module for d in group}) < 2:
                continue
            reference = self.enum_reference(name, group)
            for definition in group:
                if definition != reference:
                    self.report(definition, self.enum_message(definition, reference))

    def enum_reference(self, name: str, group: list[_Def]) -> _Def:
        for configured in self.canonical_names(name):
            if "." in configured:
                canonical = self.canonical(configured)
                if canonical is not None and canonical in group:
                    return canonical
        return self.reference(group)

    @staticmethod
    def enum_message(definition: _Def, reference: _Def) -> str:
        mine = dict(definition.cls.members)
        theirs = dict(reference.cls.members)
        target = f"`{reference.qualified}` ({reference.where})"
        if mine == theirs:
            if [n for n, _ in definition.cls.members] != [n for n, _ in reference.cls.members]:
                return (
                    f"copy of the enum {target} with its members in a different order; "
                    "import it instead"
                )
            return f"identical copy of the enum {target}; import it instead"
        missing = [n for n in theirs if n not in mine]
        extra = [n for n in mine if n not in theirs]
        different = [
            f"{n} = {mine[n]} here, {theirs[n]} there"
            for n in mine
            if n in theirs and mine[n] != theirs[n]
        ]
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra:
            parts.append("extra " + ", ".join(extra))
        if different:
            parts.append("different values: " + "; ".join(different))
        differences = "; ".join(parts)
        return f"enum `{definition.name}` diverges from {target}: {differences}; import it instead"

    # -- (d) re-implemented methods ----------------------------------------------

    def method_overlap(self) -> None:
        canonicals = [c for c in self.canonical_definitions() if c.cls.methods]
        if not canonicals:
            return
        minimum = self.dup.min_shared_methods
        threshold = self.dup.min_jaccard
        for definition in self.counted:
            if definition.key in self.reported or not definition.file.is_target:
                continue
            if not definition.cls.methods or self.is_enum(definition):
                continue
            best: tuple[float, _Def, list[str]] | None = None
            for canonical in canonicals:
                if canonical == definition or canonical.qualified == definition.qualified:
                    continue
                if self.subclasses(definition, lambda base, c=canonical: base == c.qualified):
                    continue  # extending the canonical class is not re-implementing it
                theirs = canonical.cls.methods
                shared = [m for m in theirs if m in definition.cls.methods]
                union = set(theirs) | set(definition.cls.methods)
                jaccard = len(shared) / len(union)
                similar = len(shared) >= minimum and jaccard >= threshold
                if similar and (best is None or jaccard > best[0]):
                    best = (jaccard, canonical, shared)
            if best is not None:
                jaccard, canonical, shared = best
                self.report(
                    definition,
                    f"`{definition.name}` re-implements the canonical `{canonical.name}` "
                    f"({canonical.where}): {len(shared)} shared public methods "
                    f"({', '.join(shared)}), Jaccard {jaccard:.2f}; "
                    f"use `{canonical.name}` instead",
                )
