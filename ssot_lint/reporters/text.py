"""``full`` and ``concise`` text output, and ``--statistics``, laid out as ruff does.

``concise``: one ``path:line:col: CODE message`` line per diagnostic, then the
summary. ``full``: each diagnostic followed by the source line with carets
and the fix, a blank line after each, then the summary. Colour only when the
context says so (the CLI decides: a terminal, or ``--color always``); with
``quiet`` there is no summary. Internal errors are printed on stderr by the
CLI; the summary only says that the results are incomplete.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from ssot_lint.diagnostics import Applicability, Diagnostic
from ssot_lint.reporters.base import ReportContext, rule_name
from ssot_lint.source import SourceError, read_source, split_lines


def _style(ctx: ReportContext, text: str, **kwargs: object) -> str:
    return click.style(text, **kwargs) if ctx.color else text  # type: ignore[arg-type]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _header(diag: Diagnostic, ctx: ReportContext) -> str:
    path = _style(ctx, ctx.display_path(diag.path), bold=True)
    code = _style(ctx, diag.code, fg="red", bold=True)
    fixable = ""
    if diag.fix is not None and diag.fix.applicability is Applicability.SAFE and ctx.show_fixes:
        fixable = _style(ctx, "[*]", fg="cyan") + " "
    return f"{path}:{diag.line}:{diag.column}: {code} {fixable}{diag.message}"


def summary_lines(ctx: ReportContext) -> list[str]:
    """The summary after the diagnostics (empty when quiet)."""
    if ctx.quiet:
        return []
    lines = []
    count = len(ctx.diagnostics)
    if count:
        lines.append(f"Found {_plural(count, 'error')}.")
        safe = sum(
            1
            for d in ctx.diagnostics
            if d.fix is not None and d.fix.applicability is Applicability.SAFE
        )
        unsafe = sum(
            1
            for d in ctx.diagnostics
            if d.fix is not None and d.fix.applicability is Applicability.UNSAFE
        )
        if safe and ctx.show_fixes:
            lines.append(_style(ctx, "[*]", fg="cyan") + f" {safe} fixable with `ssot-lint fix`.")
        if unsafe and ctx.show_fixes:
            lines.append(f"{unsafe} more fixable with `ssot-lint fix --unsafe-fixes`.")
    elif ctx.errors:
        lines.append(f"No violations found in {_plural(ctx.files_checked, 'file')} checked.")
    else:
        lines.append(
            _style(ctx, "All checks passed!", fg="green", bold=True)
            + f" ({_plural(ctx.files_checked, 'file')} checked)"
        )
    if ctx.suppressed:
        lines.append(f"{ctx.suppressed} suppressed by comments.")
    if ctx.baseline_ignored:
        lines.append(f"{ctx.baseline_ignored} known violation(s) ignored by the baseline.")
    if ctx.errors:
        files = len({e.path for e in ctx.errors})
        lines.append(
            _style(ctx, "error:", fg="red", bold=True)
            + f" internal error in {_plural(files, 'file')} (details on stderr);"
            " the results are incomplete."
        )
    return lines


def _summary(ctx: ReportContext) -> str:
    return "".join(line + "\n" for line in summary_lines(ctx))


def render_concise(ctx: ReportContext) -> str:
    body = "".join(_header(d, ctx) + "\n" for d in ctx.diagnostics)
    return body + _summary(ctx)


def render_full(ctx: ReportContext) -> str:
    blocks: list[str] = []
    cache: dict[str, list[str] | None] = {}
    for diag in ctx.diagnostics:
        if diag.path not in cache:
            cache[diag.path] = _source_lines(ctx, diag.path)
        blocks.append("".join(line + "\n" for line in _block(diag, ctx, cache[diag.path])))
    summary = _summary(ctx)
    # A blank line after every diagnostic, and so between the last one and the summary.
    body = "\n".join(blocks)
    if blocks and summary:
        body += "\n"
    return body + summary


def _block(diag: Diagnostic, ctx: ReportContext, lines: list[str] | None) -> list[str]:
    out = [_header(diag, ctx)]
    if not lines or not 0 < diag.line <= len(lines):
        return out
    # One column per character, as the diagnostics count them: a tab is
    # shown as one space so that the carets stay under the right characters.
    text = lines[diag.line - 1].expandtabs(1)
    if diag.end_line == diag.line:
        width = diag.end_column - diag.column
    else:
        width = len(text) - diag.column + 1  # to the end of the first line
    width = max(1, width)
    number = str(diag.line)
    pad = " " * len(number)
    bar = _style(ctx, f"{pad} |", fg="blue")
    out.append(bar)
    out.append(_style(ctx, f"{number} |", fg="blue") + f" {text}".rstrip())
    caret = " " * (diag.column - 1) + "^" * width
    out.append(f"{bar} {_style(ctx, f'{caret} {diag.code}', fg='red', bold=True)}")
    out.append(bar)
    if diag.fix is not None and ctx.show_fixes:
        hint = "help" if diag.fix.applicability is Applicability.SAFE else "help (unsafe)"
        out.append(f"{pad} = {_style(ctx, hint, bold=True)}: {diag.fix.message}")
    return out


def _source_lines(ctx: ReportContext, rel_path: str) -> list[str] | None:
    try:
        return split_lines(read_source(Path(ctx.absolute_path(rel_path))).text)
    except (SourceError, OSError):
        return None  # deleted or unreadable since the run: the header alone


# ---------------------------------------------------------------------------
# --statistics


def statistics(ctx: ReportContext) -> list[dict[str, object]]:
    """Counts per rule, most frequent first (ties by code)."""
    counts = Counter(d.code for d in ctx.diagnostics)
    fixable = Counter(d.code for d in ctx.diagnostics if d.fix is not None)
    return [
        {
            "code": code,
            "name": rule_name(code),
            "count": count,
            "fixable": fixable[code] == count,
            "fixable_count": fixable[code],
        }
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def render_statistics(ctx: ReportContext) -> str:
    rows = statistics(ctx)
    width = max((len(str(row["count"])) for row in rows), default=1)
    code_width = max((len(str(row["code"])) for row in rows), default=1)
    lines = []
    for row in rows:
        fixable = int(row["fixable_count"])  # type: ignore[call-overload]
        mark = "[*]" if row["fixable"] else "[-]" if fixable else "   "
        lines.append(f"{row['count']:>{width}}\t{row['code']:<{code_width}}\t{mark} {row['name']}")
    return "".join(line + "\n" for line in lines) + _summary(ctx)


def render_statistics_json(ctx: ReportContext) -> str:
    return json.dumps(statistics(ctx), indent=2) + "\n"


def render_statistics_json_lines(ctx: ReportContext) -> str:
    return "".join(json.dumps(row) + "\n" for row in statistics(ctx))
