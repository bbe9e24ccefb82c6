"""``sarif``: SARIF 2.1.0, as GitHub code scanning accepts it.

* ``tool.driver.rules``: every rule, with ``shortDescription`` (the summary),
  ``fullDescription`` (what it does), ``help`` (the whole rule page as
  Markdown) and ``helpUri``.
* Each result: ``ruleId``/``ruleIndex``, ``level``, ``message``, one
  ``physicalLocation`` with a repository-relative ``artifactLocation.uri``
  under ``uriBaseId`` ``%SRCROOT%`` and a ``region`` (1-based, columns in
  Unicode code points), ``partialFingerprints`` from the same line-independent
  fingerprint the baseline uses (so an alert keeps its identity when lines
  move), and the fix as SARIF ``fixes`` when there is one.
* Internal failures become ``toolExecutionNotifications`` and
  ``executionSuccessful: false``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ssot_lint import __version__
from ssot_lint.baseline import FINGERPRINT_KEY, fingerprint
from ssot_lint.diagnostics import Diagnostic
from ssot_lint.reporters.base import ReportContext, rule_url
from ssot_lint.ruledocs import render_rule_markdown
from ssot_lint.rules import all_rules

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/ssot-lint/ssot-lint"
SRCROOT = "%SRCROOT%"


def repository_root(root: Path) -> Path:
    """The enclosing VCS checkout (a ``.git`` directory or file), else ``root``.

    Code scanning and workflow annotations want paths relative to the
    repository, which differs from the project root when pyproject.toml lives
    in a subdirectory.
    """
    current = Path(os.path.abspath(root))
    for candidate in (current, *current.parents):
        if (candidate / ".git").exists():
            return candidate
    return current


def repository_path(ctx: ReportContext, rel_path: str, repo_root: Path | None = None) -> str:
    """POSIX path of a diagnostic's file relative to the repository root
    (absolute when the file is outside it)."""
    repo_root = repo_root or repository_root(ctx.root)
    absolute = Path(ctx.absolute_path(rel_path))
    try:
        return absolute.relative_to(repo_root).as_posix()
    except ValueError:
        return absolute.as_posix()


def _level(code: str) -> str:
    # Every finding fails the check (exit 1), so every one is an error; the
    # comment-hygiene rules are warnings in spirit but gate the same way.
    return "error"


def _rule_descriptor(rule: Any) -> dict[str, Any]:
    markdown = render_rule_markdown(rule)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": f"{rule.summary}."},
        "fullDescription": {"text": rule.doc("what_it_does")},
        "helpUri": rule_url(rule.code),
        "help": {"text": markdown, "markdown": markdown},
        "defaultConfiguration": {"level": _level(rule.code), "enabled": rule.default_enabled},
        "properties": {"tags": ["ssot", rule.kind], "precision": "high"},
    }


def _uri(path: str) -> str:
    return quote(path, safe="/")


def _location(uri: str, base: str | None) -> dict[str, Any]:
    location: dict[str, Any] = {"uri": uri}
    if base:
        location["uriBaseId"] = base
    return location


def _artifact(ctx: ReportContext, diag: Diagnostic, repo_root: Path) -> dict[str, Any]:
    path = repository_path(ctx, diag.path, repo_root)
    if os.path.isabs(path):
        return _location(Path(path).as_uri(), None)
    return _location(_uri(path), SRCROOT)


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, Any]:
    region = {"startLine": max(line, 1), "startColumn": max(column, 1)}
    if end_line > line or (end_line == line and end_column >= column):
        region["endLine"] = end_line
        region["endColumn"] = max(end_column, 1)
    return region


def _fixes(diag: Diagnostic, artifact: dict[str, Any]) -> list[dict[str, Any]]:
    if diag.fix is None:
        return []
    replacements = [
        {
            "deletedRegion": _region(e.line, e.column, e.end_line, e.end_column),
            "insertedContent": {"text": e.content},
        }
        for e in diag.fix.edits
    ]
    return [
        {
            "description": {"text": f"{diag.fix.message} ({diag.fix.applicability.value})"},
            "artifactChanges": [{"artifactLocation": artifact, "replacements": replacements}],
        }
    ]


def render_sarif(ctx: ReportContext) -> str:
    rules = list(all_rules().values())
    index = {rule.code: i for i, rule in enumerate(rules)}
    repo_root = repository_root(ctx.root)
    # Fingerprints over every finding of the run (before the baseline removed
    # the known ones), so the occurrence indexes are the baseline's.
    everything = ctx.all_diagnostics if ctx.all_diagnostics is not None else ctx.diagnostics
    known = {id(e) for e in everything}
    if any(id(d) not in known for d in ctx.diagnostics):
        everything = ctx.diagnostics  # not a superset: fingerprint what is reported
    prints = dict(zip(map(id, everything), fingerprint(everything, ctx.root), strict=True))
    results = []
    for diag in ctx.diagnostics:
        artifact = _artifact(ctx, diag, repo_root)
        result: dict[str, Any] = {
            "ruleId": diag.code,
            "level": _level(diag.code),
            "message": {"text": diag.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": _region(diag.line, diag.column, diag.end_line, diag.end_column),
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: prints[id(diag)].fingerprint()},
        }
        if diag.code in index:
            result["ruleIndex"] = index[diag.code]
        fixes = _fixes(diag, artifact)
        if fixes:
            result["fixes"] = fixes
        results.append(result)
    notifications = [
        {"level": "error", "message": {"text": f"{error.path}: {error.message}"}}
        for error in ctx.errors
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "ssot-lint",
                "semanticVersion": __version__,
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": repo_root.as_uri().rstrip("/") + "/"}},
        "invocations": [
            {
                "executionSuccessful": not ctx.errors,
                "toolExecutionNotifications": notifications,
            }
        ],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
