"""What every reporter is given."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ssot_lint.diagnostics import Diagnostic, InternalError
from ssot_lint.rules import all_rules

DOCS_URL = "https://github.com/ssot-lint/ssot-lint/blob/main/rules/{code}.md"


@dataclass
class ReportContext:
    """A finished run as the reporters see it.

    Diagnostics and errors are put in a fixed order here (path, line, column,
    code, message), so every format is deterministic whatever produced them.
    ``quiet``: the text formats print the diagnostics only, no summary.
    """

    diagnostics: list[Diagnostic]
    errors: list[InternalError]
    root: Path
    files_checked: int
    suppressed: int = 0
    color: bool = False
    show_fixes: bool = True
    baseline_ignored: int = 0
    # Every finding before the baseline removed the known ones (fingerprints
    # are computed over the whole run so they match the baseline's); None: no baseline.
    all_diagnostics: list[Diagnostic] | None = None
    quiet: bool = False

    def __post_init__(self) -> None:
        self.diagnostics = sorted(self.diagnostics, key=lambda d: d.sort_key)
        self.errors = sorted(self.errors, key=lambda e: (e.path, e.message))

    def display_path(self, rel_path: str) -> str:
        """Path as the user should see it: relative to the working directory."""
        absolute = Path(rel_path) if os.path.isabs(rel_path) else self.root / rel_path
        try:
            return os.path.relpath(absolute)
        except ValueError:  # another drive on Windows
            return str(absolute)

    def absolute_path(self, rel_path: str) -> str:
        return str(Path(rel_path) if os.path.isabs(rel_path) else self.root / rel_path)


def rule_name(code: str) -> str:
    rule = all_rules().get(code)
    return rule.name if rule else code.lower()


def rule_url(code: str) -> str:
    return DOCS_URL.format(code=code)
