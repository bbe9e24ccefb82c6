"""`--output-format sarif`: valid SARIF 2.1.0 (checked against the official
schema in tests/data), shaped the way GitHub code scanning reads it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from support import check, write_project

from ssot_lint.baseline import FINGERPRINT_KEY, fingerprint
from ssot_lint.cli import main
from ssot_lint.diagnostics import InternalError
from ssot_lint.reporters import REPORTERS, ReportContext
from ssot_lint.rules import all_rules

SCHEMA = json.loads(
    (Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json").read_text(
        encoding="utf-8"
    )
)

SOURCE = """
# file: netra/__init__.py
# file: netra/agents/__init__.py
# file: netra/agents/state.py
class DeepAgentState:
    pass

# file: netra/core/__init__.py
# file: netra/core/tracker.py
import enum


class ExecutionState(enum.Enum):
    COMPLETED = "completed"


class AgentExecutionTracker:
    def update_execution_state(self, execution_id, state):
        pass


def get_execution_tracker():
    return AgentExecutionTracker()

# file: netra/services/__init__.py
# file: netra/services/engine.py
\"\"\"Runs agents: 100% of them, with: colons, and commas.\"\"\"
import uuid

from netra.agents.state import DeepAgentState
from netra.core.tracker import AgentExecutionTracker


class Engine:
    def start(self, name: str) -> str:
        execution_id = f"exec_{uuid.uuid4().hex[:8]}"
        tracker = AgentExecutionTracker()
        tracker.update_execution_state(execution_id, "completed")
        return execution_id
"""


def validate(document: dict[str, Any]) -> None:
    validator_class = jsonschema.validators.validator_for(SCHEMA)
    validator_class.check_schema(SCHEMA)
    validator = validator_class(SCHEMA, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def _sarif(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    outcome = CliRunner().invoke(
        main, ["check", str(root), "--no-cache", "--output-format", "sarif", *args]
    )
    return outcome.exit_code, json.loads(outcome.stdout)


def _project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project", SOURCE)


def test_output_is_valid_against_the_official_schema(tmp_path: Path) -> None:
    root = _project(tmp_path)
    code, document = _sarif(root)
    assert code == 1
    validate(document)
    results = document["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"SSOT002", "SSOT003", "SSOT004", "SSOT006"}


def test_empty_run_and_internal_errors_are_valid(tmp_path: Path) -> None:
    root = write_project(tmp_path / "clean", {"pkg/__init__.py": "", "pkg/mod.py": "x = 1\n"})
    code, document = _sarif(root)
    assert code == 0
    validate(document)
    assert document["runs"][0]["results"] == []
    assert document["runs"][0]["invocations"][0]["executionSuccessful"] is True
    ctx = ReportContext(
        diagnostics=[],
        errors=[InternalError("pkg/mod.py", "SSOT002 failed: boom")],
        root=root,
        files_checked=1,
    )
    failed = json.loads(REPORTERS["sarif"](ctx))
    validate(failed)
    invocation = failed["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == (
        "pkg/mod.py: SSOT002 failed: boom"
    )


def test_results_have_what_github_code_scanning_reads(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _, document = _sarif(root)
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ssot-lint"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(all_rules())
    for rule in rules:
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["helpUri"].endswith(f"/rules/{rule['id']}.md")
        assert rule["help"]["markdown"].startswith(f"# {rule['name']} ({rule['id']})")
        assert "## Why is this bad?" in rule["help"]["markdown"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    engine = next(r for r in run["results"] if r["ruleId"] == "SSOT004")
    assert engine["level"] == "error"
    assert rules[engine["ruleIndex"]]["id"] == "SSOT004"
    assert "DeepAgentState" in engine["message"]["text"]
    location = engine["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "netra/services/engine.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert location["region"] == {
        "startLine": 4,
        "startColumn": 32,
        "endLine": 4,
        "endColumn": 46,
    }
    assert set(engine["partialFingerprints"]) == {FINGERPRINT_KEY}


def test_fixes_are_described(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _, document = _sarif(root)
    state = next(r for r in document["runs"][0]["results"] if r["ruleId"] == "SSOT003")
    change = state["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "netra/services/engine.py"
    inserted = [r["insertedContent"]["text"] for r in change["replacements"]]
    assert "ExecutionState.COMPLETED" in inserted
    assert "(safe)" in state["fixes"][0]["description"]["text"]


def test_fingerprints_are_the_baselines_and_survive_line_shifts(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _, before = _sarif(root)
    result = check(root, use_cache=False)
    expected = {e.fingerprint() for e in fingerprint(result.diagnostics, root)}
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in before["runs"][0]["results"]]
    assert set(prints) == expected
    assert len(set(prints)) == len(prints)
    engine = root / "netra" / "services" / "engine.py"
    engine.write_text(
        engine.read_text().replace("import uuid\n", "import logging\nimport uuid\n\nLOG = 1\n")
    )
    _, after = _sarif(root)
    lines_before = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in before["runs"][0]["results"]
    }
    lines_after = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in after["runs"][0]["results"]
    }
    assert lines_before != lines_after
    assert [r["partialFingerprints"] for r in after["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in before["runs"][0]["results"]
    ]


def test_baseline_run_keeps_full_run_fingerprints(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _, full = _sarif(root)
    fingerprints = {
        r["ruleId"]: r["partialFingerprints"][FINGERPRINT_KEY] for r in full["runs"][0]["results"]
    }
    assert CliRunner().invoke(main, ["baseline", str(root), "--no-cache"]).exit_code == 0
    baseline = json.loads((root / ".ssot-lint-baseline.json").read_text())
    entry = next(e for e in baseline["entries"] if e and e["code"] == "SSOT004")
    # Remove one known violation from the baseline: only it is reported, with the
    # fingerprint it had in the full run.
    baseline["entries"] = [e for e in baseline["entries"] if e != entry]
    (root / ".ssot-lint-baseline.json").write_text(json.dumps(baseline))
    code, document = _sarif(root, "--baseline", str(root / ".ssot-lint-baseline.json"))
    assert code == 1
    validate(document)
    results = document["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["SSOT004"]
    assert results[0]["partialFingerprints"][FINGERPRINT_KEY] == fingerprints["SSOT004"]


def test_uris_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "monorepo"
    root = write_project(repo / "services" / "backend", SOURCE)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    _, document = _sarif(root)
    validate(document)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in document["runs"][0]["results"]
    }
    assert uris == {"services/backend/netra/services/engine.py"}
    assert document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.as_uri() + "/"


@pytest.mark.parametrize("name", ["with space.py", "naïve.py"])
def test_uris_are_percent_encoded(tmp_path: Path, name: str) -> None:
    root = write_project(
        tmp_path / "p", {f"pkg/{name}": "import uuid\nrun_id = str(uuid.uuid4())\n"}
    )
    _, document = _sarif(root)
    validate(document)
    uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ]
    assert " " not in uri and uri.isascii()
    from urllib.parse import unquote

    assert unquote(uri) == f"pkg/{name}"


def test_output_file(tmp_path: Path) -> None:
    root = _project(tmp_path)
    target = tmp_path / "reports" / "ssot-lint.sarif"
    outcome = CliRunner().invoke(
        main,
        [
            "check",
            str(root),
            "--no-cache",
            "--output-format",
            "sarif",
            "--output-file",
            str(target),
        ],
    )
    assert outcome.exit_code == 1
    assert outcome.stdout == ""
    document = json.loads(target.read_text(encoding="utf-8"))
    validate(document)
    assert len(document["runs"][0]["results"]) == 4
