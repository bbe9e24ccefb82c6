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
    diagnostics: list[Diagnostic]
    errors: list[InternalError]
    root: Path
    files_checked: int
    suppressed: int = 0
    color: bool = False
    show_fixes: bool = True
    baseline_ignored: int = 0

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
