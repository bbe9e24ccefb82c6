"""An independent, slow extraction of the per-file facts with libcst.

ssot-lint extracts facts with CPython's ``ast`` (fast) and converts its byte
offsets to character columns itself. This oracle gets the same facts the
obvious way — a libcst visitor with PositionProvider — so a test can prove
the fast path exact on thousands of real files.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ssot_lint.facts import FileFacts, resolve_relative
from ssot_lint.resolver import dotted_name

ImportRow = tuple[str, str | None, str | None, int, int, int, int, int, bool, bool, bool, bool]
ClassRow = tuple[str, int, int, tuple[str, ...], bool]

IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _catches_import_error(node: cst.Try) -> bool:
    for handler in node.handlers:
        if handler.type is None:
            return True
        types = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
        for t in types:
            value = t.value if isinstance(t, cst.Element) else t
            name = dotted_name(value)
            if name and name.rsplit(".", 1)[-1] in IMPORT_ERRORS:
                return True
    return False


def _is_docstring_or_pass(stmt: cst.CSTNode) -> bool:
    # `class X: pass` is a one-line suite, `class X:\n    pass` a block of lines.
    if not isinstance(stmt, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return False
    return all(
        isinstance(s, cst.Pass)
        or (
            isinstance(s, cst.Expr)
            and isinstance(
                s.value,
                (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float, cst.Ellipsis),
            )
        )
        or (
            isinstance(s, cst.Expr)
            and isinstance(s.value, cst.Name)
            and s.value.value in ("None", "True", "False")
        )
        for s in stmt.body
    )


class _Collector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, module: str, is_package: bool) -> None:
        super().__init__()
        self.module = module
        self.is_package = is_package
        self.imports: list[ImportRow] = []
        self.classes: list[ClassRow] = []
        # Context stack entries: (type_checking, in_function, guarded, in_except, module_level)
        self.stack: list[tuple[bool, bool, bool, bool, bool]] = [(False, False, False, False, True)]

    @property
    def ctx(self) -> tuple[bool, bool, bool, bool, bool]:
        return self.stack[-1]

    def _push(self, **changes: bool) -> None:
        names = ("type_checking", "in_function", "guarded", "in_except", "module_level")
        values = dict(zip(names, self.ctx, strict=True))
        values.update(changes)
        self.stack.append(tuple(values[n] for n in names))  # type: ignore[arg-type]

    # Blocks that change the context: push on the body, pop after it.

    def visit_If(self, node: cst.If) -> bool:
        name = dotted_name(node.test)
        if name and name.rsplit(".", 1)[-1] == "TYPE_CHECKING":
            self._push(type_checking=True)
            node.body.visit(self)
            self.stack.pop()
            if node.orelse is not None:
                node.orelse.visit(self)
            return False
        return True

    def visit_Try(self, node: cst.Try) -> bool:
        guarded = self.ctx[2] or _catches_import_error(node)
        self._push(guarded=guarded)
        node.body.visit(self)
        self.stack.pop()
        for handler in node.handlers:
            self._push(in_except=True)
            handler.body.visit(self)
            self.stack.pop()
        for extra in (node.orelse, node.finalbody):
            if extra is not None:
                extra.visit(self)
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._push(in_function=True, guarded=False, in_except=False, module_level=False)
        node.body.visit(self)
        self.stack.pop()
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        if self.ctx[4]:
            where = self.get_metadata(PositionProvider, node.name).start
            methods = []
            for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else []:
                if isinstance(stmt, cst.FunctionDef) and not stmt.name.value.startswith("_"):
                    methods.append(stmt.name.value)
            body = node.body.body if isinstance(node.body, cst.IndentedBlock) else [node.body]
            is_shim = all(_is_docstring_or_pass(s) for s in body)
            self.classes.append(
                (
                    node.name.value,
                    where.line,
                    where.column + 1,
                    tuple(dict.fromkeys(methods)),
                    is_shim,
                )
            )
        self._push(module_level=False)
        node.body.visit(self)
        self.stack.pop()
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    # Imports.

    def _row(self, alias: cst.ImportAlias, module: str, name: str | None, level: int) -> ImportRow:
        asname = dotted_name(alias.asname.name) if alias.asname is not None else None
        return self._row_at(alias, module, name, asname, level)

    def _row_at(
        self, node: cst.CSTNode, module: str, name: str | None, asname: str | None, level: int
    ) -> ImportRow:
        where = self.get_metadata(PositionProvider, node)
        type_checking, in_function, guarded, in_except, _ = self.ctx
        return (
            module,
            name,
            asname,
            level,
            where.start.line,
            where.start.column + 1,
            where.end.line,
            where.end.column + 1,
            type_checking,
            in_function,
            guarded,
            in_except,
        )

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            self.imports.append(self._row(alias, dotted_name(alias.name) or "", None, 0))
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        level = len(node.relative)
        written = dotted_name(node.module) if node.module is not None else None
        module = resolve_relative(self.module, self.is_package, level, written)
        if isinstance(node.names, cst.ImportStar):
            self.imports.append(self._row_at(node.names, module, "*", None, level))
            return False
        for alias in node.names:
            self.imports.append(self._row(alias, module, dotted_name(alias.name), level))
        return False


def oracle_facts(
    source: bytes, module: str, is_package: bool
) -> tuple[list[ImportRow], list[ClassRow]]:
    tree = cst.parse_module(source)
    collector = _Collector(module, is_package)
    MetadataWrapper(tree, unsafe_skip_copy=True).visit(collector)
    return collector.imports, collector.classes


def fast_facts(facts: FileFacts) -> tuple[list[ImportRow], list[ClassRow]]:
    """The fast path's facts in the oracle's rows, for comparison."""
    imports = [
        (
            i.module,
            i.name,
            i.asname,
            i.level,
            i.line,
            i.column,
            i.end_line,
            i.end_column,
            i.type_checking,
            i.in_function,
            i.guarded,
            i.in_except,
        )
        for i in facts.imports
    ]
    classes = [(c.name, c.line, c.column, c.methods, c.is_shim) for c in facts.classes]
    return imports, classes
