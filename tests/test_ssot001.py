"""SSOT001 duplicate-ssot-class: absorbed classes, duplicated names, enum copies,
re-implemented methods; shims, aliases, nested classes, stubs and tests left alone."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from support import check, expected, found, write_project

FIXTURES = Path(__file__).parent / "fixtures"
DUP = FIXTURES / "dup_consolidation"
CODES = {"SSOT001"}


def _messages(result) -> dict[tuple[str, int], str]:
    return {(d.path, d.line): d.message for d in result.diagnostics if d.code == "SSOT001"}


def _copy(tmp_path: Path, extra_config: str) -> Path:
    root = tmp_path / "project"
    shutil.copytree(DUP, root)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    # Top-level keys must precede the sub-tables.
    text = text.replace('select = ["SSOT001"]\n', f'select = ["SSOT001"]\n{extra_config}\n')
    pyproject.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def dup_result():
    return check(DUP, use_cache=False)


def test_fixture_findings_match_the_markers(dup_result) -> None:
    assert not dup_result.errors
    assert found(dup_result, CODES) == expected(DUP, CODES)


def test_absorbed_class_names_the_canonical_one(dup_result) -> None:
    message = _messages(dup_result)[("netra_backend/app/core/agent_state_tracker.py", 15)]
    assert message == (
        "`AgentStateTracker` was absorbed by the canonical `AgentExecutionTracker` "
        "(netra_backend/app/core/agent_execution_tracker.py:23); use `AgentExecutionTracker` "
        "instead of keeping a separate class"
    )
    # A subclass of the canonical class with a body of its own is no shim.
    assert (
        "AgentExecutionTimeoutManager"
        in _messages(dup_result)[("netra_backend/app/core/timeout_manager.py", 14)]
    )


def test_shims_aliases_nested_classes_and_stubs_are_not_reported(dup_result) -> None:
    paths = {d.path for d in dup_result.diagnostics}
    assert "netra_backend/app/core/compat.py" not in paths  # shim subclasses + aliases
    assert "netra_backend/app/core/compat.pyi" not in paths  # stubs describe, not implement
    reported_lines = {d.line for d in dup_result.diagnostics if "agent_state_tracker" in d.path}
    assert reported_lines == {7, 15}  # not the class nested in _make_local_tracker


def test_duplicated_pattern_class_lists_the_other_definitions(dup_result) -> None:
    message = _messages(dup_result)[("billing/usage/tracker.py", 4)]
    # No canonical UsageTracker is configured: the one imported by most modules
    # (services/usage_tracker.py, imported by metering) is the reference.
    assert message == (
        "`UsageTracker` is also defined in netra_backend/app/services/usage_tracker.py:4; "
        "keep netra_backend/app/services/usage_tracker.py:4 and import it instead"
    )


def test_enum_copy_gives_missing_extra_and_different_members(dup_result) -> None:
    message = _messages(dup_result)[("netra_backend/app/core/agent_state_tracker.py", 7)]
    assert message == (
        "enum `ExecutionState` diverges from "
        "`netra_backend.app.core.agent_execution_tracker.ExecutionState` "
        "(netra_backend/app/core/agent_execution_tracker.py:8): missing STARTING, TIMEOUT; "
        "extra TIMED_OUT; different values: RUNNING = 'active' here, 'running' there; "
        "import it instead"
    )


def test_identical_enum_copies_are_reported_against_the_most_imported(dup_result) -> None:
    messages = _messages(dup_result)
    assert messages[("netra_backend/app/core/timeout_manager.py", 8)] == (
        "identical copy of the enum "
        "`netra_backend.app.core.agent_execution_tracker.CircuitBreakerState` "
        "(netra_backend/app/core/agent_execution_tracker.py:17); import it instead"
    )
    # Enums through a first-party base (JsonEnum); agents/phases.py is imported
    # by websocket_events.py, so the services copy is the duplicate.
    assert messages[("netra_backend/app/services/phases.py", 6)].startswith(
        "identical copy of the enum `netra_backend.app.agents.phases.AgentExecutionPhase`"
    )
    assert ("netra_backend/app/agents/phases.py", 6) not in messages


def test_method_overlap_names_shared_methods_and_jaccard(dup_result) -> None:
    message = _messages(dup_result)[("netra_backend/app/services/websocket_events.py", 7)]
    assert message == (
        "`ExecutionProgressTracker` re-implements the canonical `AgentExecutionTracker` "
        "(netra_backend/app/core/agent_execution_tracker.py:23): 4 shared public methods "
        "(start_execution, update_execution_state, complete_execution, record_heartbeat), "
        "Jaccard 0.57; use `AgentExecutionTracker` instead"
    )
    # InstrumentedExecutionTracker overrides 4 methods but extends the canonical
    # class; WebSocketSession shares one method.
    lines = {d.line for d in dup_result.diagnostics if d.path.endswith("websocket_events.py")}
    assert lines == {7}


def test_class_is_reported_at_its_name(dup_result) -> None:
    diag = next(d for d in dup_result.diagnostics if d.path == "billing/usage/tracker.py")
    assert (diag.line, diag.column, diag.end_line, diag.end_column) == (4, 7, 4, 19)
    assert diag.fix is None


def test_threshold_options_change_the_method_overlap(tmp_path: Path) -> None:
    root = _copy(tmp_path, "duplicates.min-shared-methods = 5")
    result = check(root, use_cache=False)
    paths = {(d.path, d.line) for d in result.diagnostics}
    assert ("netra_backend/app/services/websocket_events.py", 7) not in paths
    root = _copy(tmp_path / "strict", "duplicates.min-jaccard = 0.6")
    result = check(root, use_cache=False)
    assert ("netra_backend/app/services/websocket_events.py", 7) not in {
        (d.path, d.line) for d in result.diagnostics
    }


def test_test_modules_count_when_configured(tmp_path: Path) -> None:
    root = _copy(tmp_path, "duplicates.include-tests = true")
    result = check(root, use_cache=False)
    messages = _messages(result)
    # The test double now counts and is reported; so is the conftest enum copy.
    assert ("tests/unit/test_usage.py", 4) in messages
    assert "billing/usage/tracker.py:4" in messages[("tests/unit/test_usage.py", 4)]
    assert messages[("tests/unit/conftest.py", 6)].startswith("enum `ExecutionState` diverges")


def test_test_patterns_decide_what_a_test_module_is(tmp_path: Path) -> None:
    # Only conftest.py is a test module now: tests/unit/test_usage.py counts.
    root = _copy(tmp_path, 'test-patterns = ["**/conftest.py"]')
    result = check(root, use_cache=False)
    assert ("tests/unit/test_usage.py", 4) in _messages(result)
    assert ("tests/unit/conftest.py", 6) not in _messages(result)


def test_pre_commit_mode_sees_the_whole_project_but_reports_on_named_files() -> None:
    result = check([DUP / "billing" / "usage" / "tracker.py"], use_cache=False)
    assert [(d.path, d.line, d.code) for d in result.diagnostics] == [
        ("billing/usage/tracker.py", 4, "SSOT001")
    ]
    # The other definitions it lists live in files that were not named.
    assert "netra_backend/app/services/usage_tracker.py:4" in result.diagnostics[0].message
    assert result.files_checked == 1
    # The reference definition itself stays clean in pre-commit mode too.
    result = check(
        [DUP / "netra_backend" / "app" / "services" / "usage_tracker.py"], use_cache=False
    )
    assert result.diagnostics == []


def test_zero_config_defaults_match_by_name(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
        # file: netra/core/agent_execution_tracker.py
        class AgentExecutionTracker:
            def start_execution(self, agent_name: str) -> str: ...

        # file: netra/legacy/timeouts.py
        class AgentExecutionTimeoutManager:
            def set_timeout(self, agent_name: str, seconds: float) -> None: ...

        # file: netra/legacy/compat.py
        from netra.core.agent_execution_tracker import AgentExecutionTracker

        class AgentStateTracker(AgentExecutionTracker):
            pass

        AgentExecutionTimeoutManagerAlias = AgentExecutionTracker
        """,
        'select = ["SSOT001"]',
    )
    result = check(root, use_cache=False)
    assert [(d.path, d.line) for d in result.diagnostics] == [("netra/legacy/timeouts.py", 1)]
    assert "`AgentExecutionTracker` (netra/core/agent_execution_tracker.py:1)" in (
        result.diagnostics[0].message
    )


def test_enum_reference_ties_are_broken_by_path(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
        # file: pkg/b_states.py
        from enum import Enum

        class RunPhase(Enum):
            QUEUED = 1
            DONE = 2

        # file: pkg/a_states.py
        from enum import Enum

        class RunPhase(Enum):
            DONE = 2
            QUEUED = 1
        """,
        'select = ["SSOT001"]',
    )
    result = check(root, use_cache=False)
    assert [(d.path, d.line) for d in result.diagnostics] == [("pkg/b_states.py", 3)]
    assert result.diagnostics[0].message == (
        "copy of the enum `pkg.a_states.RunPhase` (pkg/a_states.py:3) with its members "
        "in a different order; import it instead"
    )


def test_canonical_configured_for_a_pattern_name_is_never_reported(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
        # file: pkg/zz_core/breaker.py
        class CircuitBreaker:
            def allow_request(self) -> bool: ...

        # file: pkg/aa_clients/llm.py
        class CircuitBreaker:
            def allow_request(self) -> bool: ...

        # file: pkg/aa_clients/redis.py
        from pkg.aa_clients.llm import CircuitBreaker as LlmBreaker

        class CircuitBreaker:
            def allow_request(self) -> bool: ...
        """,
        """
        select = ["SSOT001"]
        [[tool.ssot-lint.canonical]]
        class = "pkg.zz_core.breaker.CircuitBreaker"
        """,
    )
    result = check(root, use_cache=False)
    reported = sorted((d.path, d.line) for d in result.diagnostics)
    # Although aa_clients/llm.py is imported more and sorts first, the
    # configured canonical class is the one that stays.
    assert reported == [("pkg/aa_clients/llm.py", 1), ("pkg/aa_clients/redis.py", 3)]
    message = _messages(result)[("pkg/aa_clients/llm.py", 1)]
    assert re.fullmatch(
        r"`CircuitBreaker` duplicates the canonical `CircuitBreaker` \(pkg/zz_core/breaker.py:1\); "
        r"also defined in pkg/aa_clients/redis.py:3; import the canonical class instead",
        message,
    )


def test_each_file_named_alone_gets_what_the_whole_run_reports_for_it(tmp_path: Path) -> None:
    """A pre-commit run names a few files: SSOT001 looks only at the groups of
    names those files define, and must report exactly what a full run reports
    for them (messages, which naming the other definitions, included)."""
    root = _copy(tmp_path, "")
    whole = check(root, use_cache=False)
    by_path: dict[str, list[tuple[int, str]]] = {}
    for d in whole.diagnostics:
        if d.code == "SSOT001":
            by_path.setdefault(d.path, []).append((d.line, d.message))
    assert len(by_path) >= 3  # the fixture reports in several files
    for path in sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py")):
        alone = check(root / path, use_cache=False)
        got = [(d.line, d.message) for d in alone.diagnostics if d.code == "SSOT001"]
        assert got == by_path.get(path, []), path
