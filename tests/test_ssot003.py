"""SSOT003 dict-state-update: detection, hard negatives, positions, fixes."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from support import check, expected, found, write_project

from ssot_lint.config import Settings
from ssot_lint.diagnostics import Applicability, Diagnostic
from ssot_lint.facts import extract_facts
from ssot_lint.fixes import apply_edits
from ssot_lint.knowledge import ProjectKnowledge
from ssot_lint.rule_runner import analyse_rules
from ssot_lint.rules.ssot003_dict_state_update import DictStateUpdate

CODE = "SSOT003"
FIXTURE = Path(__file__).parent / "fixtures" / "state_updates"

ENUM_MODULE = """
from enum import Enum


class ExecutionState(Enum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class AgentExecutionTracker:
    def update_execution_state(self, execution_id, state, metadata=None, *, result=None):
        self.state = state.value


def get_execution_tracker() -> AgentExecutionTracker:
    return AgentExecutionTracker()
"""

PLATFORM = {
    "pkg/__init__.py": "",
    "pkg/core/__init__.py": (
        "from .tracker import ExecutionState, get_execution_tracker\n\n"
        '__all__ = ["ExecutionState", "get_execution_tracker"]\n'
    ),
    "pkg/core/tracker.py": ENUM_MODULE,
    "pkg/agents/__init__.py": "",
}
WORKER = "pkg/agents/worker.py"


def lint(
    tmp_path: Path, code: str, config: str = "", files: dict[str, str] | None = None
) -> tuple[Path, list[Diagnostic]]:
    """Lint ``code`` as pkg/agents/worker.py next to the platform modules."""
    project = {**PLATFORM, **(files or {}), WORKER: textwrap.dedent(code).lstrip("\n")}
    root = write_project(tmp_path / "project", project, config)
    result = check(root, use_cache=False, jobs=1)
    assert not result.errors, result.errors
    return root, [d for d in result.diagnostics if d.code == CODE]


def in_function(body: str, header: str = "") -> str:
    """``body`` inside ``def run(tracker, execution_id, steps, options):``."""
    return (
        textwrap.dedent(header)
        + "\n\ndef run(tracker, execution_id, steps, options):\n"
        + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
        + "\n"
    )


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
    assert sum(expected(FIXTURE, {CODE}).values()) == 13


def test_fixture_project_needs_no_libcst_pass_to_be_skipped_wrongly() -> None:
    """The trigger prefilter changes nothing: same diagnostics without it."""
    with_prefilter = check(FIXTURE, use_cache=False, jobs=1, select=[CODE])
    without = check(FIXTURE, use_cache=False, jobs=1, select=[CODE], prefilter=False)
    assert found(with_prefilter) == found(without)
    assert sum(found(with_prefilter).values()) == 13


def test_fixture_knowledge_reads_the_enum_from_another_module() -> None:
    result = check(FIXTURE, use_cache=False, jobs=1, select=[CODE])
    knowledge = result.knowledge
    assert knowledge.state_enum == "orchestra.core.execution_tracker.ExecutionState"
    names = [name for name, _ in knowledge.state_members]
    assert names[:3] == ["PENDING", "RUNNING", "COMPLETED"]
    assert ("SUCCEEDED", "'completed'") in knowledge.state_members
    # The package re-export is known, so `from orchestra.core import ExecutionState` counts.
    assert "orchestra.core.ExecutionState" in knowledge.aliases_for(knowledge.state_enum)


def test_fixture_fixes_use_existing_bindings_and_skip_type_checking_imports() -> None:
    result = check(FIXTURE, use_cache=False, jobs=1, select=[CODE])
    fixes = {
        (d.path, d.line): [e.content for e in d.fix.edits] if d.fix else None
        for d in result.diagnostics
    }
    assert fixes[("orchestra/agents/triage_agent.py", 31)] == ["ExecutionState.COMPLETED"]
    assert fixes[("orchestra/workers/heartbeat.py", 31)] == ["ExecutionState.TIMEOUT"]
    assert fixes[("tests/test_reporting_agent.py", 19)] == ["ExecutionState.COMPLETED"]
    # Only a TYPE_CHECKING import of the enum: no fix (it would not exist at run time).
    assert fixes[("orchestra/agents/reporting_agent.py", 24)] is None
    # Extra key: not a configured shape.
    assert fixes[("orchestra/agents/triage_agent.py", 36)] is None
    # `et` is the tracker module: the fix goes through it.
    assert fixes[("orchestra/services/run_registry.py", 25)] == ["et.ExecutionState.FAILED"]


# ---------------------------------------------------------------------------
# What is reported.


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        ('tracker.update_execution_state(execution_id, {"success": True})', "a dict"),
        (
            "tracker.update_execution_state(execution_id, {s: True for s in steps})",
            "a dict comprehension",
        ),
        ("tracker.update_execution_state(execution_id, dict(success=True))", "a dict"),
        ("tracker.update_execution_state(execution_id, dict())", "a dict"),
        ('tracker.update_execution_state(execution_id, "running")', "a string"),
        ("tracker.update_execution_state(execution_id, 'run' 'ning')", "a string"),
        ('tracker.update_execution_state(execution_id, f"step-{len(steps)}")', "an f-string"),
        ('tracker.update_execution_state(execution_id, "step-" f"{len(steps)}")', "an f-string"),
        ('tracker.update_execution_state(execution_id, b"running")', "a bytes literal"),
        ("tracker.update_execution_state(execution_id, 3)", "a number"),
        ("tracker.update_execution_state(execution_id, 0.5)", "a number"),
        ("tracker.update_execution_state(execution_id, -1)", "a number"),
        ("tracker.update_execution_state(execution_id, True)", "a bool"),
        ("tracker.update_execution_state(execution_id, False)", "a bool"),
        ("tracker.update_execution_state(execution_id, None)", "None"),
        ('tracker.update_execution_state(execution_id, ({"success": True}))', "a dict"),
        ('tracker.update_execution_state(execution_id, state={"success": True})', "a dict"),
        ('tracker.update_execution_state(execution_id, new_state="running")', "a string"),
        (
            'tracker.update_execution_state(new_state="running", execution_id=execution_id)',
            "a string",
        ),
    ],
)
def test_state_argument_kinds(tmp_path: Path, call: str, kind: str) -> None:
    _, diagnostics = lint(tmp_path, in_function(call))
    assert len(diagnostics) == 1
    assert diagnostics[0].message.startswith(
        f"state passed as {kind} to `update_execution_state`; pass an `ExecutionState` member"
    )


@pytest.mark.parametrize(
    "source",
    [
        # any receiver, or none
        in_function('tracker.update_execution_state(execution_id, "running")'),
        in_function(
            'get_execution_tracker().update_execution_state(execution_id, "running")',
            "from pkg.core import get_execution_tracker",
        ),
        in_function(
            'update_execution_state(execution_id, "running")',
            "from pkg.legacy import update_execution_state",
        ),
        """
        class Agent:
            def finish(self, execution_id):
                self._tracker.update_execution_state(execution_id, "running")
        """,
        """
        import pkg.core.tracker as trk

        trk.get_execution_tracker().update_execution_state("exec_boot", {"completed": True})
        """,
    ],
)
def test_matched_by_name_on_any_receiver(tmp_path: Path, source: str) -> None:
    _, diagnostics = lint(tmp_path, source)
    assert len(diagnostics) == 1


def test_message_names_the_enum_and_an_example_member(tmp_path: Path) -> None:
    _, diagnostics = lint(
        tmp_path,
        in_function(
            """
            tracker.update_execution_state(execution_id, {"success": True, "completed": True})
            tracker.update_execution_state(execution_id, "cancelled")
            tracker.update_execution_state(execution_id, "archived")
            """
        ),
    )
    assert [d.message for d in diagnostics] == [
        "state passed as a dict to `update_execution_state`; "
        "pass an `ExecutionState` member (e.g. `ExecutionState.COMPLETED`)",
        "state passed as a string to `update_execution_state`; "
        "pass an `ExecutionState` member (e.g. `ExecutionState.CANCELLED`)",
        "state passed as a string to `update_execution_state`; "
        "pass an `ExecutionState` member (e.g. `ExecutionState.COMPLETED`)",
    ]


def test_reported_at_the_call(tmp_path: Path) -> None:
    source = """
        class Agent:
            def finish(self, execution_id: str) -> None:
                self._tracker.update_execution_state(
                    execution_id,
                    {"success": True, "completed": True},
                )
                value = 1 + len([self._tracker.update_execution_state(execution_id, "done")])
        """
    _, diagnostics = lint(tmp_path, source)
    positions = [(d.line, d.column, d.end_line) for d in diagnostics]
    # The Call node: it starts at the receiver, and spans the whole argument list.
    assert positions == [(3, 9, 6), (7, 26, 7)]


def test_local_name_bound_once_in_the_function(tmp_path: Path) -> None:
    _, diagnostics = lint(
        tmp_path,
        in_function(
            """
            payload = {"success": True, "completed": True}
            tracker.update_execution_state(execution_id, payload)
            label: str = "completed"
            tracker.update_execution_state(execution_id, state=label)
            """
        ),
    )
    assert [d.message.split(" to ")[0] for d in diagnostics] == [
        "state passed as a dict (`payload`)",
        "state passed as a string (`label`)",
    ]
    # A name is not rewritten: the binding may serve other purposes.
    assert [d.fix for d in diagnostics] == [None, None]


def test_module_scope_names(tmp_path: Path) -> None:
    source = """
        from pkg.core import get_execution_tracker

        BOOT_STATE = {"phase": "boot"}
        IDLE = "idle"
        get_execution_tracker().update_execution_state("exec_boot", BOOT_STATE)


        def idle(tracker, execution_id):
            # A free name in a function is the module's, bound once there.
            tracker.update_execution_state(execution_id, IDLE)
        """
    _, diagnostics = lint(tmp_path, source)
    assert [(d.line, d.message.split(" to ")[0]) for d in diagnostics] == [
        (5, "state passed as a dict (`BOOT_STATE`)"),
        (10, "state passed as a string (`IDLE`)"),
    ]


def test_enclosing_function_name_bound_once(tmp_path: Path) -> None:
    source = """
        def make_finisher(tracker):
            done = "completed"

            def finish(execution_id):
                tracker.update_execution_state(execution_id, done)

            return finish
        """
    _, diagnostics = lint(tmp_path, source)
    assert len(diagnostics) == 1 and "(`done`)" in diagnostics[0].message


# ---------------------------------------------------------------------------
# Hard negatives.


@pytest.mark.parametrize(
    "body",
    [
        # the state is an enum member
        "tracker.update_execution_state(execution_id, ExecutionState.COMPLETED)",
        # dicts in other arguments
        'tracker.update_execution_state(execution_id, ExecutionState.FAILED, {"error": "quota"})',
        "tracker.update_execution_state(\n"
        '    execution_id, ExecutionState.COMPLETED, result={"rows": 3}\n'
        ")",
        'tracker.update_execution_state(execution_id, ExecutionState.RUNNING, metadata={"a": 1})',
        'tracker.update_execution_state(execution_id, **{"state": "completed"})',
        "tracker.update_execution_state(execution_id, ExecutionState.RUNNING, **options)",
        # star-args: positions unknown, and the star-arg itself is not the state
        "tracker.update_execution_state(*steps)",
        'tracker.update_execution_state(*steps, "completed")',
        "tracker.update_execution_state(execution_id, *steps)",
        # parameters and names bound more than once, or not by a plain `=`
        "tracker.update_execution_state(execution_id, steps)",
        'final = "completed"\nif not steps:\n    final = "failed"\n'
        "tracker.update_execution_state(execution_id, final)",
        'state = {"success": True}\nstate["completed"] = True\nstate = dict(state)\n'
        "tracker.update_execution_state(execution_id, state)",
        'label = "run"\nlabel += "ning"\ntracker.update_execution_state(execution_id, label)',
        "for phase in steps:\n    tracker.update_execution_state(execution_id, phase)",
        'first, second = "running", "completed"\n'
        "tracker.update_execution_state(execution_id, second)",
        "with open(execution_id) as handle:\n"
        "    tracker.update_execution_state(execution_id, handle)",
        "try:\n    pass\nexcept ValueError as error:\n"
        "    tracker.update_execution_state(execution_id, error)",
        "from pkg.states import DONE\ntracker.update_execution_state(execution_id, DONE)",
        "if (picked := ExecutionState.RUNNING):\n"
        "    tracker.update_execution_state(execution_id, picked)",
        # other functions, and references that are not calls
        'tracker.update_execution_status(execution_id, "completed")',
        'tracker.update_execution_state_later(execution_id, "completed")',
        "handler = tracker.update_execution_state",
        'tracker.update_execution_state(execution_id, ExecutionState("completed"))',
        'tracker.update_execution_state(execution_id, STATES["completed"])',
        # a call with too few arguments has no state argument
        "tracker.update_execution_state(execution_id)",
    ],
)
def test_not_reported(tmp_path: Path, body: str) -> None:
    _, diagnostics = lint(
        tmp_path, in_function(body, "from pkg.core.tracker import ExecutionState\nSTATES = {}")
    )
    assert diagnostics == []


def test_shadowed_names_are_not_the_module_constant(tmp_path: Path) -> None:
    source = """
        IDLE = "idle"


        def requeue(tracker, execution_ids):
            [tracker.update_execution_state(execution_id, IDLE) for IDLE in execution_ids]
            reset = lambda execution_id, IDLE: tracker.update_execution_state(execution_id, IDLE)
            reset("exec_1", None)


        def mark(tracker, execution_id, IDLE):
            tracker.update_execution_state(execution_id, IDLE)


        def mark_local(tracker, execution_id):
            IDLE = tracker.current(execution_id)
            tracker.update_execution_state(execution_id, IDLE)
        """
    _, diagnostics = lint(tmp_path, source)
    assert diagnostics == []


def test_global_declarations_make_a_name_unknown(tmp_path: Path) -> None:
    source = """
        CURRENT = "pending"


        def advance(state):
            global CURRENT
            CURRENT = state


        def publish(tracker, execution_id):
            tracker.update_execution_state(execution_id, CURRENT)
        """
    _, diagnostics = lint(tmp_path, source)
    assert diagnostics == []


@pytest.mark.parametrize(
    "source",
    [
        # an imported `dict`
        in_function(
            "tracker.update_execution_state(execution_id, dict(phase='run'))",
            "from pkg.states import StateDict as dict",
        ),
        # a module-level `dict`
        in_function(
            "tracker.update_execution_state(execution_id, dict(phase='run'))",
            "from collections import OrderedDict\n\ndict = OrderedDict",
        ),
        # a `dict` bound inside the function
        in_function(
            "from collections import OrderedDict as dict\n"
            "tracker.update_execution_state(execution_id, dict(phase='run'))"
        ),
        in_function(
            "dict = options.factory\n"
            "tracker.update_execution_state(execution_id, dict(phase='run'))"
        ),
    ],
)
def test_shadowed_dict_is_not_the_builtin(tmp_path: Path, source: str) -> None:
    _, diagnostics = lint(tmp_path, source)
    assert diagnostics == []


def test_builtins_dict_is_the_builtin(tmp_path: Path) -> None:
    source = in_function(
        "tracker.update_execution_state(execution_id, builtins.dict(completed=True))",
        "import builtins",
    )
    _, diagnostics = lint(tmp_path, source)
    assert len(diagnostics) == 1


# ---------------------------------------------------------------------------
# Configuration.


def test_configured_function_position_and_keywords(tmp_path: Path) -> None:
    config = """
        state.functions = ["RunStore.set_run_state"]
        state.position = 3
        state.keywords = ["status"]
        """
    source = in_function(
        """
        store.set_run_state(user_id, execution_id, {"done": True})
        store.set_run_state(user_id, execution_id, ExecutionState.RUNNING, {"done": True})
        store.set_run_state(user_id, {"done": True}, ExecutionState.RUNNING)
        set_run_state(user_id, execution_id, status="done")
        tracker.update_execution_state(execution_id, {"success": True})
        """,
        "from pkg.core.tracker import ExecutionState",
    )
    _, diagnostics = lint(tmp_path, source, config)
    assert [d.line for d in diagnostics] == [4, 7]
    assert "to `set_run_state`" in diagnostics[0].message


def test_no_functions_configured_means_no_libcst_pass(tmp_path: Path) -> None:
    settings = Settings(state={"functions": []})
    assert DictStateUpdate.triggers(settings) == ("\x00",)
    assert DictStateUpdate.triggers(Settings()) == ("update_execution_state",)
    _, diagnostics = lint(
        tmp_path,
        in_function('tracker.update_execution_state(execution_id, "done")'),
        "state.functions = []",
    )
    assert diagnostics == []


def test_trigger_prefilter_skips_files_without_the_function_name(tmp_path: Path) -> None:
    path = tmp_path / "worker.py"
    path.write_text(
        'def run(tracker, execution_id):\n    tracker.update_state(execution_id, {"a": 1})\n',
        encoding="utf-8",
    )
    facts, _ = extract_facts(path.read_text(), "worker", False)
    outcome = analyse_rules(
        path, "worker.py", facts, Settings(), ProjectKnowledge(), [DictStateUpdate], False
    )
    assert not outcome.parsed and outcome.diagnostics == []
    path.write_text(
        "def run(tracker, execution_id):\n"
        '    tracker.update_execution_state(execution_id, {"a": 1})\n',
        encoding="utf-8",
    )
    facts, _ = extract_facts(path.read_text(), "worker", False)
    outcome = analyse_rules(
        path, "worker.py", facts, Settings(), ProjectKnowledge(), [DictStateUpdate], False
    )
    assert outcome.parsed and [d.code for d in outcome.diagnostics] == [CODE]


# ---------------------------------------------------------------------------
# Fixes.


def test_fix_string_value_and_name_and_shapes_adds_the_import(tmp_path: Path) -> None:
    source = '''\
"""Worker."""

import logging


def run(tracker, execution_id, steps, options):
    tracker.update_execution_state(execution_id, "cancelled")
    tracker.update_execution_state(execution_id, new_state="FAILED")
    tracker.update_execution_state(execution_id, {"completed": True, "success": True})
    tracker.update_execution_state(execution_id, state=dict(success=False, completed=True))
    tracker.update_execution_state(execution_id, {"success": True, "completed": True}, {"n": 1})
'''
    root, diagnostics = lint(tmp_path, source)
    assert [d.fix.applicability for d in diagnostics if d.fix] == [Applicability.SAFE] * 5
    result = fixed(root, diagnostics)
    assert (
        result
        == '''\
"""Worker."""

import logging
from pkg.core.tracker import ExecutionState


def run(tracker, execution_id, steps, options):
    tracker.update_execution_state(execution_id, ExecutionState.CANCELLED)
    tracker.update_execution_state(execution_id, new_state=ExecutionState.FAILED)
    tracker.update_execution_state(execution_id, ExecutionState.COMPLETED)
    tracker.update_execution_state(execution_id, state=ExecutionState.FAILED)
    tracker.update_execution_state(execution_id, ExecutionState.COMPLETED, {"n": 1})
'''
    )
    ast.parse(result)
    cst.parse_module(result)
    # Idempotent: the fixed file is clean, and fixing it again changes nothing.
    root2, again = lint(tmp_path / "again", result)
    assert again == []
    assert fixed(root2, again) == result


def test_fix_uses_an_existing_binding(tmp_path: Path) -> None:
    source = """\
from pkg.core import ExecutionState


def run(tracker, execution_id):
    tracker.update_execution_state(execution_id, "completed")
"""
    root, diagnostics = lint(tmp_path, source)
    assert [e.content for e in diagnostics[0].fix.edits] == ["ExecutionState.COMPLETED"]
    assert "ExecutionState.COMPLETED)" in fixed(root, diagnostics)


def test_fix_goes_through_a_module_alias(tmp_path: Path) -> None:
    source = """\
import pkg.core.tracker as trk


def run(execution_id):
    trk.get_execution_tracker().update_execution_state(execution_id, "running")
"""
    root, diagnostics = lint(tmp_path, source)
    assert fixed(root, diagnostics).endswith(
        "update_execution_state(execution_id, trk.ExecutionState.RUNNING)\n"
    )


def test_fix_in_the_enum_module_itself(tmp_path: Path) -> None:
    source = (
        ENUM_MODULE
        + "\n\ndef close(tracker):\n"
        + ('    tracker.update_execution_state("exec_1", "failed")\n')
    )
    _, diagnostics = lint(tmp_path, "", files={"pkg/core/tracker.py": source})
    (diagnostic,) = diagnostics
    assert [e.content for e in diagnostic.fix.edits] == ["ExecutionState.FAILED"]


def test_no_fix_when_the_enum_name_is_taken(tmp_path: Path) -> None:
    legacy = 'from enum import Enum\n\n\nclass ExecutionState(Enum):\n    COMPLETED = "done"\n'
    source = """\
from pkg.legacy.states import ExecutionState


def run(tracker, execution_id):
    tracker.update_execution_state(execution_id, "completed")
"""
    _, diagnostics = lint(
        tmp_path,
        source,
        'state.enum = "pkg.core.tracker.ExecutionState"',
        files={"pkg/legacy/__init__.py": "", "pkg/legacy/states.py": legacy},
    )
    (diagnostic,) = diagnostics
    assert diagnostic.fix is None


def test_no_fix_when_shadowed_at_the_call(tmp_path: Path) -> None:
    source = """\
from pkg.core.tracker import ExecutionState


def run(tracker, execution_id, ExecutionState):
    tracker.update_execution_state(execution_id, "completed")
"""
    _, diagnostics = lint(tmp_path, source)
    assert diagnostics[0].fix is None


def test_no_fix_through_a_type_checking_import(tmp_path: Path) -> None:
    source = """\
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkg.core.tracker import ExecutionState


def run(tracker, execution_id):
    tracker.update_execution_state(execution_id, "completed")
"""
    _, diagnostics = lint(tmp_path, source)
    assert len(diagnostics) == 1 and diagnostics[0].fix is None


@pytest.mark.parametrize(
    "argument",
    [
        '"archived"',  # no such member
        'f"completed"',  # f-strings are never rewritten
        'b"completed"',
        "1",
        "None",
        '{"success": True}',  # not a configured shape
        '{"success": True, "completed": True, "category": "billing"}',
        '{"success": 1, "completed": 1}',  # 1 is not True
        '{"success": True, "completed": True, "success": True}',  # duplicate key
        '{"success": True, **extra}',
        "{s: True for s in steps}",
        "dict(success=True, completed=True, **extra)",
        'dict({"success": True, "completed": True})',
    ],
)
def test_no_fix_when_ambiguous(tmp_path: Path, argument: str) -> None:
    source = in_function(f"extra = {{}}\ntracker.update_execution_state(execution_id, {argument})")
    _, diagnostics = lint(tmp_path, source)
    assert len(diagnostics) == 1 and diagnostics[0].fix is None


def test_string_matching_one_members_value_and_anothers_name_is_ambiguous(
    tmp_path: Path,
) -> None:
    enum = """
        from enum import Enum


        class RunPhase(Enum):
            ABORTED = "FAILED"
            FAILED = "failed"
            DONE = "done"
            FINISHED = "done"
        """
    source = in_function(
        """
        tracker.update_execution_state(execution_id, "FAILED")
        tracker.update_execution_state(execution_id, "failed")
        tracker.update_execution_state(execution_id, "done")
        """,
        "from pkg.phases import RunPhase",
    )
    _, diagnostics = lint(
        tmp_path, source, 'state.enum = "RunPhase"', files={"pkg/phases.py": enum}
    )
    contents = [[e.content for e in d.fix.edits] if d.fix else None for d in diagnostics]
    # Aliases (FINISHED = "done") resolve to the first member, as Enum does.
    assert contents == [None, ["RunPhase.FAILED"], ["RunPhase.DONE"]]


def test_member_names_match_auto_values(tmp_path: Path) -> None:
    enum = """
        from enum import Enum, auto


        class ExecutionState(Enum):
            RUNNING = auto()
            COMPLETED = auto()
        """
    source = in_function(
        """
        tracker.update_execution_state(execution_id, "COMPLETED")
        tracker.update_execution_state(execution_id, "completed")
        """,
        "from pkg.core.tracker import ExecutionState",
    )
    _, diagnostics = lint(tmp_path, source, files={"pkg/core/tracker.py": enum})
    contents = [[e.content for e in d.fix.edits] if d.fix else None for d in diagnostics]
    assert contents == [["ExecutionState.COMPLETED"], None]


def test_comments_inside_the_replaced_dict_make_the_fix_unsafe(tmp_path: Path) -> None:
    source = in_function(
        """
        tracker.update_execution_state(
            execution_id,
            {
                "success": True,  # the agent produced a report
                "completed": True,
            },
        )
        """
    )
    _, diagnostics = lint(tmp_path, source)
    assert diagnostics[0].fix is not None
    assert diagnostics[0].fix.applicability is Applicability.UNSAFE


def test_configured_shapes_and_members_without_a_definition(tmp_path: Path) -> None:
    """The enum lives in an installed package: members and shapes come from config."""
    config = """
        state.enum = "agent_sdk.states.RunState"
        state.members = { DONE = "done", ERRORED = "errored" }
        state.shapes = [
            { match = { status = "ok", final = true }, member = "DONE" },
            { match = { status = "ok" }, member = "NOT_A_MEMBER" },
        ]
        """
    source = in_function(
        """
        tracker.update_execution_state(execution_id, {"final": True, "status": "ok"})
        tracker.update_execution_state(execution_id, "errored")
        tracker.update_execution_state(execution_id, {"status": "ok"})
        tracker.update_execution_state(execution_id, {"success": True, "completed": True})
        """
    )
    root, diagnostics = lint(tmp_path, source, config, files={"pkg/core/tracker.py": ""})
    contents = [[e.content for e in d.fix.edits] if d.fix else None for d in diagnostics]
    import_line = "from agent_sdk.states import RunState\n"
    assert contents == [
        [import_line, "RunState.DONE"],
        [import_line, "RunState.ERRORED"],
        None,  # the configured member does not exist
        None,  # the default shapes were replaced
    ]
    assert "pass a `RunState` member (e.g. `RunState.DONE`)" in diagnostics[2].message
    assert fixed(root, diagnostics).startswith(import_line)


def test_zero_config_without_a_definition_fixes_only_through_a_bound_name(
    tmp_path: Path,
) -> None:
    bound = in_function(
        'tracker.update_execution_state(execution_id, {"success": True, "completed": True})',
        "from agent_sdk.states import ExecutionState",
    )
    unbound = in_function(
        'tracker.update_execution_state(execution_id, {"success": True, "completed": True})'
    )
    no_enum = {"pkg/core/tracker.py": ""}
    _, with_binding = lint(tmp_path / "a", bound, files=no_enum)
    _, without = lint(tmp_path / "b", unbound, files=no_enum)
    assert [e.content for e in with_binding[0].fix.edits] == ["ExecutionState.COMPLETED"]
    assert without[0].fix is None


# ---------------------------------------------------------------------------
# Project knowledge of the state enum.


def test_knowledge_follows_a_dotted_re_export_to_the_definition(tmp_path: Path) -> None:
    root = write_project(tmp_path / "project", PLATFORM, 'state.enum = "pkg.core.ExecutionState"')
    knowledge = check(root, use_cache=False, jobs=1).knowledge
    assert knowledge.state_enum == "pkg.core.tracker.ExecutionState"
    assert ("COMPLETED", "'completed'") in knowledge.state_members


def test_knowledge_prefers_the_real_enum_among_same_named_classes(tmp_path: Path) -> None:
    files = {
        **PLATFORM,
        # Sorts first by path, but is a test module and a copy with other values.
        "conftest.py": 'from enum import Enum\n\n\nclass ExecutionState(Enum):\n    DONE = "d"\n',
        # Sorts first among non-tests, but is not an Enum subclass.
        "aaa/__init__.py": "",
        "aaa/labels.py": 'class ExecutionState(Labels):\n    DONE = "d"\n',
    }
    knowledge = check(write_project(tmp_path / "p", files), use_cache=False, jobs=1).knowledge
    assert knowledge.state_enum == "pkg.core.tracker.ExecutionState"


def test_knowledge_breaks_ties_by_importers(tmp_path: Path) -> None:
    copy = 'from enum import Enum\n\n\nclass ExecutionState(Enum):\n    DONE = "done"\n'
    files = {
        **PLATFORM,
        "aaa/__init__.py": "",
        "aaa/states.py": copy,
        "pkg/agents/a.py": "from pkg.core.tracker import ExecutionState\n",
        "pkg/agents/b.py": "from pkg.core.tracker import ExecutionState\n",
    }
    knowledge = check(write_project(tmp_path / "p", files), use_cache=False, jobs=1).knowledge
    assert knowledge.state_enum == "pkg.core.tracker.ExecutionState"


def test_knowledge_stores_configured_members_as_source(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", PLATFORM, 'state.members = { OK = "ok", LATE = "late" }')
    knowledge = check(root, use_cache=False, jobs=1).knowledge
    assert knowledge.state_members == (("OK", "'ok'"), ("LATE", "'late'"))
    assert knowledge.state_enum == "pkg.core.tracker.ExecutionState"
