"""A long-lived project for the language server, updated one file at a time.

``Workspace.load()`` does what ``ssot-lint check`` does up to the rules
(discovery, per-file facts from the on-disk cache and worker processes, the
project index, project knowledge), once. After that every change is
incremental:

* ``update(path, text)`` re-extracts the facts of ONE file from the editor's
  text (never from the disk), replaces its entry in the ``Project``, and
  recomputes the project knowledge only when the file's position-free facts
  changed (typing inside a function body never does). When the knowledge's
  fingerprint changes, the per-file results of the other open files are
  stale and are recomputed;
* the per-file (libcst) rules of an open file run on its in-memory text,
  through ``IncrementalAnalyser``, which re-walks only the top-level
  statements that changed;
* the cross-file rules (SSOT001, SSOT005) run on the warm index, for the open
  files, whenever some file's facts changed — they read facts, never source;
* suppressions and per-file-ignores are applied as ``check`` applies them.

While an open file does not parse (mid-keystroke), the index keeps its last
facts that did: other files' imports of it must not flicker into SSOT005 at
every keystroke. The file itself reports SSOT000, as ``check`` would.

Diagnostics are those ``check`` reports for the same text; the tests compare
the two.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ssot_lint.analysis import parse_error
from ssot_lint.config import LoadedConfig, Settings, load_config
from ssot_lint.diagnostics import Diagnostic, Edit, InternalError
from ssot_lint.discovery import PYTHON_SUFFIXES, Discoverer, absolute
from ssot_lint.engine import (
    RunOptions,
    RunStats,
    _gather_facts,
    _run_project_rules,
    index_files,
    open_cache,
)
from ssot_lint.facts import FileFacts, extract_facts
from ssot_lint.incremental import IncrementalAnalyser, facts_signature
from ssot_lint.knowledge import ProjectKnowledge, gather_knowledge
from ssot_lint.project import Project, ProjectFile, make_test_matcher
from ssot_lint.rules import all_rules
from ssot_lint.rules.base import CstRule
from ssot_lint.selection import RuleSelection
from ssot_lint.source import (
    ProjectLayout,
    SourceError,
    is_package_init,
    read_source,
    set_overlay,
    split_lines,
)
from ssot_lint.suppressions import (
    NO_REASON_CODE,
    UNUSED_CODE,
    Suppression,
    apply_suppressions,
)


@dataclass
class _Document:
    """An open file: the editor's text and what the rules said about it."""

    rel_path: str
    path: Path
    text: str
    version: int | None
    facts: FileFacts
    analyser: IncrementalAnalyser
    own: list[Diagnostic] = field(default_factory=list)  # per-file rules + SSOT000
    own_errors: list[InternalError] = field(default_factory=list)
    knowledge_key: str = ""  # the knowledge `own` was computed with
    project: list[Diagnostic] = field(default_factory=list)  # cross-file rules
    final: list[Diagnostic] = field(default_factory=list)  # after suppressions
    stale: bool = True  # `final` must be recomputed


@dataclass
class UpdateStats:
    """What the last change cost (for tests and the benchmark's curiosity)."""

    facts_changed: bool = False
    knowledge_changed: bool = False
    project_rules_run: bool = False
    reanalysed: list[str] = field(default_factory=list)  # open files whose CST rules ran


class Workspace:
    """The project around one configuration file, with the editor's open files."""

    def __init__(
        self,
        path: Path,
        config_file: Path | None = None,
        *,
        use_cache: bool = True,
        cache_dir: Path | None = None,
        jobs: int | None = None,
    ) -> None:
        self._anchor = absolute(path)
        self._config_file = config_file
        self._use_cache = use_cache
        self._cache_dir = cache_dir
        self._jobs = jobs
        self._docs: dict[str, _Document] = {}
        self.errors: list[InternalError] = []  # from the last run of the cross-file rules
        self.last = UpdateStats()
        self.config: LoadedConfig
        self.project: Project
        self.knowledge: ProjectKnowledge

    # -- loading -----------------------------------------------------------------

    def load(self) -> None:
        """The initial full analysis: every file's facts (cached), the index, the knowledge."""
        config = load_config([self._anchor], self._config_file)
        self.config = config
        settings = config.settings
        self.selection = RuleSelection.from_settings(settings)
        self._rules = all_rules()
        self._cst_rules = [r for r in self._rules.values() if issubclass(r, CstRule)]
        self._settings_key = settings.fingerprint()
        self._is_test = make_test_matcher(settings)
        self._discoverer = Discoverer(config.root, settings)
        files = self._discoverer.discover([config.root]) if config.root.is_dir() else []
        self.layout = ProjectLayout.from_settings(config.root, settings.src, files)
        options = RunOptions(
            paths=[config.root],
            use_cache=self._use_cache,
            cache_dir=self._cache_dir,
            jobs=self._jobs,
        )
        cache = open_cache(options, config)
        jobs = self._jobs or _default_jobs()
        results = _gather_facts(index_files(files, self.layout), cache, jobs, None, RunStats())
        cache.save()
        project = Project(self.layout, settings)
        for file in files:
            rel = self.layout.relative_path(file)
            target = rel in self._docs
            project.add(
                ProjectFile(absolute(file), rel, results[rel].facts, self._is_test(rel), target)
            )
        self.project = project
        self.knowledge = gather_knowledge(project)
        self._knowledge_key = self.knowledge.fingerprint()
        for doc in self._docs.values():
            self._index(doc.path, doc.rel_path, doc.facts)
        self._reanalyse(list(self._docs.values()))
        self._run_project_rules()

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def settings(self) -> Settings:
        return self.config.settings

    def rel_path(self, path: Path) -> str:
        return self.layout.relative_path(path)

    def contains(self, path: Path) -> bool:
        """Is ``path`` a Python file this project analyses (or would, if it existed)?"""
        path = absolute(path)
        if path.suffix not in PYTHON_SUFFIXES:
            return False
        if self.rel_path(path) in self.project.files:
            return True
        try:
            path.relative_to(self.root)
        except ValueError:
            return False
        discoverer = self._discoverer
        return not (discoverer._ignored(path, False) or discoverer._below_excluded(path))

    # -- the editor's documents ---------------------------------------------------

    def open(self, path: Path, text: str, version: int | None = None) -> set[str]:
        """The editor opened ``path`` with ``text``; returns the files whose diagnostics changed."""
        return self.update(path, text, version)

    def update(self, path: Path, text: str, version: int | None = None) -> set[str]:
        """An open file's text changed (or it was opened): re-analyse incrementally."""
        path = absolute(path)
        rel = self.rel_path(path)
        self.last = UpdateStats()
        facts, tree = self._facts(path, rel, text)
        doc = self._docs.get(rel)
        if doc is None:
            doc = _Document(rel, path, text, version, facts, IncrementalAnalyser(rel))
            self._docs[rel] = doc
        doc.text, doc.version, doc.facts = text, version, facts
        set_overlay(path, text)
        changed = self._index(path, rel, facts)
        entry = self.project.files.get(rel)
        if entry is not None and not entry.is_target:
            entry.is_target = True  # opened: the cross-file rules now report on it
            changed = True
        self._analyse(doc, tree)
        if changed:
            self._run_project_rules()
        return self._republish({rel})

    def close(self, path: Path) -> set[str]:
        """The editor closed ``path``: it is the file on disk again."""
        path = absolute(path)
        rel = self.rel_path(path)
        doc = self._docs.pop(rel, None)
        set_overlay(path, None)
        if doc is None:
            return set()
        self.last = UpdateStats()
        changed = self._refresh_from_disk(path, rel)
        if rel in self.project.files:
            self.project.files[rel].is_target = False
        if changed:
            self._run_project_rules()
        return self._republish(set())

    def file_changed_on_disk(self, path: Path) -> set[str]:
        """A file changed, appeared or vanished outside the editor (git checkout,
        a formatter): the index follows; open files keep the editor's text."""
        path = absolute(path)
        rel = self.rel_path(path)
        self.last = UpdateStats()
        if rel in self._docs:
            return set()  # the editor's buffer is the truth for open files
        if not path.is_file():
            if rel not in self.project.files:
                return set()
            self._remove(rel)
            self._run_project_rules()
            return self._republish(set())
        if rel not in self.project.files and not self.contains(path):
            return set()
        if self._refresh_from_disk(path, rel):
            self._run_project_rules()
        return self._republish(set())

    def registry_changed(self) -> set[str]:
        """The SSOT import registry changed on disk: SSOT005 must look again."""
        self.last = UpdateStats()
        self._run_project_rules()
        return self._republish(set())

    def is_open(self, path: Path) -> bool:
        return self.rel_path(absolute(path)) in self._docs

    def open_files(self) -> list[str]:
        return sorted(self._docs)

    def document_text(self, rel_path: str) -> str | None:
        doc = self._docs.get(rel_path)
        return doc.text if doc is not None else None

    def document_version(self, rel_path: str) -> int | None:
        doc = self._docs.get(rel_path)
        return doc.version if doc is not None else None

    def document_facts(self, rel_path: str) -> FileFacts | None:
        doc = self._docs.get(rel_path)
        return doc.facts if doc is not None else None

    def diagnostics(self, rel_path: str) -> list[Diagnostic]:
        """What ``check`` would report for the open file's current text."""
        doc = self._docs.get(rel_path)
        if doc is None:
            return []
        if doc.stale:
            doc.final, doc.stale = self._final(doc), False
        return doc.final

    def internal_errors(self, rel_path: str) -> list[InternalError]:
        doc = self._docs.get(rel_path)
        own = doc.own_errors if doc is not None else []
        return [*own, *(e for e in self.errors if e.path in (rel_path, "<project>"))]

    # -- the index ------------------------------------------------------------------

    def _facts(self, path: Path, rel: str, text: str) -> tuple[FileFacts, ast.Module | None]:
        existing = self.project.files.get(rel)
        module = existing.facts.module if existing else self.layout.module_name(path)
        return extract_facts(text, module, is_package_init(path))

    def _index(self, path: Path, rel: str, facts: FileFacts) -> bool:
        """Put ``facts`` into the project; True when the project changed."""
        existing = self.project.files.get(rel)
        if (
            facts.syntax_error is not None
            and existing is not None
            and existing.facts.syntax_error is None
            and rel in self._docs
        ):
            return False  # keep the last facts that parsed (see the module docstring)
        if existing is not None and existing.facts == facts:
            return False
        self.last.facts_changed = True
        before = facts_signature(existing.facts) if existing is not None else None
        self.project.add(ProjectFile(path, rel, facts, self._is_test(rel), rel in self._docs))
        if before != facts_signature(facts):
            self._refresh_knowledge(skip=rel)
        return True

    def _remove(self, rel: str) -> None:
        """Drop a vanished file: the index is rebuilt from the other entries (cheap)."""
        self.last.facts_changed = True
        project = Project(self.layout, self.settings)
        for file in self.project.files.values():
            if file.rel_path != rel:
                project.add(file)
        self.project = project
        self._refresh_knowledge()

    def _refresh_from_disk(self, path: Path, rel: str) -> bool:
        try:
            text = read_source(path).text
        except SourceError:
            text = None
        if text is None:
            facts = FileFacts(
                module=self.layout.module_name(path), is_package=is_package_init(path)
            )
            facts.syntax_error = ("cannot read the file", 1, 1)
        else:
            facts, _ = self._facts(path, rel, text)
        return self._index(path, rel, facts)

    def _refresh_knowledge(self, skip: str | None = None) -> None:
        """Recompute the knowledge; re-analyse the open files (but ``skip``,
        which the caller analyses next) if its fingerprint changed."""
        knowledge = gather_knowledge(self.project)
        key = knowledge.fingerprint()
        if key == self._knowledge_key:
            return
        self.knowledge, self._knowledge_key = knowledge, key
        self.last.knowledge_changed = True
        self._reanalyse(
            [d for d in self._docs.values() if d.knowledge_key != key and d.rel_path != skip]
        )

    # -- rules ------------------------------------------------------------------------

    def _reanalyse(self, docs: Iterable[_Document]) -> None:
        for doc in docs:
            _facts, tree = extract_facts(doc.text, doc.facts.module, doc.facts.is_package)
            self._analyse(doc, tree)

    def _analyse(self, doc: _Document, tree: ast.Module | None) -> None:
        """The per-file rules on the document's text (SSOT000 if it does not parse)."""
        doc.stale = True
        doc.knowledge_key = self._knowledge_key
        self.last.reanalysed.append(doc.rel_path)
        facts = doc.facts
        if facts.syntax_error is not None:
            message, line, column = facts.syntax_error
            doc.own = [parse_error(doc.rel_path, message, line, column)]
            doc.own_errors = []
            return
        enabled = self.selection.for_file(doc.rel_path)
        rules = [r for r in self._cst_rules if r.code in enabled]
        if not rules:
            doc.own, doc.own_errors = [], []
            return
        result = doc.analyser.analyse(
            doc.text,
            tree,
            facts,
            self.settings,
            self.knowledge,
            rules,
            self._is_test(doc.rel_path),
            settings_key=self._settings_key,
            knowledge_key=self._knowledge_key,
        )
        doc.own, doc.own_errors = result.diagnostics, result.errors

    def _run_project_rules(self) -> None:
        self.last.project_rules_run = True
        by_file: dict[str, list[Diagnostic]] = {}
        self.errors = []
        if self._docs:
            self.errors = _run_project_rules(self.project, self.selection, by_file, self._rules)
        for rel, doc in self._docs.items():
            found = by_file.get(rel, [])
            if found != doc.project:
                doc.project = found
                doc.stale = True

    def _final(self, doc: _Document) -> list[Diagnostic]:
        """Per-file-ignores and suppression comments, as ``check`` applies them."""
        enabled = self.selection.for_file(doc.rel_path)
        # While the buffer does not parse, the index holds its last facts that
        # did (for the other files' sake); the cross-file results computed
        # from those facts point at lines of an older text. ``check`` reports
        # only SSOT000 for such a file, and so do we.
        project = doc.project if doc.facts.syntax_error is None else []
        found = [d for d in (*doc.own, *project) if d.code in enabled]
        comments = doc.facts.suppressions
        outcome = apply_suppressions(
            doc.rel_path,
            found,
            comments,
            split_lines(doc.text) if comments else None,
            known_codes=set(self._rules),
            enabled_codes=enabled,
            report_unused=UNUSED_CODE in enabled,
            require_reasons=self.settings.suppressions.require_reasons
            and NO_REASON_CODE in enabled,
        )
        final = [*outcome.kept, *(d for d in outcome.extra if d.code in enabled)]
        final.sort(key=lambda d: d.sort_key)
        return final

    def _republish(self, always: set[str]) -> set[str]:
        """Open files whose diagnostics changed (and ``always``, whatever happened)."""
        changed = set()
        for rel, doc in self._docs.items():
            if not doc.stale and rel not in always:
                continue  # nothing invalidated it
            before = doc.final
            doc.stale = True
            if self.diagnostics(rel) != before or rel in always:
                changed.add(rel)
        return changed


def _default_jobs() -> int:
    from ssot_lint.workers import default_jobs

    return default_jobs()


# ---------------------------------------------------------------------------
# "Ignore this line": the suppression comment an editor action writes.


def suppression_edit(text: str, suppressions: list[Suppression], diag: Diagnostic) -> Edit | None:
    """The edit that silences ``diag`` with a ``# ssot: ignore[CODE]`` comment.

    A directive already on the diagnostic's first or last line that names
    codes gets this code added to its list; otherwise a directive is appended
    to the first of those lines that can end in a comment (not one whose end
    lies inside a string, nor one continued with a backslash). None when
    neither line can carry a comment.
    """
    code = diag.code
    lines = dict.fromkeys((diag.line, diag.end_line))
    for line in lines:
        for s in suppressions:
            if s.line != line or s.file_level or not s.codes or s.codes_span is None:
                continue
            if code in s.codes:
                return None  # already named: the diagnostic cannot be showing
            end = s.codes_span[1]
            return Edit(line, end, line, end, f", {code}")
    eligible = _comment_lines(text)
    source_lines = split_lines(text)
    for line in lines:
        if line in eligible and line <= len(source_lines):
            content = source_lines[line - 1]
            body = content.rstrip()
            directive = f"  # ssot: ignore[{code}]" if body else f"# ssot: ignore[{code}]"
            return Edit(line, len(body) + 1, line, len(content) + 1, directive)
    return None


def _comment_lines(text: str) -> set[int]:
    """Lines whose end is outside strings and not continued by a backslash."""
    found: set[int] = set()
    tokens = tokenize.generate_tokens(io.StringIO(text, newline=None).readline)
    try:
        for token in tokens:
            if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT):
                found.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        pass  # an unfinished file: the lines seen so far
    return found
