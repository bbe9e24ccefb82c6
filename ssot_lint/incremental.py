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
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ssot_lint.analysis import RulesResult
from ssot_lint.config import Settings
from ssot_lint.diagnostics import Diagnostic, Edit, Fix
from ssot_lint.facts import FileFacts, facts_signature
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

# Lines with their endings, as the tokenizer counts them ("\r\n", "\r", "\n").
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_DECLARATION = re.compile(r"\b(?:global|nonlocal)\b")
_FALLBACK_INDENT = "    "
# An import edit whose place is decided when the file's results are assembled:
# line 0 never occurs in a real edit.
_IMPORT_MARK = 0


@dataclass(frozen=True, slots=True)
class Chunk:
    """One top-level statement (or several on one line) with the comment and
    blank lines before it; the last chunk also holds the file's trailing lines."""

    start: int  # 1-based line of the chunk's first line
    text: str
    kind: str  # "def", "class" or "code"
    name: str = ""  # of a def/class
    is_async: bool = False
    declared: tuple[tuple[str, tuple[str, ...]], ...] = ()  # ("global"|"nonlocal", names)


def split_chunks(text: str, tree: ast.Module) -> list[Chunk]:
    """Cut ``text`` (whose syntax tree is ``tree``) into chunks."""
    lines = _LINES.findall(text)
    groups: list[list[ast.stmt]] = []
    spans: list[tuple[int, int]] = []  # first, last line of each group
    for stmt in tree.body:
        first = stmt.lineno
        decorators = getattr(stmt, "decorator_list", None)
        if decorators:
            first = min(first, *(d.lineno for d in decorators))
        last = stmt.end_lineno or stmt.lineno
        if spans and first <= spans[-1][1]:
            groups[-1].append(stmt)
            spans[-1] = (spans[-1][0], max(spans[-1][1], last))
        else:
            groups.append([stmt])
            spans.append((first, last))
    if not groups:
        return [Chunk(1, text, "code")] if text else []
    # The leading docstring and imports stay one chunk: where a fix adds an
    # import is decided from it, as from the whole module.
    lead = 1
    while lead < len(groups) and all(
        isinstance(s, (ast.Import, ast.ImportFrom)) for s in groups[lead]
    ):
        lead += 1
    if lead > 1:
        merged = [s for group in groups[:lead] for s in group]
        groups[:lead] = [merged]
        spans[:lead] = [(spans[0][0], spans[lead - 1][1])]
    chunks: list[Chunk] = []
    previous_end = 0
    for index, (group, (_first, last)) in enumerate(zip(groups, spans, strict=True)):
        end = len(lines) if index == len(groups) - 1 else last
        chunk_text = "".join(lines[previous_end:end])
        chunks.append(_chunk(previous_end + 1, chunk_text, group))
        previous_end = end
    return chunks


def _chunk(start: int, text: str, group: list[ast.stmt]) -> Chunk:
    if len(group) != 1 or not isinstance(
        group[0], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    ):
        return Chunk(start, text, "code")
    stmt = group[0]
    declared: list[tuple[str, tuple[str, ...]]] = []
    if _DECLARATION.search(text):
        for node in ast.walk(stmt):
            if isinstance(node, ast.Global):
                declared.append(("global", tuple(node.names)))
            elif isinstance(node, ast.Nonlocal):
                declared.append(("nonlocal", tuple(node.names)))
    return Chunk(
        start,
        text,
        "class" if isinstance(stmt, ast.ClassDef) else "def",
        stmt.name,
        isinstance(stmt, ast.AsyncFunctionDef),
        tuple(declared),
    )


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


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
        newline_match = _NEWLINE.search(text)
        newline = newline_match.group(0) if newline_match else "\n"
        module_signature = [
            (c.kind, c.name, c.declared) if c.kind != "code" else (c.kind, c.text) for c in chunks
        ]
        context = _digest(
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
                result.diagnostics.append(_place(diag, chunk.start - 1, import_edit))
        self._forget({c.text for c in chunks}, {(c.text, context) for c in chunks})
        return result

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
                    _deferred_import_edit,
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
        return _FALLBACK_INDENT

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


def _deferred_import_edit(missing: list[str]) -> Edit:
    return Edit(_IMPORT_MARK, _IMPORT_MARK, _IMPORT_MARK, _IMPORT_MARK, "\n".join(missing))


def _place(diag: Diagnostic, offset: int, import_edit: Callable[[str], Edit]) -> Diagnostic:
    """A chunk-relative diagnostic moved to the chunk's place in the file."""
    fix = diag.fix
    if fix is not None:
        edits = []
        for edit in fix.edits:
            if edit.line == _IMPORT_MARK:
                edits.append(import_edit(edit.content))
            else:
                edits.append(
                    replace(edit, line=edit.line + offset, end_line=edit.end_line + offset)
                )
        fix = Fix(fix.message, tuple(sorted(edits)), fix.applicability)
    if offset == 0 and fix is diag.fix:
        return diag
    return replace(diag, line=diag.line + offset, end_line=diag.end_line + offset, fix=fix)
