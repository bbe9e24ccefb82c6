"""``full`` and ``concise`` text output, ruff-style."""

from __future__ import annotations

from collections import Counter

import click

from ssot_lint.diagnostics import Applicability, Diagnostic
from ssot_lint.reporters.base import ReportContext, rule_name
from ssot_lint.source import SourceError, read_source, split_lines


def _style(ctx: ReportContext, text: str, **kwargs: object) -> str:
    return click.style(text, **kwargs) if ctx.color else text  # type: ignore[arg-type]


def _header(diag: Diagnostic, ctx: ReportContext) -> str:
    path = _style(ctx, ctx.display_path(diag.path), bold=True)
    code = _style(ctx, diag.code, fg="red", bold=True)
    fixable = ""
    if diag.fix is not None and diag.fix.applicability is Applicability.SAFE and ctx.show_fixes:
        fixable = _style(ctx, "[*] ", fg="cyan")
    return f"{path}:{diag.line}:{diag.column}: {code} {fixable}{diag.message}"


def _summary(ctx: ReportContext) -> str:
    lines = []
    count = len(ctx.diagnostics)
    if count:
        lines.append(f"Found {count} error{'s' if count != 1 else ''}.")
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
            lines.append(f"[*] {safe} fixable with `ssot-lint fix`.")
        if unsafe and ctx.show_fixes:
            lines.append(f"{unsafe} more fixable with `ssot-lint fix --unsafe-fixes`.")
    else:
        files = ctx.files_checked
        lines.append(f"All checks passed! ({files} file{'s' if files != 1 else ''} checked)")
    if ctx.suppressed:
        lines.append(f"{ctx.suppressed} suppressed by comments.")
    if ctx.baseline_ignored:
        lines.append(f"{ctx.baseline_ignored} known violation(s) ignored by the baseline.")
    for error in ctx.errors:
        lines.append(_style(ctx, f"error: {error.path}: {error.message}", fg="red"))
    return "\n".join(lines) + "\n"


def render_concise(ctx: ReportContext) -> str:
    body = "".join(_header(d, ctx) + "\n" for d in ctx.diagnostics)
    return body + _summary(ctx)


def render_full(ctx: ReportContext) -> str:
    out: list[str] = []
    cache: dict[str, list[str] | None] = {}
    for diag in ctx.diagnostics:
        out.append(_header(diag, ctx))
        if diag.path not in cache:
            try:
                cache[diag.path] = split_lines(read_source_path(ctx, diag.path))
            except (SourceError, OSError):
                cache[diag.path] = None
        lines = cache[diag.path]
        if lines and 0 < diag.line <= len(lines):
            text = lines[diag.line - 1].expandtabs(1)
            gutter = f"{diag.line} |"
            pad = " " * (len(str(diag.line)))
            width = max(1, (diag.end_column - diag.column) if diag.end_line == diag.line else 1)
            out.append(_style(ctx, f"{pad} |", fg="blue"))
            out.append(_style(ctx, gutter, fg="blue") + " " + text)
            caret = " " * (diag.column - 1) + "^" * width
            out.append(_style(ctx, f"{pad} |", fg="blue") + " " + _style(ctx, caret, fg="red"))
            if diag.fix is not None and ctx.show_fixes:
                hint = "help" if diag.fix.applicability is Applicability.SAFE else "help (unsafe)"
                out.append(f"{pad} = {hint}: {diag.fix.message}")
        out.append("")
    return "\n".join(out) + _summary(ctx)


def read_source_path(ctx: ReportContext, rel_path: str) -> str:
    from pathlib import Path

    return read_source(Path(ctx.absolute_path(rel_path))).text


def render_statistics(ctx: ReportContext) -> str:
    counts = Counter(d.code for d in ctx.diagnostics)
    fixable = Counter(d.code for d in ctx.diagnostics if d.fix is not None)
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        mark = "[*]" if fixable[code] == count else "[-]" if fixable[code] else "   "
        lines.append(f"{count:>{width}}\t{code}\t{mark} {rule_name(code)}")
    return "\n".join(lines) + ("\n" if lines else "")
