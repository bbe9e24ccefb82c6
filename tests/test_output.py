"""Output formats: full / concise text (ruff's layout), json, json-lines,
--statistics, --quiet, colour only on a terminal, --output-file, determinism,
and internal errors visible in every format."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support import write_project
from test_parse_errors import ExplodingRule, boom_project, exploding_rule  # noqa: F401

from ssot_lint.cli import main

ANSI = "\x1b["

HANDLER = (
    "from app.state import DeepAgentState\n"
    "\n"
    "\n"
    'def run(state: "DeepAgentState") -> None:\n'
    "\tx = 1  # ssot: ignore[SSOT004]\n"
)
ZZ = "import app.state as legacy\n\nSTATE = legacy.DeepAgentState\n"

FULL = """\
app/handler.py:1:23: SSOT004 import of deprecated `DeepAgentState`; use `UserExecutionContext` instead
  |
1 | from app.state import DeepAgentState
  |                       ^^^^^^^^^^^^^^ SSOT004
  |

app/handler.py:4:16: SSOT004 annotation names deprecated `DeepAgentState`; use `UserExecutionContext` instead
  |
4 | def run(state: "DeepAgentState") -> None:
  |                ^^^^^^^^^^^^^^^^ SSOT004
  |

app/handler.py:5:9: SSOT100 [*] unused suppression (unused: `SSOT004`)
  |
5 |  x = 1  # ssot: ignore[SSOT004]
  |         ^^^^^^^^^^^^^^^^^^^^^^^ SSOT100
  |
  = help: Remove unused suppression

app/zz.py:3:9: SSOT004 use of deprecated `DeepAgentState`; use `UserExecutionContext` instead
  |
3 | STATE = legacy.DeepAgentState
  |         ^^^^^^^^^^^^^^^^^^^^^ SSOT004
  |

"""  # noqa: E501

CONCISE = """\
app/handler.py:1:23: SSOT004 import of deprecated `DeepAgentState`; use `UserExecutionContext` instead
app/handler.py:4:16: SSOT004 annotation names deprecated `DeepAgentState`; use `UserExecutionContext` instead
app/handler.py:5:9: SSOT100 [*] unused suppression (unused: `SSOT004`)
app/zz.py:3:9: SSOT004 use of deprecated `DeepAgentState`; use `UserExecutionContext` instead
"""  # noqa: E501

SUMMARY = "Found 4 errors.\n[*] 1 fixable with `ssot-lint fix`.\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_project(
        tmp_path / "proj",
        {
            "app/state.py": "class DeepAgentState:\n    pass\n",
            "app/handler.py": HANDLER,
            "app/zz.py": ZZ,
        },
        'extend-select = ["SSOT100"]',
    )
    monkeypatch.chdir(root)
    for variable in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(variable, raising=False)
    return root


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args])


# ---------------------------------------------------------------------------
# Text


def test_full_format_layout(project: Path) -> None:
    result = _run(".")
    assert result.exit_code == 1
    assert result.stdout == FULL + SUMMARY
    assert result.stderr == ""


def test_concise_format_layout(project: Path) -> None:
    result = _run(".", "--output-format", "concise")
    assert result.stdout == CONCISE + SUMMARY


@pytest.mark.parametrize(
    ("fmt", "body"), [("full", FULL.rstrip("\n") + "\n"), ("concise", CONCISE)]
)
def test_quiet_prints_diagnostics_only(project: Path, fmt: str, body: str) -> None:
    result = _run(".", "--output-format", fmt, "--quiet")
    assert result.exit_code == 1
    assert result.stdout == body


def test_clean_run_summary(project: Path) -> None:
    (project / "app" / "handler.py").write_text("x = 1\n", encoding="utf-8")
    (project / "app" / "zz.py").write_text("y = 2\n", encoding="utf-8")
    for fmt in ("full", "concise"):
        result = _run(".", "--output-format", fmt)
        assert result.exit_code == 0
        assert result.stdout == "All checks passed! (3 files checked)\n"
        assert _run(".", "--output-format", fmt, "-q").stdout == ""


def test_suppressed_count_in_summary(project: Path) -> None:
    (project / "app" / "zz.py").write_text(
        "from app.state import DeepAgentState  # noqa: SSOT004\n", encoding="utf-8"
    )
    (project / "app" / "handler.py").write_text(
        "from app.state import DeepAgentState  # ssot: ignore[SSOT004](v1 runner)\n",
        encoding="utf-8",
    )
    result = _run(".", "--output-format", "concise")
    assert result.exit_code == 0
    assert result.stdout == "All checks passed! (3 files checked)\n2 suppressed by comments.\n"


def test_paths_are_shown_relative_to_the_working_directory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "app")
    lines = _run("zz.py", "--output-format", "concise").stdout.splitlines()
    assert lines[0].startswith("zz.py:3:9: SSOT004 ")
    monkeypatch.chdir(project.parent)
    lines = _run("proj/app/zz.py", "--output-format", "concise").stdout.splitlines()
    assert lines[0].startswith("proj/app/zz.py:3:9: SSOT004 ")


def test_output_is_deterministic_and_sorted(project: Path) -> None:
    outputs = {_run(".", "--output-format", fmt, "--no-cache").stdout for fmt in ["json"] * 3}
    assert len(outputs) == 1
    rows = json.loads(outputs.pop())
    keys = [(r["path"], r["location"]["row"], r["location"]["column"]) for r in rows]
    assert keys == sorted(keys)
    # Naming the files in another order changes nothing.
    forward = _run("app/handler.py", "app/zz.py", "--output-format", "concise").stdout
    backward = _run("app/zz.py", "app/handler.py", "--output-format", "concise").stdout
    assert forward == backward == CONCISE + SUMMARY


# ---------------------------------------------------------------------------
# Colour


def test_no_colour_when_not_a_terminal(project: Path) -> None:
    assert ANSI not in _run(".").stdout


def test_colour_always_and_never(project: Path) -> None:
    coloured = CliRunner().invoke(main, ["check", ".", "--color", "always"], color=False)
    assert ANSI in coloured.stdout
    assert click_unstyle(coloured.stdout) == FULL + SUMMARY
    plain = CliRunner().invoke(main, ["check", ".", "--color", "never"], color=True)
    assert ANSI not in plain.stdout


def test_force_color_and_no_color_environment(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ANSI in _run(".", "--output-format", "concise").stdout
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("NO_COLOR", "1")
    assert ANSI not in CliRunner().invoke(main, ["check", "."], color=True).stdout
    # An explicit choice beats the environment.
    assert ANSI in _run(".", "--color", "always").stdout


def click_unstyle(text: str) -> str:
    import click

    return click.unstyle(text)


def _run_on_a_terminal(root: Path, *args: str) -> str:
    """Run the real command with stdout attached to a pseudo-terminal."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ssot_lint", "check", *args],
            cwd=root,
            stdout=follower,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the other side has closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=120) == 1
    finally:
        os.close(leader)
    return b"".join(chunks).decode()


def test_colour_on_a_real_terminal(project: Path) -> None:
    on_terminal = _run_on_a_terminal(project, ".", "--no-cache")
    assert ANSI in on_terminal
    assert click_unstyle(on_terminal).replace("\r\n", "\n") == FULL + SUMMARY
    assert ANSI not in _run_on_a_terminal(project, ".", "--color", "never")
    # A report written to a file has no colour, even from a terminal.
    _run_on_a_terminal(project, ".", "-o", "report.txt")
    assert (project / "report.txt").read_text(encoding="utf-8") == FULL + SUMMARY


# ---------------------------------------------------------------------------
# JSON


def test_json_format(project: Path) -> None:
    result = _run(".", "--output-format", "json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [(r["code"], r["path"], r["location"]["row"]) for r in rows] == [
        ("SSOT004", "app/handler.py", 1),
        ("SSOT004", "app/handler.py", 4),
        ("SSOT100", "app/handler.py", 5),
        ("SSOT004", "app/zz.py", 3),
    ]
    first = rows[0]
    assert first == {
        "code": "SSOT004",
        "name": "deprecated-symbol",
        "message": "import of deprecated `DeepAgentState`; use `UserExecutionContext` instead",
        "filename": str(project / "app" / "handler.py"),
        "path": "app/handler.py",
        "location": {"row": 1, "column": 23},
        "end_location": {"row": 1, "column": 37},
        "fix": None,
        "noqa_row": 1,
        "scope": first["scope"],
        "url": "https://github.com/ssot-lint/ssot-lint/blob/main/rules/SSOT004.md",
    }
    unused = rows[2]
    assert unused["fix"] == {
        "applicability": "safe",
        "message": "Remove unused suppression",
        "edits": [
            {
                "content": "",
                "location": {"row": 5, "column": 7},
                "end_location": {"row": 5, "column": 32},
            }
        ],
    }


def test_json_lines_format(project: Path) -> None:
    result = _run(".", "--output-format", "json-lines")
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    rows = [json.loads(line) for line in lines]
    assert rows == json.loads(_run(".", "--output-format", "json").stdout)


def test_json_of_a_clean_run_is_an_empty_list(project: Path) -> None:
    result = _run("app/state.py", "--output-format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert _run("app/state.py", "--output-format", "json-lines").stdout == ""


# ---------------------------------------------------------------------------
# --statistics, --output-file


def test_statistics_text(project: Path) -> None:
    result = _run(".", "--statistics")
    assert result.exit_code == 1
    assert result.stdout == (
        "3\tSSOT004\t    deprecated-symbol\n1\tSSOT100\t[*] unused-suppression\n" + SUMMARY
    )
    assert _run(".", "--statistics", "-q").stdout.count("\n") == 2


def test_statistics_json(project: Path) -> None:
    result = _run(".", "--statistics", "--output-format", "json")
    assert json.loads(result.stdout) == [
        {
            "code": "SSOT004",
            "name": "deprecated-symbol",
            "count": 3,
            "fixable": False,
            "fixable_count": 0,
        },
        {
            "code": "SSOT100",
            "name": "unused-suppression",
            "count": 1,
            "fixable": True,
            "fixable_count": 1,
        },
    ]
    lines = _run(".", "--statistics", "--output-format", "json-lines").stdout.splitlines()
    assert [json.loads(line)["code"] for line in lines] == ["SSOT004", "SSOT100"]


def test_output_file(project: Path) -> None:
    result = _run(".", "--output-format", "json", "--output-file", "reports/ssot/lint.json")
    assert result.exit_code == 1
    assert result.stdout == ""
    written = (project / "reports" / "ssot" / "lint.json").read_text(encoding="utf-8")
    assert len(json.loads(written)) == 4
    _run(".", "-o", "report.txt", "--color", "auto")
    assert (project / "report.txt").read_text(encoding="utf-8") == FULL + SUMMARY


def test_output_file_that_cannot_be_written(project: Path) -> None:
    (project / "taken").write_text("", encoding="utf-8")
    result = _run(".", "-o", "taken/report.txt")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot write taken/report.txt: ")


# ---------------------------------------------------------------------------
# Internal errors are visible in every format


@pytest.mark.usefixtures("exploding_rule")
@pytest.mark.parametrize("fmt", ["full", "concise", "json", "json-lines"])
def test_internal_errors_in_every_format(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    boom_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    args = [".", "--extend-select", ExplodingRule.code, "--no-cache", "-j", "1"]
    result = _run(*args, "--output-format", fmt)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: app/boom.py: SSOT990 failed")
    assert "tracker registry lookup failed" in result.stderr
    if fmt.startswith("json"):
        text = result.stdout
        rows = json.loads(text) if fmt == "json" else [json.loads(x) for x in text.splitlines()]
        assert [r["path"] for r in rows] == ["app/alpha.py", "app/boom.py", "app/omega.py"]
    else:
        assert result.stdout.count(" SSOT004 ") == 3
        assert result.stdout.endswith(
            "Found 3 errors.\n"
            "error: internal error in 1 file (details on stderr); the results are incomplete.\n"
        )


@pytest.mark.usefixtures("exploding_rule")
def test_internal_error_with_statistics_and_output_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    boom_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    args = [".", "--extend-select", ExplodingRule.code, "--no-cache", "-j", "1"]
    for extra in (["--statistics"], ["-o", "out.txt"]):
        result = _run(*args, *extra)
        assert result.exit_code == 2
        assert result.stderr.startswith("error: app/boom.py: SSOT990 failed")
