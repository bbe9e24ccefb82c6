"""``github``: GitHub Actions workflow commands, one annotation per finding.

    ::error file=pkg/mod.py,line=3,col=20,endLine=3,endColumn=32,
    title=SSOT002 manual-id-generation::SSOT002 message   (one line)

Escaping follows the Actions toolkit (``@actions/core`` ``issueCommand``):
in the message ``%`` -> ``%25``, CR -> ``%0D``, LF -> ``%0A``; in property
values also ``:`` -> ``%3A`` and ``,`` -> ``%2C``. Paths are relative to the
repository root (what the runner resolves them against), which is not the
project root when pyproject.toml lives in a subdirectory. ``endColumn`` is
only sent for single-line findings, as GitHub requires.
"""

from __future__ import annotations

from ssot_lint.reporters.base import ReportContext, rule_name
from ssot_lint.reporters.sarif import repository_path, repository_root


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, properties: dict[str, object]) -> str:
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    head = f"::{command} {rendered}" if rendered else f"::{command}"
    return f"{head}::{escape_data(message)}"


def render_github(ctx: ReportContext) -> str:
    repo_root = repository_root(ctx.root)
    lines = []
    for diag in ctx.diagnostics:
        properties: dict[str, object] = {
            "file": repository_path(ctx, diag.path, repo_root),
            "line": diag.line,
            "col": diag.column,
            "endLine": max(diag.end_line, diag.line),
        }
        if diag.end_line == diag.line and diag.end_column > diag.column:
            properties["endColumn"] = diag.end_column
        properties["title"] = f"{diag.code} {rule_name(diag.code)}"
        lines.append(workflow_command("error", f"{diag.code} {diag.message}", properties))
    for error in ctx.errors:
        properties = {}
        if not error.path.startswith("<"):
            properties["file"] = repository_path(ctx, error.path, repo_root)
        properties["title"] = "ssot-lint internal error"
        lines.append(workflow_command("error", f"{error.path}: {error.message}", properties))
    return "".join(line + "\n" for line in lines)
