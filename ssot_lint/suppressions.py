"""Suppression comments: parsing them, applying them, reporting unused ones.

Recognised forms (codes are comma- or space-separated, case-insensitive)::

    x = f()  # ssot: ignore[SSOT002]                 this line, these codes
    x = f()  # ssot: ignore[SSOT002](legacy ids)     ... with a reason
    x = f()  # ssot: ignore(legacy ids)              this line, every code, a reason
    x = f()  # ssot: ignore                          this line, every code
    x = f()  # noqa: SSOT002                         flake8/ruff style
    x = f()  # noqa: E501, SSOT002                   ... mixed with other tools' codes
    x = f()  # noqa                                  this line, every code
    # ssot: ignore-file[SSOT004]                     the whole file
    # ssot: ignore-file[SSOT004](migration in #812)  ... with a reason
    # ssot: ignore-file                              the whole file, every code

A directive applies to a diagnostic that starts or ends on its line (so a
comment after the closing bracket of a multi-line call works). Only real
comments count: ``"# noqa"`` inside a string is text. A bare ``# noqa``
suppresses everything on its line, as in ruff, but is never reported as
unused (it may be meant for another tool); ``noqa`` codes that are not ours
(``E501``) are left to their owners, and survive our fixes.

Unused directives are SSOT100 (opt-in, like ruff's RUF100), with a fix that
removes the unused codes or the whole directive. With
``suppressions.require-reasons`` a directive without a reason is SSOT101.
SSOT100/SSOT101 reports are suppressed only by a directive that names them.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass

from ssot_lint.diagnostics import Diagnostic, Edit, Fix

CODE_PREFIX = "SSOT"
UNUSED_CODE = "SSOT100"
NO_REASON_CODE = "SSOT101"
_META_CODES = frozenset({UNUSED_CODE, NO_REASON_CODE})

_SSOT = re.compile(
    r"#\s*ssot:\s*(?P<kind>ignore-file|ignore)(?![\w-])"
    r"(?:\[(?P<codes>[^\]]*)\])?"
    # A reason may itself contain one level of brackets: "(see #12 (v1))".
    r"(?:[ \t]*\((?P<reason>(?:[^()]|\([^()]*\))*)\))?",
    re.IGNORECASE,
)
_NOQA = re.compile(
    r"#\s*noqa(?![\w-])"
    r"(?::\s*(?P<codes>[A-Za-z]+[0-9]+(?:(?:\s*,\s*|\s+)[A-Za-z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"[\s,]+")


@dataclass(frozen=True, slots=True)
class Suppression:
    line: int
    column: int  # 1-based character column of the directive's '#'
    end_column: int  # exclusive
    codes: tuple[str, ...]  # our codes, upper case; empty: every code
    reason: str | None
    file_level: bool
    noqa: bool  # written in the flake8 style rather than as ssot: ignore
    text: str  # the directive as written
    comment_column: int = 0  # 1-based column of the '#' that starts the whole comment
    written_codes: tuple[str, ...] = ()  # every code as written, other tools' too
    codes_span: tuple[int, int] | None = None  # 1-based columns of the code list

    @property
    def blanket(self) -> bool:
        return not self.codes


# Strings and comments of source that is known to parse, for Python < 3.12
# (where f-strings are single tokens and cannot nest their own quotes). Which
# prefix a string has does not matter for where it ends, nor does rawness: an
# escaped quote never ends a string, raw or not.
_STRING = "|".join(
    [
        r"'''(?:[^\\]|\\.)*?'''",
        r'"""(?:[^\\]|\\.)*?"""',
        r"'(?:[^\\\n']|\\.)*'",
        r'"(?:[^\\\n"]|\\.)*"',
    ]
)
_STRING_OR_COMMENT = re.compile(f"(?P<string>{_STRING})|(?P<comment>#[^\\n]*)", re.DOTALL)
# Text without this cannot hold a directive (they are case-insensitive, as in ruff).
SUPPRESSION_HINT = re.compile(r"noqa|ssot:", re.IGNORECASE)


def may_hold_directive(text: str) -> bool:
    """``SUPPRESSION_HINT.search(text)``, answered 7 times faster on whole files.

    A case-insensitive regular expression cannot use a fast substring search;
    ``str.lower`` and ``in`` can. The one letter ``re.IGNORECASE`` folds onto
    these that ``str.lower`` does not is the long s (U+017F, for "s").
    """
    if "noqa" in text or "ssot:" in text:
        return True
    folded = text.lower()
    if "noqa" in folded or "ssot:" in folded:
        return True
    return "\u017f" in text and SUPPRESSION_HINT.search(text) is not None


def scan_suppressions(text: str, *, parses: bool = False) -> list[Suppression]:
    """All suppression directives in real comments (not in strings).

    A file the tokenizer gives up on part-way keeps the directives found
    before that point. ``parses``: the caller has already parsed ``text``
    successfully, which allows a scan by one regular expression instead of
    the pure-Python tokenizer (7 times slower on Python 3.11's stdlib; from 3.12 on
    the tokenizer is CPython's own, and f-strings may nest quotes, so it is
    used there). The test suite checks both agree on the standard library.
    """
    if parses and sys.version_info < (3, 12):
        return _scan_parsed(text)
    found: list[Suppression] = []
    # Lone "\r" ends a line for Python (and for split_lines): normalise all
    # line endings so the tokenizer counts lines the same way.
    tokens = tokenize.generate_tokens(io.StringIO(text, newline=None).readline)
    try:
        for token in tokens:
            if token.type == tokenize.COMMENT:
                found.extend(_directives(token.string, token.start[0], token.start[1]))
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def _scan_parsed(text: str) -> list[Suppression]:
    found: list[Suppression] = []
    for line, col, comment in parsed_comments(text):
        if SUPPRESSION_HINT.search(comment):
            found.extend(_directives(comment, line, col))
    return found


def parsed_comments(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, 0-based character column, text) of every comment, as the
    tokenizer would give them, for source known to parse on Python < 3.12."""
    # The tokenizer reads universal newlines; so do line numbers here.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    line, counted = 1, 0
    for match in _STRING_OR_COMMENT.finditer(text):
        if match.lastgroup != "comment":
            continue
        start = match.start()
        line += text.count("\n", counted, start)
        counted = start
        yield line, start - (text.rfind("\n", 0, start) + 1), match.group()


def _directives(comment: str, line: int, col: int) -> list[Suppression]:
    out: list[Suppression] = []
    for pattern, noqa in ((_SSOT, False), (_NOQA, True)):
        for match in pattern.finditer(comment):
            raw_codes = match.group("codes")
            written = tuple(c for c in _SPLIT.split(raw_codes.strip()) if c) if raw_codes else ()
            codes = tuple(c.upper() for c in written)
            if noqa and codes:
                codes = tuple(c for c in codes if c.startswith(CODE_PREFIX))
                if not codes:
                    continue  # another tool's noqa
            reason = None if noqa else match.group("reason")
            span = None
            if raw_codes is not None:
                span = (col + match.start("codes") + 1, col + match.end("codes") + 1)
            out.append(
                Suppression(
                    line=line,
                    column=col + match.start() + 1,
                    end_column=col + match.end() + 1,
                    codes=codes,
                    reason=reason.strip() if reason and reason.strip() else None,
                    file_level=not noqa and match.group("kind").lower() == "ignore-file",
                    noqa=noqa,
                    text=match.group(0),
                    comment_column=col + 1,
                    written_codes=written,
                    codes_span=span,
                )
            )
    return out


@dataclass
class SuppressionResult:
    kept: list[Diagnostic]
    suppressed: int
    extra: list[Diagnostic]  # SSOT100 / SSOT101 findings about the comments themselves


class _Index:
    """Which directive suppresses what, and what each one was used for."""

    def __init__(self, suppressions: list[Suppression]) -> None:
        self.by_line: dict[int, list[Suppression]] = {}
        self.file_level: list[Suppression] = []
        for s in suppressions:
            (self.file_level if s.file_level else self.by_line.setdefault(s.line, [])).append(s)
        self.used: dict[int, set[str]] = {}  # id(suppression) -> codes it suppressed

    def find(self, diag: Diagnostic, *, explicit_only: bool = False) -> Suppression | None:
        lines = [diag.line] if diag.end_line == diag.line else [diag.line, diag.end_line]
        candidates = [s for line in lines for s in self.by_line.get(line, [])]
        for s in [*candidates, *self.file_level]:
            if diag.code in s.codes or (s.blanket and not explicit_only):
                self.used.setdefault(id(s), set()).add(diag.code)
                return s
        return None


def apply_suppressions(
    path: str,
    diagnostics: list[Diagnostic],
    suppressions: list[Suppression],
    lines: list[str] | None,
    *,
    known_codes: set[str],
    enabled_codes: set[str],
    report_unused: bool,
    require_reasons: bool,
) -> SuppressionResult:
    """Drop suppressed diagnostics; report unused and reason-less suppressions."""
    if not suppressions:
        return SuppressionResult(list(diagnostics), 0, [])
    index = _Index(suppressions)
    kept: list[Diagnostic] = []
    suppressed = 0
    for diag in diagnostics:
        if index.find(diag) is None:
            kept.append(diag)
        else:
            suppressed += 1

    # Reports about the comments themselves are silenced only by a directive
    # that names their code: a blanket one must not hide its own report.
    extra: list[Diagnostic] = []
    if require_reasons:
        for s in suppressions:
            if s.reason is not None or (s.noqa and s.blanket and id(s) not in index.used):
                continue  # a bare noqa that did nothing of ours belongs to other tools
            report = _no_reason(path, s)
            if index.find(report, explicit_only=True) is None:
                extra.append(report)
            else:
                suppressed += 1
    if report_unused:
        for s in suppressions:
            unused = _unused_codes(s, index.used.get(id(s), set()), known_codes, enabled_codes)
            if unused is None:
                continue
            report = _unused(path, s, unused, lines)
            if index.find(report, explicit_only=True) is None:
                extra.append(report)
            else:
                suppressed += 1
    return SuppressionResult(kept, suppressed, extra)


def _unused_codes(
    s: Suppression, used: set[str], known: set[str], enabled: set[str]
) -> dict[str, str] | None:
    """Codes of ``s`` that did nothing, each with why; None when all were used.

    The value is the reason: ``unused``, ``duplicated``, ``not enabled`` or
    ``unknown``; the key ``""`` stands for an unused blanket directive.
    """
    if s.blanket:
        if s.noqa or used:
            return None
        return {"": "unused"}
    unused: dict[str, str] = {}
    seen: set[str] = set()
    for code in s.codes:
        if code in seen:
            unused.setdefault(code, "duplicated")
            continue
        seen.add(code)
        if code in used or code in _META_CODES:
            # A listed SSOT100/SSOT101 is there to silence a report about this
            # very comment; judging it would go round in circles.
            continue
        if code not in known:
            unused[code] = "unknown"
        elif code not in enabled:
            unused[code] = "not enabled"
        else:
            unused[code] = "unused"
    return unused or None


_WHY_ORDER = ("unused", "duplicated", "not enabled", "unknown")


def _unused(
    path: str, s: Suppression, unused: dict[str, str], lines: list[str] | None
) -> Diagnostic:
    if "" in unused:
        what = "unused blanket suppression"
    else:
        groups: dict[str, list[str]] = {}
        for code, why in unused.items():
            groups.setdefault(why, []).append(f"`{code}`")
        parts = [f"{why}: {', '.join(groups[why])}" for why in _WHY_ORDER if why in groups]
        what = f"unused suppression ({'; '.join(parts)})"
    return Diagnostic(
        code=UNUSED_CODE,
        message=what,
        path=path,
        line=s.line,
        column=s.column,
        end_line=s.line,
        end_column=s.end_column,
        fix=_removal_fix(s, unused, lines),
        snippet=s.text,
    )


def _removal_fix(s: Suppression, unused: dict[str, str], lines: list[str] | None) -> Fix | None:
    if lines is None or s.line - 1 >= len(lines):
        return None
    line = lines[s.line - 1]
    if line[s.column - 1 : s.end_column - 1] != s.text:
        return None  # the file changed since it was scanned
    if "" not in unused:
        keep = _kept_codes(s, unused)
        if keep and s.codes_span is not None:
            start, end = s.codes_span
            removed = sorted(code for code in unused)
            message = f"Remove unused code{'s' if len(removed) > 1 else ''} {', '.join(removed)}"
            return Fix(message, (Edit(s.line, start, s.line, end, ", ".join(keep)),))
    return Fix("Remove unused suppression", (_remove_directive(s, lines),))


def _kept_codes(s: Suppression, unused: dict[str, str]) -> list[str]:
    """The code list as it should read: used codes (once each) and other tools' codes."""
    keep: list[str] = []
    seen: set[str] = set()
    for written in s.written_codes:
        code = written.upper()
        if code in seen:
            continue
        seen.add(code)
        if code not in s.codes or unused.get(code) in (None, "duplicated"):
            keep.append(written)
    return keep


def _remove_directive(s: Suppression, lines: list[str]) -> Edit:
    line = lines[s.line - 1]
    start, end = s.column - 1, s.end_column - 1  # 0-based, end exclusive
    after = line[end:]
    rest = after.strip()
    gap = len(after) - len(after.lstrip())
    if s.column > s.comment_column:
        # Inside a longer comment (`# type: ignore  # ssot: ignore[X]`):
        # remove the directive and the blanks before it.
        cut = len(line[:start].rstrip())
        return Edit(s.line, cut + 1, s.line, end + 1, "")
    if not rest:
        code_end = len(line[:start].rstrip())
        if code_end == 0 and s.line < len(lines):
            # The comment was the whole line: remove the line.
            return Edit(s.line, 1, s.line + 1, 1, "")
        return Edit(s.line, code_end + 1, s.line, len(line) + 1, "")
    if rest.startswith("#"):
        # Another comment follows (say a noqa for another tool): it stays.
        return Edit(s.line, start + 1, s.line, end + gap + 1, "")
    # Free text follows: it must stay a comment.
    return Edit(s.line, start + 1, s.line, end + gap + 1, "# ")


def _no_reason(path: str, s: Suppression) -> Diagnostic:
    codes = ", ".join(s.codes) if s.codes else "CODE"
    kind = "ignore-file" if s.file_level else "ignore"
    return Diagnostic(
        code=NO_REASON_CODE,
        message=f"suppression without a reason; write `# ssot: {kind}[{codes}](why)`",
        path=path,
        line=s.line,
        column=s.column,
        end_line=s.line,
        end_column=s.end_column,
        snippet=s.text,
    )
