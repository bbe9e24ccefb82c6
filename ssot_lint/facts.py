"""Per-file facts: what cross-file rules and the import graph need of a module.

Facts are extracted from CPython's own ``ast`` (its C parser is an order of
magnitude faster than libcst's, and it is the reference for what is valid
Python). Only statements are walked, never expressions, so extraction costs
little more than the parse itself. Facts are plain picklable values, cached
by content hash alongside the per-file diagnostics.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from ssot_lint.hashing import blake2b
from ssot_lint.source import parse_python, split_lines
from ssot_lint.suppressions import Suppression, may_hold_directive, scan_suppressions

IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
ENUM_BASES = frozenset(
    {"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag", "enum.ReprEnum"}
)


class ImportFact(NamedTuple):
    """One imported name (``from m import a, b`` gives two facts).

    ``module`` is the absolute module the statement imports from (or, for
    ``import a.b``, the module itself); empty when a relative import climbs
    above the top-level package.
    """

    module: str
    name: str | None  # None for ``import a.b``; "*" for a star import
    asname: str | None
    level: int
    line: int
    column: int
    end_line: int
    end_column: int
    type_checking: bool = False
    in_function: bool = False
    guarded: bool = False  # inside ``try:`` whose handlers catch ImportError
    in_except: bool = False  # inside an ``except`` body: a fallback import
    # The whole statement (``from``/``import`` keyword to its end), so fixes can
    # rewrite the module path or split a multi-name statement without libcst.
    stmt_line: int = 0
    stmt_column: int = 0
    stmt_end_line: int = 0
    stmt_end_column: int = 0
    stmt_names: int = 1  # names the statement imports (this one included)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (_rebuild, (ImportFact, tuple(self)))

    @property
    def is_from(self) -> bool:
        return self.name is not None

    @property
    def is_star(self) -> bool:
        return self.name == "*"

    @property
    def target(self) -> str:
        """Qualified name of what is imported: ``m.a`` or ``a.b``."""
        if self.name is None:
            return self.module
        return f"{self.module}.{self.name}" if self.module else self.name

    @property
    def bound_name(self) -> str:
        if self.asname:
            return self.asname
        if self.name is not None:
            return self.name
        return self.module.split(".", 1)[0]

    @property
    def statement(self) -> str:
        """The import as one normalised line (how registries list imports)."""
        dots = "." * self.level
        alias = f" as {self.asname}" if self.asname else ""
        if self.name is None:
            return f"import {self.module}{alias}"
        source = self.module if self.level == 0 else dots
        return f"from {source} import {self.name}{alias}"


class ClassFact(NamedTuple):
    """A module-level class definition (nested classes are out of scope)."""

    name: str
    line: int
    column: int
    end_line: int
    end_column: int
    bases: tuple[str, ...]  # qualified where the module's imports tell, else as written
    methods: tuple[str, ...]  # public methods defined in the body
    members: tuple[tuple[str, str], ...]  # class-level NAME = value (enum members)
    is_shim: bool  # body is only a docstring / pass / ...

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (_rebuild, (ClassFact, tuple(self)))

    @property
    def is_enum_by_bases(self) -> bool:
        return any(base in ENUM_BASES for base in self.bases)


# Facts are unpickled by the ten thousand (the cache, worker processes). They
# are named tuples, rebuilt here by ``tuple.__new__`` in C: a frozen dataclass
# paid one ``object.__setattr__`` per field, half of loading a project's facts.
_rebuild = tuple.__new__


@dataclass(slots=True)
class FileFacts:
    module: str
    is_package: bool
    imports: list[ImportFact] = field(default_factory=list)
    classes: list[ClassFact] = field(default_factory=list)
    bindings: set[str] = field(default_factory=set)  # module-level names bound
    aliases: dict[str, str] = field(default_factory=dict)  # NAME = qualified.other
    all_names: tuple[str, ...] | None = None  # a literal __all__
    has_getattr: bool = False  # module-level def __getattr__
    suppressions: list[Suppression] = field(default_factory=list)
    syntax_error: tuple[str, int, int] | None = None  # message, line, column

    @property
    def star_imports(self) -> list[ImportFact]:
        return [imp for imp in self.imports if imp.is_star]

    def import_table(self) -> dict[str, str]:
        """Module-level bound name -> qualified name, from import statements."""
        table: dict[str, str] = {}
        for imp in self.imports:
            if imp.in_function or imp.is_star:
                continue
            if imp.name is None and not imp.asname:
                head = imp.module.split(".", 1)[0]
                table[head] = head
            else:
                table[imp.bound_name] = imp.target
        return table


def facts_signature(facts: FileFacts) -> str:
    """A digest of everything in ``facts`` except positions and suppressions:
    what names a module defines, imports and re-exports. Edits inside function
    bodies leave it unchanged, so what is derived from it (project knowledge,
    the language server's context) is reused across them."""
    imports = [
        (
            i.module,
            i.name,
            i.asname,
            i.level,
            i.type_checking,
            i.in_function,
            i.guarded,
            i.in_except,
            i.stmt_names,
        )
        for i in facts.imports
    ]
    classes = [(c.name, c.bases, c.methods, c.members, c.is_shim) for c in facts.classes]
    data = (
        facts.module,
        facts.is_package,
        imports,
        classes,
        sorted(facts.bindings),
        sorted(facts.aliases.items()),
        facts.all_names,
        facts.has_getattr,
        facts.syntax_error is None,
    )
    blob = repr(data).encode("utf-8", "surrogatepass")
    return blake2b(blob, digest_size=16).hexdigest()


def resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    """Absolute module for ``from <level dots><name> import ...`` inside ``module``."""
    if level == 0:
        return name or ""
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    # Each dot past the first climbs one package; climbing out of the top-level
    # package is "attempted relative import beyond top-level package".
    if level - 1 >= len(parts):
        return ""
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    if name:
        parts.append(name)
    return ".".join(parts)


class _ColumnMapper:
    """ast gives UTF-8 byte offsets; diagnostics use characters."""

    def __init__(self, text: str) -> None:
        self._ascii = text.isascii()
        self._lines: list[bytes] | None = None
        self._text = text

    def __call__(self, line: int, byte_col: int) -> int:
        if self._ascii:
            return byte_col + 1
        if self._lines is None:
            self._lines = [part.encode("utf-8") for part in split_lines(self._text)]
        if line - 1 >= len(self._lines):
            return byte_col + 1
        raw = self._lines[line - 1][:byte_col]
        return len(raw.decode("utf-8", errors="replace")) + 1


@dataclass
class _Context:
    type_checking: bool = False
    in_function: bool = False
    guarded: bool = False
    in_except: bool = False
    module_level: bool = True  # not inside a def or class


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _is_type_checking(test: ast.expr) -> bool:
    dotted = _dotted(test)
    return dotted is not None and dotted.rsplit(".", 1)[-1] == "TYPE_CHECKING"


def _catches_import_error(handlers: Iterable[ast.ExceptHandler]) -> bool:
    for handler in handlers:
        if handler.type is None:
            return True
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for t in types:
            dotted = _dotted(t)
            if dotted and dotted.rsplit(".", 1)[-1] in IMPORT_ERRORS:
                return True
    return False


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _is_docstring_or_pass(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Pass):
        return True
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)


class FactExtractor:
    """Walks statements once, recording imports, classes and bindings."""

    def __init__(self, module: str, is_package: bool, text: str) -> None:
        self.facts = FileFacts(module=module, is_package=is_package)
        self._column = _ColumnMapper(text)
        self._table: dict[str, str] = {}  # grows as module-level imports are seen
        self._text = text
        self._text_lines: list[str] | None = None
        self._keyword_lines = _keyword_lines(text)

    # -- entry point ---------------------------------------------------------

    def extract(self, tree: ast.Module) -> FileFacts:
        self._block(tree.body, _Context())
        return self.facts

    # -- helpers -------------------------------------------------------------

    def _qualify(self, node: ast.expr) -> str | None:
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in self._table:
            base = self._table[head]
            return f"{base}.{rest}" if rest else base
        if head in self.facts.bindings and self.facts.module:
            return f"{self.facts.module}.{dotted}"
        return dotted

    def _bind(self, ctx: _Context, names: Iterable[str]) -> None:
        if ctx.module_level:
            self.facts.bindings.update(names)

    # -- statements ----------------------------------------------------------

    def _block(self, body: list[ast.stmt], ctx: _Context) -> None:
        for stmt in body:
            self._stmt(stmt, ctx)

    def _stmt(self, stmt: ast.stmt, ctx: _Context) -> None:
        kind = type(stmt)
        if kind in _INERT or (kind in _ASSIGNMENTS and not ctx.module_level):
            return  # most statements: nothing below binds or imports at module level
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self._import(stmt, ctx)
        elif isinstance(stmt, ast.ClassDef):
            self._bind(ctx, [stmt.name])
            if ctx.module_level:
                self._class(stmt)
            # A class body runs where it stands: a try around it still guards it.
            if self._may_import(stmt):
                self._block(stmt.body, _replace(ctx, module_level=False))
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._bind(ctx, [stmt.name])
            if ctx.module_level and stmt.name == "__getattr__":
                self.facts.has_getattr = True
            if self._may_import(stmt):
                self._function_body(stmt.body, ctx)
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                self._bind(ctx, _target_names(target))
            if ctx.module_level:
                self._assignment(stmt.targets, stmt.value)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self._bind(ctx, _target_names(stmt.target))
                if ctx.module_level:
                    self._assignment([stmt.target], stmt.value)
        elif isinstance(stmt, ast.AugAssign):
            self._bind(ctx, _target_names(stmt.target))
            if ctx.module_level and _dotted(stmt.target) == "__all__":
                self._extend_all(stmt.value)
        elif isinstance(stmt, ast.If):
            if _is_type_checking(stmt.test):
                self._block(stmt.body, _replace(ctx, type_checking=True))
                self._block(stmt.orelse, ctx)
            else:
                self._block(stmt.body, ctx)
                self._block(stmt.orelse, ctx)
        elif isinstance(stmt, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            guarded = ctx.guarded or _catches_import_error(stmt.handlers)
            self._block(stmt.body, _replace(ctx, guarded=guarded))
            for handler in stmt.handlers:
                if handler.name:
                    self._bind(ctx, [handler.name])
                self._block(handler.body, _replace(ctx, in_except=True))
            self._block(stmt.orelse, ctx)
            self._block(stmt.finalbody, ctx)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self._bind(ctx, _target_names(stmt.target))
            self._block(stmt.body, ctx)
            self._block(stmt.orelse, ctx)
        elif isinstance(stmt, ast.While):
            self._block(stmt.body, ctx)
            self._block(stmt.orelse, ctx)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    self._bind(ctx, _target_names(item.optional_vars))
            self._block(stmt.body, ctx)
        elif isinstance(stmt, ast.Global):
            # `global X` inside a function binds X at module level.
            self.facts.bindings.update(stmt.names)
        elif isinstance(stmt, ast.Match):
            for case in stmt.cases:
                self._block(case.body, ctx)
        elif _TypeAlias is not None and isinstance(stmt, _TypeAlias):
            self._bind(ctx, _target_names(stmt.name))

    def _may_import(self, stmt: ast.stmt) -> bool:
        """Whether ``stmt``'s lines spell ``import`` or ``global``.

        In a class or function body only imports and ``global`` statements
        are facts, and every such statement has its keyword within the
        lines of the body holding it: a body without either word is skipped
        unwalked (most of them; about half of the extraction's time).
        """
        lines = self._keyword_lines
        if lines is None:
            return True
        i = bisect_left(lines, stmt.lineno)
        return i < len(lines) and lines[i] <= (stmt.end_lineno or stmt.lineno)

    def _function_body(self, body: list[ast.stmt], ctx: _Context) -> None:
        inner = _Context(ctx.type_checking, True, False, False, False)
        self._block(body, inner)

    def _import(self, stmt: ast.Import | ast.ImportFrom, ctx: _Context) -> None:
        facts = self.facts
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                fact = self._fact(alias, alias.name, None, alias.asname, 0, ctx, stmt)
                facts.imports.append(fact)
                head = alias.name.split(".", 1)[0]
                bound = alias.asname or head
                self._bind(ctx, [bound])
                if ctx.module_level:
                    self._table[bound] = alias.name if alias.asname else head
            return
        module = resolve_relative(facts.module, facts.is_package, stmt.level, stmt.module)
        for alias in stmt.names:
            fact = self._fact(alias, module, alias.name, alias.asname, stmt.level, ctx, stmt)
            facts.imports.append(fact)
            if alias.name == "*":
                continue
            bound = alias.asname or alias.name
            self._bind(ctx, [bound])
            if ctx.module_level:
                self._table[bound] = fact.target

    def _fact(
        self,
        alias: ast.alias,
        module: str,
        name: str | None,
        asname: str | None,
        level: int,
        ctx: _Context,
        stmt: ast.Import | ast.ImportFrom,
    ) -> ImportFact:
        line = alias.lineno
        end_line = alias.end_lineno or line
        stmt_end_line = stmt.end_lineno or stmt.lineno
        return ImportFact(
            module=module,
            name=name,
            asname=asname,
            level=level,
            line=line,
            column=self._column(line, alias.col_offset),
            end_line=end_line,
            end_column=self._column(end_line, alias.end_col_offset or alias.col_offset),
            type_checking=ctx.type_checking,
            in_function=ctx.in_function,
            guarded=ctx.guarded,
            in_except=ctx.in_except,
            stmt_line=stmt.lineno,
            stmt_column=self._column(stmt.lineno, stmt.col_offset),
            stmt_end_line=stmt_end_line,
            stmt_end_column=self._column(stmt_end_line, stmt.end_col_offset or stmt.col_offset),
            stmt_names=len(stmt.names),
        )

    def _class(self, node: ast.ClassDef) -> None:
        bases = tuple(q for q in (self._qualify(b) for b in node.bases) if q)
        methods: list[str] = []
        members: list[tuple[str, str]] = []
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if not stmt.name.startswith("_"):
                    methods.append(stmt.name)
            elif isinstance(stmt, ast.Assign) and node.bases:
                for target in stmt.targets:
                    if isinstance(target, ast.Name) and not target.id.startswith("_"):
                        members.append((target.id, ast.unparse(stmt.value)))
            elif (
                isinstance(stmt, ast.AnnAssign)
                and stmt.value is not None
                and node.bases
                and isinstance(stmt.target, ast.Name)
                and not stmt.target.id.startswith("_")
            ):
                members.append((stmt.target.id, ast.unparse(stmt.value)))
        # The class name's position: `class` keyword + whitespace, found in the text.
        line, column = self._name_position(node)
        self.facts.classes.append(
            ClassFact(
                name=node.name,
                line=line,
                column=column,
                end_line=line,
                end_column=column + len(node.name),
                bases=bases,
                methods=tuple(dict.fromkeys(methods)),
                members=tuple(members),
                is_shim=all(_is_docstring_or_pass(s) for s in node.body),
            )
        )

    def _name_position(self, node: ast.ClassDef) -> tuple[int, int]:
        # ast positions the class at its first decorator-free line: `class Name`.
        # The name follows the keyword and whitespace on that line.
        line = node.lineno
        lines = self._lines()
        if line - 1 < len(lines):
            text = lines[line - 1]
            for match in _CLASS_NAME.finditer(text):
                if match.group(1) == node.name:
                    return line, match.start(1) + 1
            # A name with characters \w does not cover (rare): the exact search.
            found = re.search(r"\bclass\s+" + re.escape(node.name) + r"\b", text)
            if found:
                return line, found.end() - len(node.name) + 1
        return line, self._column(line, node.col_offset)

    def _lines(self) -> list[str]:
        if self._text_lines is None:
            self._text_lines = split_lines(self._text)
        return self._text_lines

    def _assignment(self, targets: list[ast.expr], value: ast.expr) -> None:
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if "__getattr__" in names:
            # `__getattr__ = _lazy_loader(...)`: a module-level hook all the same.
            self.facts.has_getattr = True
        if "__all__" in names:
            self.facts.all_names = ()
            self._extend_all(value)
            return
        qualified = self._qualify(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
        if qualified:
            for name in names:
                self.facts.aliases[name] = qualified

    def _extend_all(self, value: ast.expr) -> None:
        if isinstance(value, (ast.List, ast.Tuple)):
            names = [e.value for e in value.elts if isinstance(e, ast.Constant)]
            current = self.facts.all_names or ()
            self.facts.all_names = current + tuple(n for n in names if isinstance(n, str))


_TypeAlias = getattr(ast, "TypeAlias", None)
# Statements ``_stmt`` has nothing to record for (no nested statements, no
# module-level binding), and assignments, which only bind at module level.
_INERT = frozenset(
    {
        ast.Expr,
        ast.Return,
        ast.Pass,
        ast.Raise,
        ast.Delete,
        ast.Assert,
        ast.Break,
        ast.Continue,
        ast.Nonlocal,
    }
)
_ASSIGNMENTS = frozenset({ast.Assign, ast.AnnAssign, ast.AugAssign})
# One pattern for every class (compiling one per class name cost a quarter of
# the whole extraction).
_CLASS_NAME = re.compile(r"\bclass\s+(\w+)\b")


def _keyword_lines(text: str) -> list[int] | None:
    """The sorted numbers of the lines where ``import`` or ``global`` occurs
    (anywhere: in names, strings and comments too); None where lines are not
    all ``\\n``-terminated, so counting newlines would not number them."""
    if "\r" in text:
        return None
    positions: list[int] = []
    for word in ("import", "global"):  # str.find: several times faster than a pattern
        start = text.find(word)
        while start != -1:
            positions.append(start)
            start = text.find(word, start + 6)
    positions.sort()
    lines: list[int] = []
    line, previous = 1, 0
    for start in positions:
        line += text.count("\n", previous, start)
        previous = start
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _replace(ctx: _Context, **changes: bool) -> _Context:
    values = {
        "type_checking": ctx.type_checking,
        "in_function": ctx.in_function,
        "guarded": ctx.guarded,
        "in_except": ctx.in_except,
        "module_level": ctx.module_level,
    }
    values.update(changes)
    return _Context(**values)


def _nul_position(text: str) -> tuple[int, int]:
    """Where the first NUL is: Python 3.11 rejects NUL bytes without saying where."""
    if "\0" not in text:
        return 1, 1
    before = split_lines(text[: text.index("\0")])
    return len(before), len(before[-1]) + 1


def extract_facts(text: str, module: str, is_package: bool) -> tuple[FileFacts, ast.Module | None]:
    """Parse ``text`` and extract its facts; a syntax error is recorded, not raised."""
    try:
        tree = parse_python(text)
    except SyntaxError as exc:
        facts = FileFacts(module=module, is_package=is_package)
        where = (exc.lineno, exc.offset or 1) if exc.lineno else _nul_position(text)
        facts.syntax_error = (exc.msg, *where)
        return facts, None
    except (ValueError, MemoryError, RecursionError) as exc:
        facts = FileFacts(module=module, is_package=is_package)
        facts.syntax_error = (str(exc) or type(exc).__name__, *_nul_position(text))
        return facts, None
    facts = FactExtractor(module, is_package, text).extract(tree)
    if may_hold_directive(text):
        facts.suppressions = scan_suppressions(text, parses=True)
    return facts, tree
