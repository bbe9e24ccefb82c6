"""A file that cannot be parsed is one SSOT000 diagnostic and the run goes on;
a rule that raises on one file is an internal error for that file (exit 2)
without losing any other result."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import libcst as cst
import pytest
from click.testing import CliRunner
from support import check, found, write_project

from ssot_lint.cli import main
from ssot_lint.diagnostics import Diagnostic
from ssot_lint.project import Project
from ssot_lint.rules import CstRule, ProjectRule, all_rules

STATE = "class DeepAgentState:\n    pass\n"
LEGACY = "from app.state import DeepAgentState\n"


class ExplodingRule(CstRule):
    """A rule with a bug that shows only on files named ``*boom*.py``."""

    code = "SSOT990"
    name = "exploding-test-rule"
    summary = "Test-only rule that raises on some files"
    what_it_does = why_bad = example = use_instead = "x = 1"

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if "boom" in self.ctx.path:
            raise RuntimeError("tracker registry lookup failed")


class ExplodingProjectRule(ProjectRule):
    code = "SSOT991"
    name = "exploding-project-rule"
    summary = "Test-only cross-file rule that raises"
    what_it_does = why_bad = example = use_instead = "x = 1"

    def check(self, project: Project) -> Iterable[Diagnostic]:
        raise KeyError("agent_execution_tracker")


@pytest.fixture
def exploding_rule(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Register ExplodingRule for one test (the registry is a cached dict)."""
    registry = all_rules()
    monkeypatch.setitem(registry, ExplodingRule.code, ExplodingRule)
    assert ExplodingRule.code in all_rules()
    yield ExplodingRule.code


def boom_project(root: Path) -> Path:
    """Violations in three files; the rule under test explodes on one of them."""
    return write_project(
        root,
        {
            "app/state.py": STATE,
            "app/alpha.py": LEGACY,
            "app/boom.py": LEGACY + "from app import state as s\n",
            "app/omega.py": LEGACY,
        },
    )


# ---------------------------------------------------------------------------
# Parse errors


def test_syntax_error_is_one_diagnostic_and_the_run_goes_on(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "app/state.py": STATE,
            "app/broken.py": "def start(agent_name: str:\n    return agent_name\n" + LEGACY,
            "app/handler.py": LEGACY,
        },
    )
    result = check(root)
    assert result.errors == []
    assert found(result) == {
        ("app/broken.py", 1, "SSOT000"): 1,
        ("app/handler.py", 1, "SSOT004"): 1,
    }
    (parse_error,) = [d for d in result.diagnostics if d.code == "SSOT000"]
    assert parse_error.message.startswith("cannot parse: ")
    assert parse_error.column == 26


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"x = 1\ny = '\xff\xfe'\n", 2),  # not UTF-8
        (b"# -*- coding: klingon -*-\nx = 1\n", 1),  # unknown encoding
        (b"x = 1\n\x00\n", 2),  # NUL byte
        (b"<<<<<<< HEAD\nx = 1\n=======\nx = 2\n>>>>>>> feature\n", 1),  # merge conflict
    ],
    ids=["not-utf8", "unknown-encoding", "nul-byte", "merge-conflict"],
)
def test_undecodable_and_unparsable_files(tmp_path: Path, data: bytes, line: int) -> None:
    root = write_project(tmp_path, {"app/state.py": STATE, "app/handler.py": LEGACY})
    (root / "app" / "bad.py").write_bytes(data)
    result = check(root)
    assert result.errors == []
    assert found(result) == {
        ("app/bad.py", line, "SSOT000"): 1,
        ("app/handler.py", 1, "SSOT004"): 1,
    }


def test_parse_error_exit_code_and_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {"app/broken.py": "class ExecutionState(Enum\n"})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--output-format", "concise", "."])
    assert result.exit_code == 1
    assert result.stdout.startswith("app/broken.py:1:")
    assert " SSOT000 cannot parse: " in result.stdout


# ---------------------------------------------------------------------------
# A rule that raises


def test_rule_raising_on_one_file_is_an_internal_error_for_that_file(
    tmp_path: Path, exploding_rule: str
) -> None:
    root = boom_project(tmp_path)
    result = check(root, extend_select=[exploding_rule], jobs=1, use_cache=False)
    assert [e.path for e in result.errors] == ["app/boom.py"]
    assert "SSOT990 failed" in result.errors[0].message
    assert "tracker registry lookup failed" in result.errors[0].message
    # Every other result is still there, the exploding file's other rules included.
    assert found(result) == {
        ("app/alpha.py", 1, "SSOT004"): 1,
        ("app/boom.py", 1, "SSOT004"): 1,
        ("app/omega.py", 1, "SSOT004"): 1,
    }


def test_internal_error_exits_2_even_with_exit_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exploding_rule: str
) -> None:
    boom_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    args = ["check", ".", "--extend-select", exploding_rule, "--no-cache", "-j", "1"]
    for extra in ([], ["--exit-zero"]):
        result = CliRunner().invoke(main, [*args, "--output-format", "concise", *extra])
        assert result.exit_code == 2
        assert result.stdout.splitlines()[:3] == [
            "app/alpha.py:1:23: SSOT004 import of deprecated `DeepAgentState`; use "
            "`UserExecutionContext` instead",
            "app/boom.py:1:23: SSOT004 import of deprecated `DeepAgentState`; use "
            "`UserExecutionContext` instead",
            "app/omega.py:1:23: SSOT004 import of deprecated `DeepAgentState`; use "
            "`UserExecutionContext` instead",
        ]
        assert result.stderr.startswith("error: app/boom.py: SSOT990 failed")
        assert "Traceback" not in result.stdout


def test_project_rule_raising_is_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(all_rules(), ExplodingProjectRule.code, ExplodingProjectRule)
    root = boom_project(tmp_path)
    result = check(root, extend_select=["SSOT991"], use_cache=False)
    assert [(e.path, e.message) for e in result.errors] == [
        ("<project>", "SSOT991 failed: KeyError('agent_execution_tracker')")
    ]
    assert len(result.diagnostics) == 3
