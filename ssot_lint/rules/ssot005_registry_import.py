"""SSOT005 registry-import."""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ssot_lint.diagnostics import Applicability, Diagnostic, Edit, Fix
from ssot_lint.facts import ImportFact
from ssot_lint.project import Found, Project, ProjectFile
from ssot_lint.registry import (
    Hint,
    Registry,
    RegistryEntry,
    RegistryImport,
    load_project_registry,
)
from ssot_lint.rules.base import ProjectRule
from ssot_lint.source import SourceError, read_source, split_lines


class RegistryImportRule(ProjectRule):
    code = "SSOT005"
    name = "registry-import"
    summary = "First-party import that breaks the SSOT import registry"
    fixable = True
    what_it_does = """
        Checks every first-party import (absolute or relative, at module level,
        in functions, under `TYPE_CHECKING`) against the code and against the
        SSOT import registry (`registry`, else `SSOT_IMPORT_REGISTRY.md` at the
        project root or in `docs/`):

        (a) an import the registry lists as broken: the message quotes the
            registry's `USE INSTEAD` line and where both lines are;
        (b) a registered symbol imported through another first-party path
            that resolves to the same object (a re-export, such as a package
            `__init__`): import it from its registered path. A different object
            with the same name is not this rule's business;
        (c) an import that cannot work: the module does not exist, or it
            neither defines, binds (assignment, import, `global`), re-exports
            nor provides through a first-party star import the name, and has no
            such submodule. Modules with a module-level `__getattr__` or a star
            import that cannot be followed are skipped, not guessed. Imports
            guarded by `try/except ImportError` are reported only with
            `imports.report-guarded`; fallback imports inside the `except`
            body and `TYPE_CHECKING` imports always;
        (d) with `imports.strict`, any first-party import the registry does not
            list.

        Each imported name gets at most one diagnostic, at the name, in the
        order (a), (c), (b), (d). Without a registry only (c) applies.

        The registry is Markdown as teams write it: fenced `python` blocks
        whose lines take their status from their own marker (`# ❌` broken,
        `# ❓` unverified but registered, `# ✅`), else from a marker-only
        comment line above them in the block (`# ❌ BEFORE:`), else from the
        nearest heading that says ("✅ VERIFIED IMPORTS", "❌ BROKEN IMPORTS (Do
        Not Use)"); `# USE INSTEAD: <import>` follows the broken line(s) it
        replaces; `from m import [SOME_CLASSES]` registers (or breaks) module
        `m` as a whole. A `.toml` registry in ssot-lint's own format works the
        same (`ssot-lint registry export` converts). `ssot-lint registry check`
        lists the registry lines the code no longer has.
        """
    why_bad = """
        The registry is how a large team keeps one import path per concept.
        Imports from broken or removed paths fail at collection time — one
        stale line can keep thousands of tests from running — and imports
        through re-exports keep compatibility layers alive that the
        consolidation wants to delete.
        """
    example = """
        # file: SSOT_IMPORT_REGISTRY.md
        # SSOT Import Registry

        ## ✅ VERIFIED IMPORTS

        ~~~python
        from netra_backend.app.services.user_execution_context import UserExecutionContext
        from netra_backend.app.websocket.bridge import create_websocket_bridge
        ~~~

        ## ❌ BROKEN IMPORTS (Do Not Use)

        ~~~python
        from netra_backend.app.websocket.bridge import get_websocket_bridge  # ❌ shared
        # USE INSTEAD: from netra_backend.app.websocket.bridge import create_websocket_bridge
        ~~~

        # file: netra_backend/app/services/__init__.py
        from netra_backend.app.services.user_execution_context import UserExecutionContext

        # file: netra_backend/app/services/user_execution_context.py
        class UserExecutionContext:
            user_id: str

        # file: netra_backend/app/websocket/bridge.py
        def create_websocket_bridge(user_id: str) -> object: ...
        def get_websocket_bridge() -> object: ...

        # file: netra_backend/app/agents/triage_agent.py
        from netra_backend.app.services import UserExecutionContext
        from netra_backend.app.websocket.bridge import get_websocket_bridge
        from netra_backend.app.services.state_persistence import save_run_snapshot
        """
    use_instead = """
        # file: SSOT_IMPORT_REGISTRY.md
        # SSOT Import Registry

        ## ✅ VERIFIED IMPORTS

        ~~~python
        from netra_backend.app.services.user_execution_context import UserExecutionContext
        from netra_backend.app.websocket.bridge import create_websocket_bridge
        ~~~

        # file: netra_backend/app/services/user_execution_context.py
        class UserExecutionContext:
            user_id: str

        # file: netra_backend/app/websocket/bridge.py
        def create_websocket_bridge(user_id: str) -> object: ...

        # file: netra_backend/app/agents/triage_agent.py
        from netra_backend.app.services.user_execution_context import UserExecutionContext
        from netra_backend.app.websocket.bridge import create_websocket_bridge
        """
    options = ("registry", "imports.strict", "imports.report-guarded")
    fix_safety = """
        (a) and (b) rewrite the import to the registered (`USE INSTEAD`) module.
        The fix is safe when the statement imports only that name and the name
        stays the same; it is unsafe when the statement imports other names too
        (the name moves to a statement of its own) or when the replacement has
        a different name (it is imported under the old name with `as`, and the
        two classes may differ). (c) and (d) have no automatic fix.
        """
    VALID = [
        # A guarded optional import, a lazy module, and a namespace package.
        """
        # file: netra_backend/app/agents/monitor.py
        try:
            from netra_backend.app.services.metrics_exporter import MetricsExporter
        except ImportError:
            MetricsExporter = None

        from netra_backend.app.plugins import SlackNotifier
        from shared.logging.structured import JsonFormatter

        # file: netra_backend/app/plugins/__init__.py
        def __getattr__(name: str) -> object:
            raise AttributeError(name)

        # file: shared/logging/structured.py
        class JsonFormatter: ...
        """,
    ]
    INVALID = [
        # A relative import of a module that was deleted.
        """
        # file: netra_backend/app/agents/triage_agent.py
        from ..core.agent_state_tracker import AgentStateTracker

        # file: netra_backend/app/core/__init__.py
        """,
    ]

    def check(self, project: Project) -> Iterable[Diagnostic]:
        registry = load_project_registry(project.layout.root, project.settings)
        checker = _Checker(project, registry)
        for file in sorted(project.targets, key=lambda f: f.rel_path):
            if file.facts.syntax_error is not None:
                continue
            for imp in file.facts.imports:
                diagnostic = checker.check(file, imp)
                if diagnostic is not None:
                    yield diagnostic


@dataclass(frozen=True)
class _Rewrite:
    module: str
    name: str | None  # the name the replacement imports (None: keep)


class _Checker:
    def __init__(self, project: Project, registry: Registry | None) -> None:
        self.project = project
        self.registry = registry
        self.settings = project.settings.imports
        self._by_object: dict[str, list[tuple[RegistryEntry, RegistryImport]]] | None = None
        self._chains: set[str] = set()
        self._lines: dict[str, list[str] | None] = {}

    # -- the registry, keyed by what its lines denote --------------------------

    def by_object(self) -> dict[str, list[tuple[RegistryEntry, RegistryImport]]]:
        if self._by_object is None:
            index: dict[str, list[tuple[RegistryEntry, RegistryImport]]] = {}
            assert self.registry is not None
            for entry in self.registry.entries:
                if not entry.status.registered:
                    continue
                for item in entry.items:
                    if item.name is None or item.is_wildcard:
                        continue
                    chain = self.project.resolution_chain(item.target)
                    self._chains.update(chain)
                    index.setdefault(chain[-1], []).append((entry, item))
            self._by_object = index
        return self._by_object

    # -- one import ------------------------------------------------------------

    def check(self, file: ProjectFile, imp: ImportFact) -> Diagnostic | None:
        if imp.module == "__future__":
            return None
        if not imp.level and not self.project.is_first_party(imp.module):
            return None
        if imp.level and not self.project.is_first_party(file.facts.module):
            # A file outside the first-party roots has a guessed module name:
            # where its relative imports lead is a guess too.
            return None
        name = imp.name
        registry = self.registry
        if registry is not None and imp.module:
            broken = registry.broken(imp.module, name)
            if broken is not None:
                return self.broken(file, imp, *broken)
        if not (imp.guarded and not imp.in_except and not self.settings.report_guarded):
            lookup = self.project.lookup_import(imp)
            if lookup.found is Found.NO:
                return self.unresolved(file, imp, lookup.reason)
        if registry is None or not imp.module:
            return None
        if name is not None and not imp.is_star and not registry.is_registered(imp.module, name):
            diagnostic = self.reexport(file, imp)
            if diagnostic is not None:
                return diagnostic
        if self.settings.strict and not registry.is_registered(imp.module, name):
            return self.unregistered(file, imp)
        return None

    def diagnostic(
        self, file: ProjectFile, imp: ImportFact, message: str, fix: Fix | None = None
    ) -> Diagnostic:
        return Diagnostic(
            code=RegistryImportRule.code,
            message=message,
            path=file.rel_path,
            line=imp.line,
            column=imp.column,
            end_line=imp.end_line,
            end_column=imp.end_column,
            fix=fix,
            scope=file.facts.module,
            snippet=imp.statement,
        )

    # -- (a) --------------------------------------------------------------------

    def broken(
        self, file: ProjectFile, imp: ImportFact, entry: RegistryEntry, item: RegistryImport
    ) -> Diagnostic:
        registry = self.registry
        assert registry is not None
        note = f" ({entry.note})" if entry.note else ""
        listed = f"`{_absolute(imp)}` is listed as broken in {registry.where(entry.line)}{note}"
        if not entry.use_instead:
            return self.diagnostic(file, imp, f"{listed}; the registry gives no replacement")
        hints = "; ".join(f"`{h.text}` ({registry.where(h.line)})" for h in entry.use_instead)
        rewrite = _rewrite_from_hints(imp, entry.use_instead)
        fix = (
            self.fix(file, imp, rewrite, "Use the registry's USE INSTEAD import")
            if rewrite
            else None
        )
        return self.diagnostic(file, imp, f"{listed}; USE INSTEAD: {hints}", fix)

    # -- (c) --------------------------------------------------------------------

    def unresolved(self, file: ProjectFile, imp: ImportFact, reason: str) -> Diagnostic:
        message = f"cannot resolve `{_absolute(imp)}`: {reason}"
        suggestion = self.suggest(imp)
        if suggestion:
            message += f"; {suggestion}"
        return self.diagnostic(file, imp, message)

    def suggest(self, imp: ImportFact) -> str:
        name = imp.name if imp.name not in (None, "*") else None
        if name is None:
            return ""
        if self.registry is not None:
            for entry in self.registry.entries:
                if entry.status.registered and any(i.name == name for i in entry.items):
                    return f"the registry lists `{entry.text}` ({self.registry.where(entry.line)})"
        found = self.project.definitions_named(name)
        if len(found) == 1:
            return f"`{name}` is defined in `{found[0].rsplit('.', 1)[0]}`"
        return ""

    # -- (b) --------------------------------------------------------------------

    def reexport(self, file: ProjectFile, imp: ImportFact) -> Diagnostic | None:
        registry = self.registry
        assert registry is not None and imp.name is not None
        index = self.by_object()
        target = self.project.resolve(imp.target)
        registered = index.get(target)
        if not registered:
            return None
        # The modules whose re-exports make a registered path work import the
        # symbol through some other path by necessity.
        if f"{file.facts.module}.{imp.bound_name}" in self._chains:
            return None
        same_name = [(e, i) for e, i in registered if i.name == imp.name]
        entry, item = (same_name or registered)[0]
        registered_line = f"from {item.module} import {item.name}"
        message = (
            f"`{imp.name}` is registered as `{registered_line}` ({registry.where(entry.line)}); "
            f"import it from there, not through `{imp.module}`"
        )
        rewrite = _Rewrite(item.module, None if item.name == imp.name else item.name)
        fix = self.fix(file, imp, rewrite, f"Import `{item.name}` from `{item.module}`")
        return self.diagnostic(file, imp, message, fix)

    # -- (d) --------------------------------------------------------------------

    def unregistered(self, file: ProjectFile, imp: ImportFact) -> Diagnostic:
        registry = self.registry
        assert registry is not None
        message = (
            f"`{_absolute(imp)}` is not in the import registry {registry.display} (strict mode)"
        )
        if imp.name not in (None, "*"):
            suggestion = self.suggest(imp)
            if suggestion.startswith("the registry"):
                message += f"; {suggestion}"
        return self.diagnostic(file, imp, message)

    # -- fixes ------------------------------------------------------------------

    def lines(self, file: ProjectFile) -> list[str] | None:
        if file.rel_path not in self._lines:
            try:
                self._lines[file.rel_path] = split_lines(read_source(file.path).text)
            except SourceError:
                self._lines[file.rel_path] = None
        return self._lines[file.rel_path]

    def fix(self, file: ProjectFile, imp: ImportFact, rewrite: _Rewrite, title: str) -> Fix | None:
        """Rewrite one imported name to another module (and maybe name)."""
        lines = self.lines(file)
        if lines is None or imp.stmt_line < 1:
            return None
        renamed = rewrite.name is not None and rewrite.name != (imp.name or "")
        if imp.name is None:
            # `import a.b` -> `import c.d`: references through `a.b.` would break
            # unless the module is bound to an alias.
            if rewrite.name is not None:
                return None
            edit = Edit(
                imp.line, imp.column, imp.line, imp.column + len(imp.module), rewrite.module
            )
            safety = Applicability.SAFE if imp.asname else Applicability.UNSAFE
            return Fix(title, (edit,), safety)
        alias = _alias_text(imp, rewrite)
        if imp.stmt_names == 1:
            span = _module_span(lines, imp)
            if span is None:
                return None
            edits = [Edit(*span, rewrite.module)]
            if renamed:
                edits.append(Edit(imp.line, imp.column, imp.end_line, imp.end_column, alias))
            safety = Applicability.UNSAFE if renamed else Applicability.SAFE
            return Fix(title, tuple(sorted(edits)), safety)
        return self.split_fix(file, imp, lines, rewrite.module, alias, title)

    def split_fix(
        self,
        file: ProjectFile,
        imp: ImportFact,
        lines: list[str],
        module: str,
        alias: str,
        title: str,
    ) -> Fix | None:
        """Take the name out of a multi-name statement into its own import line."""
        indent = lines[imp.stmt_line - 1][: imp.stmt_column - 1]
        if indent.strip():
            return None  # `if x: from m import a, b` — no line of its own to add after
        siblings = sorted(
            (
                other
                for other in file.facts.imports
                if other.stmt_line == imp.stmt_line and other.stmt_column == imp.stmt_column
            ),
            key=lambda o: (o.line, o.column),
        )
        index = next((n for n, o in enumerate(siblings) if o == imp), None)
        if index is None or len(siblings) < 2:
            return None
        if index + 1 < len(siblings):
            after = siblings[index + 1]
            removal = Edit(imp.line, imp.column, after.line, after.column, "")
        else:
            before = siblings[index - 1]
            removal = Edit(before.end_line, before.end_column, imp.end_line, imp.end_column, "")
        statement = f"from {module} import {alias}"
        newline = "\r\n" if _uses_crlf(file) else "\n"
        # The line after the statement; past the end of a file without a final
        # newline, the fix applier supplies the newline first.
        after_line = imp.stmt_end_line + 1
        insert = Edit(after_line, 1, after_line, 1, indent + statement + newline)
        return Fix(title, tuple(sorted((removal, insert))), Applicability.UNSAFE)


def _uses_crlf(file: ProjectFile) -> bool:
    try:
        return b"\r\n" in file.path.read_bytes()
    except OSError:
        return False


def _absolute(imp: ImportFact) -> str:
    if imp.name is None:
        return f"import {imp.module}"
    return f"from {imp.module or '.' * imp.level} import {imp.name}"


def _alias_text(imp: ImportFact, rewrite: _Rewrite) -> str:
    name = rewrite.name or imp.name or ""
    bound = imp.asname or imp.name
    return name if bound == name else f"{name} as {bound}"


def _rewrite_from_hints(imp: ImportFact, hints: list[Hint]) -> _Rewrite | None:
    """The replacement a USE INSTEAD line gives for this imported name."""
    items = [i for h in hints if h.statement is not None for i in h.statement.items]
    if imp.name is None:
        modules = [i for i in items if i.name is None]
        return _Rewrite(modules[0].module, None) if len(modules) == 1 else None
    for item in items:
        if item.name == imp.name:
            return _Rewrite(item.module, None)
    named = [i for i in items if i.name is not None and not i.is_wildcard]
    if len(named) == 1:
        return _Rewrite(named[0].module, named[0].name)
    return None


def _module_span(lines: list[str], imp: ImportFact) -> tuple[int, int, int, int] | None:
    """(line, column, end_line, end_column) of the module in ``from <module> import``."""
    segment = "\n".join(lines[imp.stmt_line - 1 : imp.stmt_end_line]) + "\n"
    start: tuple[int, int] | None = None
    end: tuple[int, int] | None = None
    seen_from = False
    try:
        for token in _tokens(segment):
            row, col = token.start
            if not seen_from:
                if (
                    token.type == tokenize.NAME
                    and token.string == "from"
                    and (row > 1 or col >= imp.stmt_column - 1)
                ):
                    seen_from = True
                continue
            if token.type == tokenize.NAME and token.string == "import":
                break
            if token.type in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
                continue
            start = start or token.start
            end = token.end
    except (tokenize.TokenError, SyntaxError):
        return None
    if start is None or end is None:
        return None
    base = imp.stmt_line - 1
    return (base + start[0], start[1] + 1, base + end[0], end[1] + 1)


def _tokens(segment: str) -> Iterator[tokenize.TokenInfo]:
    # The statement may sit inside an indented block: tokenize it on its own.
    return tokenize.generate_tokens(io.StringIO(segment).readline)
