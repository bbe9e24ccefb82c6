"""`ssot-lint init`: what it infers from which evidence, and how `--write` edits
pyproject.toml (every other byte kept, refusals leave the file untouched)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import tomlkit
from click.testing import CliRunner, Result

from ssot_lint.cli import main
from ssot_lint.config import Settings, load_settings_file, load_table
from ssot_lint.init_proposal import Proposal, propose, render
from ssot_lint.tomledit import section_blocks, table_headers

FIXTURES = Path(__file__).parent / "fixtures"
PLATFORM = FIXTURES / "init_platform"
PYPROJECTS = FIXTURES / "init_pyprojects"


@pytest.fixture(scope="module")
def proposal() -> Proposal:
    return propose(PLATFORM, jobs=1)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "platform"
    shutil.copytree(PLATFORM, root)
    return root


def _init(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["init", *map(str, args)])


def _section_text(root: Path) -> str:
    return render(propose(root, jobs=1))


# ---------------------------------------------------------------------------
# Inference


def test_first_party_roots_include_the_namespace_package(proposal: Proposal) -> None:
    assert proposal.src is not None
    # commons has no __init__.py; scripts/ is never imported; tests/ is not imported.
    assert proposal.src.values == {"src": ["commons", "orchestra"]}
    evidence = "\n".join(proposal.src.evidence)
    assert "commons    namespace package  3 imports" in evidence
    assert "orchestra  package            19 imports" in evidence


def test_registry_is_found(proposal: Proposal) -> None:
    assert proposal.registry is not None
    assert proposal.registry.values == {"registry": "SSOT_IMPORT_REGISTRY.md"}


def test_canonical_is_the_most_imported_tracker(proposal: Proposal) -> None:
    assert [c.values for c in proposal.canonical] == [
        {
            "class": "orchestra.core.run_tracker.RunTracker",
            "accessor": "orchestra.core.run_tracker.get_run_tracker",
            "absorbs": ["StepTracker"],
        }
    ]
    evidence = proposal.canonical[0].evidence
    assert evidence[0] == "*Tracker classes; modules importing each:"
    assert evidence[1].split() == ["5", "RunTracker", "orchestra/core/run_tracker.py:18"]
    assert evidence[2].split() == ["1", "StepTracker", "orchestra/legacy/step_tracker.py:6"]


def test_id_manager_is_the_widely_imported_generator_module(proposal: Proposal) -> None:
    assert proposal.ids is not None
    assert proposal.ids.values == {"managers": ["orchestra.core.id_service"]}
    listing = "\n".join(proposal.ids.evidence)
    assert "generate_request_id(), generate_run_id(), generate_session_id(); uses uuid" in listing
    assert "is_valid_id" not in listing  # ID-like, but a predicate, not a factory


def test_state_function_and_its_enum(proposal: Proposal) -> None:
    assert proposal.state is not None
    assert proposal.state.values == {
        "functions": ["update_execution_state"],
        "enum": "orchestra.core.run_tracker.ExecutionState",
    }
    listing = "\n".join(proposal.state.evidence)
    assert "orchestra/services/scheduler.py:17: update_execution_state(state: ExecutionState)" in (
        listing
    )
    assert "tests/" not in listing  # the test double is not evidence


def test_deprecated_by_docstring_and_by_warning(proposal: Proposal) -> None:
    replacement = "orchestra.services.request_context.RequestContext"
    assert [d.values for d in proposal.deprecated] == [
        {"symbol": "orchestra.legacy.context.LegacyContext", "replacement": replacement},
        {"symbol": "orchestra.legacy.session_bag.SessionBag", "replacement": replacement},
    ]
    assert "LegacyContext's docstring says deprecated" in proposal.deprecated[0].evidence[0]
    assert "SessionBag warns DeprecationWarning" in proposal.deprecated[1].evidence[0]
    # RequestContext's docstring mentions "the deprecated LegacyContext": not itself deprecated.
    assert all("RequestContext" not in str(d.values.get("symbol")) for d in proposal.deprecated)


def test_rendered_section_is_a_valid_configuration(proposal: Proposal) -> None:
    text = render(proposal)
    document = tomlkit.parse(text).unwrap()
    section = document["tool"]["ssot-lint"]
    assert section == proposal.section()
    settings = load_table(Settings, section, "", None)
    assert settings.src == ["commons", "orchestra"]
    assert settings.canonical[0].accessor == "orchestra.core.run_tracker.get_run_tracker"
    # Evidence is a comment right above what it explains.
    lines = text.splitlines()
    header = lines.index("[[tool.ssot-lint.canonical]]")
    assert lines[header - 1] == "# accessor: get_run_tracker() is defined in the same module"


def test_nothing_inferred_says_which_defaults_apply(tmp_path: Path) -> None:
    (tmp_path / "tool.py").write_text("print('hello')\n", encoding="utf-8")
    text = render(propose(tmp_path, jobs=1))
    assert "# Not inferred, so the built-in defaults apply:" in text
    assert "#   canonical (no duplicate class family found)" in text
    assert tomlkit.parse(text).unwrap() == {"tool": {"ssot-lint": {}}}


def test_src_layout_roots_are_paths_under_src(tmp_path: Path) -> None:
    package = tmp_path / "src" / "billing"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "invoices.py").write_text("from billing.money import Money\n", encoding="utf-8")
    (package / "money.py").write_text("class Money:\n    pass\n", encoding="utf-8")
    found = propose(tmp_path, jobs=1)
    assert found.src is not None and found.src.values == {"src": ["src/billing"]}


def test_bundled_example_matches_its_hand_written_configuration() -> None:
    examples = Path(__file__).parent.parent / "examples"
    found = propose(examples, jobs=1).section()
    written = load_settings_file(examples / "pyproject.toml")
    canonical = {c["class"]: c for c in found["canonical"]}
    tracker = written.canonical[0]
    assert canonical[tracker.class_]["accessor"] == tracker.accessor
    assert "AgentStateTracker" in canonical[tracker.class_]["absorbs"]
    deprecated = written.deprecated[0]
    assert {"symbol": deprecated.symbol, "replacement": deprecated.replacement} in found[
        "deprecated"
    ]
    assert found["ids"]["managers"] == written.ids.managers
    assert found["ids"]["fix-imports"] == written.ids.fix_imports
    assert found["state"]["enum"] == written.state.enum
    assert found["registry"] == written.registry


# ---------------------------------------------------------------------------
# --write: byte-for-byte insertion


def _crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


SAMPLES = {
    "poetry": (PYPROJECTS / "poetry.toml").read_bytes(),
    "pep621-hatch-ruff-pytest": (PYPROJECTS / "pep621_hatch.toml").read_bytes(),
    "odd-spacing": (PYPROJECTS / "odd_spacing.toml").read_bytes(),
    "crlf": _crlf((PYPROJECTS / "pep621_hatch.toml").read_text(encoding="utf-8")),
    "no-trailing-newline": (PYPROJECTS / "poetry.toml").read_bytes().rstrip(b"\n"),
    "bom": b"\xef\xbb\xbf" + (PYPROJECTS / "poetry.toml").read_bytes(),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_write_appends_the_section_and_keeps_every_byte(project: Path, name: str) -> None:
    original = SAMPLES[name]
    target = project / "pyproject.toml"
    target.write_bytes(original)
    section = _section_text(project)

    result = _init(project, "--write")

    assert result.exit_code == 0, result.output
    written = target.read_bytes()
    assert written.startswith(original)
    inserted = written[len(original) :].decode("utf-8")
    newline = "\r\n" if name == "crlf" else "\n"
    if name == "no-trailing-newline":
        separator = newline * 2
    elif original.endswith(b"\n\n"):
        separator = ""
    else:
        separator = newline
    assert inserted == separator + section.replace("\n", newline)
    if name == "crlf":
        assert b"\n" not in written.replace(b"\r\n", b"")
    # It parses, the other tables are intact, and `check` loads it.
    before = tomlkit.parse(original.decode("utf-8-sig")).unwrap()
    after = tomlkit.parse(written.decode("utf-8-sig")).unwrap()
    assert after["tool"].pop("ssot-lint") == propose(project, jobs=1).section()
    if not after["tool"]:
        del after["tool"]
    assert after == before
    assert load_settings_file(target).src == ["commons", "orchestra"]
    assert "Added [tool.ssot-lint] to" in result.output


def test_write_creates_pyproject_when_there_is_none(project: Path) -> None:
    result = _init(project, "--write")
    assert result.exit_code == 0, result.output
    target = project / "pyproject.toml"
    assert target.read_text(encoding="utf-8") == _section_text(project)
    assert "Created" in result.output and "with only the [tool.ssot-lint] section" in result.output
    # A new file gets the usual permissions, not a temporary file's 0600.
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_written_config_loads_and_check_runs(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _init(project, "--write").exit_code == 0
    settings = load_settings_file(project / "pyproject.toml", required=True)
    assert settings.state.enum == "orchestra.core.run_tracker.ExecutionState"
    monkeypatch.chdir(project)
    checked = CliRunner().invoke(main, ["check", "--no-cache", "--output-format", "json", "."])
    assert checked.exit_code in (0, 1), checked.output
    codes = {d["code"] for d in __import__("json").loads(checked.stdout)}
    # The inferred configuration drives the rules: StepTracker is absorbed by
    # RunTracker (SSOT001), LegacyContext/SessionBag imports are deprecated (SSOT004).
    assert {"SSOT001", "SSOT004"} <= codes


def test_write_keeps_the_file_mode(project: Path) -> None:
    target = project / "pyproject.toml"
    target.write_bytes(SAMPLES["poetry"])
    target.chmod(0o640)
    assert _init(project, "--write").exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


# ---------------------------------------------------------------------------
# An existing section: refused, or replaced with --force


EXISTING = (PYPROJECTS / "existing_section.toml").read_text(encoding="utf-8")


def test_existing_section_is_refused_and_the_file_untouched(project: Path) -> None:
    target = project / "pyproject.toml"
    target.write_text(EXISTING, encoding="utf-8")
    before = target.read_bytes()
    result = _init(project, "--write")
    assert result.exit_code == 2
    assert "pyproject.toml:6: already has a [tool.ssot-lint] section" in result.output
    assert "--force" in result.output
    assert target.read_bytes() == before


def test_force_replaces_only_the_section(project: Path) -> None:
    target = project / "pyproject.toml"
    target.write_text(EXISTING, encoding="utf-8")
    section = _section_text(project)

    result = _init(project, "--write", "--force")

    assert result.exit_code == 0, result.output
    # Every [tool.ssot-lint...] table goes, with the comments between them;
    # the comments introducing [tool.ruff] and everything else stay.
    head, rest = EXISTING.split("[tool.ssot-lint]\n", 1)
    middle = rest[rest.index("# Ruff settings follow.") : rest.index("[tool.ssot-lint.ids]")]
    # The removed [tool.ssot-lint.ids] takes its trailing blank line with it.
    tail = rest[rest.index("[tool.pytest.ini_options]") :]
    assert target.read_text(encoding="utf-8") == head + section + "\n" + middle + tail
    assert "Replaced [tool.ssot-lint]" in result.output
    after = tomlkit.parse(target.read_text(encoding="utf-8")).unwrap()
    assert after["tool"]["ruff"] == {"line-length": 100}
    assert after["tool"]["ssot-lint"] == propose(project, jobs=1).section()
    # Idempotent: a second --force gives the same bytes.
    once = target.read_bytes()
    assert _init(project, "--write", "--force").exit_code == 0
    assert target.read_bytes() == once


def test_force_with_crlf_keeps_crlf(project: Path) -> None:
    target = project / "pyproject.toml"
    target.write_bytes(_crlf(EXISTING))
    assert _init(project, "--write", "--force").exit_code == 0
    written = target.read_bytes()
    assert b"\n" not in written.replace(b"\r\n", b"")
    assert written.startswith(_crlf(EXISTING.split("[tool.ssot-lint]", 1)[0]))
    assert written.endswith(_crlf(EXISTING[EXISTING.index("[tool.pytest.ini_options]") :]))


def test_dotted_key_section_is_not_guessed_at(project: Path) -> None:
    target = project / "pyproject.toml"
    target.write_text('[tool]\nssot-lint.src = ["orchestra"]\n', encoding="utf-8")
    before = target.read_bytes()
    result = _init(project, "--write", "--force")
    assert result.exit_code == 2
    assert "written as dotted keys or an inline table" in result.output
    assert target.read_bytes() == before


def test_force_needs_write(project: Path) -> None:
    result = _init(project, "--force")
    assert result.exit_code == 2
    assert "--force only applies with --write" in result.output


# ---------------------------------------------------------------------------
# Errors: one message naming the file (and line), exit 2, file untouched


def test_invalid_toml_is_reported_with_its_line(project: Path) -> None:
    target = project / "pyproject.toml"
    target.write_text('[project]\nname = "x"\nversion = \n', encoding="utf-8")
    before = target.read_bytes()
    result = _init(project, "--write")
    assert result.exit_code == 2
    assert "pyproject.toml:3:" in result.output and "invalid TOML" in result.output
    assert "Traceback" not in result.output
    assert target.read_bytes() == before


def test_unwritable_file_is_a_clear_error_and_nothing_is_half_written(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = project / "pyproject.toml"
    target.write_bytes(SAMPLES["poetry"])

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("ssot_lint.fixes.os.replace", refuse)
    result = _init(project, "--write")
    assert result.exit_code == 2
    assert "cannot write" in result.output and "pyproject.toml: Permission denied" in result.output
    assert target.read_bytes() == SAMPLES["poetry"]
    assert not list(project.glob(".pyproject.toml.*"))  # the temporary file is gone


# ---------------------------------------------------------------------------
# The header scanner behind --force


def test_headers_inside_strings_and_arrays_are_not_tables() -> None:
    text = (
        '[tool.other]\nnote = """\n[tool.ssot-lint]\n"""\nmatrix = [\n  [ "tool" ]\n]\n'
        '[ tool . "ssot-lint" ]  # ours\nsrc = []\n'
    )
    assert [h.key for h in table_headers(text)] == [("tool", "other"), ("tool", "ssot-lint")]
    ((start, end, line),) = section_blocks(text)
    assert line == 8 and text[start:end] == '[ tool . "ssot-lint" ]  # ours\nsrc = []\n'


# ---------------------------------------------------------------------------
# The real executable


def test_subprocess_prints_the_proposal_and_writes_nothing(project: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "ssot_lint", "init", str(project)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == _section_text(project)
    assert "Nothing written. `ssot-lint init --write` adds this section to" in completed.stderr
    assert not (project / "pyproject.toml").exists()
