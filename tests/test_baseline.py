"""Baselines: fingerprints that survive realistic edits, the file format, and
the `baseline` / `check --baseline` commands."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import check, write_project

from ssot_lint import baseline as baselines
from ssot_lint.baseline import (
    BaselineError,
    Entry,
    dumps,
    fingerprint,
    loads,
    match,
    module_local_scope,
    normalise_code,
)
from ssot_lint.cli import main

ENGINE = '''\
"""Runs agents for one request."""

import uuid

from netra.agents.state import DeepAgentState


class ExecutionEngine:
    def __init__(self, tracker) -> None:
        self.tracker = tracker

    def start(self, agent_name: str) -> str:
        execution_id = f"exec_{uuid.uuid4().hex[:8]}"
        self.tracker.update_execution_state(execution_id, {"success": True, "completed": True})
        return execution_id

    def resume(self, state: DeepAgentState) -> str:
        run_id = str(uuid.uuid4())
        return run_id
'''

PROJECT = {
    "netra/__init__.py": "",
    "netra/agents/__init__.py": "",
    "netra/agents/state.py": "class DeepAgentState:\n    pass\n",
    "netra/services/__init__.py": "",
    "netra/services/execution_engine.py": ENGINE,
    "netra/services/websocket_bridge.py": (
        "import uuid\n\n\ndef open_session(user_id: str) -> dict:\n"
        '    return {"session_id": str(uuid.uuid4()), "user_id": user_id}\n'
    ),
}
ENGINE_PATH = "netra/services/execution_engine.py"


def _project(tmp_path: Path, config: str = "") -> Path:
    return write_project(tmp_path / "repo", dict(PROJECT), config)


def _cli(*args: str) -> object:
    return CliRunner().invoke(main, [*args])


def _record(root: Path) -> Path:
    outcome = _cli("baseline", str(root), "--no-cache")
    assert outcome.exit_code == 0, outcome.output
    return root / ".ssot-lint-baseline.json"


def _check(root: Path, *args: str) -> object:
    return _cli("check", str(root), "--no-cache", "--output-format", "concise", *args)


def _edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = root / rel
    text = path.read_text()
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count))


def _new_codes(outcome: object) -> list[str]:
    return [
        line.split(": ")[1].split()[0]
        for line in outcome.output.splitlines()  # type: ignore[attr-defined]
        if line.startswith("netra/") or "/netra/" in line.split(":")[0]
    ]


# ---------------------------------------------------------------------------
# Fingerprints.


def test_normalised_code_ignores_formatting_but_not_meaning() -> None:
    plain = normalise_code('update_execution_state(eid, {"success": True, "completed": True})')
    reformatted = normalise_code(
        "update_execution_state(\n    eid,  # the run\n    {'success': True, 'completed': True},\n)"
    )
    assert plain == reformatted
    assert normalise_code("(uuid.uuid4())") == normalise_code("uuid . uuid4 ( )")
    assert normalise_code("not x") == "not x"  # words stay apart
    assert normalise_code("uuid.uuid4()") != normalise_code("uuid.uuid1()")
    assert normalise_code("f(a, b)") != normalise_code("f(b, a)")
    assert normalise_code("(a) + (b)") == "(a)+(b)"  # only a paren pair spanning everything goes


def test_module_local_scope() -> None:
    assert module_local_scope("netra.services.engine.Engine.start", "netra/services/engine.py") == (
        "Engine.start"
    )
    assert module_local_scope("pkg.mod.f", "src/pkg/mod.py") == "f"
    assert module_local_scope("pkg", "pkg/__init__.py") == ""
    assert module_local_scope("pkg.mod", "pkg/mod.py") == ""
    assert module_local_scope("", "pkg/mod.py") == ""


def test_fingerprints_have_occurrence_indexes_and_no_line_numbers(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _edit(
        root,
        ENGINE_PATH,
        "        run_id = str(uuid.uuid4())\n",
        "        run_id = str(uuid.uuid4())\n        run_id = str(uuid.uuid4())\n",
    )
    result = check(root, use_cache=False)
    entries = fingerprint(result.diagnostics, root)
    copies = [
        e for e in entries if e.scope.endswith("ExecutionEngine.resume") and e.code == "SSOT002"
    ]
    assert [e.index for e in copies] == [0, 1]
    assert {e.text for e in copies} == {"uuid.uuid4()"}
    moved = [Entry(e.path, e.code, e.scope, e.text, e.index, e.line + 40, "") for e in entries]
    assert [e.fingerprint() for e in moved] == [e.fingerprint() for e in entries]
    assert len({e.fingerprint() for e in entries}) == len(entries)


# ---------------------------------------------------------------------------
# Survival across realistic edits.


def test_check_with_baseline_passes_and_reports_ignored(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert _check(root).exit_code == 1
    file = _record(root)
    outcome = _check(root, "--baseline", str(file))
    assert outcome.exit_code == 0, outcome.output
    assert "5 known violation" in outcome.output
    assert "ignored by the baseline" in outcome.output


def test_survives_lines_inserted_above(tmp_path: Path) -> None:
    root = _project(tmp_path)
    file = _record(root)
    _edit(
        root,
        ENGINE_PATH,
        '"""Runs agents for one request."""\n',
        '"""Runs agents for one request.\n\nSee docs/engine.md.\n"""\n\nimport logging\n\n'
        "logger = logging.getLogger(__name__)\n",
    )
    outcome = _check(root, "--baseline", str(file))
    assert outcome.exit_code == 0, outcome.output
    assert "no longer occur" not in outcome.output


def test_survives_reformatting(tmp_path: Path) -> None:
    root = _project(tmp_path)
    file = _record(root)
    _edit(
        root,
        ENGINE_PATH,
        '        self.tracker.update_execution_state(execution_id, {"success": True, '
        '"completed": True})\n',
        "        self.tracker.update_execution_state(\n"
        "            execution_id,\n"
        "            {'success': True, 'completed': True},  # legacy shape\n"
        "        )\n",
    )
    _edit(root, ENGINE_PATH, "run_id = str(uuid.uuid4())", "run_id = str( uuid.uuid4( ) )")
    outcome = _check(root, "--baseline", str(file))
    assert outcome.exit_code == 0, outcome.output
    assert "no longer occur" not in outcome.output


def test_survives_renaming_a_variable_elsewhere(tmp_path: Path) -> None:
    root = _project(tmp_path)
    file = _record(root)
    _edit(root, ENGINE_PATH, "run_id", "resumed_run_id", count=2)
    _edit(root, ENGINE_PATH, "agent_name: str", "agent: str")
    outcome = _check(root, "--baseline", str(file))
    assert outcome.exit_code == 0, outcome.output


def test_duplicated_violation_is_the_only_new_one(tmp_path: Path) -> None:
    root = _project(tmp_path)
    file = _record(root)
    _edit(
        root,
        ENGINE_PATH,
        "        return run_id\n",
        "        retry_id = str(uuid.uuid4())\n        return run_id, retry_id\n",
    )
    _edit(
        root,
        "netra/services/websocket_bridge.py",
        '    return {"session_id"',
        '    backup = {"session_id": str(uuid.uuid4())}\n    return {"session_id"',
    )
    outcome = _check(root, "--baseline", str(file))
    assert outcome.exit_code == 1
    lines = [line for line in outcome.output.splitlines() if ": SSOT" in line]
    assert len(lines) == 2, outcome.output
    assert any("execution_engine.py:19:" in line and "retry_id" in line for line in lines)
    assert any("websocket_bridge.py:" in line for line in lines)
    assert "no longer occur" not in outcome.output
    assert "5 known violation" in outcome.output


def test_survives_a_file_rename(tmp_path: Path) -> None:
    root = _project(tmp_path)
    file = _record(root)
    (root / "netra" / "runtime").mkdir()
    (root / "netra" / "runtime" / "__init__.py").write_text("")
    shutil.move(root / ENGINE_PATH, root / "netra" / "runtime" / "engine.py")
    outcome = _check(root, "--baseline", str(file))
    assert outcome.exit_code == 0, outcome.output
    assert "no longer occur" not in outcome.output


def test_survives_renaming_the_enclosing_function(tmp_path: Path) -> None:
    root = _project(tmp_path)
    file = _record(root)
    _edit(root, ENGINE_PATH, "def start(", "def begin(")
    outcome = _check(root, "--baseline", str(file))
    assert outcome.exit_code == 0, outcome.output


def test_fixed_violations_are_reported_as_stale(tmp_path: Path) -> None:
    root = _project(tmp_path)
    file = _record(root)
    _edit(root, ENGINE_PATH, "run_id = str(uuid.uuid4())", "run_id = state.run_id")
    outcome = _check(root, "--baseline", str(file))
    assert outcome.exit_code == 0
    assert "1 baseline entry no longer occurs; run `ssot-lint baseline --prune`" in outcome.output
    strict = _check(root, "--baseline", str(file), "--fail-on-stale-baseline")
    assert strict.exit_code == 1
    assert "error: 1 baseline entry no longer occurs" in strict.output


def test_prune_only_shrinks(tmp_path: Path) -> None:
    root = _project(tmp_path)
    file = _record(root)
    before = loads(file.read_text())
    _edit(root, ENGINE_PATH, "run_id = str(uuid.uuid4())", "run_id = state.run_id")
    _edit(
        root,
        ENGINE_PATH,
        "        return execution_id\n",
        "        retry_id = str(uuid.uuid1())\n        return execution_id, retry_id\n",
    )
    outcome = _cli("baseline", str(root), "--no-cache", "--prune")
    assert outcome.exit_code == 0, outcome.output
    assert "(0 added, 1 removed)" in outcome.output
    after = loads(file.read_text())
    assert len(after) == len(before) - 1
    assert set(after) < set(before)  # nothing new, nothing rewritten
    # The new violation was not accepted by the prune.
    assert _check(root, "--baseline", str(file)).exit_code == 1


def test_regenerating_keeps_unrelated_lines_unchanged(tmp_path: Path) -> None:
    root = _project(tmp_path)
    file = _record(root)
    original = file.read_text()
    _edit(root, ENGINE_PATH, "import uuid\n", "import logging\nimport uuid\n")
    outcome = _cli("baseline", str(root), "--no-cache")
    assert outcome.exit_code == 0
    assert "unchanged" in outcome.output
    assert file.read_text() == original


def test_partial_run_does_not_call_other_files_stale(tmp_path: Path) -> None:
    root = _project(tmp_path)
    file = _record(root)
    outcome = _check(root / "netra" / "services" / "websocket_bridge.py", "--baseline", str(file))
    assert outcome.exit_code == 0, outcome.output
    assert "no longer occur" not in outcome.output
    selected = _check(root, "--baseline", str(file), "--select", "SSOT004")
    assert selected.exit_code == 0
    assert "no longer occur" not in selected.output


def test_deleted_file_entries_are_stale_on_a_full_run(tmp_path: Path) -> None:
    root = _project(tmp_path)
    file = _record(root)
    (root / "netra" / "services" / "websocket_bridge.py").unlink()
    outcome = _check(root, "--baseline", str(file))
    assert outcome.exit_code == 0
    assert "1 baseline entry no longer occurs" in outcome.output


def test_config_key_and_no_baseline(tmp_path: Path) -> None:
    root = _project(tmp_path, 'baseline = "ci/ssot-baseline.json"')
    outcome = _cli("baseline", str(root), "--no-cache")
    assert outcome.exit_code == 0, outcome.output
    assert (root / "ci" / "ssot-baseline.json").is_file()
    assert _check(root).exit_code == 0
    assert _check(root, "--no-baseline").exit_code == 1


def test_missing_or_broken_baseline_is_a_usage_error(tmp_path: Path) -> None:
    root = _project(tmp_path, 'baseline = "missing.json"')
    outcome = _check(root)
    assert outcome.exit_code == 2
    assert "does not exist; create it with `ssot-lint baseline`" in outcome.output
    broken = root / "broken.json"
    broken.write_text('{"ssot-lint-baseline": 7, "entries": []}')
    outcome = _check(root, "--baseline", str(broken))
    assert outcome.exit_code == 2
    assert "version 7 is not supported" in outcome.output


def test_machine_output_stays_clean_with_a_baseline(tmp_path: Path) -> None:
    root = _project(tmp_path)
    file = _record(root)
    _edit(
        root,
        ENGINE_PATH,
        "        return run_id\n",
        "        backup_id = str(uuid.uuid1())\n        return run_id, backup_id\n",
    )
    outcome = CliRunner().invoke(
        main,
        ["check", str(root), "--no-cache", "--output-format", "json", "--baseline", str(file)],
    )
    assert outcome.exit_code == 1
    reported = json.loads(outcome.stdout)
    assert [(d["code"], d["location"]["row"]) for d in reported] == [("SSOT002", 19)]
    assert "5 known violations ignored by the baseline." in outcome.stderr


# ---------------------------------------------------------------------------
# The file.


def _entry(path: str, code: str = "SSOT002", index: int = 0, line: int = 3) -> Entry:
    return Entry(path, code, path[:-3].replace("/", "."), "uuid.uuid4()", index, line, "manual ID")


def test_file_is_sorted_versioned_one_entry_per_line() -> None:
    entries = [_entry("b.py"), _entry("a.py", index=1), _entry("a.py")]
    text = dumps(entries)
    data = json.loads(text)
    assert data["ssot-lint-baseline"] == 1
    assert data["entries"][-1] is None
    lines = text.splitlines()
    entry_lines = [line for line in lines if line.strip().startswith('{"path"')]
    assert len(entry_lines) == 3
    assert all(line.endswith(",") for line in entry_lines)
    assert [json.loads(line.strip().rstrip(","))["path"] for line in entry_lines] == [
        "a.py",
        "a.py",
        "b.py",
    ]
    assert loads(text) == sorted(entries, key=lambda e: e.sort_key)
    assert dumps(reversed(entries)) == text  # stable whatever the input order
    assert "hash" not in text and "count" not in text


def test_two_branches_adding_entries_merge_cleanly(tmp_path: Path) -> None:
    # One branch appends after the last entry, the other inserts right before it
    # and elsewhere: with a trailing comma to add, this would be a conflict.
    base = [_entry("netra/a.py"), _entry("netra/m.py"), _entry("netra/z.py")]
    ours = [*base, _entry("netra/b.py"), _entry("netra/zz.py")]
    theirs = [*base, _entry("netra/n.py"), _entry("netra/y.py", code="SSOT004")]
    for name, entries in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp_path / name).write_text(dumps(entries))
    merged = subprocess.run(
        ["git", "merge-file", "-p", "ours", "base", "theirs"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert merged.returncode == 0, merged.stdout  # 0 = no conflicts
    assert set(loads(merged.stdout)) == set(ours) | set(theirs)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "not an ssot-lint baseline"),
        ('{"ssot-lint-baseline": 1, "entries": {}}', "'entries' must be a list"),
        ('{"ssot-lint-baseline": 1, "entries": [{"path": "a.py"}]}', "missing 'code'"),
        (
            '{"ssot-lint-baseline": 1, "entries": [{"path": "a.py", "code": "X", "scope": "",'
            ' "text": "", "index": "0"}]}',
            "'index' must be a int",
        ),
        (
            '{"ssot-lint-baseline": 1, "entries": [{"path": "a.py", "code": "X", "scope": "",'
            ' "text": "", "index": 0, "colour": 1}]}',
            "unknown field 'colour'",
        ),
    ],
)
def test_invalid_files_are_clear_errors(text: str, message: str) -> None:
    with pytest.raises(BaselineError, match=message):
        loads(text, "b.json")


def test_match_prefers_exact_then_rename_then_nearest_line(tmp_path: Path) -> None:
    root = _project(tmp_path)
    result = check(root, use_cache=False)
    current = fingerprint(result.diagnostics, root)
    engine = [e for e in current if e.path == ENGINE_PATH]
    # A baseline from before a rename, with a different function name for one entry.
    old_path = "netra/services/legacy_engine.py"
    moved = [
        Entry(
            old_path,
            e.code,
            e.scope.replace("execution_engine", "legacy_engine"),
            e.text,
            e.index,
            e.line,
        )
        for e in engine
    ]
    outcome = match(moved, result.diagnostics, root)
    assert len(outcome.known) == len(engine)
    assert outcome.stale == []
    renamed_scope = [
        Entry(e.path, e.code, e.scope + "_old", e.text, e.index, e.line + 3) for e in engine
    ]
    outcome = match(renamed_scope, result.diagnostics, root)
    assert len(outcome.known) == len(engine)
    unrelated = [Entry(ENGINE_PATH, "SSOT002", "x", "uuid.uuid5()", 0, 1)]
    outcome = match(unrelated, result.diagnostics, root)
    assert outcome.known == [] and outcome.stale == unrelated
    assert len(outcome.new) == len(result.diagnostics)


def test_stale_and_ignored_messages() -> None:
    assert baselines.stale_message(1) == (
        "1 baseline entry no longer occurs; run `ssot-lint baseline --prune`"
    )
    assert baselines.stale_message(3) == (
        "3 baseline entries no longer occur; run `ssot-lint baseline --prune`"
    )
