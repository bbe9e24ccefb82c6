"""Rule selection: selectors, ruff-style layering of configuration and
command line, and per-file-ignores."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import check, found, write_project

from ssot_lint.config import ConfigError, Settings
from ssot_lint.rules import all_rules
from ssot_lint.selection import RuleSelection, UnknownSelector, expand_selector

ALL = set(all_rules())
DEFAULT = {code for code, rule in all_rules().items() if rule.default_enabled}


def _enabled(settings: Settings | None = None, **cli: list[str]) -> set[str]:
    return RuleSelection.from_settings(settings or Settings(), **cli).enabled


def test_expand_selector_forms() -> None:
    assert expand_selector("SSOT004") == {"SSOT004"}
    assert expand_selector("ssot004") == {"SSOT004"}
    assert expand_selector("deprecated-symbol") == {"SSOT004"}
    assert expand_selector("SSOT10") == {c for c in ALL if c.startswith("SSOT10")}
    assert expand_selector("SSOT10") >= {"SSOT100", "SSOT101"}
    assert expand_selector("ALL") == ALL
    assert expand_selector("SSOT") == ALL


@pytest.mark.parametrize("selector", ["SSOT9", "SSOT0041", "E501", "no-such-rule", "", "  "])
def test_unknown_selectors(selector: str) -> None:
    with pytest.raises(UnknownSelector):
        expand_selector(selector)


def test_defaults_leave_opt_in_rules_out() -> None:
    assert _enabled() == DEFAULT
    assert "SSOT100" not in DEFAULT
    assert "SSOT004" in DEFAULT


def test_select_prefix_enables_opt_in_rules_too() -> None:
    assert _enabled(Settings(select=["SSOT"])) == ALL


def test_ignore_wins_at_equal_specificity_and_specific_beats_broad() -> None:
    assert "SSOT004" not in _enabled(Settings(select=["SSOT004"], ignore=["SSOT004"]))
    # A more specific select beats a broader ignore, and vice versa.
    assert _enabled(Settings(select=["SSOT004"], ignore=["SSOT"])) == {"SSOT004"}
    assert _enabled(Settings(select=["SSOT"], ignore=["SSOT004"])) == ALL - {"SSOT004"}
    # A rule name is the most specific selector of all.
    assert _enabled(Settings(select=["deprecated-symbol"], ignore=["SSOT004"])) == {"SSOT004"}


def test_extend_select_adds_to_the_defaults() -> None:
    assert _enabled(Settings(extend_select=["SSOT100"])) == DEFAULT | {"SSOT100"}


def test_cli_select_replaces_the_configuration_layer() -> None:
    configured = Settings(select=["SSOT"], ignore=["SSOT004"])
    # As in ruff: `--select X` means X, whatever the file selected or ignored.
    assert _enabled(configured, select=["SSOT004"]) == {"SSOT004"}
    assert _enabled(configured, select=["SSOT00"]) == {c for c in ALL if c.startswith("SSOT00")}


def test_cli_extend_select_and_ignore_apply_on_top_of_the_configuration() -> None:
    configured = Settings(ignore=["SSOT004"])
    assert _enabled(configured) == DEFAULT - {"SSOT004"}
    assert _enabled(configured, extend_select=["SSOT004"]) == DEFAULT
    assert _enabled(configured, ignore=["SSOT000"]) == DEFAULT - {"SSOT004", "SSOT000"}
    assert _enabled(Settings(extend_select=["SSOT100"]), ignore=["SSOT1"]) == DEFAULT - {"SSOT101"}


def test_cli_selector_errors_name_the_option() -> None:
    with pytest.raises(ConfigError) as info:
        _enabled(select=["SSOT9"])
    assert str(info.value).startswith("--select: unknown rule selector 'SSOT9'")
    with pytest.raises(ConfigError, match=r"^--ignore: "):
        _enabled(ignore=["nope"])


def test_per_file_ignores_match_globs_and_basenames() -> None:
    selection = RuleSelection.from_settings(
        Settings(
            per_file_ignores={
                "tests/**": ["SSOT004"],
                "conftest.py": ["SSOT000"],
                "**/migrations/*.py": ["deprecated-symbol", "SSOT000"],
            }
        )
    )
    assert selection.for_file("app/handler.py") == DEFAULT
    assert selection.for_file("tests/unit/test_x.py") == DEFAULT - {"SSOT004"}
    assert selection.for_file("app/tests/test_x.py") == DEFAULT  # "tests/**" is anchored
    assert selection.for_file("app/sub/conftest.py") == DEFAULT - {"SSOT000"}
    assert selection.for_file("app/migrations/0001.py") == DEFAULT - {"SSOT004", "SSOT000"}
    # Several patterns can apply to one file.
    assert selection.for_file("tests/conftest.py") == DEFAULT - {"SSOT004", "SSOT000"}


def test_per_file_ignores_end_to_end(tmp_path: Path) -> None:
    source = """
        # file: app/state.py
        class DeepAgentState:
            pass

        # file: app/handler.py
        from app.state import DeepAgentState

        # file: tests/test_handler.py
        from app.state import DeepAgentState

        # file: scripts/backfill.py
        from app.state import DeepAgentState
    """
    root = write_project(tmp_path, source, 'per-file-ignores = { "tests/**" = ["SSOT004"] }')
    assert found(check(root)) == {
        ("app/handler.py", 1, "SSOT004"): 1,
        ("scripts/backfill.py", 1, "SSOT004"): 1,
    }
