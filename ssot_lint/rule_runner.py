"""Phase 2 of the per-file analysis: the libcst rules (see ``analysis``)."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ssot_lint.analysis import RulesResult, parse_error
from ssot_lint.config import Settings
from ssot_lint.diagnostics import Diagnostic, Edit, Fix, InternalError
from ssot_lint.facts import FileFacts
from ssot_lint.hot_chunks import (
    ShapeResult,
    bound_triggers,
    digest,
    file_shape,
    hot_texts,
    split_chunks,
)
from ssot_lint.knowledge import ProjectKnowledge
from ssot_lint.resolver import NameResolver
from ssot_lint.rules.base import CstRule, FileContext, PendingFix, Report
from ssot_lint.source import SourceError, decode_source, parse_python, read_source

# Missing qualified names -> the edit that imports them.
ImportEdit = Callable[[list[str]], Edit]


class _Dispatcher(cst.CSTVisitor):
    """One walk, every rule: visit/leave methods grouped by node type."""

    def __init__(self, ctx: FileContext, rules: Sequence[CstRule], errors: list[str]) -> None:
        super().__init__()
        self._resolver = ctx.resolver
        self._errors = errors
        self._visit: dict[str, list[tuple[CstRule, Callable[[cst.CSTNode], object]]]] = {}
        self._leave: dict[str, list[tuple[CstRule, Callable[[cst.CSTNode], object]]]] = {}
        for rule in rules:
            for attr, method in rule.visitors():
                kind, _, node_type = attr.partition("_")
                table = self._visit if kind == "visit" else self._leave
                table.setdefault(node_type, []).append((rule, method))
        self._broken: set[str] = set()

    def _call(
        self, handlers: list[tuple[CstRule, Callable[[cst.CSTNode], object]]], node: cst.CSTNode
    ) -> None:
        for rule, method in handlers:
            if rule.code in self._broken:
                continue
            try:
                method(node)
            except Exception:  # a rule bug must not cost the other results
                self._broken.add(rule.code)
                self._errors.append(f"{rule.code} failed: {traceback.format_exc(limit=-3).strip()}")

    def on_visit(self, node: cst.CSTNode) -> bool:
        self._resolver.enter(node)
        handlers = self._visit.get(type(node).__name__)
        if handlers:
            self._call(handlers, node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        handlers = self._leave.get(type(original_node).__name__)
        if handlers:
            self._call(handlers, original_node)
        self._resolver.leave(original_node)


def analyse_rules(
    file: Path,
    rel_path: str,
    facts: FileFacts,
    settings: Settings,
    knowledge: ProjectKnowledge,
    rule_classes: Sequence[type[CstRule]],
    is_test: bool,
    *,
    prefilter: bool = True,
    remember_shape: bool = False,
) -> RulesResult:
    """The file's CST rule diagnostics. ``remember_shape``: also return its
    hot chunks' results by shape, for the cache (``hot_chunks``)."""
    try:
        source = read_source(file)
    except SourceError:
        return RulesResult(rel_path)  # already reported as SSOT000 by the facts phase
    if prefilter and source.encoding == "utf-8":
        hot = _analyse_hot_chunks(
            source.text, rel_path, facts, settings, knowledge, rule_classes, is_test, remember_shape
        )
        if hot is not None:
            return hot
    return _analyse(
        source.data,
        source.text,
        rel_path,
        facts,
        settings,
        knowledge,
        rule_classes,
        is_test,
        prefilter,
    )


def _analyse_hot_chunks(
    text: str,
    rel_path: str,
    facts: FileFacts,
    settings: Settings,
    knowledge: ProjectKnowledge,
    rule_classes: Sequence[type[CstRule]],
    is_test: bool,
    remember_shape: bool = False,
) -> RulesResult | None:
    """The file's results from its *hot* top-level statements only
    (``hot_chunks``), with the rest of the module as the incremental
    analysis' skeleton (``incremental``). A file that mentions a trigger in
    one function of two thousand lines costs that function, not the file.
    None: analyse the whole file instead.
    """
    active = active_rules(rule_classes, settings, knowledge, text, True)
    if not active:
        return RulesResult(rel_path)
    names = bound_triggers(active, settings, knowledge, facts)
    if names is None:
        return None  # some rule runs everywhere
    try:
        tree = parse_python(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    from ssot_lint.incremental import IncrementalAnalyser

    chunks = split_chunks(text, tree)
    hot = hot_texts(chunks, names)
    if all(c.text in hot for c in chunks):
        return None  # nothing to skip: the whole file is cheaper
    analyser = IncrementalAnalyser(rel_path)
    result = analyser.analyse(
        text,
        tree,
        facts,
        settings,
        knowledge,
        active,
        is_test,
        only=lambda chunk: chunk.text in hot,
    )
    if remember_shape and analyser.last_indent is not None and not result.errors:
        shape = file_shape(text, tree, facts, names, chunks)
        # Stored only where the tree's indent is libcst's (see ``default_indent``).
        if shape is not None and shape.indent == analyser.last_indent:
            per_chunk = tuple(tuple(analyser.chunk_diagnostics(chunks[i])) for i in shape.hot)
            first = digest(chunks[0].text)
            result.shape = (shape.digest, ShapeResult(per_chunk, first, analyser.last_import_edits))
    return result


def analyse_text(
    source: str | bytes,
    rel_path: str,
    facts: FileFacts,
    settings: Settings,
    knowledge: ProjectKnowledge,
    rule_classes: Sequence[type[CstRule]],
    is_test: bool,
    *,
    prefilter: bool = True,
) -> RulesResult:
    """``analyse_rules`` on source held in memory (an editor's unsaved buffer).

    ``bytes`` are decoded as the interpreter would (BOM, coding line); ``str``
    is taken as the decoded text.
    """
    if isinstance(source, bytes):
        try:
            text, _ = decode_source(source)
        except SourceError:
            return RulesResult(rel_path)  # the facts phase reports it as SSOT000
    else:
        text = source
    return _analyse(
        source, text, rel_path, facts, settings, knowledge, rule_classes, is_test, prefilter
    )


def _analyse(
    data: str | bytes,
    text: str,
    rel_path: str,
    facts: FileFacts,
    settings: Settings,
    knowledge: ProjectKnowledge,
    rule_classes: Sequence[type[CstRule]],
    is_test: bool,
    prefilter: bool,
) -> RulesResult:
    result = RulesResult(rel_path)
    active = active_rules(rule_classes, settings, knowledge, text, prefilter)
    if not active:
        return result
    result.parsed = True
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        result.diagnostics.append(
            parse_error(rel_path, f"libcst: {exc.message}", exc.raw_line, exc.raw_column + 1)
        )
        return result
    except Exception as exc:  # libcst internal failures on exotic input
        result.errors.append(InternalError(rel_path, f"libcst could not parse the file: {exc}"))
        return result
    ctx = make_context(rel_path, module, facts, settings, knowledge, is_test)
    failures: list[str] = []
    rules = instantiate(active, ctx, failures)
    try:
        module.visit(_Dispatcher(ctx, rules, failures))
    except RecursionError:
        failures.append("the syntax tree is too deep to walk")
    result.errors.extend(InternalError(rel_path, message) for message in failures)
    if ctx.reports:
        result.diagnostics.extend(_to_diagnostics(ctx, module))
    return result


def active_rules(
    rule_classes: Sequence[type[CstRule]],
    settings: Settings,
    knowledge: ProjectKnowledge,
    text: str,
    prefilter: bool = True,
) -> list[type[CstRule]]:
    """The rules that can fire in ``text`` (all of them without the prefilter)."""
    return [r for r in rule_classes if not prefilter or r.can_fire(settings, knowledge, text)]


def make_context(
    rel_path: str,
    module: cst.Module,
    facts: FileFacts,
    settings: Settings,
    knowledge: ProjectKnowledge,
    is_test: bool,
) -> FileContext:
    return FileContext(
        path=rel_path,
        module=module,
        facts=facts,
        resolver=NameResolver(facts),
        settings=settings,
        knowledge=knowledge,
        is_test=is_test,
    )


def instantiate(
    active: Sequence[type[CstRule]], ctx: FileContext, failures: list[str]
) -> list[CstRule]:
    """One instance of each rule for this file; a constructor that raises is a failure."""
    rules = []
    for rule_class in active:
        try:
            rules.append(rule_class(ctx))
        except Exception:
            failures.append(f"{rule_class.code} failed: {traceback.format_exc(limit=-3).strip()}")
    return rules


def _to_diagnostics(
    ctx: FileContext,
    module: cst.Module,
    reports: Sequence[Report] | None = None,
    positions: Mapping[cst.CSTNode, CodeRange] | None = None,
    import_edit: ImportEdit | None = None,
) -> list[Diagnostic]:
    """Diagnostics for ``reports`` (default: all of ``ctx``'s).

    ``positions`` default to those of ``module``; the incremental analysis of
    an editor buffer passes the positions of the one statement it re-parsed,
    and an ``import_edit`` that places added imports in the whole file.
    """
    if positions is None:
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    if import_edit is None:

        def import_edit(missing: list[str]) -> Edit:
            return _import_edit(module, positions, missing)

    out: list[Diagnostic] = []
    for report in ctx.reports if reports is None else reports:
        where = positions[report.node]
        out.append(
            Diagnostic(
                code=report.code,
                message=report.message,
                path=ctx.path,
                line=where.start.line,
                column=where.start.column + 1,
                end_line=where.end.line,
                end_column=where.end.column + 1,
                fix=_resolve_fix(report, ctx, module, positions, import_edit),
                scope=report.scope,
                snippet=" ".join(module.code_for_node(report.node).split()),
            )
        )
    return out


def _resolve_fix(
    report: Report,
    ctx: FileContext,
    module: cst.Module,
    positions: Mapping[cst.CSTNode, CodeRange],
    import_edit: ImportEdit,
) -> Fix | None:
    pending: PendingFix | None = report.fix
    if pending is None:
        return None
    edits: list[Edit] = []
    for node_edit in pending.edits:
        where = positions[node_edit.node]
        content = node_edit.replacement
        if isinstance(content, cst.CSTNode):
            content = module.code_for_node(content)
        edits.append(
            Edit(
                where.start.line,
                where.start.column + 1,
                where.end.line,
                where.end.column + 1,
                content,
            )
        )
    missing = [q for q in dict.fromkeys(pending.imports) if ctx.resolver.local_name_for(q) is None]
    if missing:
        edits.append(import_edit(missing))
    return Fix(pending.message, tuple(sorted(edits)), pending.applicability)


def _import_edit(
    module: cst.Module, positions: Mapping[cst.CSTNode, CodeRange], qualified: list[str]
) -> Edit:
    """Insert ``from m import X`` lines after the module's leading imports."""
    by_module: dict[str, list[str]] = {}
    for q in qualified:
        mod, _, name = q.rpartition(".")
        by_module.setdefault(mod, []).append(name)
    newline = module.default_newline
    text = "".join(f"from {m} import {', '.join(names)}{newline}" for m, names in by_module.items())
    anchor = None
    for index, stmt in enumerate(module.body):
        if index == 0 and _is_docstring(stmt):
            anchor = stmt
            continue
        if isinstance(stmt, cst.SimpleStatementLine) and all(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
        ):
            anchor = stmt
            continue
        break
    if anchor is None:
        # After the header comments (shebang, coding line, licence): up to the
        # last blank line of the header, or after all of it when it has none.
        # Line 1 would push a PEP 263 coding line out of the first two lines.
        blanks = [i for i, line in enumerate(module.header) if line.comment is None]
        line = (blanks[-1] if blanks else len(module.header) - 1) + 2
        return Edit(line, 1, line, 1, text)
    end = positions[anchor].end
    # Statement positions end before the newline: insert after it.
    return Edit(end.line + 1, 1, end.line + 1, 1, text)


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def analyse_rules_by_code(
    file: Path,
    rel_path: str,
    facts: FileFacts,
    settings: Settings,
    knowledge: ProjectKnowledge,
    codes: Sequence[str],
    is_test: bool,
    prefilter: bool = True,
    remember_shape: bool = False,
) -> RulesResult:
    """``analyse_rules`` with rules named by code: what worker processes receive."""
    from ssot_lint.rules import all_rules

    rules = all_rules()
    classes = [rules[code] for code in codes if issubclass(rules[code], CstRule)]
    return analyse_rules(
        file,
        rel_path,
        facts,
        settings,
        knowledge,
        classes,  # type: ignore[arg-type]
        is_test,
        prefilter=prefilter,
        remember_shape=remember_shape,
    )
