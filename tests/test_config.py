"""Configuration: finding pyproject.toml, the schema, zero-config defaults and
clear errors (file, key, position; exit 2; never a traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import check, codes_of, found, write_project

from ssot_lint.cli import main
from ssot_lint.config import (
    ConfigError,
    Settings,
    find_config,
    load_config,
    load_settings_file,
)

LEGACY_IMPORT = "from app.state import DeepAgentState\n"
STATE_MODULE = "class DeepAgentState:\n    pass\n"


def _pyproject(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path, **kwargs: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_settings_file(path, **kwargs)  # type: ignore[arg-type]
    return info.value


# ---------------------------------------------------------------------------
# Zero configuration


def test_zero_config_defaults_are_the_platform_names() -> None:
    settings = Settings()
    assert [d.symbol for d in settings.deprecated] == ["DeepAgentState"]
    assert settings.deprecated[0].replacement == "UserExecutionContext"
    assert settings.canonical[0].class_ == "AgentExecutionTracker"
    assert settings.canonical[0].absorbs == ["AgentStateTracker", "AgentExecutionTimeoutManager"]
    assert settings.canonical[0].accessor == "get_execution_tracker"
    assert settings.ids.managers == ["unified_id_manager"]
    assert settings.state.functions == ["update_execution_state"]
    assert settings.state.enum == "ExecutionState"
    assert settings.respect_gitignore is True
    assert ".venv" in settings.exclude


def test_zero_config_run_matches_deprecated_symbol_by_name(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)  # a repository root without any pyproject.toml
    files = {"app/state.py": STATE_MODULE, "app/handler.py": LEGACY_IMPORT}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    result = check(root / "app")
    assert result.config.file is None
    assert result.root == root.resolve()
    assert found(result) == {("app/handler.py", 1, "SSOT004"): 1}


# ---------------------------------------------------------------------------
# Finding the file


def test_config_is_found_by_walking_up_from_the_paths(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "proj",
        {"pkg/deep/nested/handler.py": LEGACY_IMPORT, "app/state.py": STATE_MODULE},
        'ignore = ["SSOT004"]',
    )
    result = check(root / "pkg" / "deep" / "nested" / "handler.py")
    assert result.config.file == (root / "pyproject.toml").resolve()
    assert result.root == root.resolve()
    assert codes_of(result)["SSOT004"] == 0


def test_pyproject_without_our_section_is_passed_over(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", {"app/state.py": STATE_MODULE}, 'ignore = ["SSOT004"]')
    inner = root / "services" / "billing"
    _pyproject(inner, '[project]\nname = "billing"\n[tool.black]\nline-length = 88\n')
    (inner / "handler.py").write_text(LEGACY_IMPORT, encoding="utf-8")
    assert find_config(inner) == (root / "pyproject.toml").resolve()
    assert load_config([inner]).file == (root / "pyproject.toml").resolve()


def test_nearest_section_wins(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", {"x.py": "x = 1\n"}, 'ignore = ["SSOT004"]')
    inner = root / "services" / "billing"
    _pyproject(inner, "[tool.ssot-lint]\nrespect-gitignore = false\n")
    loaded = load_config([inner / "x.py"])
    assert loaded.file == (inner / "pyproject.toml").resolve()
    assert loaded.settings.respect_gitignore is False
    assert loaded.settings.ignore == []


def test_broken_pyproject_of_another_tool_is_passed_over(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", {"x.py": "x = 1\n"}, 'ignore = ["SSOT004"]')
    inner = root / "vendor" / "thing"
    _pyproject(inner, "[project\nname = 'broken'\n")
    assert find_config(inner) == (root / "pyproject.toml").resolve()


def test_broken_pyproject_that_is_ours_is_an_error(tmp_path: Path) -> None:
    inner = tmp_path / "proj"
    _pyproject(inner, '[tool.ssot-lint]\nselect = ["SSOT"\nignore = []\n')
    with pytest.raises(ConfigError) as info:
        find_config(inner)
    assert str(info.value).startswith(f"{(inner / 'pyproject.toml').resolve()}:3:1: invalid TOML")


def test_explicit_config_overrides_discovery(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "proj", {"app/state.py": STATE_MODULE, "app/handler.py": LEGACY_IMPORT}
    )
    other = _pyproject(tmp_path / "elsewhere", '[tool.ssot-lint]\nignore = ["SSOT004"]\n')
    assert codes_of(check(root))["SSOT004"] == 1
    result = check(root, config_file=other)
    assert result.config.file == other.resolve()
    assert codes_of(result)["SSOT004"] == 0


def test_explicit_config_without_section_is_an_error(tmp_path: Path) -> None:
    other = _pyproject(tmp_path / "elsewhere", '[project]\nname = "x"\n')
    error = _error(other, required=True)
    assert str(error) == f"{other}: has no [tool.ssot-lint] section"


# ---------------------------------------------------------------------------
# The schema


def test_kebab_case_keys_nested_tables_and_arrays_of_tables(tmp_path: Path) -> None:
    path = _pyproject(
        tmp_path,
        """
[tool.ssot-lint]
src = ["netra_backend", "shared"]
extend-exclude = ["**/migrations/**"]
per-file-ignores = { "tests/**" = ["SSOT006"] }
respect-gitignore = false

[[tool.ssot-lint.canonical]]
class = "netra_backend.app.core.agent_execution_tracker.AgentExecutionTracker"
absorbs = ["AgentStateTracker"]
accessor = "netra_backend.app.core.agent_execution_tracker.get_execution_tracker"

[[tool.ssot-lint.deprecated]]
module = "netra_backend.app.agents.legacy_state"

[tool.ssot-lint.ids]
managers = ["netra_backend.app.core.unified_id_manager"]
strict = true

[tool.ssot-lint.duplicates]
min-shared-methods = 6
min-jaccard = 0.75

[tool.ssot-lint.suppressions]
require-reasons = true
""",
    )
    settings = load_settings_file(path)
    assert settings.src == ["netra_backend", "shared"]
    assert settings.extend_exclude == ["**/migrations/**"]
    assert settings.per_file_ignores == {"tests/**": ["SSOT006"]}
    assert settings.respect_gitignore is False
    assert settings.canonical[0].name == "AgentExecutionTracker"
    assert settings.canonical[0].absorbs == ["AgentStateTracker"]
    assert settings.deprecated[0].module == "netra_backend.app.agents.legacy_state"
    assert settings.deprecated[0].symbol is None
    assert settings.ids.strict is True
    assert settings.ids.managers == ["netra_backend.app.core.unified_id_manager"]
    assert settings.ids.fix == Settings().ids.fix  # untouched keys keep their defaults
    assert settings.duplicates.min_shared_methods == 6
    assert settings.duplicates.min_jaccard == 0.75
    assert settings.suppressions.require_reasons is True


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "selct = []",
            "[tool.ssot-lint] key 'selct': unknown key (did you mean 'select'?); known keys: ",
        ),
        (
            "[tool.ssot-lint.ids]\nstrct = true",
            "[tool.ssot-lint] key 'ids.strct': unknown key (did you mean 'strict'?)",
        ),
        (
            'select = "SSOT"',
            "[tool.ssot-lint] key 'select': expected an array of strings, got string 'SSOT'",
        ),
        (
            '[tool.ssot-lint.ids]\nstrict = "yes"',
            "[tool.ssot-lint] key 'ids.strict': expected true or false, got string 'yes'",
        ),
        (
            "[tool.ssot-lint.duplicates]\nmin-shared-methods = 2.5",
            "[tool.ssot-lint] key 'duplicates.min-shared-methods': expected an integer, "
            "got number 2.5",
        ),
        (
            'select = ["SSOT004", 3]',
            "[tool.ssot-lint] key 'select[1]': expected a string, got number 3",
        ),
        (
            'per-file-ignores = { "tests/**" = "SSOT006" }',
            "[tool.ssot-lint] key 'per-file-ignores.\"tests/**\"': expected an array of strings",
        ),
        (
            '[tool.ssot-lint.canonical]\nclass = "AgentExecutionTracker"',
            "[tool.ssot-lint] key 'canonical': expected an array of tables, got a table",
        ),
        (
            '[[tool.ssot-lint.canonical]]\nabsorbs = ["AgentStateTracker"]',
            "[tool.ssot-lint] key 'canonical[0].class': missing required key",
        ),
        (
            '[[tool.ssot-lint.deprecated]]\nreplacement = "UserExecutionContext"',
            "[tool.ssot-lint] key 'deprecated[0]': needs 'symbol' or 'module'",
        ),
        (
            "[tool.ssot-lint.state]\nposition = 0",
            "[tool.ssot-lint] key 'state.position': must be 1 or more (1-based), got 0",
        ),
        (
            "[tool.ssot-lint.duplicates]\nmin-jaccard = 1.5",
            "[tool.ssot-lint] key 'duplicates.min-jaccard': must be between 0 and 1, got 1.5",
        ),
    ],
    ids=lambda v: v.split("\n")[-1][:30],
)
def test_schema_errors_name_file_and_key(tmp_path: Path, body: str, expected: str) -> None:
    text = body if body.startswith("[") else f"[tool.ssot-lint]\n{body}"
    path = _pyproject(tmp_path, text + "\n")
    message = str(_error(path))
    assert message.startswith(f"{path}: {expected}"), message


def test_section_that_is_not_a_table(tmp_path: Path) -> None:
    path = _pyproject(tmp_path, "[tool]\nssot-lint = 3\n")
    assert str(_error(path)) == f"{path}: [tool.ssot-lint] must be a table, got number 3"


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("select", '["SSOT9"]', "select[0]"),
        ("extend-select", '["SSOT004", "no-such-rule"]', "extend-select[1]"),
        ("ignore", '[""]', "ignore[0]"),
        ("per-file-ignores", '{ "tests/**" = ["SSOT4"] }', 'per-file-ignores."tests/**"[0]'),
    ],
)
def test_unknown_rule_selectors_name_file_and_key(
    tmp_path: Path, key: str, value: str, shown: str
) -> None:
    path = _pyproject(tmp_path, f"[tool.ssot-lint]\n{key} = {value}\n")
    error = _error(path)
    assert error.file == path
    assert error.key == shown
    assert str(error).startswith(f"{path}: [tool.ssot-lint] key '{shown}': ")
    assert "rule selector" in str(error)


def test_valid_selectors_in_every_form_are_accepted(tmp_path: Path) -> None:
    path = _pyproject(
        tmp_path,
        '[tool.ssot-lint]\nselect = ["SSOT", "ALL", "deprecated-symbol", "ssot00"]\n'
        'per-file-ignores = { "tests/**" = ["SSOT004", "parse-error"] }\n',
    )
    assert load_settings_file(path).select == ["SSOT", "ALL", "deprecated-symbol", "ssot00"]


# ---------------------------------------------------------------------------
# Unreadable and invalid files


def test_invalid_toml_reports_file_line_and_column(tmp_path: Path) -> None:
    path = _pyproject(tmp_path, '[tool.ssot-lint]\nselect = ["SSOT"]\nignore = [SSOT004]\n')
    error = _error(path)
    assert (error.line, error.column) == (3, 11)
    assert str(error).startswith(f"{path}:3:11: invalid TOML: ")


def test_duplicate_key_is_invalid_toml(tmp_path: Path) -> None:
    path = _pyproject(tmp_path, '[tool.ssot-lint]\nselect = ["SSOT"]\nselect = []\n')
    assert "invalid TOML" in str(_error(path))


# Every TOML construct a configuration might use: the fast reader (the
# standard library's, where there is one) and tomlkit, which reports errors,
# must read the same values.
EVERY_CONSTRUCT = """\
\ufeff# a BOM, then comments
[project]
name = "demo"  # trailing comment
authors = [{ name = "A. B.", email = "a@b.c" }]
"dotted.key" = 'literal'
when = 2026-12-06T04:33:10Z
day = 2026-12-06
float = 1e3
hex = 0xff
multiline = \"\"\"
one \\
  two\"\"\"

[tool.ssot-lint]
select = ["SSOT",
  "SSOT004",  # the legacy state
]
ids.strict = true
per-file-ignores = { "tests/**" = ["SSOT002"] }

[[tool.ssot-lint.canonical]]
name = "AgentExecutionTracker"

[[tool.ssot-lint.canonical]]
name = "TimeoutManager"
"""


def test_both_toml_readers_read_the_same_values(tmp_path: Path) -> None:
    from ssot_lint import config

    path = _pyproject(tmp_path, EVERY_CONSTRUCT)
    fast = config.read_toml(path)
    assert fast == config._parse_with_tomlkit(EVERY_CONSTRUCT.lstrip("\ufeff"), path)
    assert fast["tool"]["ssot-lint"]["ids"] == {"strict": True}
    assert fast["project"]["day"].isoformat() == "2026-12-06"


def test_what_the_fast_reader_rejects_is_reported_by_tomlkit(tmp_path: Path) -> None:
    # tomllib rejects it too (where there is one); the message is tomlkit's,
    # with the position users are used to.
    path = _pyproject(tmp_path, '[tool.ssot-lint]\nselect = ["SSOT"]\nignore = [SSOT004]\n')
    error = _error(path)
    assert "at line" not in str(error) and (error.line, error.column) == (3, 11)


def test_non_utf8_config_is_an_error_with_position(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b'[tool.ssot-lint]\nselect = ["\xff"]\n')
    assert str(_error(path)) == f"{path}:2:12: invalid TOML: not UTF-8"


def test_missing_and_directory_config_files(tmp_path: Path) -> None:
    assert str(_error(tmp_path / "nope.toml")) == f"{tmp_path / 'nope.toml'}: file not found"
    assert str(_error(tmp_path)) == f"{tmp_path}: is a directory, not a TOML file"


def test_unreadable_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _pyproject(tmp_path, "[tool.ssot-lint]\n")
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real(self)

    # Tests may run as root, which reads any file: simulate the refusal.
    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert str(_error(path)) == f"{path}: cannot read: Permission denied"


# ---------------------------------------------------------------------------
# Through the command line: one line on stderr, exit 2, no traceback


BAD_CONFIGS = {
    "invalid-toml": "[tool.ssot-lint]\nselect = [\n",
    "unknown-key": "[tool.ssot-lint]\nexclued = []\n",
    "wrong-type": "[tool.ssot-lint]\nrespect-gitignore = 1\n",
    "unknown-selector": '[tool.ssot-lint]\nignore = ["SSOT9"]\n',
}


@pytest.mark.parametrize("kind", sorted(BAD_CONFIGS))
def test_config_errors_through_click(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    root = tmp_path / "proj"
    _pyproject(root, BAD_CONFIGS[kind])
    (root / "app.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["check", "."])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {(root / 'pyproject.toml').resolve()}")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", sorted(BAD_CONFIGS))
def test_config_errors_through_a_real_process(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "proj"
    _pyproject(root, BAD_CONFIGS[kind])
    (root / "app.py").write_text("x = 1\n", encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "ssot_lint", "check", "app.py"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"error: {(root / 'pyproject.toml').resolve()}")
    assert proc.stderr.count("\n") == 1


def test_explicit_config_file_missing_through_cli(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["check", str(tmp_path), "--config", str(tmp_path / "missing.toml")]
    )
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path / 'missing.toml'}: file not found\n"
