"""`--output-format github` (workflow-command annotations) and `junit`."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner
from support import write_project

from ssot_lint.cli import main
from ssot_lint.diagnostics import Diagnostic, InternalError
from ssot_lint.reporters import REPORTERS, ReportContext
from ssot_lint.reporters.github import escape_data, escape_property

SOURCE = """
# file: netra/__init__.py
# file: netra/services/__init__.py
# file: netra/services/bridge.py
import uuid


def open_session(user_id: str) -> dict:
    session_id = str(uuid.uuid4())
    thread_id = uuid.uuid4().hex
    return {"session_id": session_id, "thread_id": thread_id}
"""


def _ctx(
    root: Path, diagnostics: list[Diagnostic], errors: list[InternalError] = ()
) -> ReportContext:
    return ReportContext(
        diagnostics=list(diagnostics), errors=list(errors), root=root, files_checked=3
    )


def _diag(message: str, path: str = "pkg/mod.py", line: int = 3) -> Diagnostic:
    return Diagnostic("SSOT002", message, path, line, 7, line, 19)


# ---------------------------------------------------------------------------
# github


def test_escaping_follows_the_actions_toolkit() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_data("a: b, c") == "a: b, c"
    assert escape_property("a: b, c%\n") == "a%3A b%2C c%25%0A"


def test_annotation_line(tmp_path: Path) -> None:
    text = REPORTERS["github"](_ctx(tmp_path, [_diag("manual ID for `run_id`; 50% of: x, y\nz")]))
    assert text == (
        "::error file=pkg/mod.py,line=3,col=7,endLine=3,endColumn=19,"
        "title=SSOT002 manual-id-generation::SSOT002 manual ID for `run_id`; 50%25 of: x, y%0Az\n"
    )


def test_properties_are_escaped_and_multiline_spans_have_no_end_column(tmp_path: Path) -> None:
    diag = Diagnostic("SSOT004", "deprecated", "odd,dir:x/mod.py", 2, 5, 4, 1)
    text = REPORTERS["github"](_ctx(tmp_path, [diag]))
    assert "file=odd%2Cdir%3Ax/mod.py" in text
    assert "endLine=4" in text and "endColumn" not in text


def test_internal_errors_are_annotated_too(tmp_path: Path) -> None:
    text = REPORTERS["github"](
        _ctx(tmp_path, [], [InternalError("<project>", "SSOT005 failed: KeyError")])
    )
    assert text == ("::error title=ssot-lint internal error::<project>: SSOT005 failed: KeyError\n")


def test_github_format_from_the_cli_uses_repository_paths(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = write_project(repo / "backend", SOURCE)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    outcome = CliRunner().invoke(
        main, ["check", str(root), "--no-cache", "--output-format", "github"]
    )
    assert outcome.exit_code == 1
    lines = outcome.stdout.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("::error file=backend/netra/services/bridge.py,") for line in lines)
    assert lines[0].startswith(
        "::error file=backend/netra/services/bridge.py,line=5,col=22,endLine=5,endColumn=34,"
        "title=SSOT002 manual-id-generation::"
    )
    assert lines[1].endswith(
        "::SSOT002 manual ID for `thread_id`; use `UnifiedIDManager.generate_id(IDType.THREAD)`"
    )


# ---------------------------------------------------------------------------
# junit


def test_junit_one_testcase_per_violation(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", SOURCE)
    outcome = CliRunner().invoke(
        main, ["check", str(root), "--no-cache", "--output-format", "junit"]
    )
    assert outcome.exit_code == 1
    tree = ET.fromstring(outcome.stdout)
    assert tree.tag == "testsuites"
    assert (tree.get("tests"), tree.get("failures"), tree.get("errors")) == ("2", "2", "0")
    suites = tree.findall("testsuite")
    assert len(suites) == 1
    assert suites[0].get("name", "").endswith("netra/services/bridge.py")
    cases = suites[0].findall("testcase")
    assert [c.get("name") for c in cases] == ["SSOT002 at 5:22", "SSOT002 at 6:17"]
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("type") == "SSOT002"
    assert failure.get("message", "").startswith("manual-id-generation: manual ID for `session_id`")
    assert (failure.text or "").endswith(
        "bridge.py:5:22: SSOT002 manual ID for `session_id`; "
        "use `UnifiedIDManager.generate_id(IDType.SESSION)`"
    )


def test_junit_clean_run_has_one_passing_testcase(tmp_path: Path) -> None:
    tree = ET.fromstring(REPORTERS["junit"](_ctx(tmp_path, [])))
    assert (tree.get("tests"), tree.get("failures"), tree.get("errors")) == ("1", "0", "0")
    cases = tree.findall("testsuite/testcase")
    assert len(cases) == 1
    assert cases[0].find("failure") is None
    assert cases[0].get("name") == "3 files checked"


def test_junit_errors_and_unrepresentable_characters(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path,
        [_diag("odd \x00 byte & <tag>", path="pkg/a.py"), _diag("second", path="pkg/b.py")],
        [InternalError("pkg/a.py", "SSOT003 failed: ValueError")],
    )
    tree = ET.fromstring(REPORTERS["junit"](ctx))  # must be well-formed XML
    assert (tree.get("tests"), tree.get("failures"), tree.get("errors")) == ("3", "2", "1")
    first = tree.find("testsuite")
    assert first is not None
    assert first.get("name") == "pkg/a.py" or first.get("name", "").endswith("pkg/a.py")
    assert (first.get("failures"), first.get("errors")) == ("1", "1")
    message = first.find("testcase/failure")
    assert message is not None
    assert "\ufffd byte & <tag>" in message.get("message", "")
    error = first.find("testcase/error")
    assert error is not None and error.get("message") == "SSOT003 failed: ValueError"
