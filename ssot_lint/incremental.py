"""Per-file rules on an editor buffer, re-analysing only what changed.

``rule_runner.analyse_rules`` parses and walks the whole file with libcst:
about a second for a 2,000-line module, once per keystroke in an editor. The
language server needs the same diagnostics in a fraction of that, so it cuts
the file into *chunks* — one per top-level statement (statements sharing a
line stay together; the leading docstring and imports form the first chunk)
— and caches, per chunk text, both the libcst tree and the chunk's results.
After an edit only the chunks whose text changed are parsed and walked; the
other chunks' diagnostics are reused, moved to their new lines.

Why a chunk's results depend on its own text only, given the *context key*:

* names resolve through the module's imports and bindings, which come from
  the file's facts (``NameResolver``), not from the walk: the key holds the
  facts without positions;
* scopes below the module (functions, classes, lambdas) lie inside one
  top-level statement;
* what a rule reads of the rest of the module goes through ``ctx.module``
  (SSOT003 reads the module's own bindings and every ``global``/``nonlocal``
  declaration): the key holds the text of every top-level statement that is
  not a function or class, the names of those that are, and the names they
  declare ``global``/``nonlocal``. ``ctx.module`` is a *skeleton* of the file:
  module-level statements and the chunks being walked are the real nodes;
  other functions and classes are stubs carrying their name and their
  ``global``/``nonlocal`` declarations, so a rule asking about the module gets
  the answers the whole tree would give without walking 2,000 lines;
* positions come from the chunk's own tree, shifted by the chunk's first line
  (chunks start at column 1, so columns never move); fixes that add an import
  are placed from the first chunk, which is the file's own beginning.

Anything unusual — a chunk libcst cannot parse on its own, a rule that raises,
a tree too deep — falls back to ``analyse_text`` on the whole file, so the
result is always what ``check`` would report. The test suite compares both
on every fixture and rule example, and after random edits.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ssot_lint.analysis import RulesResult
from ssot_lint.config import Settings
from ssot_lint.diagnostics import Diagnostic, Edit
from ssot_lint.facts import FileFacts, facts_signature
from ssot_lint.hot_chunks import (
    FALLBACK_INDENT,
    NEWLINE,
    Chunk,
    deferred_import_edit,
    digest,
    place,
    split_chunks,
)
from ssot_lint.knowledge import ProjectKnowledge
from ssot_lint.rule_runner import (
    _Dispatcher,
    _import_edit,
    _to_diagnostics,
    active_rules,
    analyse_text,
    instantiate,
    make_context,
)
from ssot_lint.rules.base import CstRule

__all__ = ["Chunk", "IncrementalAnalyser", "IncrementalStats", "facts_signature", "split_chunks"]


@dataclass
class _Parsed:
    module: cst.Module
    has_indent: bool
    positions: dict[cst.CSTNode, CodeRange] | None = None

    def resolve_positions(self) -> dict[cst.CSTNode, CodeRange]:
        if self.positions is None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self.positions = dict(wrapper.resolve(PositionProvider))
        return self.positions


@dataclass
class _ChunkResult:
    # Lines relative to the chunk (1 = its first line); an import edit has line 0
    # and names the missing imports in its content.
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class IncrementalStats:
    chunks: int = 0
    walked: int = 0  # chunks parsed/walked by the last analysis (0: all reused)
    fallback: bool = False  # the last analysis ran on the whole file


class IncrementalAnalyser:
    """The CST rules of ONE file, kept warm between versions of its text."""

    def __init__(self, rel_path: str) -> None:
        self.rel_path = rel_path
        self._parsed: dict[str, _Parsed] = {}
        self._results: dict[tuple[str, str], _ChunkResult] = {}
        self.stats = IncrementalStats()
        # Of the last analysis that was not a fallback (``rule_runner`` stores
        # them as the file's results by shape, see ``hot_chunks``).
        self.last_indent: str | None = None
        self.last_import_edits: dict[str, Edit] = {}
        self._last_context = ""

    def analyse(
        self,
        text: str,
        tree: ast.Module | None,
        facts: FileFacts,
        settings: Settings,
        knowledge: ProjectKnowledge,
        rule_classes: Sequence[type[CstRule]],
        is_test: bool,
        *,
        prefilter: bool = True,
        settings_key: str | None = None,
        knowledge_key: str | None = None,
        only: Callable[[Chunk], bool] | None = None,
    ) -> RulesResult:
        """What ``analyse_text(text, ...)`` returns, re-walking only changed chunks.

        ``tree`` is ``ast.parse(text)`` (the facts phase already has it).
        ``only``: chunks for which it is false are known to produce nothing
        (``rule_runner`` passes the chunks without any trigger text) and are
        neither walked nor, unless module-level code, parsed.
        """
        self.stats = IncrementalStats()
        self.last_indent = None
        self.last_import_edits = {}
        active = active_rules(rule_classes, settings, knowledge, text, prefilter)
        if not active:
            self._forget(set(), set())
            return RulesResult(self.rel_path)
        if tree is None:
            return self._fallback(text, facts, settings, knowledge, active, is_test)
        chunks = split_chunks(text, tree)
        self.stats.chunks = len(chunks)
        try:
            parsed = {c.text: self._parse(c.text) for c in chunks if c.kind == "code"}
        except _ChunkParseError:
            return self._fallback(text, facts, settings, knowledge, active, is_test)
        indent = self._default_indent(chunks, parsed)
        if indent is None:
            return self._fallback(text, facts, settings, knowledge, active, is_test)
        newline_match = NEWLINE.search(text)
        newline = newline_match.group(0) if newline_match else "\n"
        module_signature = [
            (c.kind, c.name, c.declared) if c.kind != "code" else (c.kind, c.text) for c in chunks
        ]
        context = digest(
            repr(
                (
                    self.rel_path,
                    facts_signature(facts),
                    is_test,
                    tuple(r.code for r in active),
                    settings_key or settings.fingerprint(),
                    knowledge_key or knowledge.fingerprint(),
                    module_signature,
                    indent,
                    newline,
                )
            )
        )
        if only is not None:
            for chunk in chunks:
                if not only(chunk):
                    self._results.setdefault((chunk.text, context), _ChunkResult())
        dirty = [c for c in chunks if (c.text, context) not in self._results]
        if dirty:
            try:
                walked = self._walk(
                    chunks,
                    dirty,
                    context,
                    indent,
                    newline,
                    facts,
                    settings,
                    knowledge,
                    active,
                    is_test,
                )
            except _ChunkParseError:
                walked = False
            if not walked:
                return self._fallback(text, facts, settings, knowledge, active, is_test)
        result = RulesResult(self.rel_path, parsed=True)
        import_edits: dict[str, Edit] = {}

        def import_edit(missing: str) -> Edit:
            # Placed from the first chunk: the file's own beginning (line 1).
            if missing not in import_edits:
                first = self._parse(chunks[0].text)
                import_edits[missing] = _import_edit(
                    first.module, first.resolve_positions(), missing.split("\n")
                )
            return import_edits[missing]

        for chunk in chunks:
            for diag in self._results[(chunk.text, context)].diagnostics:
                result.diagnostics.append(place(diag, chunk.start - 1, import_edit))
        self._forget({c.text for c in chunks}, {(c.text, context) for c in chunks})
        self.last_indent = indent
        self.last_import_edits = import_edits
        self._last_context = context
        return result

    def chunk_diagnostics(self, chunk: Chunk) -> list[Diagnostic]:
        """The last analysis' diagnostics of ``chunk``, relative to its first line."""
        return self._results[(chunk.text, self._last_context)].diagnostics

    # -- the walk --------------------------------------------------------------

    def _walk(
        self,
        chunks: list[Chunk],
        dirty: list[Chunk],
        context: str,
        indent: str,
        newline: str,
        facts: FileFacts,
        settings: Settings,
        knowledge: ProjectKnowledge,
        active: Sequence[type[CstRule]],
        is_test: bool,
    ) -> bool:
        dirty_texts = {c.text for c in dirty}
        body: list[cst.BaseStatement] = []
        for chunk in chunks:
            if chunk.kind == "code" or chunk.text in dirty_texts:
                body.extend(self._parse(chunk.text).module.body)
            else:
                body.append(_stub(chunk))
        skeleton = cst.Module(body=body, default_indent=indent, default_newline=newline)
        ctx = make_context(self.rel_path, skeleton, facts, settings, knowledge, is_test)
        failures: list[str] = []
        rules = instantiate(active, ctx, failures)
        dispatcher = _Dispatcher(ctx, rules, failures)
        walked: dict[str, _ChunkResult] = {}
        for chunk in dirty:
            if chunk.text in walked:
                continue  # the same text twice in a file: the same results
            parsed = self._parse(chunk.text)
            before = len(ctx.reports)
            try:
                parsed.module.visit(dispatcher)
            except RecursionError:
                return False
            reports = ctx.reports[before:]
            diagnostics: list[Diagnostic] = []
            if reports:
                diagnostics = _to_diagnostics(
                    ctx,
                    skeleton,
                    reports,
                    parsed.resolve_positions(),
                    deferred_import_edit,
                )
            walked[chunk.text] = _ChunkResult(diagnostics)
        if failures:
            return False  # a rule bug: report it exactly as the whole-file run does
        for text, chunk_result in walked.items():
            self._results[(text, context)] = chunk_result
        self.stats.walked = len(walked)
        return True

    # -- helpers ---------------------------------------------------------------

    def _parse(self, text: str) -> _Parsed:
        found = self._parsed.get(text)
        if found is None:
            try:
                module = cst.parse_module(text)
            except Exception as exc:  # any failure: analyse the whole file instead
                raise _ChunkParseError(str(exc)) from None
            found = self._parsed[text] = _Parsed(module, _has_indented_block(module))
        return found

    def _default_indent(self, chunks: list[Chunk], parsed: dict[str, _Parsed]) -> str | None:
        """libcst's default indent for the whole file: that of its first indented block."""
        for chunk in chunks:
            if chunk.kind == "code" and not _may_indent(chunk.text):
                continue
            try:
                found = parsed.get(chunk.text) or self._parse(chunk.text)
            except _ChunkParseError:
                return None
            if found.has_indent:
                return found.module.default_indent
        return FALLBACK_INDENT

    def _fallback(
        self,
        text: str,
        facts: FileFacts,
        settings: Settings,
        knowledge: ProjectKnowledge,
        active: Sequence[type[CstRule]],
        is_test: bool,
    ) -> RulesResult:
        self.stats.fallback = True
        self._forget(set(), set())
        return analyse_text(
            text, self.rel_path, facts, settings, knowledge, active, is_test, prefilter=False
        )

    def _forget(self, texts: set[str], keys: set[tuple[str, str]]) -> None:
        """Keep only what the current version of the file uses."""
        self._parsed = {t: p for t, p in self._parsed.items() if t in texts}
        self._results = {k: r for k, r in self._results.items() if k in keys}


class _ChunkParseError(Exception):
    pass


def _may_indent(text: str) -> bool:
    # A chunk of simple statements has no indented block; only a line that
    # starts with whitespace after a line ending in ":" can open one.
    return ":" in text and ("\n " in text or "\n\t" in text or "\r " in text or "\r\t" in text)


def _has_indented_block(module: cst.Module) -> bool:
    for stmt in module.body:
        for attr in ("body", "orelse", "finalbody"):
            part = getattr(stmt, attr, None)
            if isinstance(part, cst.IndentedBlock):
                return True
            if isinstance(getattr(part, "body", None), cst.IndentedBlock):
                return True  # else/finally clauses
        for handler in getattr(stmt, "handlers", ()) or ():
            if isinstance(handler.body, cst.IndentedBlock):
                return True
        for case in getattr(stmt, "cases", ()) or ():
            if isinstance(case.body, cst.IndentedBlock):
                return True
    return False


def _stub(chunk: Chunk) -> cst.BaseStatement:
    """A function or class reduced to its name and its global/nonlocal declarations."""
    lines: list[cst.BaseStatement] = []
    for kind, names in chunk.declared:
        items = [cst.NameItem(cst.Name(n)) for n in names]
        node = cst.Global(items) if kind == "global" else cst.Nonlocal(items)
        lines.append(cst.SimpleStatementLine([node]))
    if not lines:
        lines.append(cst.SimpleStatementLine([cst.Pass()]))
    body = cst.IndentedBlock(lines)
    if chunk.kind == "class":
        return cst.ClassDef(cst.Name(chunk.name), body)
    return cst.FunctionDef(
        cst.Name(chunk.name),
        cst.Parameters(),
        body,
        asynchronous=cst.Asynchronous() if chunk.is_async else None,
    )
