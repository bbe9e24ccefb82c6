"""The fast path gives the same answers as the slow, obvious one.

ssot-lint never gives a file to libcst unless some rule's trigger text occurs
in it, and it takes the facts cross-file rules need from CPython's ``ast``.
These tests compare both shortcuts with full libcst analysis on a
deterministic sample of the running interpreter's standard library (plus the
example project and the benchmark's planted violations). The benchmark
(``python -m bench``) runs the same comparison on the whole library.
"""

from __future__ import annotations

import ast
import re
import shutil
import sysconfig
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import check, write_project

from bench import corpus
from bench.libcst_oracle import fast_facts, oracle_facts
from bench.verify import diagnostic_keys as _keys
from ssot_lint.facts import extract_facts
from ssot_lint.source import decode_source, split_lines
from ssot_lint.trigger_words import has_word, has_word_in_utf8

STDLIB = Path(sysconfig.get_paths()["stdlib"])
REPO = Path(__file__).resolve().parent.parent


def _parses(path: Path) -> bool:
    try:
        ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return False
    return True


def stdlib_sample(every: int = 12, extra: int = 40) -> list[Path]:
    """Every Nth stdlib module, plus modules with the constructs facts care about."""
    files = sorted(
        p
        for p in STDLIB.rglob("*.py")
        if "site-packages" not in p.parts and "__pycache__" not in p.parts
    )
    chosen = files[::every]
    interesting = []
    for path in files:
        text = path.read_bytes()
        if b"TYPE_CHECKING" in text or b"except ImportError" in text or not text.isascii():
            interesting.append(path)
    chosen += interesting[:: max(1, len(interesting) // extra)]
    return [p for p in dict.fromkeys(chosen) if _parses(p)]


SAMPLE = stdlib_sample()


def _module_name(path: Path) -> tuple[str, bool]:
    rel = path.relative_to(STDLIB).with_suffix("")
    parts = list(rel.parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def test_sample_is_meaningful() -> None:
    assert len(SAMPLE) > 150
    assert any(not p.read_bytes().isascii() for p in SAMPLE)
    assert any(b"TYPE_CHECKING" in p.read_bytes() for p in SAMPLE)


@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.relative_to(STDLIB).as_posix())
def test_ast_facts_equal_libcst_facts(path: Path) -> None:
    data = path.read_bytes()
    module, is_package = _module_name(path)
    text, _ = decode_source(data)
    facts, _ = extract_facts(text, module, is_package)
    assert fast_facts(facts) == oracle_facts(data, module, is_package)


def test_prefilter_changes_no_diagnostic(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    for path in SAMPLE:
        target = root / "stdlib" / path.relative_to(STDLIB)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    shutil.copytree(REPO / "examples", root / "examples_tree", ignore=shutil.ignore_patterns(".*"))
    for rel, text in corpus.PLANTED.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    write_project(root, {}, "")
    fast = check(root, use_cache=False, prefilter=True)
    full = check(root, use_cache=False, prefilter=False)
    # The shortcut really skipped work: most files never reach libcst.
    assert full.stats.libcst_parsed > 3 * fast.stats.libcst_parsed
    key = [(d.path, d.line, d.column, d.code, d.message) for d in fast.diagnostics]
    assert key == [(d.path, d.line, d.column, d.code, d.message) for d in full.diagnostics]
    assert not fast.errors and not full.errors
    planted_codes = {d.code for d in fast.diagnostics if d.path.startswith("platform_app/")}
    assert {"SSOT002", "SSOT003", "SSOT004", "SSOT006"} <= planted_codes


def test_hot_statement_analysis_equals_whole_file_and_skips_cold_ones(tmp_path: Path) -> None:
    """libcst sees only statements naming a trigger, or a name bound to one
    (aliases of aliases too), and finds exactly what the whole file gives."""
    cold = "".join(f"\n\ndef filler_{i}(x):\n    return x * {i}\n" for i in range(40))
    source = (
        "import uuid\n"
        "from uuid import uuid4 as make_id\n"
        "new_id = make_id\n"
        "again = new_id\n"
        f"{cold}\n\n"
        "def a():\n    run_id = str(uuid.uuid4())\n    return run_id\n\n\n"
        "def b():\n    execution_id = str(again())\n    return execution_id\n\n\n"
        "class Runner:\n    def run(self):\n        self.run_id = str(make_id())\n"
    )
    root = write_project(tmp_path / "proj", {"app/__init__.py": "", "app/ids.py": source})
    fast = check(root, use_cache=False, jobs=1)
    full = check(root, use_cache=False, jobs=1, prefilter=False)
    key = [(d.path, d.line, d.column, d.code, d.message) for d in fast.diagnostics]
    assert key == [(d.path, d.line, d.column, d.code, d.message) for d in full.diagnostics]
    lines = source.splitlines()
    assert {d.line for d in fast.diagnostics if d.code == "SSOT002"} >= {
        lines.index("    run_id = str(uuid.uuid4())") + 1,
        lines.index("    execution_id = str(again())") + 1,  # an alias of an alias
        lines.index("        self.run_id = str(make_id())") + 1,
    }

    from ssot_lint import rule_runner
    from ssot_lint.incremental import IncrementalAnalyser

    walked: list[tuple[int, int]] = []
    real = IncrementalAnalyser.analyse

    def spy(self, *args, **kwargs):
        result = real(self, *args, **kwargs)
        walked.append((self.stats.walked, self.stats.chunks))
        return result

    IncrementalAnalyser.analyse = spy  # type: ignore[method-assign]
    try:
        file = fast.project.files["app/ids.py"]
        from ssot_lint.rules import all_rules
        from ssot_lint.rules.base import CstRule

        rules = [r for r in all_rules().values() if issubclass(r, CstRule)]
        result = rule_runner.analyse_rules(
            file.path, file.rel_path, file.facts, fast.settings, fast.knowledge, rules, False
        )
    finally:
        IncrementalAnalyser.analyse = real  # type: ignore[method-assign]
    assert walked and walked[0][0] <= 6 and walked[0][1] > 40, walked  # 6 hot of 46
    assert len(result.diagnostics) == len([d for d in full.diagnostics if d.path == "app/ids.py"])


# A project where one file reaches the deprecated class only through a
# re-export under another name: a trigger the facts phase cannot know of
# (it comes from project knowledge), so the scan must not be trusted there.
RENAMED_REEXPORT = {
    "app/__init__.py": "",
    "app/state.py": "class DeepAgentState:\n    pass\n",
    "app/compat.py": "from app.state import DeepAgentState as LegacyState\n",
    "app/user.py": "from app.compat import LegacyState\n\nstate = LegacyState()\n",
    "app/direct.py": "from app.state import DeepAgentState\n\nstate = DeepAgentState()\n",
    "app/plain.py": "def helper(x):\n    return x + 1\n",
    # Not UTF-8: its bytes cannot be searched for the re-export's name.
    "app/latin.py": (
        "# -*- coding: latin-1 -*-\nfrom app.compat import LegacyState\n\nstate = LegacyState()\n"
    ),
}
RENAMED_CONFIG = 'deprecated = [{symbol = "app.state.DeepAgentState", replacement = "app.ctx.Ctx"}]'


def test_trigger_scan_answers_what_it_looked_for_and_searches_bytes_for_the_rest() -> None:
    from ssot_lint.analysis import TriggerScan
    from ssot_lint.config import Settings
    from ssot_lint.knowledge import ProjectKnowledge
    from ssot_lint.rules import all_rules

    rule = all_rules()["SSOT004"]
    settings = Settings()
    knowledge = ProjectKnowledge()
    wanted = frozenset(rule.project_triggers(settings, knowledge))  # type: ignore[attr-defined]
    assert wanted, "the default rule set has triggers for SSOT004"
    one = sorted(wanted)[0]
    reads: list[int] = []

    def data(content: bytes) -> Callable[[], bytes]:
        return lambda: reads.append(1) or content  # type: ignore[func-returns-value]

    fires = rule.fires_on_scan  # type: ignore[attr-defined]
    assert fires(settings, knowledge, TriggerScan(wanted, frozenset([one]), 9, True), data(b""))
    assert fires(settings, knowledge, TriggerScan(wanted, frozenset(), 9, True), data(b"")) is False
    assert not reads, "a scan that looked for every trigger needs no read"
    # Triggers the scan did not look for: the UTF-8 bytes answer, both ways.
    other = TriggerScan(frozenset({"something else"}), frozenset(), 9, True)
    assert fires(settings, knowledge, other, data(f"x = {one}\n".encode())) is True
    assert fires(settings, knowledge, other, data(b"x = 1\n")) is False
    assert len(reads) == 2
    # Not UTF-8, or unreadable: undecided, the caller decodes the text.
    latin = TriggerScan(frozenset({"something else"}), frozenset(), 9, False)
    assert fires(settings, knowledge, latin, data(one.encode())) is None
    assert fires(settings, knowledge, other, lambda: None) is None


def test_cold_run_chooses_rules_from_the_facts_scan_without_rereading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facts phase records which triggers each file holds, so choosing a
    file's rules decodes it again only where a trigger comes from the project
    (the re-export name) and the file is not UTF-8; UTF-8 files are searched
    for it undecoded. The diagnostics are those of full analysis."""
    from ssot_lint import engine

    root = write_project(tmp_path / "proj", RENAMED_REEXPORT, RENAMED_CONFIG)
    full = check(root, use_cache=False, jobs=1, prefilter=False)
    read: list[str] = []
    real = engine.read_source
    monkeypatch.setattr(engine, "read_source", lambda path: read.append(path.name) or real(path))
    fast = check(root, use_cache=False, jobs=1)
    assert _keys(fast) == _keys(full)
    assert {(d.path, d.code) for d in fast.diagnostics} >= {
        ("app/user.py", "SSOT004"),  # through the re-export only: found in the bytes
        ("app/latin.py", "SSOT004"),  # the same, found in the decoded text
        ("app/direct.py", "SSOT004"),
    }
    assert read == ["latin.py"]


def test_facts_from_the_cache_carry_no_scan_and_still_choose_the_same_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scan belongs to one run's rule set: facts are cached without it, and
    a run on cached facts chooses the rules from the text (same answers)."""
    from ssot_lint.cache import Cache

    stored_scans: list[object] = []
    real_put = Cache.put_facts

    def spy(self: Cache, key: tuple[object, ...], value: object) -> None:
        stored_scans.append(value.scan)  # type: ignore[attr-defined]
        real_put(self, key, value)

    monkeypatch.setattr(Cache, "put_facts", spy)
    root = write_project(tmp_path / "proj", RENAMED_REEXPORT, RENAMED_CONFIG)
    cache_dir = tmp_path / "cache"
    first = check(root, cache_dir=cache_dir, jobs=1)
    assert len(stored_scans) == len(RENAMED_REEXPORT) and not any(stored_scans)
    # Another selection: the rules are computed again, from cached facts.
    again = check(root, cache_dir=cache_dir, jobs=1, ignore=["SSOT002"])
    assert again.stats.facts_computed == 0 and again.stats.rules_computed > 0
    assert _keys(again) == _keys(check(root, use_cache=False, ignore=["SSOT002"]))
    assert _keys(first) == _keys(check(root, use_cache=False, prefilter=False))
    assert ("app/user.py", "SSOT004") in {(d.path, d.code) for d in again.diagnostics}


@given(st.text(alphabet="ab \r\n\x0c\x1c\x85\u2028#", max_size=40))
def test_fast_line_split_agrees_with_the_tokenizer_pattern(text: str) -> None:
    assert split_lines(text) == re.split(r"\r\n|\r|\n", text)


NESTED_IMPORTS = '''\
"""A module whose facts hide in bodies: imports in methods, a global."""
import os


class Service:
    """Runs things; the word import in a docstring is not an import."""

    def start(self):
        from app.tracker import Tracker as T

        def inner():
            import uuid

            return uuid.uuid4()

        return T, inner

    def stop(self):
        return os.getpid()


def configure():
    global SETTINGS
    SETTINGS = {}


def plain(x):
    return [y * 2 for y in range(x)]
'''


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_bodies_without_import_or_global_are_skipped_and_nothing_is_missed(newline: str) -> None:
    """Facts skip walking a body that never spells ``import`` or ``global``;
    the facts are those of the full walk, whatever the newlines (CR-only
    files cannot be numbered by counting ``\\n``, so nothing is skipped)."""
    text = NESTED_IMPORTS.replace("\n", newline)
    facts, _ = extract_facts(text, "app.service", False)
    imports = [(i.module, i.name, i.asname, i.line, i.in_function) for i in facts.imports]
    assert imports == [
        ("os", None, None, 2, False),
        ("app.tracker", "Tracker", "T", 9, True),
        ("uuid", None, None, 12, True),
    ]
    assert {"os", "Service", "configure", "plain", "SETTINGS"} <= facts.bindings
    libcst_imports, _ = oracle_facts(text.encode(), "app.service", False)
    assert [(i[0], i[1], i[2], i[4], i[9]) for i in libcst_imports] == imports


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from app.core import Tracker\n", True),
        ("class ResourceTracker:\n    pass\n", False),  # inside a longer name
        ("x = TrackerPool()\n", False),
        ("x = mod.Tracker\n", True),
        ("def f(t: 'Tracker') -> None: ...\n", True),  # a string annotation
        ("Tracker", True),
        ("éTracker = 1\n", False),  # a non-ASCII identifier character before
        ("Trackerß = 1\n", False),  # and after
        ("x = «Tracker»\n", True),  # non-identifier characters around
        ("TrackerTracker Tracker_", False),
    ],
)
def test_triggers_are_words_not_parts_of_longer_names(text: str, expected: bool) -> None:
    assert has_word(text, "Tracker") is expected
    # Undecoded, the bytes answer the same, or err towards "found" where a
    # neighbour is outside ASCII (never the other way).
    in_bytes = has_word_in_utf8(text.encode("utf-8"), "Tracker")
    assert in_bytes is expected or (in_bytes and not text.isascii())


@given(st.text(alphabet="aT_é.ß «racker", max_size=30))
def test_word_search_agrees_with_runs_of_identifier_characters(text: str) -> None:
    # Over this alphabet, re's \w is exactly Python's identifier characters.
    expected = "Tracker" in re.findall(r"\w+", text)
    assert has_word(text, "Tracker") is expected
    if expected:
        assert has_word_in_utf8(text.encode("utf-8"), "Tracker")


def test_raw_bytes_for_trigger_search_are_the_editors_overlay_when_there_is_one(
    tmp_path: Path,
) -> None:
    """The language server overlays unsaved text on files: the bytes searched
    for re-export names must be that text, as ``read_source`` sees it."""
    from ssot_lint.source import read_bytes, read_source, set_overlay

    path = tmp_path / "mod.py"
    path.write_text("x = 1\n", encoding="utf-8")
    set_overlay(path, "from app.compat import LegacyState\n")
    try:
        assert read_bytes(path) == read_source(path).data == b"from app.compat import LegacyState\n"
    finally:
        set_overlay(path, None)
    assert read_bytes(path) == b"x = 1\n"
