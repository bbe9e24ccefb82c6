"""What a rule reports: diagnostics, fixes and text edits.

Everything here is a plain, picklable value so per-file results can be cached
on disk and sent between processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Applicability(str, Enum):
    """Whether a fix may be applied without a human looking (ruff's terms)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, slots=True, order=True)
class Edit:
    """Replace the text between two 1-based (line, column) positions.

    Columns count characters (code points), as editors and ruff do; the end is
    exclusive. An insertion has ``start == end``.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    content: str


@dataclass(frozen=True, slots=True)
class Fix:
    message: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One violation at one place in one file.

    ``path`` is the project-relative POSIX path (stable across machines, used by
    baselines and machine-readable output); reporters turn it into whatever
    their format needs. ``scope`` is the enclosing qualified scope and
    ``snippet`` the offending code: both feed line-independent fingerprints.
    """

    code: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    fix: Fix | None = None
    scope: str = ""
    snippet: str = ""

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)


@dataclass(frozen=True, slots=True)
class InternalError:
    """A failure of the tool itself on one file (exit code 2, the run goes on)."""

    path: str
    message: str


@dataclass(slots=True)
class FileOutcome:
    """Diagnostics of one file after suppressions, plus what was suppressed."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressed: int = 0
