"""The command line: exit codes, rule selection options, the default command,
`ssot-lint rule`, and the real executables (`python -m ssot_lint`, `ssot-lint`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support import write_project

from ssot_lint import __version__
from ssot_lint.cli import main
from ssot_lint.rules import all_rules

SOURCE = """
    # file: app/state.py
    class DeepAgentState:
        pass

    # file: app/agent_execution_tracker.py
    class AgentExecutionTracker:
        pass


    def get_execution_tracker() -> AgentExecutionTracker:
        return AgentExecutionTracker()

    # file: app/handler.py
    from app.agent_execution_tracker import AgentExecutionTracker
    from app.state import DeepAgentState

    tracker = AgentExecutionTracker()
    x = 1  # ssot: ignore[SSOT004]

    # file: app/clean.py
    VALUE = 1
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_project(tmp_path / "proj", SOURCE)
    monkeypatch.chdir(root)
    return root


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _codes(*args: str) -> Counter[str]:
    result = _run("check", "--output-format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return Counter(row["code"] for row in json.loads(result.stdout))


# ---------------------------------------------------------------------------
# Exit codes


def test_exit_codes(project: Path) -> None:
    assert _run("check", "app/clean.py").exit_code == 0
    assert _run("check", "app/handler.py").exit_code == 1
    assert _run("check", "app/handler.py", "--exit-zero").exit_code == 0
    assert _run("check", "missing.py").exit_code == 2
    assert _run("check", "--select", "SSOT9").exit_code == 2
    assert _run("check", "--no-such-option").exit_code == 2
    assert _run("check", "--output-format", "yaml").exit_code == 2


def test_exit_zero_still_prints_the_violations(project: Path) -> None:
    result = _run("check", "app/handler.py", "--exit-zero", "--output-format", "concise")
    assert result.exit_code == 0
    assert "Found 2 errors." in result.stdout


def test_default_command_is_check(project: Path) -> None:
    explicit = _run("check", "app/handler.py", "--output-format", "concise")
    implicit = _run("app/handler.py", "--output-format", "concise")
    flags_first = _run("--output-format", "concise", "app/handler.py")
    assert explicit.exit_code == implicit.exit_code == flags_first.exit_code == 1
    assert explicit.stdout == implicit.stdout == flags_first.stdout
    # No arguments at all: check the current directory.
    assert _run().stdout == _run("check", ".").stdout


def test_version_and_help() -> None:
    assert _run("--version").stdout == f"ssot-lint, version {__version__}\n"
    help_text = _run("check", "--help").stdout
    for option in ("--select", "--extend-select", "--ignore", "--statistics", "--exit-zero"):
        assert option in help_text


def test_unexpected_crash_is_exit_2_with_traceback(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(options: object) -> None:
        raise RuntimeError("registry index out of sync")

    monkeypatch.setattr("ssot_lint.commands.check.run_check", broken)
    result = _run("check", ".")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    assert "RuntimeError: registry index out of sync" in result.stderr
    assert result.stderr.rstrip().endswith(
        "this is a bug, please report it with the traceback above"
    )


# ---------------------------------------------------------------------------
# Rule selection on the command line


def test_select_extend_select_and_ignore(project: Path) -> None:
    assert _codes() == {"SSOT004": 1, "SSOT006": 1}
    assert _codes("--select", "SSOT004") == {"SSOT004": 1}
    assert _codes("--select", "deprecated-symbol") == {"SSOT004": 1}
    assert _codes("--ignore", "SSOT004") == {"SSOT006": 1}
    assert _codes("--extend-select", "SSOT100") == {"SSOT004": 1, "SSOT006": 1, "SSOT100": 1}
    assert _codes("--report-unused-ignores") == {"SSOT004": 1, "SSOT006": 1, "SSOT100": 1}


def test_selectors_comma_separated_and_repeated(project: Path) -> None:
    expected = {"SSOT004": 1, "SSOT100": 1}
    assert _codes("--select", "SSOT004,SSOT100") == expected
    assert _codes("--select", "SSOT004", "--select", "SSOT100") == expected
    assert _codes("--select", " SSOT004 , SSOT100 ,") == expected
    assert _codes("--select", "SSOT", "--ignore", "SSOT006,SSOT000", "--ignore", "SSOT101") == (
        expected
    )
    assert _codes("--extend-select", "SSOT100", "--ignore", "SSOT004,SSOT006") == {"SSOT100": 1}


def test_command_line_select_overrides_the_configuration(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.ssot-lint]\nignore = ["SSOT004"]\n', encoding="utf-8"
    )
    assert _codes() == {"SSOT006": 1}
    assert _codes("--select", "SSOT004") == {"SSOT004": 1}
    assert _codes("--extend-select", "SSOT004") == {"SSOT004": 1, "SSOT006": 1}


def test_unknown_selector_on_the_command_line(project: Path) -> None:
    result = _run("check", ".", "--extend-select", "SSOT004,SSOT9")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: --extend-select: unknown rule selector 'SSOT9' "
        "(`ssot-lint rule --all` lists the rules)\n"
    )


def test_force_exclude_option(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.ssot-lint]\nextend-exclude = ["app/handler.py"]\n', encoding="utf-8"
    )
    assert _run("check", "app/handler.py").exit_code == 1
    assert _run("check", "app/handler.py", "--force-exclude").exit_code == 0
    assert _run("check", ".").exit_code == 0


# ---------------------------------------------------------------------------
# `ssot-lint rule`


def test_rule_all_lists_every_rule() -> None:
    result = _run("rule", "--all")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(all_rules())
    (unused,) = [line for line in lines if line.startswith("SSOT100")]
    assert "unused-suppression" in unused and "(opt-in)" in unused and "[fix]" in unused


def test_rule_all_as_json() -> None:
    result = _run("rule", "--all", "--output-format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [entry["code"] for entry in data] == list(all_rules())
    by_code = {entry["code"]: entry for entry in data}
    assert by_code["SSOT004"]["name"] == "deprecated-symbol"
    assert by_code["SSOT100"]["default_enabled"] is False
    assert by_code["SSOT101"]["options"][0]["key"] == "suppressions.require-reasons"
    for entry in data:
        assert entry["example"] and entry["use_instead"] and entry["what_it_does"]


def test_rule_by_code_or_name() -> None:
    by_code = _run("rule", "SSOT004")
    assert by_code.exit_code == 0
    assert by_code.stdout.startswith("# deprecated-symbol (SSOT004)")
    assert _run("rule", "deprecated-symbol").stdout == by_code.stdout
    assert _run("rule", "ssot004").stdout == by_code.stdout
    single = json.loads(_run("rule", "SSOT100", "--output-format", "json").stdout)
    assert single["code"] == "SSOT100" and single["fixable"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rule", "SSOT999"], "error: unknown rule 'SSOT999'; `ssot-lint rule --all` lists them\n"),
        (["rule"], "error: give a rule code (e.g. `ssot-lint rule SSOT002`) or --all\n"),
        (["rule", "SSOT004", "--all"], "error: give a rule code or --all, not both\n"),
    ],
)
def test_rule_usage_errors(args: list[str], message: str) -> None:
    result = _run(*args)
    assert result.exit_code == 2
    assert result.stderr == message


# ---------------------------------------------------------------------------
# Real processes


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}


def _python_m(project: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """``python -m ssot_lint ARGS`` in ``project``, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "ssot_lint", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=timeout,
    )


def test_python_dash_m(project: Path) -> None:
    proc = _python_m(project, "check", "app/handler.py", "--output-format", "json")
    assert proc.returncode == 1
    assert proc.stderr == ""
    rows = json.loads(proc.stdout)
    assert sorted((r["code"], r["path"]) for r in rows) == [
        ("SSOT004", "app/handler.py"),
        ("SSOT006", "app/handler.py"),
    ]
    clean = _python_m(project, "app/clean.py")
    assert (clean.returncode, clean.stdout) == (0, "All checks passed! (1 file checked)\n")


def test_console_script(project: Path) -> None:
    script = shutil.which("ssot-lint", path=str(Path(sys.executable).parent))
    assert script is not None, "the package must be installed (pip install -e '.[test]')"
    results = {}
    for args in (["app/handler.py"], ["missing.py"], ["app/handler.py", "--exit-zero"]):
        proc = subprocess.run(
            [script, *args], cwd=project, capture_output=True, text=True, env=_env(), timeout=120
        )
        results[args[-1]] = proc.returncode
        assert "Traceback" not in proc.stderr
    assert results == {"app/handler.py": 1, "missing.py": 2, "--exit-zero": 0}


def test_broken_pipe_is_quiet(project: Path) -> None:
    for index in range(300):
        (project / "app" / f"legacy_{index}.py").write_text(
            "from app.state import DeepAgentState\n", encoding="utf-8"
        )
    proc = subprocess.run(
        f"{sys.executable} -m ssot_lint check . --no-cache | head -n 1",
        shell=True,
        cwd=project,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
    )
    assert proc.stdout.count("\n") == 1
    assert proc.stderr == ""


def test_the_whole_report_arrives_before_the_process_ends(project: Path) -> None:
    # The console entry point ends with os._exit (no interpreter teardown):
    # a report larger than any pipe buffer must still be written out whole.
    for index in range(400):
        (project / "app" / f"legacy_{index}.py").write_text(
            "from app.state import DeepAgentState\n", encoding="utf-8"
        )
    proc = _python_m(project, "check", ".", "--output-format", "json", timeout=300)
    assert proc.returncode == 1
    legacy = [r for r in json.loads(proc.stdout) if r["path"].startswith("app/legacy_")]
    assert len(legacy) == 400


@pytest.mark.parametrize(
    ("value", "code", "printed"),
    [
        (None, 0, ""),
        (0, 0, ""),
        (1, 1, ""),
        (2, 2, ""),
        ("stopped: reason", 1, "stopped: reason\n"),
    ],
)
def test_exit_codes_follow_sys_exit(
    value: object, code: int, printed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from ssot_lint.cli import _exit_code

    assert _exit_code(value) == code
    assert capsys.readouterr().err == printed


@pytest.mark.parametrize("warnings_option", ["default", "error"])
def test_warnings_about_the_checked_code_are_not_printed_nor_fatal(
    tmp_path: Path, warnings_option: str
) -> None:
    # "\d" is an invalid escape: a SyntaxWarning from Python 3.12, a
    # DeprecationWarning before. Under -W error the compiler would raise it as
    # a SyntaxError, and a valid file would be reported as unparsable.
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/state.py": "class DeepAgentState:\n    pass\n",
            "app/parse.py": 'from app.state import DeepAgentState\nDIGITS = "\\d+"\n',
        },
    )
    proc = subprocess.run(
        [
            *(sys.executable, "-W", warnings_option, "-m", "ssot_lint"),
            *("check", "--no-cache", "--output-format", "json"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert "escape" not in proc.stderr
    codes = {(d["code"], Path(d["filename"]).name) for d in json.loads(proc.stdout)}
    assert ("SSOT004", "parse.py") in codes
    assert not any(code == "SSOT000" for code, _ in codes)
