"""SSOT006 direct-singleton-instantiation."""

from __future__ import annotations

from ssot_lint.config import CanonicalClass, Settings
from ssot_lint.diagnostics import Applicability
from ssot_lint.knowledge import ProjectKnowledge
from ssot_lint.lazy import cst
from ssot_lint.names import matches_name, module_matches
from ssot_lint.rules.base import CstRule, FileContext, NodeEdit, PendingFix

_NEVER = "\x00"  # see SSOT003: a trigger no analysable file contains
_ALIAS_HOPS = 8  # `A = B` chains followed inside one module (cycles end here)


def _singletons(settings: Settings) -> list[CanonicalClass]:
    return [c for c in settings.canonical if c.accessor and c.class_]


def _same_objects(knowledge: ProjectKnowledge, configured: str) -> frozenset[str]:
    """Re-exports of a configured class, and its definition if the
    configuration names a re-export."""
    definition = knowledge.definitions.get(configured)
    aliases = knowledge.aliases_for(configured)
    return aliases | {definition} if definition else aliases


class DirectSingletonInstantiation(CstRule):
    code = "SSOT006"
    name = "direct-singleton-instantiation"
    summary = "Canonical singleton instantiated directly instead of through its accessor"
    what_it_does = """
        Reports calls that instantiate a canonical class which has a configured
        accessor (default `AgentExecutionTracker`, accessor
        `get_execution_tracker()`), anywhere outside the class's own module and
        the modules listed in its `allow` option. Test modules are checked too:
        a test that builds its own tracker does not exercise the shared one.

        The class is recognised through imports and aliases
        (`from ...agent_execution_tracker import AgentExecutionTracker as
        Tracker`, `aet.AgentExecutionTracker()`, `Tracker = AgentExecutionTracker`).
        With a qualified `class` only that object and its re-exports count;
        the zero-config default matches any class of that name, and its own
        module is any module that defines a class of that name.

        Subclassing the class, referring to it without calling it
        (`isinstance`, annotations) and calling the accessor are fine.
        """
    why_bad = """
        The canonical class is meant to exist once per process. A second
        instance has its own registry: executions it tracks are invisible to
        the shared instance's death detection, timeouts and circuit breakers,
        and state written through one is missing from the other. In tests the
        direct instance hides exactly the wiring the accessor provides.
        """
    example = """
        from netra_backend.app.core.agent_execution_tracker import AgentExecutionTracker


        class ExecutionEngine:
            def __init__(self) -> None:
                self._tracker = AgentExecutionTracker()
        """
    use_instead = """
        from netra_backend.app.core.agent_execution_tracker import get_execution_tracker


        class ExecutionEngine:
            def __init__(self) -> None:
                self._tracker = get_execution_tracker()
        """
    options = ("canonical.class", "canonical.accessor", "canonical.allow")
    fixable = True
    fix_safety = """
        The fix replaces the class in a call without arguments by the accessor
        (`AgentExecutionTracker()` -> `get_execution_tracker()`), importing it
        when the file does not bind it. It is always unsafe: the code then
        shares the process-wide instance (and its state) instead of owning a
        fresh one, which is the point of the rule but changes what the code
        does, for instance tests that relied on starting empty.

        No fix for a call with arguments (the accessor takes none; dropping
        them would silently lose configuration), nor when the accessor cannot
        be named: a bare accessor (the zero-config default) is imported from
        the module the project shows defining it next to the class, else used
        only if the file already binds that name.
        """
    VALID = [
        # Subclassing, isinstance checks, annotations and the accessor itself.
        """
        from netra_backend.app.core.agent_execution_tracker import (
            AgentExecutionTracker,
            get_execution_tracker,
        )


        class AuditedTracker(AgentExecutionTracker):
            def start_execution(self, agent_name: str, user_id: str, thread_id: str) -> str:
                execution_id = super().start_execution(agent_name, user_id, thread_id)
                print("started", execution_id)
                return execution_id


        def current_tracker() -> AgentExecutionTracker:
            tracker = get_execution_tracker()
            assert isinstance(tracker, AgentExecutionTracker)
            return tracker
        """,
        # The class's own module creates the singleton.
        """
        # file: netra_backend/app/core/agent_execution_tracker.py
        from typing import Optional


        class AgentExecutionTracker:
            def __init__(self, heartbeat_timeout: float = 10.0) -> None:
                self.heartbeat_timeout = heartbeat_timeout


        _tracker: Optional[AgentExecutionTracker] = None


        def get_execution_tracker() -> AgentExecutionTracker:
            global _tracker
            if _tracker is None:
                _tracker = AgentExecutionTracker()
            return _tracker
        """,
    ]
    INVALID = [
        # Tests included.
        """
        # file: tests/unit/test_triage_agent.py
        from netra_backend.app.core.agent_execution_tracker import AgentExecutionTracker as Tracker


        def test_triage_marks_completion() -> None:
            tracker = Tracker(heartbeat_timeout=0.1)
            assert tracker.get_execution("exec_missing") is None
        """,
        """
        import netra_backend.app.core.agent_execution_tracker as aet

        TRACKER = aet.AgentExecutionTracker()
        """,
    ]

    @classmethod
    def triggers(cls, settings: Settings) -> tuple[str, ...]:
        # Every way to reach the class in a file names it: an import (with or
        # without `as`), a module attribute, or a local `X = Class` alias.
        # Re-exports under another name come from the project (project_triggers).
        names = sorted({c.name for c in _singletons(settings)})
        return tuple(names) or (_NEVER,)

    @classmethod
    def project_triggers(cls, settings: Settings, knowledge: ProjectKnowledge) -> tuple[str, ...]:
        renamed = {
            alias.rsplit(".", 1)[-1]
            for c in _singletons(settings)
            for alias in _same_objects(knowledge, c.class_)
        }
        return tuple(sorted(set(cls.triggers(settings)) | renamed))

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._checked = [c for c in _singletons(ctx.settings) if not self._exempt(c)]

    def _exempt(self, canonical: CanonicalClass) -> bool:
        """The class's own module and the allowed ones may instantiate it."""
        module = self.ctx.module_name
        if any(module_matches(module, allowed) for allowed in canonical.allow):
            return True
        configured = canonical.class_
        if "." not in configured:
            return any(c.name == canonical.name for c in self.ctx.facts.classes)
        # A configuration that names a re-export: the defining module is its own too.
        definition = self.ctx.knowledge.definitions.get(configured, configured)
        return module in (configured.rpartition(".")[0], definition.rpartition(".")[0])

    def visit_Call(self, node: cst.Call) -> None:
        if not self._checked:
            return
        func = node.func
        if isinstance(func, cst.Attribute):
            # `obj.AgentExecutionTracker()` only counts through an imported module.
            if not self.ctx.resolver.is_imported(func):
                return
        elif not isinstance(func, cst.Name):
            return
        qualified = self._follow_local_aliases(self.ctx.qualified_name(func))
        for canonical in self._checked:
            if matches_name(qualified, canonical.class_, self._aliases(canonical.class_)):
                self._report(node, canonical)
                return

    def _aliases(self, configured: str) -> frozenset[str]:
        return _same_objects(self.ctx.knowledge, configured)

    def _follow_local_aliases(self, qualified: str | None) -> str | None:
        """``Tracker = AgentExecutionTracker`` in this module: use the target."""
        prefix = f"{self.ctx.module_name}."
        aliases = self.ctx.facts.aliases
        for _ in range(_ALIAS_HOPS):
            if qualified is None or not qualified.startswith(prefix):
                break
            local = qualified[len(prefix) :]
            if local not in aliases:
                break
            qualified = aliases[local]
        return qualified

    def _report(self, node: cst.Call, canonical: CanonicalClass) -> None:
        accessor = canonical.accessor or ""
        accessor_name = accessor.rsplit(".", 1)[-1]
        fix = None
        if not node.args:
            reference = self._accessor_reference(canonical)
            if reference is not None:
                text, imports = reference
                fix = PendingFix(
                    f"Replace with `{text}()`",
                    [NodeEdit(node.func, text)],
                    imports,
                    Applicability.UNSAFE,
                )
        called = self.ctx.code_for(node.func)
        via = f" (via `{called}`)" if called.rsplit(".", 1)[-1] != canonical.name else ""
        self.report(
            node,
            f"direct instantiation of `{canonical.name}`{via}; "
            f"use the shared instance from `{accessor_name}()`",
            fix,
        )

    def _accessor_reference(self, canonical: CanonicalClass) -> tuple[str, list[str]] | None:
        accessor = canonical.accessor or ""
        knowledge = self.ctx.knowledge
        qualified = accessor if "." in accessor else knowledge.accessors.get(canonical.class_)
        if qualified is None:
            return self.ctx.runtime_reference(accessor)  # bare: only if bound here
        return self.ctx.runtime_reference(qualified, knowledge.aliases_for(qualified))
