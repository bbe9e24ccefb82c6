"""Every rule's documented examples are executed: the bad one triggers exactly
that rule, the good one triggers nothing. Fixit-style VALID/INVALID cases too."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from support import check, codes_of, write_project

from ssot_lint.cli import main
from ssot_lint.ruledocs import render_rule_markdown
from ssot_lint.rules import all_rules

RULES = list(all_rules().values())
REPO = Path(__file__).resolve().parent.parent


def _run(tmp_path: Path, rule, source: str):
    root = write_project(tmp_path / "project", source, rule.example_config)
    result = check(root)
    assert not result.errors, result.errors
    return result


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_documented_bad_example_triggers_exactly_this_rule(tmp_path: Path, rule) -> None:
    result = _run(tmp_path, rule, rule.example)
    codes = codes_of(result)
    assert set(codes) == {rule.code}, [
        (d.path, d.line, d.code, d.message) for d in result.diagnostics
    ]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_documented_good_example_is_clean(tmp_path: Path, rule) -> None:
    result = _run(tmp_path, rule, rule.use_instead)
    assert result.diagnostics == []


VALID = [(r, i, src) for r in RULES for i, src in enumerate(r.VALID)]
INVALID = [(r, i, src) for r in RULES for i, src in enumerate(r.INVALID)]


@pytest.mark.parametrize(
    ("rule", "index", "source"), VALID, ids=lambda v: getattr(v, "code", str(v))[:12]
)
def test_valid_cases(tmp_path: Path, rule, index: int, source: str) -> None:
    result = _run(tmp_path, rule, source)
    assert [d for d in result.diagnostics if d.code == rule.code] == []


@pytest.mark.parametrize(
    ("rule", "index", "source"), INVALID, ids=lambda v: getattr(v, "code", str(v))[:12]
)
def test_invalid_cases(tmp_path: Path, rule, index: int, source: str) -> None:
    result = _run(tmp_path, rule, source)
    assert codes_of(result)[rule.code] >= 1, result.diagnostics


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_page_has_ruff_sections(rule) -> None:
    text = CliRunner().invoke(main, ["rule", rule.code]).output
    for title in (
        "What it does",
        "Why is this bad?",
        "Example",
        "Use instead",
        "Options",
        "Fix safety",
    ):
        assert f"## {title}" in text
    assert rule.name in text


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rules_folder_is_in_sync(rule) -> None:
    """rules/<CODE>.md is the rendered documentation; regenerate with
    `ssot-lint rule CODE --output-format markdown > rules/CODE.md`."""
    page = REPO / "rules" / f"{rule.code}.md"
    assert page.is_file(), f"missing {page}"
    assert page.read_text(encoding="utf-8") == render_rule_markdown(rule)
