"""Output formats. Each reporter turns a finished run into text."""

from __future__ import annotations

from collections.abc import Callable

from ssot_lint.reporters.base import ReportContext
from ssot_lint.reporters.github import render_github
from ssot_lint.reporters.json_format import render_json, render_json_lines
from ssot_lint.reporters.junit import render_junit
from ssot_lint.reporters.sarif import render_sarif
from ssot_lint.reporters.text import render_concise, render_full

Reporter = Callable[[ReportContext], str]

REPORTERS: dict[str, Reporter] = {
    "full": render_full,
    "concise": render_concise,
    "json": render_json,
    "json-lines": render_json_lines,
    "sarif": render_sarif,
    "github": render_github,
    "junit": render_junit,
}

__all__ = ["REPORTERS", "ReportContext", "Reporter"]
