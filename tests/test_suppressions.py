"""Suppression comments: every documented form, reasons, file-level
directives, unused ones (SSOT100) and their fixes, required reasons (SSOT101)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from support import check, found, write_project

from ssot_lint.diagnostics import Applicability, Diagnostic, Edit
from ssot_lint.source import split_lines
from ssot_lint.suppressions import SUPPRESSION_HINT, may_hold_directive, scan_suppressions

STATE = "class DeepAgentState:\n    pass\n"
LEGACY = "from app.state import DeepAgentState"
UNUSED = ["SSOT100"]


def _project(tmp_path: Path, handler: str, config: str = "") -> Path:
    return write_project(
        tmp_path / "proj",
        {"app/state.py": STATE, "app/handler.py": textwrap.dedent(handler)},
        config,
    )


def _diags(tmp_path: Path, handler: str, config: str = "", **options: object) -> list[Diagnostic]:
    root = _project(tmp_path, handler, config)
    return check(root, **options).diagnostics


def _summary(diags: list[Diagnostic]) -> list[tuple[int, str, str]]:
    return [(d.line, d.code, d.message) for d in diags]


def apply_edits(text: str, edits: tuple[Edit, ...]) -> str:
    """Apply 1-based (line, column) edits, the way a fixer would."""
    lines = split_lines(text)
    starts = [0]
    position = 0
    for line in lines[:-1]:
        position += len(line)
        # the newline itself: \r\n or \n or \r
        newline = text[position : position + 2]
        position += 2 if newline == "\r\n" else 1
        starts.append(position)

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    for edit in sorted(edits, key=lambda e: (e.line, e.column), reverse=True):
        start, end = offset(edit.line, edit.column), offset(edit.end_line, edit.end_column)
        text = text[:start] + edit.content + text[end:]
    return text


# ---------------------------------------------------------------------------
# Scanning


@pytest.mark.parametrize(
    ("comment", "codes", "reason", "file_level", "noqa"),
    [
        ("# ssot: ignore[SSOT002]", ("SSOT002",), None, False, False),
        ("# ssot: ignore[SSOT002](legacy ids)", ("SSOT002",), "legacy ids", False, False),
        ("# ssot: ignore[SSOT002] (legacy ids)", ("SSOT002",), "legacy ids", False, False),
        ("# ssot: ignore[SSOT002](see #12 (v1))", ("SSOT002",), "see #12 (v1)", False, False),
        ("# ssot: ignore[SSOT002, SSOT004]", ("SSOT002", "SSOT004"), None, False, False),
        ("# ssot: ignore[SSOT002 SSOT004]", ("SSOT002", "SSOT004"), None, False, False),
        ("# ssot: ignore", (), None, False, False),
        ("# ssot: ignore(generated code)", (), "generated code", False, False),
        ("#ssot:ignore[ssot004]", ("SSOT004",), None, False, False),
        ("# SSOT: IGNORE[SSOT004]", ("SSOT004",), None, False, False),
        ("# noqa: SSOT002", ("SSOT002",), None, False, True),
        ("# noqa:SSOT002,SSOT004", ("SSOT002", "SSOT004"), None, False, True),
        ("# noqa: E501, SSOT002", ("SSOT002",), None, False, True),
        ("# NOQA", (), None, False, True),
        ("# noqa", (), None, False, True),
        ("# ssot: ignore-file[SSOT004]", ("SSOT004",), None, True, False),
        ("# ssot: ignore-file[SSOT004](see #812)", ("SSOT004",), "see #812", True, False),
        ("# ssot: ignore-file", (), None, True, False),
    ],
)  # fmt: skip
def test_every_form_is_recognised(
    comment: str, codes: tuple[str, ...], reason: str | None, file_level: bool, noqa: bool
) -> None:
    (s,) = scan_suppressions(f"x = 1  {comment}\n")
    assert (s.codes, s.reason, s.file_level, s.noqa) == (codes, reason, file_level, noqa)
    assert s.line == 1
    assert s.column == 8
    assert s.blanket is (codes == ())


@pytest.mark.parametrize(
    "comment",
    ["# noqa: E501", "# noqa: E501, W291", "# noqanything", "# ssot: ignored", "# ssot ignore"],
)
def test_not_ours(comment: str) -> None:
    assert scan_suppressions(f"x = 1  {comment}\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "x = 1\n",
        "x = 1  # noqa\n",
        "x = 1  # NoQA: E501\n",
        "# SSOT: ignore[SSOT001]\n",
        "# \u017fsot: ignore\n",  # the long s folds onto "s" in re.IGNORECASE
        "# SSOT ignore\n",
        "nOqA = 'Ssot:'\n",
        "# \u212aeep \u017f\n",  # a long s, but no directive
        "no qa; ssot;\n",
    ],
)
def test_fast_directive_hint_agrees_with_the_pattern(text: str) -> None:
    assert may_hold_directive(text) == bool(SUPPRESSION_HINT.search(text))


def test_directive_inside_a_longer_comment() -> None:
    (s,) = scan_suppressions("x = 1  # type: ignore  # ssot: ignore[SSOT004]\n")
    assert (s.comment_column, s.column, s.end_column) == (8, 24, 47)
    assert s.text == "# ssot: ignore[SSOT004]"


def test_two_directives_in_one_comment() -> None:
    found_ = scan_suppressions("x = 1  # ssot: ignore[SSOT004]  # noqa: SSOT006\n")
    assert [(s.codes, s.noqa) for s in found_] == [(("SSOT004",), False), (("SSOT006",), True)]


def test_text_in_strings_is_not_a_suppression() -> None:
    source = '''
        """Module docs.

        # ssot: ignore-file[SSOT004]
        """
        NOTE = "# noqa: SSOT004"
        TEMPLATE = f"{NOTE} # ssot: ignore[SSOT004]"
        HELP = """
        # noqa
        """
        x = 1  # ssot: ignore[SSOT004]
    '''
    (s,) = scan_suppressions(textwrap.dedent(source).lstrip("\n"))
    assert (s.line, s.codes) == (10, ("SSOT004",))


def test_line_numbers_with_every_newline_convention() -> None:
    text = "a = 1\r\nb = 2  # noqa: SSOT004\rc = 3\nd = 4  # ssot: ignore\n"
    assert [(s.line, s.column) for s in scan_suppressions(text)] == [(2, 8), (4, 8)]


def test_directives_before_a_tokenizer_failure_are_kept() -> None:
    text = "x = 1  # noqa: SSOT004\ns = '''never closed\n# noqa: SSOT002\n"
    assert [s.codes for s in scan_suppressions(text)] == [("SSOT004",)]


# ---------------------------------------------------------------------------
# Applying


@pytest.mark.parametrize(
    "comment",
    [
        "# ssot: ignore[SSOT004]",
        "# ssot: ignore[SSOT004](moving to UserExecutionContext in #812)",
        "# ssot: ignore[deprecated-symbol-not-a-code, SSOT004]",
        "# ssot: ignore",
        "# noqa: SSOT004",
        "# noqa: E501,SSOT004",
        "# noqa",
        "# type: ignore[attr-defined]  # ssot: ignore[SSOT004]",
    ],
)
def test_line_suppression_applies(tmp_path: Path, comment: str) -> None:
    root = _project(tmp_path, f"{LEGACY}  {comment}\n{LEGACY}\n")
    result = check(root)
    assert found(result) == {("app/handler.py", 2, "SSOT004"): 1}
    assert result.suppressed == 1


def test_suppression_for_another_code_or_line_does_not_apply(tmp_path: Path) -> None:
    handler = f"# ssot: ignore[SSOT004]\n{LEGACY}  # ssot: ignore[SSOT006]\n"
    assert found(check(_project(tmp_path, handler))) == {("app/handler.py", 2, "SSOT004"): 1}


def test_noqa_for_other_tools_is_untouched(tmp_path: Path) -> None:
    handler = f"{LEGACY}  # noqa: E501\n"
    result = check(_project(tmp_path, handler), extend_select=UNUSED)
    assert found(result) == {("app/handler.py", 1, "SSOT004"): 1}


def test_noqa_inside_a_string_on_the_line_is_not_a_suppression(tmp_path: Path) -> None:
    handler = f'{LEGACY}; NOTE = "# noqa: SSOT004"\n'
    assert found(check(_project(tmp_path, handler))) == {("app/handler.py", 1, "SSOT004"): 1}


def test_file_level_suppression(tmp_path: Path) -> None:
    handler = f"# ssot: ignore-file[SSOT004](legacy module, deleted in Q3)\n{LEGACY}\n{LEGACY}\n"
    result = check(_project(tmp_path, handler))
    assert found(result) == {}
    assert result.suppressed == 2


def test_blanket_file_level_suppression(tmp_path: Path) -> None:
    handler = f"{LEGACY}\n# ssot: ignore-file\n"
    assert found(check(_project(tmp_path, handler))) == {}


def test_suppression_on_the_last_line_of_a_multi_line_diagnostic(tmp_path: Path) -> None:
    source = """
        # file: app/agent_execution_tracker.py
        class AgentExecutionTracker:
            def __init__(self, heartbeat_timeout: float = 30.0) -> None:
                self.heartbeat_timeout = heartbeat_timeout


        def get_execution_tracker() -> AgentExecutionTracker:
            return AgentExecutionTracker()

        # file: app/worker.py
        from app.agent_execution_tracker import AgentExecutionTracker

        tracker = AgentExecutionTracker(
            heartbeat_timeout=5.0,
        )  # ssot: ignore[SSOT006](worker keeps a private tracker)
        other = AgentExecutionTracker(
            heartbeat_timeout=5.0,
        )
    """
    root = write_project(tmp_path, source)
    assert found(check(root)) == {("app/worker.py", 6, "SSOT006"): 1}


# ---------------------------------------------------------------------------
# SSOT100 unused suppressions


def test_unused_suppressions_are_opt_in(tmp_path: Path) -> None:
    assert _diags(tmp_path, "x = 1  # ssot: ignore[SSOT004]\n") == []


@pytest.mark.parametrize(
    ("line", "config", "message"),
    [
        ("x = 1  # ssot: ignore[SSOT004]", "", "unused suppression (unused: `SSOT004`)"),
        ("x = 1  # noqa: SSOT004", "", "unused suppression (unused: `SSOT004`)"),
        ("x = 1  # ssot: ignore[SSOT999]", "", "unused suppression (unknown: `SSOT999`)"),
        (
            "x = 1  # ssot: ignore[SSOT004]",
            'ignore = ["SSOT004"]',
            "unused suppression (not enabled: `SSOT004`)",
        ),
        ("x = 1  # ssot: ignore", "", "unused blanket suppression"),
        ("x = 1  # ssot: ignore(reason)", "", "unused blanket suppression"),
        (
            f"{LEGACY}  # ssot: ignore[SSOT004, SSOT004]",
            "",
            "unused suppression (duplicated: `SSOT004`)",
        ),
        (
            f"{LEGACY}  # ssot: ignore[SSOT004, SSOT999, SSOT000]",
            "",
            "unused suppression (unused: `SSOT000`; unknown: `SSOT999`)",
        ),
    ],
)
def test_unused_suppression_messages(tmp_path: Path, line: str, config: str, message: str) -> None:
    diags = _diags(tmp_path, line + "\n", config, extend_select=UNUSED)
    assert _summary(diags) == [(1, "SSOT100", message)]
    (diag,) = diags
    assert diag.column == line.index("#") + 1
    assert diag.fix is not None and diag.fix.applicability is Applicability.SAFE


def test_bare_noqa_and_foreign_noqa_are_never_unused(tmp_path: Path) -> None:
    handler = "x = 1  # noqa\ny = 2  # noqa: E501\n"
    assert _diags(tmp_path, handler, extend_select=UNUSED) == []


def test_unused_file_level_suppression(tmp_path: Path) -> None:
    diags = _diags(tmp_path, "# ssot: ignore-file[SSOT004]\nx = 1\n", extend_select=UNUSED)
    assert _summary(diags) == [(1, "SSOT100", "unused suppression (unused: `SSOT004`)")]


def test_unused_report_is_silenced_only_by_naming_ssot100(tmp_path: Path) -> None:
    handler = "x = 1  # ssot: ignore[SSOT004, SSOT100]\n# ssot: ignore-file\n"
    diags = _diags(tmp_path, handler, extend_select=UNUSED)
    # The blanket file-level directive neither hides line 1's report nor its own.
    assert _summary(diags) == [(2, "SSOT100", "unused blanket suppression")]


def test_report_unused_ignores_flag_and_select(tmp_path: Path) -> None:
    root = _project(tmp_path, "x = 1  # ssot: ignore[SSOT004]\n")
    assert [d.code for d in check(root, select=["SSOT"]).diagnostics] == ["SSOT100"]
    assert [d.code for d in check(root, extend_select=["unused-suppression"]).diagnostics] == [
        "SSOT100"
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("x = 1  # ssot: ignore[SSOT004]\n", "x = 1\n"),
        ("x = 1  # ssot: ignore[SSOT004](legacy)   \n", "x = 1\n"),
        ("x = 1  # noqa: SSOT004\n", "x = 1\n"),
        ("x = 1  # noqa: E501, SSOT004\n", "x = 1  # noqa: E501\n"),
        ("x = 1  # noqa:SSOT004,E501\n", "x = 1  # noqa:E501\n"),
        ("x = 1  # ssot: ignore[SSOT004]  # noqa: E501\n", "x = 1  # noqa: E501\n"),
        ("x = 1  # type: ignore  # ssot: ignore[SSOT004]\n", "x = 1  # type: ignore\n"),
        ("x = 1  # ssot: ignore[SSOT004] old runner\n", "x = 1  # old runner\n"),
        ("x = 1  # ssot: ignore\n", "x = 1\n"),
        ("# ssot: ignore-file[SSOT004]\nx = 1\n", "x = 1\n"),
        ("x = 1\n    # ssot: ignore[SSOT004]\ny = 2\n", "x = 1\ny = 2\n"),
        ("x = 1\r\n# ssot: ignore-file[SSOT004]\r\ny = 2\r\n", "x = 1\r\ny = 2\r\n"),
        (
            f"{LEGACY}  # ssot: ignore[SSOT004, SSOT999](migration)\n",
            f"{LEGACY}  # ssot: ignore[SSOT004](migration)\n",
        ),
        (f"{LEGACY}  # ssot: ignore[SSOT004,SSOT004]\n", f"{LEGACY}  # ssot: ignore[SSOT004]\n"),
        (
            f"{LEGACY}  # noqa: SSOT004, SSOT999, E501\n",
            f"{LEGACY}  # noqa: SSOT004, E501\n",
        ),
    ],
)  # fmt: skip
def test_unused_suppression_fix(tmp_path: Path, before: str, after: str) -> None:
    root = _project(tmp_path, "")
    handler = root / "app" / "handler.py"
    handler.write_bytes(before.encode())
    result = check(root, extend_select=UNUSED)
    fixes = [d.fix for d in result.diagnostics if d.code == "SSOT100"]
    assert len(fixes) == 1 and fixes[0] is not None
    fixed = apply_edits(before, fixes[0].edits)
    assert fixed == after
    # Applied, nothing is left to report, and what was suppressed stays so.
    handler.write_bytes(fixed.encode())
    again = check(root, extend_select=UNUSED)
    assert [d.code for d in again.diagnostics] == []


# ---------------------------------------------------------------------------
# SSOT101 reasons


REASONS = "suppressions.require-reasons = true"


def test_reasons_are_not_required_by_default(tmp_path: Path) -> None:
    assert _diags(tmp_path, f"{LEGACY}  # ssot: ignore[SSOT004]\n") == []


@pytest.mark.parametrize(
    ("line", "reported"),
    [
        (f"{LEGACY}  # ssot: ignore[SSOT004]", "`# ssot: ignore[SSOT004](why)`"),
        (f"{LEGACY}  # ssot: ignore", "`# ssot: ignore[CODE](why)`"),
        (f"{LEGACY}  # noqa: SSOT004", "`# ssot: ignore[SSOT004](why)`"),
        (f"{LEGACY}  # noqa", "`# ssot: ignore[CODE](why)`"),
        (f"{LEGACY}  # ssot: ignore[SSOT004]()", "`# ssot: ignore[SSOT004](why)`"),
    ],
)
def test_suppression_without_reason(tmp_path: Path, line: str, reported: str) -> None:
    diags = _diags(tmp_path, line + "\n", REASONS)
    # The suppression still applies; the missing reason is reported.
    assert _summary(diags) == [(1, "SSOT101", f"suppression without a reason; write {reported}")]


def test_file_level_without_reason(tmp_path: Path) -> None:
    diags = _diags(tmp_path, f"# ssot: ignore-file[SSOT004]\n{LEGACY}\n", REASONS)
    assert _summary(diags) == [
        (1, "SSOT101", "suppression without a reason; write `# ssot: ignore-file[SSOT004](why)`")
    ]


def test_reasons_given(tmp_path: Path) -> None:
    handler = (
        "# ssot: ignore-file[SSOT006](tracker wiring predates the accessor)\n"
        f"{LEGACY}  # ssot: ignore[SSOT004](removed with the v1 runner)\n"
        "x = 1  # noqa\n"  # a bare noqa that suppresses nothing of ours is other tools' business
        "y = 2  # noqa: E501\n"
    )
    assert _diags(tmp_path, handler, REASONS) == []


def test_missing_reason_report_can_be_silenced_by_naming_ssot101(tmp_path: Path) -> None:
    handler = f"{LEGACY}  # ssot: ignore[SSOT004, SSOT101]\n"
    assert _diags(tmp_path, handler, REASONS) == []


def test_ignoring_ssot101_turns_the_requirement_off(tmp_path: Path) -> None:
    handler = f"{LEGACY}  # ssot: ignore[SSOT004]\n"
    assert _diags(tmp_path, handler, REASONS + '\nignore = ["SSOT101"]') == []


# -- the regular-expression scan of parsed files agrees with the tokenizer ----

TRICKY_SOURCES = [
    # a comment between the parts of an implicitly concatenated string
    'x = ("abc"  # noqa: SSOT002\n     "def")\n',
    # '#' and directives inside every kind of string
    "a = '# noqa'\nb = \"# ssot: ignore\"\nc = '''\n# noqa: SSOT004\n'''  # noqa\n",
    'd = """x # ssot: ignore-file\n"""  # ssot: ignore[SSOT003]\n',
    "e = r'\\'# noqa'  # noqa: SSOT001\nf = b\"\\\\\"  # NOQA\n",
    "g = f\"{'#'} {x!r:>{w}}\"  # ssot: ignore(reason (nested))\n",
    "h = f'''{\"# noqa\"}\n'''  # noqa:SSOT005,SSOT006\n",
    # backslash continuations, inside and outside strings
    "i = 'one \\\n# noqa' + \\\n    'two'  # noqa: E501 SSOT002\n",
    # CRLF and lone CR line endings
    "j = 1  # noqa\r\nk = '''\r\n# noqa\r\n'''  # ssot: ignore\r\n",
    "m = 1  # noqa: SSOT002\rn = 2  # ssot: ignore-file[SSOT004]\r",
    # non-ASCII before the comment: columns are characters
    "s = 'ünïcødé'  # noqa: SSOT002\n# ünï # ssot: ignore[SSOT001]\n",
    # a comment inside brackets and after a string ending in an escaped backslash
    't = [\n    \'\\\\\',  # noqa: SSOT003\n    "\\"",  # noqa\n]\n',
]


@pytest.mark.parametrize("source", TRICKY_SOURCES)
def test_regex_scan_of_parsed_source_equals_the_tokenizer(source: str) -> None:
    import ast

    from ssot_lint.suppressions import _scan_parsed

    ast.parse(source)  # the fast scan is only used on source that parses
    expected = scan_suppressions(source)
    assert expected, "each case holds at least one real directive"
    assert _scan_parsed(source) == expected


def test_comments_of_parsed_stdlib_files_equal_the_tokenizers() -> None:
    """Every comment, found by one regular expression, of a deterministic
    sample of the standard library (every 8th module, and every module that
    mentions a directive): where, and what, exactly as the tokenizer says."""
    import ast
    import io
    import re
    import sys
    import sysconfig
    import tokenize

    from ssot_lint.source import SourceError, read_source
    from ssot_lint.suppressions import parsed_comments

    hint = re.compile(rb"noqa|ssot:", re.IGNORECASE)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in stdlib.rglob("*.py") if "site-packages" not in p.parts)
    compared = with_directives = comments = 0
    for index, path in enumerate(files):
        if index % 8 and not hint.search(path.read_bytes()):
            continue
        try:
            text = read_source(path).text
            ast.parse(text)
        except (SourceError, SyntaxError, ValueError):
            continue
        expected = scan_suppressions(text)
        assert scan_suppressions(text, parses=True) == expected, path
        with_directives += bool(expected)
        if sys.version_info < (3, 12):  # where the regular expression is used
            tokens = tokenize.generate_tokens(io.StringIO(text, newline=None).readline)
            wanted = [(*t.start, t.string) for t in tokens if t.type == tokenize.COMMENT]
            assert list(parsed_comments(text)) == wanted, path
            comments += len(wanted)
        compared += 1
    assert compared > 100 and with_directives >= 5
    assert comments > 10_000 or sys.version_info >= (3, 12)
