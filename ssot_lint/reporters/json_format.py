"""``json`` and ``json-lines``: ruff-compatible field names.

``json`` is one array of diagnostics, ``json-lines`` one object per line.
Rows and columns are 1-based; ``filename`` is absolute, ``path`` relative to
the project root. Internal errors are not diagnostics: the CLI prints them
on stderr, so the output stays a valid list of violations.
"""

from __future__ import annotations

import json
from typing import Any

from ssot_lint.diagnostics import Diagnostic
from ssot_lint.reporters.base import ReportContext, rule_name, rule_url


def diagnostic_dict(diag: Diagnostic, ctx: ReportContext) -> dict[str, Any]:
    fix = None
    if diag.fix is not None:
        fix = {
            "applicability": diag.fix.applicability.value,
            "message": diag.fix.message,
            "edits": [
                {
                    "content": e.content,
                    "location": {"row": e.line, "column": e.column},
                    "end_location": {"row": e.end_line, "column": e.end_column},
                }
                for e in diag.fix.edits
            ],
        }
    return {
        "code": diag.code,
        "name": rule_name(diag.code),
        "message": diag.message,
        "filename": ctx.absolute_path(diag.path),
        "path": diag.path,
        "location": {"row": diag.line, "column": diag.column},
        "end_location": {"row": diag.end_line, "column": diag.end_column},
        "fix": fix,
        "noqa_row": diag.line,  # where a suppression comment goes, as in ruff
        "scope": diag.scope,
        "url": rule_url(diag.code),
    }


def render_json(ctx: ReportContext) -> str:
    return json.dumps([diagnostic_dict(d, ctx) for d in ctx.diagnostics], indent=2) + "\n"


def render_json_lines(ctx: ReportContext) -> str:
    return "".join(json.dumps(diagnostic_dict(d, ctx)) + "\n" for d in ctx.diagnostics)
