"""Property-based tests: no input crashes the analysis; every fix parses and is final.

Inputs come from three sources:

* ``hypothesmith.from_grammar()``: syntactically valid Python programs drawn
  from the language's grammar (odd tokens, tabs, CRLF, form feeds, exotic
  identifiers and comments);
* byte-level mutations of the real files in ``examples/`` and the fixture
  projects (insertions of hostile bytes, deletions, duplications, bit flips,
  truncation, changed line endings, tabs, encoding declarations, BOMs);
* programs built from fixable SSOT violations (one template per fix of
  SSOT002, SSOT003, SSOT005, SSOT006 and SSOT100), interleaved with the
  hypothesmith programs or with cheap filler, then re-encoded (CRLF, CR,
  BOM, a latin-1 coding line, tab indentation).

Every input is analysed by the real engine (discovery, facts, the project
index, every rule with the trigger prefilter turned off, suppressions) as a
file of a small project configured for every rule; the fix tests run the real
``fix`` loop (all fixes, unsafe included) and write through the real atomic
writer. The properties:

* no rule and no fact extractor raises (no internal error, no exception);
* every diagnostic has a sane position (line and column >= 1);
* a fix run converges, reports no problem, and leaves a file that libcst and
  (when it accepted the original) CPython both parse;
* a second fix run changes nothing, byte for byte.

The example counts are the ``max_examples`` below (hypothesis runs exactly
that many valid examples unless it finds a failure), all derandomised and
without an example database, so CI runs the same examples every time.
"""

from __future__ import annotations

import ast
import re
import shutil
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support import write_project

from ssot_lint.analysis import analyse_facts
from ssot_lint.commands.fix import FixReport, fix_project
from ssot_lint.engine import RunOptions, RunResult, run_check
from ssot_lint.fixes import parse_problem
from ssot_lint.source import SourceError, decode_source

REPO = Path(__file__).resolve().parent.parent

# hypothesmith compiles the programs it draws: their SyntaxWarnings are its noise.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

# Example counts; the README's reliability section quotes their sum.
FACTS_EXAMPLES = 3000  # mutated real files: decoding, facts, suppression comments
MUTATION_EXAMPLES = 600  # mutated real files in their projects: every rule, fixed twice
GRAMMAR_EXAMPLES = 350  # hypothesmith programs (+ 0-4 fixable blocks): every rule, fixed twice
TEMPLATE_EXAMPLES = 300  # fixable blocks + filler, re-encoded: every rule, fixed twice


def fuzz_settings(examples: int) -> settings:
    """Reproducible settings: a fixed example count, no randomness, no database."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


# ---------------------------------------------------------------------------
# The project every input is analysed in: configured so that every rule can
# fire, and every fix can be offered, in ``pkg/fuzz.py``.

PROJECT_FILES = {
    "pkg/__init__.py": "",
    "pkg/core/__init__.py": (
        "from pkg.core.tracker import (\n"
        "    AgentExecutionTracker,\n    ExecutionState,\n    get_execution_tracker,\n)\n"
    ),
    "pkg/core/tracker.py": """\
import enum


class ExecutionState(enum.Enum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class AgentExecutionTracker:
    pass


def get_execution_tracker() -> AgentExecutionTracker:
    return AgentExecutionTracker()
""",
    "pkg/core/ids.py": """\
import enum
import uuid


class IDType(enum.Enum):
    RUN = "run"
    SESSION = "sess"
    EXECUTION = "exec"


class UnifiedIDManager:
    @staticmethod
    def generate_id(kind: IDType) -> str:
        return f"{kind.value}_{uuid.uuid4().hex}"
""",
    "pkg/compat.py": "from pkg.core.tracker import get_execution_tracker as get_tracker\n",
    "pkg/state.py": "class DeepAgentState:\n    pass\n",
    "SSOT_IMPORT_REGISTRY.md": """\
# SSOT Import Registry

## ✅ VERIFIED IMPORTS

```python
from pkg.core.tracker import AgentExecutionTracker, ExecutionState, get_execution_tracker
from pkg.core.ids import IDType, UnifiedIDManager
```

## ❌ BROKEN IMPORTS (Do Not Use)

```python
from pkg.compat import get_tracker  # ❌ compatibility layer
# USE INSTEAD: from pkg.core.tracker import get_execution_tracker
```
""",
}

PROJECT_CONFIG = """
src = ["pkg"]
registry = "SSOT_IMPORT_REGISTRY.md"
extend-select = ["SSOT100", "SSOT101"]

[tool.ssot-lint.ids]
fix-imports = ["pkg.core.ids.UnifiedIDManager", "pkg.core.ids.IDType"]
kinds = ["RUN", "SESSION", "EXECUTION"]

[tool.ssot-lint.state]
enum = "pkg.core.tracker.ExecutionState"

[[tool.ssot-lint.canonical]]
class = "pkg.core.tracker.AgentExecutionTracker"
accessor = "pkg.core.tracker.get_execution_tracker"

[[tool.ssot-lint.deprecated]]
symbol = "pkg.state.DeepAgentState"
replacement = "UserExecutionContext"
"""

# One fixable violation each (the code in the comment is the rule that fixes it).
FIXABLE = [
    "import uuid\nrun_id = str(uuid.uuid4())\n",  # SSOT002
    "import uuid\n\n\ndef new_session_id() -> str:\n    return uuid.uuid4().hex\n",  # SSOT002
    "import uuid\nfrom dataclasses import dataclass, field\n\n\n@dataclass\nclass Session:\n"
    "    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))\n",  # SSOT002
    "import uuid\nctx = {'execution_id': f'{uuid.uuid4()}'}\n",  # SSOT002
    'def finish(tracker, run_id):\n    tracker.update_execution_state(run_id, "completed")\n',
    'def fail(tracker, run_id):\n    tracker.update_execution_state(run_id, state="FAILED")\n',
    "def done(tracker, run_id):\n"
    '    tracker.update_execution_state(run_id, {"success": True, "completed": True})\n',
    "from pkg.core.tracker import AgentExecutionTracker\n\n\ndef tracker():\n"
    "    return AgentExecutionTracker()\n",  # SSOT006 (unsafe)
    "from pkg.core import ExecutionState\n",  # SSOT005 (b)
    "from pkg.compat import get_tracker\n",  # SSOT005 (a), unsafe
    "value = 1  # ssot: ignore[SSOT002]\n",  # SSOT100
    "x = 2  # noqa: SSOT003, E501\n",  # SSOT100
]
# Violations without a fix, and plain code: context for the fixes.
FILLER = [
    "\n",
    "# a comment\n",
    '"""A docstring."""\n',
    "from __future__ import annotations\n",
    "import os\n",
    "from pkg.core.tracker import ExecutionState as ES\n",
    "from pkg.state import DeepAgentState\n",  # SSOT004, no fix
    "from pkg.missing import nothing\n",  # SSOT005 (c), no fix
    "class ExecutionState:\n    pass\n",  # SSOT001 and a clash for SSOT003's fix
    "import uuid as u\nthread_id = u.uuid4().hex[:8]\n",  # SSOT002, unsafe fix or none
    "if True:\n    pass\n",
    "def f(\n    a,\n    b,\n):\n    return a  # ssot: ignore[SSOT004] kept for the test\n",
    "x = [\n    1,\n    2,\n]\n",
    's = """multi\nline"""\n',
    "\f\n",
    "x = 1; y = 2\n",
]

FixOutcome = tuple[bytes, FixReport]

# Built once: building the strategy compiles the grammar, which takes seconds.
PROGRAMS = hypothesmith.from_grammar()


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("fuzz"), PROJECT_FILES, PROJECT_CONFIG)


def _target(root: Path) -> Path:
    return root / "pkg" / "fuzz.py"


def _options(target: Path) -> RunOptions:
    # Every rule on every input: the trigger prefilter would skip the libcst
    # pass on most mutants (it gives the same answers: tests/test_fast_path.py).
    # The cache spares re-parsing the project's unchanged files; the target's
    # content is new every time, so it is analysed every time.
    return RunOptions(paths=[target], jobs=1, cache_dir=_CACHE[0], prefilter=False)


_CACHE: list[Path] = []  # set once per module by the ``cache`` fixture


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    _CACHE[:] = [tmp_path_factory.mktemp("cache")]
    yield
    _CACHE.clear()


def _assert_sane(result: RunResult) -> None:
    assert result.errors == [], [e.message for e in result.errors]
    for diag in result.diagnostics:
        assert diag.line >= 1 and diag.column >= 1, diag
        assert (diag.end_line, diag.end_column) >= (diag.line, diag.column), diag


def analyse(target: Path, data: bytes) -> RunResult:
    """Check ``data`` as the file ``target``; no rule may fail on it."""
    target.write_bytes(data)
    result = run_check(_options(target))
    _assert_sane(result)
    return result


def _decoded(data: bytes) -> str | None:
    try:
        return decode_source(data)[0]
    except SourceError:
        return None


def _cpython_accepts(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    return True


def fix_twice(target: Path, data: bytes) -> FixOutcome:
    """Fix ``data`` as the file ``target``, check the result, fix again: nothing may change."""
    target.write_bytes(data)
    first = fix_project(_options(target), unsafe=True, write=True)
    _assert_sane(first.result)  # type: ignore[arg-type]
    assert first.problems == [], first.problems
    assert first.converged
    fixed = target.read_bytes()
    if fixed == data:
        # Nothing written: the run's only check is the whole story (no problem
        # above means no fix was offered, or every offered fix was a no-op).
        assert first.fixed == 0
        return fixed, first
    assert first.fixed > 0
    text = _decoded(fixed)
    assert text is not None, "the fixed file no longer decodes"
    problem = parse_problem(text, cpython=_cpython_accepts(data))
    assert problem is None, f"the fixed file does not parse: {problem}\n{text}"
    second = fix_project(_options(target), unsafe=True, write=True)
    _assert_sane(second.result)  # type: ignore[arg-type]
    assert second.problems == [], second.problems
    assert second.fixed == 0, "a second fix run found more to fix"
    assert target.read_bytes() == fixed, "a second fix run changed the file"
    return fixed, first


# ---------------------------------------------------------------------------
# Re-encodings of a program: same code, different bytes.


def _lines_to(text: str, newline: str) -> str:
    return re.sub(r"\r\n|\r|\n", newline, text)


def _tabs(text: str) -> str:
    # Indentation by tabs instead of four spaces (consistent, so still valid).
    return re.sub(r"(?m)^((?:    )+)", lambda m: "\t" * (len(m.group(1)) // 4), text)


ENCODINGS: dict[str, Callable[[str], bytes | None]] = {
    "utf-8": lambda text: text.encode("utf-8", "surrogatepass"),
    "crlf": lambda text: _lines_to(text, "\r\n").encode("utf-8", "surrogatepass"),
    "cr": lambda text: _lines_to(text, "\r").encode("utf-8", "surrogatepass"),
    "bom": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass"),
    "tabs": lambda text: _tabs(text).encode("utf-8", "surrogatepass"),
    "latin-1": lambda text: _latin1(text),
}


def _latin1(text: str) -> bytes | None:
    try:
        return ("# -*- coding: latin-1 -*-\n" + text).encode("latin-1")
    except UnicodeEncodeError:
        return None


# ---------------------------------------------------------------------------
# 2. Mutated real files never crash the analysis, and their fixes hold.


# Real projects whose files are mutated in place (each example restores the
# file afterwards): the examples and the fix fixtures, whose files have fixes
# in their own project.
SEED_PROJECTS = {
    "examples": REPO / "examples",
    **{p.parent.name: p for p in sorted(REPO.glob("tests/fixtures/fix_*/input"))},
}
MAX_SEED_BYTES = 8000


def _seed_files(root: Path) -> list[str]:
    return [
        p.relative_to(root).as_posix()
        for p in sorted(root.rglob("*.py"))
        if "__pycache__" not in p.parts and 0 < p.stat().st_size <= MAX_SEED_BYTES
    ]


SEEDS = [(name, rel) for name, project in SEED_PROJECTS.items() for rel in _seed_files(project)]
# The files a fix run changes in their own project (the fixtures' expected files).
FIXABLE_SEEDS = sorted(
    {
        (fixture.name, p.relative_to(expected).as_posix())
        for fixture in REPO.glob("tests/fixtures/fix_*")
        for expected in fixture.glob("expected*/")
        for p in expected.rglob("*.py")
    }
)


@pytest.fixture(scope="module")
def seed_projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("seeds")
    for name, project in SEED_PROJECTS.items():
        shutil.copytree(project, base / name, ignore=shutil.ignore_patterns(".ssot-lint-cache"))
    return {name: base / name for name in SEED_PROJECTS}


TOKENS = [
    b"\x00",
    b"\r",
    b"\r\n",
    b"\n",
    b"\t",
    b"\x0c",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",  # a UTF-8-encoded surrogate: never valid
    "\u2028".encode(),
    "é".encode(),
    b"\\",
    b"(",
    b")",
    b"[",
    b"]",
    b"{",
    b"}",
    b":",
    b",",
    b"'",
    b'"',
    b'"""',
    b"#",
    b"    ",
    b"# -*- coding: latin-1 -*-\n",
    b"# coding: utf-8\n",
    b"  # ssot: ignore[SSOT002]",
    b"  # noqa: SSOT003",
    b"  # ssot: ignore",
    b"uuid.uuid4()",
    b"str(uuid.uuid4())",
    b"run_id = ",
    b'"completed"',
    b"AgentExecutionTracker()",
    b"from pkg.core import ExecutionState\n",
    b"from pkg.compat import get_tracker\n",
    b"import uuid\n",
    b"async ",
    b"await ",
    b"lambda: ",
    b"yield ",
    b"global x\n",
    b"match x:\n    case 1:\n        pass\n",
    b"def f():\n",
    b"class C:\n",
    b"@decorator\n",
    b"if TYPE_CHECKING:\n",
    b"try:\n    pass\nexcept ImportError:\n",
]
OPERATIONS = ["insert", "insert", "insert", "delete", "duplicate", "flip", "swap-lines"]
OPERATIONS += ["newlines", "truncate", "tabs"]


def mutate(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        operation = draw(st.sampled_from(OPERATIONS))
        at = draw(st.integers(0, len(data)))
        if operation == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=6))
        elif operation == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif operation == "duplicate":
            start = draw(st.integers(0, len(data)))
            data[at:at] = data[start : start + draw(st.integers(1, 200))]
        elif operation == "flip" and data:
            data[min(at, len(data) - 1)] ^= 1 << draw(st.integers(0, 7))
        elif operation == "swap-lines":
            lines = bytes(data).splitlines(keepends=True)
            if len(lines) > 1:
                i = draw(st.integers(0, len(lines) - 1))
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
                data = bytearray(b"".join(lines))
        elif operation == "newlines":
            newline = draw(st.sampled_from([b"\r\n", b"\r", b"\n"]))
            data = bytearray(re.sub(rb"\r\n|\r|\n", newline, bytes(data)))
        elif operation == "truncate":
            del data[at:]
        elif operation == "tabs":
            data = bytearray(re.sub(rb"(?m)^    ", b"\t", bytes(data)))
    return bytes(data)


def test_mutated_files_never_crash_decoding_or_facts(tmp_path: Path) -> None:
    """The per-file phase every project file goes through, on many more inputs."""
    seeds = [(SEED_PROJECTS[project] / rel).read_bytes() for project, rel in SEEDS]
    file = tmp_path / "pkg" / "mutant.py"
    file.parent.mkdir()
    seen: Counter[str] = Counter()

    @fuzz_settings(FACTS_EXAMPLES)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        mutant = mutate(data.draw, data.draw(st.sampled_from(seeds), label="file"))
        file.write_bytes(mutant)
        result = analyse_facts(file, "pkg/mutant.py", "pkg.mutant", False)
        seen["examples"] += 1
        error = result.parse_error
        if error is None:
            assert result.digest is not None
            assert result.facts.syntax_error is None
            for comment in result.facts.suppressions:
                assert comment.line >= 1
            seen["parsed"] += 1
        else:
            assert error.code == "SSOT000" and error.message.startswith("cannot parse: ")
            assert error.line >= 1 and error.column >= 1
            if not _cpython_accepts(mutant):
                return
            if error.message.startswith("cannot parse: cannot decode as "):
                # CPython 3.11 lets bytes that are invalid in the file's
                # encoding through inside comments; the tokenize module and
                # libcst do not, and the file's text is undefined: reported.
                return
            # CPython accepts it (bytes, as it would import them): so must we.
            pytest.fail(f"SSOT000 on a file CPython accepts: {error.message}")

    run()
    assert seen["examples"] >= FACTS_EXAMPLES
    assert FACTS_EXAMPLES // 10 <= seen["parsed"] <= FACTS_EXAMPLES * 9 // 10, seen


def test_mutated_files_never_crash_and_their_fixes_hold(seed_projects: dict[str, Path]) -> None:
    assert len(SEEDS) >= 40 and len(FIXABLE_SEEDS) >= 8
    assert set(FIXABLE_SEEDS) <= set(SEEDS)
    seen: Counter[str] = Counter()

    @fuzz_settings(MUTATION_EXAMPLES)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        # Half the draws from the files with fixes, so that fixed mutants are common.
        seeds = st.sampled_from(FIXABLE_SEEDS) | st.sampled_from(SEEDS)
        project, rel = data.draw(seeds, label="file")
        target = seed_projects[project] / rel
        original = target.read_bytes()
        try:
            mutant = mutate(data.draw, original)
            fixed, report = fix_twice(target, mutant)
        finally:
            target.write_bytes(original)
        seen["examples"] += 1
        seen["fixed"] += fixed != mutant
        codes = {d.code for d in report.result.diagnostics}  # type: ignore[attr-defined]
        seen["unparsable"] += "SSOT000" in codes

    run()
    assert seen["examples"] >= MUTATION_EXAMPLES
    # Both kinds of input occur in quantity: broken files and files that still got fixed.
    assert seen["unparsable"] >= MUTATION_EXAMPLES // 10, seen
    assert seen["fixed"] >= MUTATION_EXAMPLES // 10, seen


# ---------------------------------------------------------------------------
# 3. Fixes on programs full of fixable violations.


def _insertion_points(program: str) -> list[int] | None:
    """Offsets in ``program`` where whole lines of top-level code may go: its
    start (after any ``from __future__`` import), the start of each top-level
    statement (or of its decorators) and its end; None if CPython rejects it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(program)
    except (SyntaxError, ValueError):
        return None
    line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", program)]
    points = [0]
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            points = []  # nothing may come before a future import
            continue
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
        if stmt.col_offset == 0 and first - 1 < len(line_starts):
            offset = line_starts[first - 1]
            if program[offset : offset + 1] not in (" ", "\t", "\f"):
                points.append(offset)
    return sorted({*points, len(program)})


def _indented(block: str) -> str:
    body = "".join("    " + line if line.strip() else line for line in block.splitlines(True))
    return "def _wrapped():\n" + body


@st.composite
def fixable_blocks(draw: st.DrawFn, min_size: int = 1) -> list[str]:
    blocks = draw(st.lists(st.sampled_from(FIXABLE), min_size=min_size, max_size=4))
    return [_indented(b) if draw(st.booleans()) else b for b in blocks]


@st.composite
def programs_with_violations(draw: st.DrawFn) -> tuple[bytes, int]:
    """A hypothesmith program with 0-4 fixable blocks inserted between its
    top-level statements; and how many blocks."""
    program = draw(PROGRAMS)
    points = _insertion_points(program)
    assert points is not None, "hypothesmith programs compile"
    blocks = draw(fixable_blocks(min_size=0))
    pieces = sorted((draw(st.sampled_from(points)), block) for block in blocks)
    out, position = [], 0
    for offset, block in pieces:
        out.append(program[position:offset])
        if offset == len(program) and program and not program.endswith(("\n", "\r")):
            out.append("\n")  # the last line may be a comment
        out.append(block)
        position = offset
    out.append(program[position:])
    data = ENCODINGS[draw(st.sampled_from(["utf-8", "crlf", "bom"]))]("".join(out))
    assert data is not None
    return data, len(blocks)


def test_generated_programs_never_crash_and_their_fixes_hold(fuzz_root: Path) -> None:
    seen: Counter[str] = Counter()

    @fuzz_settings(GRAMMAR_EXAMPLES)
    @given(programs_with_violations())
    def run(example: tuple[bytes, int]) -> None:
        data, blocks = example
        fixed, report = fix_twice(_target(fuzz_root), data)
        seen["examples"] += 1
        seen["pure"] += blocks == 0
        seen["with-violations"] += blocks > 0
        seen["fixed"] += fixed != data
        parse_errors = [d for d in report.result.diagnostics if d.code == "SSOT000"]  # type: ignore[attr-defined]
        if _cpython_accepts(fixed):
            # CPython accepted the file, so the facts phase did: only libcst may object.
            assert all("libcst" in d.message for d in parse_errors), parse_errors
        seen["libcst-rejected"] += bool(parse_errors)

    run()
    assert seen["examples"] >= GRAMMAR_EXAMPLES
    assert seen["pure"] >= GRAMMAR_EXAMPLES // 10, seen
    # The programs really went through the CST rules and the fixes, not just
    # the parse-error path.
    assert seen["libcst-rejected"] < GRAMMAR_EXAMPLES // 10, seen
    assert seen["fixed"] >= seen["with-violations"] * 3 // 4, seen


@st.composite
def template_programs(draw: st.DrawFn) -> bytes:
    blocks = draw(
        st.lists(st.sampled_from(FIXABLE) | st.sampled_from(FILLER), min_size=1, max_size=10)
    )
    blocks += draw(fixable_blocks())
    order = draw(st.permutations(blocks))
    if "from __future__ import annotations\n" in order:
        order = ["from __future__ import annotations\n"] + [
            b for b in order if b != "from __future__ import annotations\n"
        ]
    text = "".join(order)
    if draw(st.booleans()):
        text = text.rstrip("\n")  # no final newline
    data = ENCODINGS[draw(st.sampled_from(sorted(ENCODINGS)))](text)
    assume(data is not None)
    assert data is not None
    return data


def test_fixes_in_template_programs_parse_and_are_final(fuzz_root: Path) -> None:
    seen: Counter[str] = Counter()

    @fuzz_settings(TEMPLATE_EXAMPLES)
    @given(template_programs())
    def run(data: bytes) -> None:
        fixed, report = fix_twice(_target(fuzz_root), data)
        seen["examples"] += 1
        seen["fixed"] += fixed != data
        for change in report.changes.values():
            seen.update(change.codes)

    run()
    assert seen["examples"] >= TEMPLATE_EXAMPLES
    assert seen["fixed"] >= TEMPLATE_EXAMPLES * 3 // 4, seen
    # Every fixing rule's fix was exercised.
    assert {"SSOT002", "SSOT003", "SSOT005", "SSOT006", "SSOT100"} <= set(seen), seen
