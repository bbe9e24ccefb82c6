"""The language server's warm index (``Workspace``) and incremental rules.

The key property: for any text of any open file, the diagnostics the
workspace reports (incrementally, chunk by chunk, from a warm index) are
exactly those ``ssot-lint check`` reports for the same text on disk. It is
checked on the bundled example project and the test fixtures, and across
sequences of random edits (seeded, so a failure replays).
"""

from __future__ import annotations

import ast
import random
import shutil
from pathlib import Path

import pytest

from ssot_lint.diagnostics import Diagnostic
from ssot_lint.engine import RunOptions, run_check
from ssot_lint.incremental import IncrementalAnalyser, split_chunks
from ssot_lint.source import set_overlay
from ssot_lint.workspace import Workspace, suppression_edit
from tests.support import write_project

REPO = Path(__file__).resolve().parent.parent
PROJECTS = [
    REPO / "examples",
    *sorted(
        project
        for fixture in (REPO / "tests" / "fixtures").iterdir()
        for project in (fixture, fixture / "input")  # the fix fixtures keep theirs in input/
        if (project / "pyproject.toml").is_file()
    ),
]

# Lines an edit may insert: planted violations of each rule, suppressions,
# imports that resolve or do not, and harmless code.
SNIPPETS = [
    'execution_id = f"exec_{uuid.uuid4().hex[:8]}"',
    'run_id = "run_" + str(uuid.uuid4())',
    'tracker.update_execution_state(exec_id, {"success": True, "completed": True})',
    "manager = WebSocketManager()",
    "from netra_backend.app.core.agent_execution_tracker import AgentExecutionTracker",
    "from netra_backend.app.nowhere import Missing",
    "from shared.id_utils import generate_id",
    'request_id = f"req_{uuid.uuid4().hex}"  # ssot: ignore[SSOT002]',
    "value = 1  # ssot: ignore[SSOT003]",
    "pass",
    "x = compute(1, 2)",
    "class Extra:\n    pass",
    "def helper():\n    return uuid.uuid4().hex",
    "global counter",
]


def _copy(src: Path, tmp_path: Path) -> Path:
    root = tmp_path / (src.parent.name if src.name == "input" else src.name)
    shutil.copytree(src, root)
    return root


def _texts(root: Path) -> dict[Path, str]:
    out = {}
    for path in sorted(root.rglob("*.py")):
        try:
            out[path] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # a fixture that is not UTF-8 on purpose: check reports it, not our subject
    return out


def _check(root: Path, cache: Path) -> dict[str, list[Diagnostic]]:
    result = run_check(RunOptions(paths=[root], cache_dir=cache, jobs=1))
    by_file: dict[str, list[Diagnostic]] = {}
    for d in result.diagnostics:
        by_file.setdefault(d.path, []).append(d)
    return {k: sorted(v, key=lambda d: d.sort_key) for k, v in by_file.items()}


def _summary(found: list[Diagnostic]) -> list[tuple[object, ...]]:
    # Readable in an assertion diff; the full comparison follows it.
    return [(d.code, d.line, d.column, d.end_line, d.end_column, d.message) for d in found]


def _assert_same(ws: Workspace, rels: list[str], expected: dict[str, list[Diagnostic]]) -> None:
    for rel in rels:
        got = ws.diagnostics(rel)
        want = expected.get(rel, [])
        assert _summary(got) == _summary(want), rel
        assert got == want, rel  # fixes, scopes and snippets too


@pytest.fixture(autouse=True)
def _no_overlays():
    # The workspace puts editor buffers into a process-wide overlay; leave none behind.
    yield
    from ssot_lint import source

    for path in list(source._OVERLAY):
        set_overlay(Path(path), None)


@pytest.mark.parametrize("src", PROJECTS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_open_files_match_check(src: Path, tmp_path: Path) -> None:
    root = _copy(src, tmp_path)
    texts = _texts(root)
    ws = Workspace(root, use_cache=False, jobs=1)
    ws.load()
    for path, text in texts.items():
        ws.open(path, text, 1)
    expected = _check(root, tmp_path / "cache")
    _assert_same(ws, [ws.rel_path(p) for p in texts], expected)


def _random_edit(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True) or ["\n"]
    index = rng.randrange(len(lines))
    line = lines[index]
    indent = line[: len(line) - len(line.lstrip())].rstrip("\r\n")
    kind = rng.choice(["insert", "insert", "insert", "delete", "duplicate", "char", "rename"])
    if kind == "insert":
        snippet = rng.choice(SNIPPETS)
        new = "".join(indent + part + "\n" for part in snippet.split("\n"))
        lines.insert(index, new)
    elif kind == "delete":
        del lines[index]
    elif kind == "duplicate":
        lines.insert(index, line)
    elif kind == "char" and line.strip():
        column = rng.randrange(len(line.rstrip("\r\n")) or 1)
        lines[index] = line[:column] + rng.choice("a_1 (:'\"") + line[column + 1 :]
    elif kind == "rename":
        # Renaming a class or a module-level name changes the file's facts:
        # the knowledge and the other files' cross-file results must follow.
        lines[index] = line.replace("class ", "class Renamed", 1).replace("def ", "def renamed_", 1)
    return "".join(lines)


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


@pytest.mark.parametrize(
    "src",
    [REPO / "examples", *[p for p in PROJECTS if p.name in ("ids", "state_updates")]],
    ids=lambda p: p.name,
)
def test_random_edits_match_check(src: Path, tmp_path: Path) -> None:
    """The key property: incremental diagnostics == full check, edit after edit."""
    root = _copy(src, tmp_path)
    texts = _texts(root)
    paths = list(texts)
    rng = random.Random(f"ssot-lint-{src.name}")
    ws = Workspace(root, use_cache=False, jobs=1)
    ws.load()
    for path, text in texts.items():
        ws.open(path, text, 1)
    cache = tmp_path / "cache"
    rels = [ws.rel_path(p) for p in paths]
    version = 1
    for _ in range(25):
        path = rng.choice(paths)
        before = texts[path]
        edited = _random_edit(rng, before)
        version += 1
        ws.update(path, edited, version)
        path.write_text(edited, encoding="utf-8")
        expected = _check(root, cache)
        if _parses(edited):
            texts[path] = edited
            _assert_same(ws, rels, expected)
        else:
            # The file itself reports what check reports (SSOT000) ...
            _assert_same(ws, [ws.rel_path(path)], expected)
            # ... while the index keeps its last facts that parsed, so the
            # other files see no change: put the text back and go on.
            ws.update(path, before, version)
            path.write_text(before, encoding="utf-8")
    _assert_same(ws, rels, _check(root, cache))


def test_only_changed_chunks_are_walked(tmp_path: Path) -> None:
    body = "".join(
        f"def f{i}(tracker, exec_id):\n"
        f"    tracker.update_execution_state(exec_id, {{'success': True}})\n"
        f"    return {i}\n\n\n"
        for i in range(40)
    )
    root = write_project(
        tmp_path,
        {"pkg/__init__.py": "", "pkg/big.py": "import uuid\n\n\n" + body},
        config='[tool.ssot-lint.state]\nenum = "pkg.states.ExecutionState"',
    )
    path = root / "pkg" / "big.py"
    text = path.read_text(encoding="utf-8")
    ws = Workspace(root, use_cache=False, jobs=1)
    ws.load()
    ws.open(path, text, 1)
    first = ws.diagnostics("pkg/big.py")
    assert [d.code for d in first].count("SSOT003") == 40
    doc = ws._docs["pkg/big.py"]
    edited = text.replace("return 7\n", "return 77\n")
    ws.update(path, edited, 2)
    assert doc.analyser.stats.walked == 1  # one function's chunk, not 40
    assert not doc.analyser.stats.fallback
    assert not ws.last.knowledge_changed
    assert ws.diagnostics("pkg/big.py") == first  # no line moved
    # A line inserted above moves every later diagnostic, without re-walking them.
    moved = edited.replace("def f3(", "x = 1\n\n\ndef f3(")
    ws.update(path, moved, 3)
    lines = {d.line for d in ws.diagnostics("pkg/big.py")}
    path.write_text(moved, encoding="utf-8")
    assert lines == {d.line for d in _check(root, tmp_path / "cache")["pkg/big.py"]}


def test_chunks_cover_the_file() -> None:
    text = '"""Doc."""\nimport a\nfrom b import c\n\n\n@dec\ndef f():\n    pass\nx = 1; y = 2\n'
    chunks = split_chunks(text, ast.parse(text))
    assert "".join(c.text for c in chunks) == text
    assert [c.kind for c in chunks] == ["code", "def", "code"]
    assert chunks[1].name == "f" and chunks[1].start == 4  # blank lines go with what follows


def test_unparseable_buffer_keeps_the_index(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "class Thing:\n    pass\n",
            "pkg/b.py": "from pkg.a import Thing\n",
        },
    )
    a, b = root / "pkg" / "a.py", root / "pkg" / "b.py"
    ws = Workspace(root, use_cache=False, jobs=1)
    ws.load()
    ws.open(b, b.read_text(encoding="utf-8"), 1)
    ws.open(a, a.read_text(encoding="utf-8"), 1)
    assert ws.diagnostics("pkg/b.py") == []
    changed = ws.update(a, "class Thing(:\n    pass\n", 2)
    assert [d.code for d in ws.diagnostics("pkg/a.py")] == ["SSOT000"]
    assert "pkg/b.py" not in changed and ws.diagnostics("pkg/b.py") == []
    changed = ws.update(a, "class Other:\n    pass\n", 3)
    assert "pkg/b.py" in changed
    assert [d.code for d in ws.diagnostics("pkg/b.py")] == ["SSOT005"]


def test_suppression_edit_appends_or_extends() -> None:
    diag = Diagnostic("SSOT002", "m", "x.py", 2, 5, 2, 10)
    text = "import uuid\nrun = f'r_{uuid.uuid4()}'\n"
    edit = suppression_edit(text, [], diag)
    assert edit is not None and edit.content == "  # ssot: ignore[SSOT002]"
    assert (edit.line, edit.column) == (2, len("run = f'r_{uuid.uuid4()}'") + 1)


def test_incremental_analyser_is_reusable_across_files() -> None:
    # One analyser per document: its caches never mix two files' chunks.
    a, b = IncrementalAnalyser("a.py"), IncrementalAnalyser("b.py")
    assert a._results is not b._results
