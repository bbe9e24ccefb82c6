"""Results by shape: a file edited outside its hot statements needs no libcst.

The cache remembers each file's hot-chunk results under its *shape*
(``ssot_lint.hot_chunks``): the context the rules see plus the hot chunks'
texts, with comments and layout of the other statements left out. These
tests edit real files (the example project, a sample of the standard
library) where the shape should not change, and compare what the cache then
answers with a full libcst analysis of the edited files, fixes included.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from support import check, write_project
from test_fast_path import SAMPLE, STDLIB

from ssot_lint.hot_chunks import FALLBACK_INDENT, default_indent

REPO = Path(__file__).resolve().parent.parent


def _corpus(root: Path, stdlib_files: int = 60) -> Path:
    shutil.copytree(REPO / "examples", root, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    for path in SAMPLE[:stdlib_files]:
        target = root / "stdlib_copy" / path.relative_to(STDLIB)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return root


def _insert_comment_before_middle_statement(path: Path) -> bool:
    """An edit that leaves the hot statements alone in most files: a comment
    line before a top-level statement in the middle of the file (not the
    first chunk, so fixes that add imports can be placed from the cache)."""
    try:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
    except (UnicodeDecodeError, SyntaxError, ValueError):
        return False
    body = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom, ast.Expr))]
    if len(body) < 2:
        return False
    stmt = body[len(body) // 2]
    first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
    lines = text.splitlines(keepends=True)
    lines.insert(first - 1, "# an edit outside the hot statements\n")
    path.write_text("".join(lines), encoding="utf-8")
    return True


def _insert_comment_at_the_top(path: Path) -> bool:
    """Every line moves, and the first chunk changes (a fix that adds an
    import must then be placed by libcst again)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return False
    lines = text.splitlines(keepends=True)
    if any("coding" in line for line in lines[:2]):
        return False  # a PEP 263 declaration must stay in the first two lines
    at = 1 if lines and lines[0].startswith("#!") else 0
    lines.insert(at, "# an edit at the top\n")
    path.write_text("".join(lines), encoding="utf-8")
    return True


@pytest.mark.parametrize(
    ("edit", "hits"),
    [
        (_insert_comment_before_middle_statement, True),
        # Files with a trigger mostly import it: their first chunk is hot, and
        # its text changed, so they are analysed again (still equal results).
        (_insert_comment_at_the_top, False),
    ],
)
def test_results_by_shape_equal_full_analysis_of_the_edited_files(
    edit, hits: bool, tmp_path: Path
) -> None:
    root = _corpus(tmp_path / "corpus")
    cache_dir = tmp_path / "cache"
    check(root, cache_dir=cache_dir, jobs=1)  # remembers the shapes
    edited = [path for path in sorted(root.rglob("*.py")) if edit(path)]
    assert len(edited) > 50

    again = check(root, cache_dir=cache_dir, jobs=1)
    full = check(root, use_cache=False, jobs=1, prefilter=False)
    assert not again.errors and not full.errors
    assert again.diagnostics == full.diagnostics  # positions, messages, fixes, snippets
    assert any(d.fix and len(d.fix.edits) > 1 for d in full.diagnostics)  # import-adding fixes
    if hits:  # the cache really answered: unchanged shapes needed no libcst
        assert again.stats.rules_by_shape >= 5, again.stats
        assert again.stats.libcst_parsed < full.stats.libcst_parsed


def test_an_edit_inside_a_hot_statement_is_analysed_again(tmp_path: Path) -> None:
    source = textwrap.dedent(
        '''
        """Execution ids."""

        import uuid


        def helper(x):
            return x * 2


        def make_execution_id():
            execution_id = str(uuid.uuid4())
            return execution_id
        '''
    ).lstrip()
    root = write_project(tmp_path / "proj", {"app/__init__.py": "", "app/ids.py": source})
    cache_dir = tmp_path / "cache"
    first = check(root, cache_dir=cache_dir, jobs=1)
    assert [d.code for d in first.diagnostics] == ["SSOT002"]

    ids = root / "app" / "ids.py"
    ids.write_text(source.replace("return x * 2", "return x * 3  # cold"), encoding="utf-8")
    cold_edit = check(root, cache_dir=cache_dir, jobs=1)
    assert cold_edit.stats.rules_by_shape == 1 and cold_edit.stats.libcst_parsed == 0
    assert cold_edit.diagnostics == first.diagnostics

    hot = source.replace(
        "    execution_id = str(uuid.uuid4())", "    x = 1\n    run_id = str(uuid.uuid4())"
    )
    ids.write_text(hot, encoding="utf-8")
    hot_edit = check(root, cache_dir=cache_dir, jobs=1)
    assert hot_edit.stats.rules_by_shape == 0 and hot_edit.stats.libcst_parsed == 1
    assert hot_edit.diagnostics == check(root, use_cache=False, prefilter=False).diagnostics
    assert [d.line for d in hot_edit.diagnostics] == [first.diagnostics[0].line + 1]


def test_a_shape_hit_does_not_import_libcst(tmp_path: Path) -> None:
    root = _corpus(tmp_path / "corpus", stdlib_files=0)
    cache_dir = tmp_path / "cache"
    target = root / "netra_backend" / "app" / "services" / "execution_engine.py"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ssot_lint.engine import RunOptions, run_check\n"
        "paths, cache = [Path(p) for p in sys.argv[2:]], Path(sys.argv[1])\n"
        "r = run_check(RunOptions(paths=paths, cache_dir=cache, jobs=1))\n"
        "print('libcst' in sys.modules, r.stats.rules_by_shape, len(r.diagnostics))\n"
    )

    def run(*paths: Path) -> list[str]:
        argv = [sys.executable, "-c", script, str(cache_dir), *map(str, paths)]
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.split()

    assert run(target)[:2] == ["True", "0"]
    text = target.read_text(encoding="utf-8")
    assert "\nlogger = " in text  # module-level code between the imports and the classes
    target.write_text(text.replace("\nlogger = ", "\n# edited\nlogger = ", 1), encoding="utf-8")
    libcst_loaded, by_shape, count = run(target)
    assert (libcst_loaded, by_shape) == ("False", "1")
    assert int(count) == len(check(target, use_cache=False, prefilter=False).diagnostics) > 0


@pytest.mark.parametrize(
    ("source", "indent"),
    [
        ("x = 1\n", FALLBACK_INDENT),
        ("def f(): return 1\n", FALLBACK_INDENT),
        ("def f():\n\treturn 1\n", "\t"),
        ("if a: x = 1\nelif b:\n  y = 2\n", "  "),
        ("try: pass\nexcept E:\n   z = 3\n", "   "),
        ("class A:\n\n    # comment\n      \n  @dec\n  def f(self): pass\n", "  "),
        ("def f(\n    a,\n): return a\n\nfor x in y:\n        pass\n", "        "),
        ("if a: \\\n    pass\nif b:\n  pass\n", None),  # a continued line: not told
        ("match x:\n    case 1:\n        pass\n", None),  # "case" has no position
    ],
)
def test_default_indent_without_libcst(source: str, indent: str | None) -> None:
    assert default_indent(source, ast.parse(source)) == indent
    if indent is not None:
        assert cst.parse_module(source).default_indent == indent


def test_default_indent_agrees_with_libcst_on_the_standard_library() -> None:
    told = 0
    for path in SAMPLE:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        indent = default_indent(text, ast.parse(text))
        if indent is None:
            continue
        told += 1
        assert indent == cst.parse_module(text).default_indent, path
    assert told > 0.8 * len(SAMPLE)
