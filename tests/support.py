"""Helpers shared by the test modules: fixture projects and expectations.

Fixture projects mark expected diagnostics inline, on the reported line:

    execution_id = f"exec_{uuid.uuid4().hex[:8]}"  # expect: SSOT002

Several on one line: ``# expect: SSOT004, SSOT004`` (a multiset). Lines
without a marker must produce nothing.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from pathlib import Path

from ssot_lint.engine import RunOptions, RunResult, run_check

MARKER = re.compile(r"#\s*expect:\s*([A-Z0-9_, ]+)")
FILE_HEADER = re.compile(r"^# file: (\S+)\s*$", re.MULTILINE)

Key = tuple[str, int, str]  # (project-relative path, line, code)


def split_files(source: str, default_name: str = "example.py") -> dict[str, str]:
    """``# file: a/b.py`` sections -> {path: code}; no header -> one file."""
    source = textwrap.dedent(source).strip("\n") + "\n"
    headers = list(FILE_HEADER.finditer(source))
    if not headers:
        return {default_name: source}
    files = {}
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(source)
        files[header.group(1)] = source[header.end() : end].strip("\n") + "\n"
    return files


def write_project(root: Path, files: dict[str, str] | str, config: str = "") -> Path:
    """Write a project: its files plus a pyproject.toml with [tool.ssot-lint] + ``config``."""
    if isinstance(files, str):
        files = split_files(files)
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        "[tool.ssot-lint]\n" + textwrap.dedent(config).strip() + "\n", encoding="utf-8"
    )
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def touch(root: Path, *rels: str, text: str = "x = 1\n") -> None:
    """Create each file (and its directories) under ``root`` with ``text``."""
    for rel in rels:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def check(paths: Path | list[Path], **options: object) -> RunResult:
    paths = paths if isinstance(paths, list) else [paths]
    return run_check(RunOptions(paths=paths, **options))  # type: ignore[arg-type]


def found(result: RunResult, codes: set[str] | None = None) -> Counter[Key]:
    return Counter(
        (d.path, d.line, d.code) for d in result.diagnostics if codes is None or d.code in codes
    )


def expected(root: Path, codes: set[str] | None = None) -> Counter[Key]:
    """Every ``# expect:`` marker under ``root``."""
    out: Counter[Key] = Counter()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            match = MARKER.search(line)
            if not match:
                continue
            for code in (c.strip() for c in match.group(1).split(",")):
                if code and (codes is None or code in codes):
                    out[(rel, number, code)] += 1
    return out


def codes_of(result: RunResult) -> Counter[str]:
    return Counter(d.code for d in result.diagnostics)
