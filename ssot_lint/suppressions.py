"""Suppression comments: parsing them, applying them, reporting unused ones.

Recognised forms (codes are comma- or space-separated)::

    x = f()  # ssot: ignore[SSOT002]                 this line, these codes
    x = f()  # ssot: ignore[SSOT002](legacy ids)     ... with a reason
    x = f()  # ssot: ignore                          this line, every code
    x = f()  # noqa: SSOT002                         flake8/ruff style
    # ssot: ignore-file[SSOT004]                     the whole file

A bare ``# noqa`` suppresses everything on its line, as in ruff, but is never
reported as unused (it may be meant for another tool); ``noqa`` codes that are
not ours (``E501``) are left to their owners.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass

from ssot_lint.diagnostics import Diagnostic, Edit, Fix

CODE_PREFIX = "SSOT"
UNUSED_CODE = "SSOT100"
NO_REASON_CODE = "SSOT101"

_SSOT = re.compile(
    r"#\s*ssot:\s*(?P<kind>ignore-file|ignore)\b"
    r"(?:\[(?P<codes>[^\]]*)\])?"
    r"(?:\((?P<reason>[^)]*)\))?",
    re.IGNORECASE,
)
_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"[\s,]+")


@dataclass(frozen=True, slots=True)
class Suppression:
    line: int
    column: int  # 1-based character column of the directive's '#'
    end_column: int  # exclusive
    codes: tuple[str, ...]  # empty: every code
    reason: str | None
    file_level: bool
    noqa: bool  # written in the flake8 style rather than as ssot: ignore
    text: str  # the directive as written

    @property
    def blanket(self) -> bool:
        return not self.codes


def _parse_directives(comment: str) -> Iterable[tuple[re.Match[str], bool]]:
    for match in _SSOT.finditer(comment):
        yield match, False
    for match in _NOQA.finditer(comment):
        yield match, True


def scan_suppressions(text: str) -> list[Suppression]:
    """All suppression directives in real comments (not in strings)."""
    found: list[Suppression] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return found
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        line, col = token.start
        for match, noqa in _parse_directives(token.string):
            raw_codes = match.group("codes")
            codes = tuple(c.upper() for c in _SPLIT.split(raw_codes.strip())) if raw_codes else ()
            codes = tuple(c for c in codes if c)
            if noqa and codes:
                codes = tuple(c for c in codes if c.startswith(CODE_PREFIX))
                if not codes:
                    continue  # another tool's noqa
            reason = None if noqa else match.group("reason")
            found.append(
                Suppression(
                    line=line,
                    column=col + match.start() + 1,
                    end_column=col + match.end() + 1,
                    codes=codes,
                    reason=reason.strip() if reason and reason.strip() else None,
                    file_level=not noqa and match.group("kind").lower() == "ignore-file",
                    noqa=noqa,
                    text=match.group(0),
                )
            )
    return found


@dataclass
class SuppressionResult:
    kept: list[Diagnostic]
    suppressed: int
    extra: list[Diagnostic]  # SSOT100 / SSOT101 findings about the comments themselves


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
    by_line: dict[int, list[Suppression]] = {}
    file_level: list[Suppression] = []
    for s in suppressions:
        (file_level if s.file_level else by_line.setdefault(s.line, [])).append(s)

    used: dict[int, set[str]] = {}  # id(suppression) -> codes it suppressed
    kept: list[Diagnostic] = []
    suppressed = 0
    for diag in diagnostics:
        candidates = by_line.get(diag.line, []) + file_level
        match = next((s for s in candidates if s.blanket or diag.code in s.codes), None)
        if match is None:
            kept.append(diag)
            continue
        suppressed += 1
        used.setdefault(id(match), set()).add(diag.code)

    extra: list[Diagnostic] = []
    for s in suppressions:
        if require_reasons and s.reason is None:
            extra.append(_no_reason(path, s))
        if report_unused:
            unused = _unused_codes(s, used.get(id(s), set()), known_codes, enabled_codes)
            if unused is not None:
                extra.append(_unused(path, s, unused, lines))
    return SuppressionResult(kept, suppressed, extra)


def _unused_codes(
    s: Suppression, used: set[str], known: set[str], enabled: set[str]
) -> dict[str, str] | None:
    """Codes of ``s`` that did nothing, each with why; None when all were used."""
    if s.blanket:
        if s.noqa or used:
            return None
        return {"": "nothing to suppress"}
    unused: dict[str, str] = {}
    for code in s.codes:
        if code in used:
            continue
        if code not in known:
            unused[code] = "unknown code"
        elif code not in enabled:
            unused[code] = "not enabled"
        else:
            unused[code] = "unused"
    return unused or None


def _directive_span(s: Suppression) -> tuple[int, int]:
    return s.column, s.end_column


def _unused(
    path: str, s: Suppression, unused: dict[str, str], lines: list[str] | None
) -> Diagnostic:
    if "" in unused:
        what = "unused blanket suppression"
    else:
        groups: dict[str, list[str]] = {}
        for code, why in unused.items():
            groups.setdefault(why, []).append(code)
        what = "; ".join(f"{why}: {', '.join(codes)}" for why, codes in groups.items())
        what = f"unused suppression ({what})"
    return Diagnostic(
        code=UNUSED_CODE,
        message=what,
        path=path,
        line=s.line,
        column=s.column,
        end_line=s.line,
        end_column=s.end_column,
        fix=_removal_fix(s, set(unused), lines),
        snippet=s.text,
    )


def _removal_fix(s: Suppression, unused: set[str], lines: list[str] | None) -> Fix | None:
    if lines is None or s.line - 1 >= len(lines):
        return None
    line = lines[s.line - 1]
    start, end = _directive_span(s)
    remaining = [c for c in s.codes if c not in unused]
    if remaining:
        replacement = _rewrite_directive(s, remaining)
        edit = Edit(s.line, start, s.line, end, replacement)
        return Fix(f"Remove unused code(s) {', '.join(sorted(unused))}", (edit,))
    # Remove the directive and the blank run before it.
    before = line[: start - 1]
    trimmed = before.rstrip(" \t")
    edit = Edit(s.line, len(trimmed) + 1, s.line, end, "")
    after = line[end - 1 :].lstrip(" \t")
    if after and not trimmed:
        edit = Edit(s.line, start, s.line, end + len(line[end - 1 :]) - len(after), "")
    return Fix("Remove unused suppression", (edit,))


def _rewrite_directive(s: Suppression, codes: list[str]) -> str:
    if s.noqa:
        return f"# noqa: {', '.join(codes)}"
    kind = "ignore-file" if s.file_level else "ignore"
    reason = f"({s.reason})" if s.reason else ""
    return f"# ssot: {kind}[{', '.join(codes)}]{reason}"


def _no_reason(path: str, s: Suppression) -> Diagnostic:
    codes = ", ".join(s.codes) if s.codes else "CODE"
    return Diagnostic(
        code=NO_REASON_CODE,
        message=f"suppression without a reason; write `# ssot: ignore[{codes}](why)`",
        path=path,
        line=s.line,
        column=s.column,
        end_line=s.line,
        end_column=s.end_column,
        snippet=s.text,
    )
