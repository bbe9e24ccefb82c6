"""Output formats. Each reporter turns a finished run into text."""

from __future__ import annotations

from collections.abc import Callable

from ssot_lint.reporters.base import ReportContext
from ssot_lint.reporters.json_format import render_json, render_json_lines
from ssot_lint.reporters.text import render_concise, render_full

Reporter = Callable[[ReportContext], str]

REPORTERS: dict[str, Reporter] = {
    "full": render_full,
    "concise": render_concise,
    "json": render_json,
    "json-lines": render_json_lines,
}

__all__ = ["REPORTERS", "ReportContext", "Reporter"]
