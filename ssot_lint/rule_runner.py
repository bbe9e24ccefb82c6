"""Phase 2 of the per-file analysis: the libcst rules (see ``analysis``)."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ssot_lint.analysis import RulesResult, parse_error
from ssot_lint.config import Settings
from ssot_lint.diagnostics import Diagnostic, Edit, Fix, InternalError
from ssot_lint.facts import FileFacts
from ssot_lint.knowledge import ProjectKnowledge
from ssot_lint.resolver import NameResolver
from ssot_lint.rules.base import CstRule, FileContext, PendingFix, Report
from ssot_lint.source import SourceError, read_source


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
) -> RulesResult:
    result = RulesResult(rel_path)
    try:
        source = read_source(file)
    except SourceError:
        return result  # already reported as SSOT000 by the facts phase
    active = [r for r in rule_classes if _triggered(r, settings, source.text)]
    if not active:
        return result
    result.parsed = True
    try:
        module = cst.parse_module(source.data)
    except cst.ParserSyntaxError as exc:
        result.diagnostics.append(
            parse_error(rel_path, f"libcst: {exc.message}", exc.raw_line, exc.raw_column + 1)
        )
        return result
    except Exception as exc:  # libcst internal failures on exotic input
        result.errors.append(InternalError(rel_path, f"libcst could not parse the file: {exc}"))
        return result
    ctx = FileContext(
        path=rel_path,
        module=module,
        facts=facts,
        resolver=NameResolver(facts),
        settings=settings,
        knowledge=knowledge,
        is_test=is_test,
    )
    failures: list[str] = []
    rules = []
    for rule_class in active:
        try:
            rules.append(rule_class(ctx))
        except Exception:
            failures.append(f"{rule_class.code} failed: {traceback.format_exc(limit=-3).strip()}")
    try:
        module.visit(_Dispatcher(ctx, rules, failures))
    except RecursionError:
        failures.append("the syntax tree is too deep to walk")
    result.errors.extend(InternalError(rel_path, message) for message in failures)
    if ctx.reports:
        result.diagnostics.extend(_to_diagnostics(ctx, module))
    return result


def _triggered(rule: type[CstRule], settings: Settings, text: str) -> bool:
    triggers = rule.triggers(settings)
    return not triggers or any(t in text for t in triggers)


def _to_diagnostics(ctx: FileContext, module: cst.Module) -> list[Diagnostic]:
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    out: list[Diagnostic] = []
    for report in ctx.reports:
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
                fix=_resolve_fix(report, ctx, module, positions),
                scope=report.scope,
                snippet=" ".join(module.code_for_node(report.node).split()),
            )
        )
    return out


def _resolve_fix(report: Report, ctx: FileContext, module: cst.Module, positions) -> Fix | None:
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
        edits.append(_import_edit(module, positions, missing))
    return Fix(pending.message, tuple(sorted(edits)), pending.applicability)


def _import_edit(module: cst.Module, positions, qualified: list[str]) -> Edit:
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
        return Edit(1, 1, 1, 1, text)
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
) -> RulesResult:
    """``analyse_rules`` with rules named by code: what worker processes receive."""
    from ssot_lint.rules import all_rules

    rules = all_rules()
    classes = [rules[code] for code in codes if issubclass(rules[code], CstRule)]
    return analyse_rules(file, rel_path, facts, settings, knowledge, classes, is_test)  # type: ignore[arg-type]
