"""`ssot-lint fix` and the machinery under it (ssot_lint/fixes.py).

Fixture projects live in ``tests/fixtures/fix_<name>/``: ``input/`` is the
project, each ``expected*/`` directory holds the files a fix run changes (every
other file must come out byte-identical), and ``<expected-dir>.args`` the
extra command-line arguments of that run (``--unsafe-fixes``).
"""

from __future__ import annotations

import ast
import difflib
import shutil
import stat
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import libcst as cst
import pytest
from click.testing import CliRunner
from support import write_project

from ssot_lint import fixes
from ssot_lint.cli import main
from ssot_lint.commands import fix as fix_command
from ssot_lint.diagnostics import Applicability, Diagnostic, Edit, Fix
from ssot_lint.engine import RunOptions, run_check
from ssot_lint.fixes import (
    FileChangedError,
    FixError,
    apply_edits,
    apply_fixes,
    atomic_write,
    encode_text,
    merge_fixed_imports,
    parse_problem,
    write_if_unchanged,
)
from ssot_lint.source import content_digest, decode_source

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_DIRS = sorted(p for p in FIXTURES.glob("fix_*") if p.is_dir())
VARIANTS = [
    (fixture, variant)
    for fixture in FIXTURE_DIRS
    for variant in sorted(fixture.glob("expected*"))
    if variant.is_dir()
]


def _args(variant: Path) -> list[str]:
    file = variant.parent / f"{variant.name}.args"
    return file.read_text(encoding="utf-8").split() if file.exists() else []


def _copy_input(fixture: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(fixture / "input", root)
    return root


def _python_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*.py"))
        if ".ssot-lint-cache" not in p.parts
    }


def _expected_files(fixture: Path, variant: Path) -> dict[str, bytes]:
    files = _python_files(fixture / "input")
    files.update(_python_files(variant))
    return files


def _text(data: bytes) -> str:
    return decode_source(data)[0]


def _fix_cli(root: Path, *args: str) -> object:
    return CliRunner().invoke(main, ["fix", str(root), "--no-cache", *args])


def test_fixtures_exist() -> None:
    # The fixture-driven tests below are parametrised; make sure they have cases.
    assert {f.name for f in FIXTURE_DIRS} >= {
        "fix_ids",
        "fix_states",
        "fix_registry",
        "fix_singletons",
        "fix_suppressions",
        "fix_mixed",
    }
    assert len(VARIANTS) >= 8


# ---------------------------------------------------------------------------
# Fixtures: expected output, idempotence, --diff, every single fix.


@pytest.mark.parametrize(
    ("fixture", "variant"), VARIANTS, ids=[f"{f.name}/{v.name}" for f, v in VARIANTS]
)
def test_fix_output_matches_expected_files(tmp_path: Path, fixture: Path, variant: Path) -> None:
    root = _copy_input(fixture, tmp_path)
    outcome = _fix_cli(root, *_args(variant))
    assert outcome.exit_code == 0, outcome.output
    produced = _python_files(root)
    expected = _expected_files(fixture, variant)
    assert produced.keys() == expected.keys()
    for rel, data in expected.items():
        assert produced[rel] == data, f"{rel} differs from {variant.name}/{rel}"
        # Every output still parses (libcst and CPython).
        assert parse_problem(_text(produced[rel])) is None, rel


@pytest.mark.parametrize(
    ("fixture", "variant"), VARIANTS, ids=[f"{f.name}/{v.name}" for f, v in VARIANTS]
)
def test_second_fix_run_changes_nothing(tmp_path: Path, fixture: Path, variant: Path) -> None:
    root = _copy_input(fixture, tmp_path)
    assert _fix_cli(root, *_args(variant)).exit_code == 0
    after_first = _python_files(root)
    second = _fix_cli(root, *_args(variant))
    assert second.exit_code == 0, second.output
    assert "Nothing to fix" in second.output
    assert _python_files(root) == after_first


@pytest.mark.parametrize(
    ("fixture", "variant"), VARIANTS, ids=[f"{f.name}/{v.name}" for f, v in VARIANTS]
)
def test_diff_shows_the_fix_and_writes_nothing(
    tmp_path: Path, fixture: Path, variant: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy_input(fixture, tmp_path)
    monkeypatch.chdir(root)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    outcome = CliRunner().invoke(main, ["fix", ".", "--no-cache", "--diff", *_args(variant)])
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    assert after == before  # nothing written, not even touched
    original = _python_files(fixture / "input")
    expected = _expected_files(fixture, variant)
    wanted = ""
    for rel in sorted(expected):
        if expected[rel] != original[rel]:
            wanted += "".join(
                difflib.unified_diff(
                    _text(original[rel]).splitlines(keepends=True),
                    _text(expected[rel]).splitlines(keepends=True),
                    f"a/{rel}",
                    f"b/{rel}",
                )
            )
    assert outcome.stdout == wanted
    assert outcome.exit_code == (1 if wanted else 0), outcome.stderr


def _fix_options(root: Path, args: list[str]) -> RunOptions:
    extend = [args[i + 1] for i, a in enumerate(args) if a == "--extend-select"]
    return RunOptions(paths=[root], extend_select=extend, use_cache=False)


@pytest.mark.parametrize("fixture", FIXTURE_DIRS, ids=[f.name for f in FIXTURE_DIRS])
def test_every_fix_alone_parses_and_removes_its_violation(tmp_path: Path, fixture: Path) -> None:
    """Each fix applied on its own: the file still parses, its violation is
    gone, and the fix does not fire again (idempotence, fix by fix)."""
    source_root = fixture / "input"
    result = run_check(RunOptions(paths=[source_root], use_cache=False))
    fixable = [d for d in result.diagnostics if d.fix is not None]
    assert fixable, f"{fixture.name} has no fixable diagnostic"
    for number, diag in enumerate(fixable):
        assert diag.fix is not None
        data = (source_root / diag.path).read_bytes()
        text, encoding = decode_source(data)
        outcome = apply_fixes(text, [diag.fix])
        assert outcome.applied == [diag.fix], (diag, outcome.failed)
        assert outcome.text != text
        assert parse_problem(outcome.text) is None, (diag, outcome.text)
        root = tmp_path / f"copy{number}"
        shutil.copytree(source_root, root)
        (root / diag.path).write_bytes(encode_text(outcome.text, encoding))
        again = run_check(RunOptions(paths=[root], use_cache=False))

        def count(found: list[Diagnostic], diag: Diagnostic = diag) -> int:
            return sum(1 for d in found if d.code == diag.code and d.path == diag.path)

        assert count(again.diagnostics) == count(result.diagnostics) - 1, diag
        assert not any(
            d.fix is not None and d.fix.edits == diag.fix.edits for d in again.diagnostics
        ), diag


# ---------------------------------------------------------------------------
# Applying edits.


def test_apply_edits_sorts_and_applies_each_edit_once() -> None:
    text = "alpha = 1\nbeta = 2\n"
    edits = [
        Edit(2, 1, 2, 5, "BETA"),
        Edit(1, 1, 1, 6, "ALPHA"),
        Edit(2, 1, 2, 5, "BETA"),  # exact duplicate
    ]
    assert apply_edits(text, edits) == "ALPHA = 1\nBETA = 2\n"


def test_apply_edits_skips_an_edit_overlapping_an_earlier_one() -> None:
    text = "tracker = AgentStateTracker()\n"
    edits = [Edit(1, 11, 1, 30, "get_execution_tracker()"), Edit(1, 11, 1, 28, "Tracker")]
    # Sorted by position, the shorter edit comes first; the other overlaps it.
    assert apply_edits(text, edits) == "tracker = Tracker()\n"


def test_columns_count_characters_not_bytes() -> None:
    text = 'größe = "ü"; run_id = uuid4()\n'
    column = text.index("uuid4()") + 1
    edit = Edit(1, column, 1, column + 7, "new_id()")
    assert apply_edits(text, [edit]) == 'größe = "ü"; run_id = new_id()\n'


def test_crlf_positions_and_newlines_are_kept() -> None:
    text = "import os\r\nx = old()\r\n"
    assert apply_edits(text, [Edit(2, 5, 2, 10, "new()")]) == "import os\r\nx = new()\r\n"


def test_insertion_after_last_line_without_final_newline() -> None:
    text = "import os"
    assert apply_edits(text, [Edit(2, 1, 2, 1, "import sys\n")]) == "import os\nimport sys\n"


def test_fix_is_applied_whole_or_deferred_whole() -> None:
    text = "a = first()\nb = second()\n"
    first = Fix("first", (Edit(1, 5, 1, 12, "one()"),))
    # Overlaps `first` on line 1, and also edits line 2: nothing of it may land.
    second = Fix("second", (Edit(1, 10, 1, 12, "(0)"), Edit(2, 5, 2, 13, "two()")))
    outcome = apply_fixes(text, [second, first])
    assert outcome.text == "a = one()\nb = second()\n"
    assert outcome.applied == [first]
    assert outcome.deferred == [second]


def test_same_import_insertion_from_two_fixes_is_written_once() -> None:
    text = "import os\n\nx = A()\ny = A()\n"
    insert = Edit(2, 1, 2, 1, "from pkg.core import get_a\n")
    one = Fix("x", (Edit(3, 5, 3, 8, "get_a()"), insert))
    two = Fix("y", (Edit(4, 5, 4, 8, "get_a()"), insert))
    outcome = apply_fixes(text, [one, two])
    assert outcome.text == "import os\nfrom pkg.core import get_a\n\nx = get_a()\ny = get_a()\n"
    assert len(outcome.applied) == 2


def test_invalid_positions_fail_that_fix_only() -> None:
    text = "x = 1\n"
    bad = Fix("bad", (Edit(9, 1, 9, 2, "y"),))
    good = Fix("good", (Edit(1, 5, 1, 6, "2"),))
    outcome = apply_fixes(text, [bad, good])
    assert outcome.text == "x = 2\n"
    assert [f for f, _ in outcome.failed] == [bad]
    assert "outside the file" in outcome.failed[0][1]


def test_a_fix_that_breaks_the_code_is_dropped_and_the_others_kept() -> None:
    text = "a = old()\nb = old()\n"
    broken = Fix("broken", (Edit(1, 5, 1, 10, "old(("),))
    fine = Fix("fine", (Edit(2, 5, 2, 10, "new()"),))
    outcome = apply_fixes(text, [broken, fine])
    assert outcome.text == "a = old()\nb = new()\n"
    assert outcome.applied == [fine]
    assert [f for f, _ in outcome.failed] == [broken]
    assert "would not parse" in outcome.failed[0][1]


def test_parse_problem() -> None:
    assert parse_problem("x = (1,\n") is not None
    assert parse_problem("def f():\n    return 1\n") is None


# ---------------------------------------------------------------------------
# Merging inserted or rewritten imports into existing ones.


def _insert(text: str, line: int, statement: str) -> str:
    outcome = apply_fixes(text, [Fix("import", (Edit(line, 1, line, 1, statement),))])
    assert outcome.failed == []
    return outcome.text


def test_inserted_import_merges_into_parenthesised_import_keeping_comments() -> None:
    text = (
        "from pkg.core import (\n"
        "    AgentExecutionTracker,  # canonical\n"
        "    ExecutionState,  # the enum\n"
        ")\n"
        "\n"
        "x = 1\n"
    )
    merged = _insert(text, 5, "from pkg.core import get_execution_tracker\n")
    assert merged == (
        "from pkg.core import (\n"
        "    AgentExecutionTracker,  # canonical\n"
        "    ExecutionState,  # the enum\n"
        "    get_execution_tracker,\n"
        ")\n"
        "\n"
        "x = 1\n"
    )


def test_inserted_names_keep_a_sorted_import_sorted() -> None:
    text = "from pkg.ids import UnifiedIDManager, new_session_id\n\nx = 1\n"
    merged = _insert(text, 2, "from pkg.ids import IDType\n")
    assert merged == "from pkg.ids import IDType, UnifiedIDManager, new_session_id\n\nx = 1\n"


def test_inserted_names_are_appended_to_an_unsorted_import() -> None:
    text = "from pkg.ids import new_session_id, UnifiedIDManager\n\nx = 1\n"
    merged = _insert(text, 2, "from pkg.ids import IDType\n")
    assert merged == "from pkg.ids import new_session_id, UnifiedIDManager, IDType\n\nx = 1\n"


def test_comment_after_last_name_without_trailing_comma_stays_with_it() -> None:
    text = "from pkg.core import (\n    Tracker,\n    State  # the enum\n)\nx = 1\n"
    merged = _insert(text, 5, "from pkg.core import get_tracker\n")
    assert merged == (
        "from pkg.core import (\n    Tracker,\n    State,  # the enum\n    get_tracker\n)\nx = 1\n"
    )


def test_already_imported_name_just_drops_the_inserted_line() -> None:
    text = "from pkg.core import State, Tracker\nx = 1\n"
    assert _insert(text, 2, "from pkg.core import Tracker\n") == text


def test_no_merge_into_type_checking_or_across_code() -> None:
    guarded = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from pkg.core import State\n"
        "x = 1\n"
    )
    assert _insert(guarded, 4, "from pkg.core import Tracker\n") == guarded.replace(
        "x = 1\n", "from pkg.core import Tracker\nx = 1\n"
    )
    # Code between the two imports could use the name before it is bound.
    separated = "from pkg.core import State\nsetup()\nx = 1\n"
    assert _insert(separated, 3, "from pkg.core import Tracker\n") == (
        "from pkg.core import State\nsetup()\nfrom pkg.core import Tracker\nx = 1\n"
    )


def test_relative_and_absolute_imports_are_not_merged() -> None:
    text = "from .core import State\nx = 1\n"
    assert _insert(text, 2, "from pkg.core import Tracker\n") == (
        "from .core import State\nfrom pkg.core import Tracker\nx = 1\n"
    )


def test_rewritten_import_merges_with_its_neighbour() -> None:
    # SSOT005 rewrites the module of line 1; line 2 imports from that module already.
    text = "from pkg import get_tracker\nfrom pkg.core.tracker import State\n\nx = 1\n"
    outcome = apply_fixes(text, [Fix("registry", (Edit(1, 6, 1, 9, "pkg.core.tracker"),))])
    assert outcome.text == "from pkg.core.tracker import State, get_tracker\n\nx = 1\n"


def test_rewritten_import_line_with_a_comment_is_not_dissolved() -> None:
    text = "from pkg import get_tracker  # noqa: E402\nfrom pkg.core.tracker import State\n"
    outcome = apply_fixes(text, [Fix("registry", (Edit(1, 6, 1, 9, "pkg.core.tracker"),))])
    assert outcome.text == (
        "from pkg.core.tracker import get_tracker  # noqa: E402\n"
        "from pkg.core.tracker import State\n"
    )


def test_untouched_duplicate_imports_are_left_alone() -> None:
    text = "from pkg.core import A\nfrom pkg.core import B\nx = 1\n"
    assert merge_fixed_imports(text, [(3, 3)]) == text
    assert merge_fixed_imports(text, []) == text


def test_merge_keeps_the_removed_lines_leading_comment() -> None:
    text = "from pkg.core import A\n# why B is needed\nfrom pkg.core import B\nx = 1\n"
    assert merge_fixed_imports(text, [(3, 3)]) == (
        "from pkg.core import A, B\n# why B is needed\nx = 1\n"
    )


def test_merged_result_is_valid_python_for_many_layouts() -> None:
    layouts = [
        "from m import (a,\n               b)\n",
        "from m import (a, b)  # why\n",
        "from m import \\\n    a\n",
        "import os; from m import a\n",
        "from m import (\n    a,\n    # trailing note\n)\n",
        "from m import a as b\n",
    ]
    for layout in layouts:
        text = layout + "x = 1\n"
        line = layout.count("\n") + 1
        merged = _insert(text, line, "from m import zeta, Alpha\n")
        assert parse_problem(merged) is None, merged
        module = ast.parse(merged)
        names = {
            alias.name
            for node in ast.walk(module)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        assert {"zeta", "Alpha"} <= names
        assert merged.count("from m import") == 1, merged


# ---------------------------------------------------------------------------
# Encoding and writing.


def test_encode_text_refuses_characters_the_encoding_lacks() -> None:
    assert encode_text("x = 'é'\n", "latin-1") == "x = 'é'\n".encode("latin-1")
    assert encode_text("x = 1\n", "utf-8-sig").startswith(b"\xef\xbb\xbf")
    with pytest.raises(FixError, match="cannot represent"):
        encode_text("x = '→'\n", "latin-1")


def test_atomic_write_replaces_content_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "run.py"
    path.write_bytes(b"old\n")
    path.chmod(0o751)
    atomic_write(path, b"new\n")
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.py"]


def test_atomic_write_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.py"
    target.write_bytes(b"old\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    atomic_write(link, b"new\n")
    assert link.is_symlink()
    assert target.read_bytes() == b"new\n"


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_interrupted_write_leaves_the_original_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = tmp_path / "tracker.py"
    path.write_bytes(b"original = True\n")

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fixes.os, failing, crash)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(path, b"fixed = True\n")
    monkeypatch.undo()
    assert path.read_bytes() == b"original = True\n"
    assert [p.name for p in tmp_path.iterdir()] == ["tracker.py"]  # no temporary file left


def test_write_if_unchanged_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_bytes(b"x = 1\n")
    digest = content_digest(b"x = 1\n")
    path.write_bytes(b"x = 1  # edited meanwhile\n")
    with pytest.raises(FileChangedError):
        write_if_unchanged(path, b"x = 2\n", digest)
    assert path.read_bytes() == b"x = 1  # edited meanwhile\n"
    path.write_bytes(b"x = 1\n")
    write_if_unchanged(path, b"x = 2\n", digest)
    assert path.read_bytes() == b"x = 2\n"


# ---------------------------------------------------------------------------
# The command.

STATE_PROJECT = """
# file: svc/core/tracker.py
import enum


class ExecutionState(enum.Enum):
    COMPLETED = "completed"
    FAILED = "failed"

# file: svc/jobs.py
def finish(tracker, run_id):
    tracker.update_execution_state(run_id, "completed")
"""


def test_fix_refuses_a_file_modified_between_read_and_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project(tmp_path / "p", STATE_PROJECT)
    jobs = root / "svc" / "jobs.py"
    real_apply = fixes.apply_fixes

    def apply_while_someone_edits(text: str, found: list[Fix]) -> fixes.FixOutcome:
        outcome = real_apply(text, found)
        jobs.write_text(jobs.read_text() + "# saved by the editor\n")
        return outcome

    monkeypatch.setattr(fixes, "apply_fixes", apply_while_someone_edits)
    outcome = CliRunner().invoke(main, ["fix", str(root), "--no-cache"])
    assert outcome.exit_code == 2
    assert "changed on disk since it was read" in outcome.stderr
    assert jobs.read_text().endswith('"completed")\n# saved by the editor\n')


def test_fix_skips_a_file_modified_during_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project(tmp_path / "p", STATE_PROJECT)
    jobs = root / "svc" / "jobs.py"
    import ssot_lint.engine as engine

    real_check = engine.run_check

    def check_then_edit(options: RunOptions) -> object:
        result = real_check(options)
        time.sleep(0.05)  # past the file system's timestamp granularity
        jobs.write_text("def finish(tracker, run_id):\n    pass\n")
        return result

    monkeypatch.setattr(engine, "run_check", check_then_edit)
    outcome = CliRunner().invoke(main, ["fix", str(root), "--no-cache"])
    assert outcome.exit_code == 2
    assert "changed on disk during the check" in outcome.stderr
    assert jobs.read_text() == "def finish(tracker, run_id):\n    pass\n"


def test_fix_keeps_bom_crlf_and_file_mode(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", STATE_PROJECT)
    jobs = root / "svc" / "jobs.py"
    original = "\ufeff# Jobs.\r\nimport os\r\n\r\n\r\ndef finish(tracker, run_id):\r\n"
    original += '    tracker.update_execution_state(run_id, "completed")\r\n'
    jobs.write_bytes(original.encode("utf-8"))
    jobs.chmod(0o755)
    outcome = _fix_cli(root)
    assert outcome.exit_code == 0, outcome.output
    data = jobs.read_bytes()
    assert (
        data
        == (
            "\ufeff# Jobs.\r\nimport os\r\nfrom svc.core.tracker import ExecutionState\r\n\r\n\r\n"
            "def finish(tracker, run_id):\r\n"
            "    tracker.update_execution_state(run_id, ExecutionState.COMPLETED)\r\n"
        ).encode()
    )
    assert stat.S_IMODE(jobs.stat().st_mode) == 0o755


def test_exit_codes_and_summary(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", STATE_PROJECT)
    first = _fix_cli(root, "--exit-non-zero-on-fix")
    assert first.exit_code == 1
    assert "Fixed 1 error in 1 file (0 remaining)." in first.output
    second = _fix_cli(root, "--exit-non-zero-on-fix")
    assert second.exit_code == 0
    assert "Nothing to fix (0 remaining)." in second.output


def test_unsafe_fixes_only_on_request(tmp_path: Path) -> None:
    source = """
    # file: svc/tracker.py
    class AgentExecutionTracker:
        pass


    def get_execution_tracker():
        return AgentExecutionTracker()

    # file: svc/api.py
    from svc.tracker import AgentExecutionTracker

    tracker = AgentExecutionTracker()
    """
    root = write_project(tmp_path / "p", source)
    api = root / "svc" / "api.py"
    before = api.read_text()
    safe_only = _fix_cli(root)
    assert safe_only.exit_code == 0
    assert api.read_text() == before
    assert "1 more fixable with `ssot-lint fix --unsafe-fixes`." in safe_only.output
    assert _fix_cli(root, "--unsafe-fixes").exit_code == 0
    assert api.read_text() == (
        "from svc.tracker import AgentExecutionTracker, get_execution_tracker\n\n"
        "tracker = get_execution_tracker()\n"
    )


# -- the check -> apply loop, driven by a stand-in for the engine ----------------


FakeRule = Callable[[str], list[tuple[int, int, Edit]]]


def _fake_engine(monkeypatch: pytest.MonkeyPatch, root: Path, rule: FakeRule) -> list[int]:
    """Replace run_check with a one-file 'rule'; returns the list of calls."""
    import ssot_lint.engine as engine

    calls: list[int] = []

    def run(options: object) -> SimpleNamespace:
        calls.append(1)
        text = (root / "mod.py").read_text()
        diagnostics = [
            Diagnostic("SSOT900", "test", "mod.py", 1, s + 1, 1, e + 1, fix=Fix("f", (edit,)))
            for s, e, edit in rule(text)
        ]
        project = SimpleNamespace(files={"mod.py": SimpleNamespace(path=root / "mod.py")})
        return SimpleNamespace(diagnostics=diagnostics, project=project, root=root, errors=[])

    monkeypatch.setattr(engine, "run_check", run)
    return calls


def _collapse_pairs(text: str) -> list[tuple[int, int, Edit]]:
    # Every "aa" -> "a": overlapping fixes, so it takes several passes.
    return [
        (i, i + 2, Edit(1, i + 1, 1, i + 3, "a"))
        for i in range(len(text))
        if text[i : i + 2] == "aa"
    ]


def test_fix_iterates_until_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mod.py").write_text("aaaa\n")
    calls = _fake_engine(monkeypatch, tmp_path, _collapse_pairs)
    options = SimpleNamespace(paths=[tmp_path])
    report = fix_command.fix_project(options, unsafe=False, write=True)
    assert (tmp_path / "mod.py").read_text() == "a\n"
    assert report.passes == 3  # aaaa -> aa -> a -> nothing left
    assert len(calls) == 3
    assert report.fixed == 3
    assert report.converged and not report.problems


def test_fix_gives_up_after_max_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mod.py").write_text("x\n")
    _fake_engine(monkeypatch, tmp_path, lambda text: [(0, 1, Edit(1, 1, 1, 2, "xx"))])
    report = fix_command.fix_project(
        SimpleNamespace(paths=[tmp_path]), unsafe=False, write=True, max_passes=3
    )
    assert (tmp_path / "mod.py").read_text() == "xxxx\n"
    assert report.problems == [("<project>", "fixes did not converge after 3 passes")]


def test_unsafe_filter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mod.py").write_text("x = 1\n")
    import ssot_lint.engine as engine

    unsafe = Fix("u", (Edit(1, 5, 1, 6, "2"),), Applicability.UNSAFE)

    def run(options: object) -> SimpleNamespace:
        text = (tmp_path / "mod.py").read_text()
        diagnostics = (
            [Diagnostic("SSOT900", "t", "mod.py", 1, 5, 1, 6, fix=unsafe)] if "1" in text else []
        )
        project = SimpleNamespace(files={"mod.py": SimpleNamespace(path=tmp_path / "mod.py")})
        return SimpleNamespace(diagnostics=diagnostics, project=project, root=tmp_path, errors=[])

    monkeypatch.setattr(engine, "run_check", run)
    options = SimpleNamespace(paths=[tmp_path])
    report = fix_command.fix_project(options, unsafe=False, write=True)
    assert (tmp_path / "mod.py").read_text() == "x = 1\n"
    assert report.unsafe_skipped == 1
    fix_command.fix_project(options, unsafe=True, write=True)
    assert (tmp_path / "mod.py").read_text() == "x = 2\n"


def test_libcst_and_ast_agree_on_fixture_outputs() -> None:
    # The expected files themselves are valid Python, so a mismatch in the
    # fixture tests is a real difference, never a broken expectation.
    for fixture, variant in VARIANTS:
        for rel, data in _python_files(variant).items():
            text = _text(data)
            cst.parse_module(data)
            ast.parse(text)
            assert rel in _python_files(fixture / "input")


def test_hook_for_fix_is_declared() -> None:
    import yaml

    hooks = yaml.safe_load(
        (Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text()
    )
    fix_hook = next(h for h in hooks if h["id"] == "ssot-lint-fix")
    assert fix_hook["entry"].split()[:2] == ["ssot-lint", "fix"]
    assert fix_hook["language"] == "python"
    assert fix_hook["require_serial"] is True
    assert "python" in fix_hook["types_or"]


def test_fix_safety_is_documented_for_every_fixable_rule() -> None:
    from ssot_lint.rules import all_rules

    docs = (Path(__file__).resolve().parent.parent / "docs" / "fixes.md").read_text()
    rows = [line for line in docs.splitlines() if line.startswith("| SSOT")]
    documented = {row.split()[1] for row in rows}
    assert documented == {code for code, rule in all_rules().items() if rule.fixable}


def test_syntax_the_interpreter_lacks_does_not_block_fixes() -> None:
    # libcst parses it; whether this interpreter's ast does depends on its version.
    text = "type Alias = int\nx = old()\n"
    outcome = apply_fixes(text, [Fix("f", (Edit(2, 5, 2, 10, "new()"),))])
    assert outcome.text == "type Alias = int\nx = new()\n"
    broken = apply_fixes(text, [Fix("f", (Edit(2, 5, 2, 10, "new(("),))])
    assert broken.applied == [] and broken.text == text
