"""SSOT006 direct-singleton-instantiation: detection, hard negatives, positions, fixes."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from support import check, expected, found, write_project

from ssot_lint.config import Settings
from ssot_lint.diagnostics import Applicability, Diagnostic
from ssot_lint.fixes import apply_edits
from ssot_lint.knowledge import ProjectKnowledge
from ssot_lint.rules.ssot006_direct_singleton_instantiation import DirectSingletonInstantiation

CODE = "SSOT006"
FIXTURE = Path(__file__).parent / "fixtures" / "singletons"

TRACKER_MODULE = """
class AgentExecutionTracker:
    def __init__(self, heartbeat_timeout: float = 10.0) -> None:
        self.heartbeat_timeout = heartbeat_timeout

    @classmethod
    def for_tests(cls) -> "AgentExecutionTracker":
        return cls(heartbeat_timeout=0.05)


_tracker = None


def get_execution_tracker() -> AgentExecutionTracker:
    global _tracker
    if _tracker is None:
        _tracker = AgentExecutionTracker()
    return _tracker
"""

PLATFORM = {
    "pkg/__init__.py": "",
    "pkg/core/__init__.py": (
        "from .agent_execution_tracker import AgentExecutionTracker, get_execution_tracker\n"
    ),
    "pkg/core/agent_execution_tracker.py": TRACKER_MODULE,
    "pkg/core/compat.py": (
        "from pkg.core.agent_execution_tracker import AgentExecutionTracker\n\n"
        "LegacyTracker = AgentExecutionTracker\n"
    ),
    "pkg/agents/__init__.py": "",
}
WORKER = "pkg/agents/worker.py"
DOTTED = """
    [[canonical]]
    class = "pkg.core.agent_execution_tracker.AgentExecutionTracker"
    accessor = "pkg.core.agent_execution_tracker.get_execution_tracker"
    """


def lint(
    tmp_path: Path,
    code: str,
    config: str = "",
    files: dict[str, str] | None = None,
    path: str = WORKER,
) -> tuple[Path, list[Diagnostic]]:
    """Lint ``code`` (as ``path``) next to the platform modules."""
    project = {**PLATFORM, **(files or {}), path: textwrap.dedent(code).lstrip("\n")}
    root = write_project(tmp_path / "project", project, _config(config))
    result = check(root, use_cache=False, jobs=1)
    assert not result.errors, result.errors
    return root, [d for d in result.diagnostics if d.code == CODE]


def _config(config: str) -> str:
    # `[[canonical]]` is short for the array of tables under [tool.ssot-lint].
    return textwrap.dedent(config).replace("[[canonical]]", "[[tool.ssot-lint.canonical]]")


def fixed(root: Path, diagnostics: list[Diagnostic], path: str = WORKER) -> str:
    text = (root / path).read_text(encoding="utf-8")
    edits = [e for d in diagnostics if d.path == path and d.fix for e in d.fix.edits]
    return apply_edits(text, edits)


# ---------------------------------------------------------------------------
# The fixture project.


def test_fixture_project_reports_exactly_the_marked_lines() -> None:
    result = check(FIXTURE, use_cache=False, jobs=1)
    assert not result.errors, result.errors
    assert found(result, {CODE}) == expected(FIXTURE, {CODE})
    assert sum(expected(FIXTURE, {CODE}).values()) == 7


def test_fixture_trigger_prefilter_changes_nothing() -> None:
    """`legacy_runner.py` never spells the class name: only the project knows
    `LegacyTracker` is a re-export, and the prefilter must still parse it."""
    with_prefilter = check(FIXTURE, use_cache=False, jobs=1, select=[CODE])
    without = check(FIXTURE, use_cache=False, jobs=1, select=[CODE], prefilter=False)
    assert found(with_prefilter) == found(without)
    assert ("conductor/agents/legacy_runner.py", 7, CODE) in found(with_prefilter)
    assert "AgentExecutionTracker" not in (FIXTURE / "conductor/agents/legacy_runner.py").read_text(
        encoding="utf-8"
    )


def test_fixture_fixes() -> None:
    result = check(FIXTURE, use_cache=False, jobs=1, select=[CODE])
    fixes = {(d.path, d.line): d.fix for d in result.diagnostics}
    supervisor = fixes[("conductor/agents/supervisor.py", 21)]
    assert [e.content for e in supervisor.edits] == ["get_execution_tracker"]
    assert supervisor.applicability is Applicability.UNSAFE
    engine = fixes[("conductor/services/execution_engine.py", 17)]
    assert [e.content for e in engine.edits] == ["aet.get_execution_tracker"]
    # Arguments: no fix.
    assert fixes[("conductor/services/execution_engine.py", 20)] is None
    assert fixes[("tests/unit/test_supervisor.py", 20)] is None
    # A bare accessor, found next to the dotted class by the project knowledge.
    handlers = fixes[("conductor/websocket/handlers.py", 7)]
    assert [e.content for e in handlers.edits] == [
        "from conductor.websocket.bridge_registry import get_bridge_registry\n",
        "get_bridge_registry",
    ]
    assert result.knowledge.accessors == {
        "conductor.websocket.bridge_registry.BridgeRegistry": (
            "conductor.websocket.bridge_registry.get_bridge_registry"
        )
    }


# ---------------------------------------------------------------------------
# What is reported.


@pytest.mark.parametrize(
    "source",
    [
        """
        from pkg.core.agent_execution_tracker import AgentExecutionTracker

        tracker = AgentExecutionTracker()
        """,
        """
        from pkg.core.agent_execution_tracker import AgentExecutionTracker as Tracker

        tracker = Tracker()
        """,
        """
        from ..core.agent_execution_tracker import AgentExecutionTracker

        tracker = AgentExecutionTracker()
        """,
        """
        from ..core import agent_execution_tracker as aet

        tracker = aet.AgentExecutionTracker()
        """,
        """
        import pkg.core.agent_execution_tracker

        tracker = pkg.core.agent_execution_tracker.AgentExecutionTracker()
        """,
        """
        from pkg.core import AgentExecutionTracker

        tracker = AgentExecutionTracker()
        """,
        """
        from pkg.core.agent_execution_tracker import AgentExecutionTracker

        Tracker = AgentExecutionTracker


        def build():
            return Tracker()
        """,
        """
        from pkg.core.agent_execution_tracker import AgentExecutionTracker


        class Engine:
            def __init__(self, tracker=None):
                self._tracker = tracker or AgentExecutionTracker(heartbeat_timeout=60.0)
        """,
        """
        def build():
            from pkg.core.agent_execution_tracker import AgentExecutionTracker

            return AgentExecutionTracker()
        """,
    ],
)
@pytest.mark.parametrize("config", ["", DOTTED], ids=["zero-config", "dotted"])
def test_instantiation_through_imports_and_aliases(
    tmp_path: Path, source: str, config: str
) -> None:
    _, diagnostics = lint(tmp_path, source, config)
    assert len(diagnostics) == 1


def test_renamed_re_export_counts_with_a_dotted_configuration(tmp_path: Path) -> None:
    source = """
        from pkg.core.compat import LegacyTracker

        tracker = LegacyTracker()
        """
    _, dotted = lint(tmp_path / "a", source, DOTTED)
    assert [d.message for d in dotted] == [
        "direct instantiation of `AgentExecutionTracker` (via `LegacyTracker`); "
        "use the shared instance from `get_execution_tracker()`"
    ]
    triggers = DirectSingletonInstantiation.project_triggers(
        Settings(), ProjectKnowledge(aliases={"AgentExecutionTracker": frozenset({"a.b.Other"})})
    )
    assert triggers == ("AgentExecutionTracker", "Other")


@pytest.mark.parametrize(
    "path",
    ["tests/test_worker.py", "tests/conftest.py", "pkg/agents/worker_test.py", "test_smoke.py"],
)
def test_tests_are_included(tmp_path: Path, path: str) -> None:
    source = """
        import pytest

        from pkg.core.agent_execution_tracker import AgentExecutionTracker


        @pytest.fixture
        def tracker():
            return AgentExecutionTracker()
        """
    _, diagnostics = lint(tmp_path, source, path=path)
    assert [(d.path, d.line) for d in diagnostics] == [(path, 8)]


def test_message_and_position(tmp_path: Path) -> None:
    source = """
        import pkg.core.agent_execution_tracker as aet


        class Engine:
            def __init__(self) -> None:
                self._tracker = aet.AgentExecutionTracker(
                    heartbeat_timeout=5.0,
                )
        """
    _, diagnostics = lint(tmp_path, source)
    (diagnostic,) = diagnostics
    assert (diagnostic.line, diagnostic.column, diagnostic.end_line) == (6, 25, 8)
    assert diagnostic.message == (
        "direct instantiation of `AgentExecutionTracker`; "
        "use the shared instance from `get_execution_tracker()`"
    )


# ---------------------------------------------------------------------------
# Hard negatives.


@pytest.mark.parametrize(
    "source",
    [
        # subclassing, references, annotations, the accessor, classmethods
        """
        from typing import Optional

        from pkg.core.agent_execution_tracker import AgentExecutionTracker, get_execution_tracker


        class AuditedTracker(AgentExecutionTracker):
            def __init__(self) -> None:
                super().__init__(heartbeat_timeout=1.0)


        def current(tracker: Optional[AgentExecutionTracker] = None) -> "AgentExecutionTracker":
            tracker = tracker or get_execution_tracker()
            assert isinstance(tracker, AgentExecutionTracker)
            factory = AgentExecutionTracker
            print(factory, AgentExecutionTracker.for_tests(), AgentExecutionTracker.__name__)
            return tracker
        """,
        # a subclass is a different class
        """
        from pkg.core.agent_execution_tracker import AgentExecutionTracker


        class QuietTracker(AgentExecutionTracker):
            pass


        tracker = QuietTracker()
        """,
        # names that are not the class: parameters, attributes of non-modules, strings
        """
        from unittest import mock


        def build(AgentExecutionTracker, registry):
            tracker = AgentExecutionTracker()
            other = registry.AgentExecutionTracker()
            patcher = mock.patch("pkg.core.agent_execution_tracker.AgentExecutionTracker")
            # AgentExecutionTracker() in a comment
            return tracker, other, patcher
        """,
        # the accessor through a module alias
        """
        import pkg.core.agent_execution_tracker as aet

        tracker = aet.get_execution_tracker()
        """,
    ],
)
@pytest.mark.parametrize("config", ["", DOTTED], ids=["zero-config", "dotted"])
def test_not_reported(tmp_path: Path, source: str, config: str) -> None:
    _, diagnostics = lint(tmp_path, source, config)
    assert diagnostics == []


def test_own_module_is_not_checked(tmp_path: Path) -> None:
    # Zero-config: any module defining a class of that name is its own module.
    other = TRACKER_MODULE + "\n\nSPARE = AgentExecutionTracker()\n"
    _, zero = lint(tmp_path / "a", other, path="pkg/legacy/tracker.py")
    assert zero == []
    # Dotted: only the configured module; a same-named class elsewhere is another
    # object, and calling it is not this rule's business.
    _, dotted = lint(tmp_path / "b", other, DOTTED, path="pkg/legacy/tracker.py")
    assert dotted == []
    _, own = lint(
        tmp_path / "c",
        "",
        DOTTED,
        files={"pkg/core/agent_execution_tracker.py": other},
    )
    assert own == []


def test_dotted_configuration_naming_a_re_export_exempts_the_definition(
    tmp_path: Path,
) -> None:
    config = """
        [[canonical]]
        class = "pkg.core.AgentExecutionTracker"
        accessor = "pkg.core.get_execution_tracker"
        """
    files = {
        "pkg/core/agent_execution_tracker.py": TRACKER_MODULE
        + "\nSPARE = AgentExecutionTracker()\n"
    }
    source = """
        from pkg.core.agent_execution_tracker import AgentExecutionTracker

        tracker = AgentExecutionTracker()
        """
    _, diagnostics = lint(tmp_path, source, config, files)
    assert [(d.path, d.line) for d in diagnostics] == [(WORKER, 3)]


@pytest.mark.parametrize(
    ("allow", "path", "reported"),
    [
        ('["pkg.agents.worker"]', WORKER, False),
        ('["worker"]', WORKER, False),  # a bare name matches as a dotted suffix
        ('["agents.worker"]', WORKER, True),  # a dotted name matches exactly
        ('["tests.factories"]', "tests/factories.py", False),
        ('["pkg.agents"]', WORKER, True),  # a package does not allow its modules
    ],
)
def test_allow(tmp_path: Path, allow: str, path: str, reported: bool) -> None:
    config = DOTTED + f"allow = {allow}\n"
    source = """
        from pkg.core.agent_execution_tracker import AgentExecutionTracker

        tracker = AgentExecutionTracker()
        """
    _, diagnostics = lint(tmp_path, source, config, path=path)
    assert bool(diagnostics) is reported


def test_canonical_classes_without_an_accessor_are_not_singletons(tmp_path: Path) -> None:
    config = """
        [[canonical]]
        class = "CircuitBreaker"

        [[canonical]]
        class = "AgentExecutionTracker"
        accessor = ""
        """
    source = """
        from pkg.core.breakers import CircuitBreaker
        from pkg.core.agent_execution_tracker import AgentExecutionTracker

        breaker = CircuitBreaker()
        tracker = AgentExecutionTracker()
        """
    _, diagnostics = lint(tmp_path, source, config)
    assert diagnostics == []
    settings = Settings(canonical=[{"class": "CircuitBreaker"}])
    assert DirectSingletonInstantiation.triggers(settings) == ("\x00",)
    assert DirectSingletonInstantiation.triggers(Settings()) == ("AgentExecutionTracker",)


def test_several_singletons(tmp_path: Path) -> None:
    config = (
        DOTTED
        + """
        [[canonical]]
        class = "WebSocketBridge"
        accessor = "get_websocket_bridge"
        """
    )
    source = """
        from pkg.core.agent_execution_tracker import AgentExecutionTracker
        from pkg.services.websocket_bridge import WebSocketBridge

        bridge = WebSocketBridge()
        tracker = AgentExecutionTracker()
        """
    _, diagnostics = lint(tmp_path, source, config)
    assert [(d.line, d.message.split(";")[0]) for d in diagnostics] == [
        (4, "direct instantiation of `WebSocketBridge`"),
        (5, "direct instantiation of `AgentExecutionTracker`"),
    ]


# ---------------------------------------------------------------------------
# Fixes.


def test_fix_replaces_the_class_by_the_accessor_and_imports_it(tmp_path: Path) -> None:
    source = '''\
"""Batch engine."""

from pkg.core.agent_execution_tracker import AgentExecutionTracker


class BatchEngine:
    def __init__(self) -> None:
        self._tracker = AgentExecutionTracker(  # a private tracker
        )
        self._spare = AgentExecutionTracker(heartbeat_timeout=1.0)

    def tracker_type(self) -> type:
        return AgentExecutionTracker
'''
    root, diagnostics = lint(tmp_path, source, DOTTED)
    assert [d.fix is not None for d in diagnostics] == [True, False]
    assert diagnostics[0].fix.applicability is Applicability.UNSAFE
    assert diagnostics[0].fix.message == "Replace with `get_execution_tracker()`"
    result = fixed(root, diagnostics)
    assert (
        result
        == '''\
"""Batch engine."""

from pkg.core.agent_execution_tracker import AgentExecutionTracker
from pkg.core.agent_execution_tracker import get_execution_tracker


class BatchEngine:
    def __init__(self) -> None:
        self._tracker = get_execution_tracker(  # a private tracker
        )
        self._spare = AgentExecutionTracker(heartbeat_timeout=1.0)

    def tracker_type(self) -> type:
        return AgentExecutionTracker
'''
    )
    ast.parse(result)
    cst.parse_module(result)
    # Idempotent: only the call with arguments (no fix) is left, and it keeps no fix.
    root2, again = lint(tmp_path / "again", result, DOTTED)
    assert [(d.line, d.fix) for d in again] == [(11, None)]
    assert fixed(root2, again) == result


def test_fix_uses_the_bound_accessor(tmp_path: Path) -> None:
    source = """\
from pkg.core import AgentExecutionTracker, get_execution_tracker

tracker = AgentExecutionTracker()
"""
    root, diagnostics = lint(tmp_path, source, DOTTED)
    assert [e.content for e in diagnostics[0].fix.edits] == ["get_execution_tracker"]
    assert fixed(root, diagnostics).endswith("tracker = get_execution_tracker()\n")


def test_fix_through_a_module_alias(tmp_path: Path) -> None:
    source = """\
from pkg.core import agent_execution_tracker as aet

tracker = aet.AgentExecutionTracker()
"""
    root, diagnostics = lint(tmp_path, source)
    assert fixed(root, diagnostics).endswith("tracker = aet.get_execution_tracker()\n")


def test_zero_config_fix_imports_the_accessor_found_next_to_the_class(tmp_path: Path) -> None:
    source = """\
from pkg.core.compat import AgentExecutionTracker

tracker = AgentExecutionTracker()
"""
    root, diagnostics = lint(tmp_path, source)
    assert [e.content for e in diagnostics[0].fix.edits] == [
        "from pkg.core.agent_execution_tracker import get_execution_tracker\n",
        "get_execution_tracker",
    ]
    result = fixed(root, diagnostics)
    _, again = lint(tmp_path / "again", result)
    assert again == []


def test_zero_config_without_a_known_accessor(tmp_path: Path) -> None:
    """Nothing in the project defines the accessor: fix only if the file binds it."""
    no_accessor = {
        "pkg/core/agent_execution_tracker.py": "class AgentExecutionTracker:\n    pass\n",
        "pkg/core/__init__.py": "",
    }
    unbound = """\
from pkg.core.agent_execution_tracker import AgentExecutionTracker

tracker = AgentExecutionTracker()
"""
    bound = """\
from pkg.core.agent_execution_tracker import AgentExecutionTracker
from platform_sdk.tracking import get_execution_tracker

tracker = AgentExecutionTracker()
"""
    _, without = lint(tmp_path / "a", unbound, files=no_accessor)
    _, with_binding = lint(tmp_path / "b", bound, files=no_accessor)
    assert without[0].fix is None
    assert [e.content for e in with_binding[0].fix.edits] == ["get_execution_tracker"]


def test_ambiguous_zero_config_accessor_gives_no_knowledge(tmp_path: Path) -> None:
    files = {
        **PLATFORM,
        "pkg/core/agent_execution_tracker.py": "class AgentExecutionTracker:\n    pass\n",
        "pkg/core/__init__.py": "",
        "pkg/a.py": "def get_execution_tracker():\n    return None\n",
        "pkg/b.py": "def get_execution_tracker():\n    return None\n",
    }
    knowledge = check(write_project(tmp_path / "p", files), use_cache=False, jobs=1).knowledge
    assert knowledge.accessors == {}


def test_no_fix_when_the_accessor_name_is_taken(tmp_path: Path) -> None:
    source = """\
from pkg.core.agent_execution_tracker import AgentExecutionTracker
from pkg.legacy.tracking import get_execution_tracker

tracker = AgentExecutionTracker()
"""
    _, diagnostics = lint(tmp_path, source, DOTTED)
    assert diagnostics[0].fix is None


def test_no_fix_through_a_type_checking_accessor_import(tmp_path: Path) -> None:
    source = """\
from typing import TYPE_CHECKING

from pkg.core.agent_execution_tracker import AgentExecutionTracker

if TYPE_CHECKING:
    from pkg.core.agent_execution_tracker import get_execution_tracker

tracker = AgentExecutionTracker()
"""
    _, diagnostics = lint(tmp_path, source, DOTTED)
    assert len(diagnostics) == 1 and diagnostics[0].fix is None
