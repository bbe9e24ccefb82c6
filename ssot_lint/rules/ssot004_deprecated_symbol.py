"""SSOT004 deprecated-symbol."""

from __future__ import annotations

from dataclasses import dataclass

from ssot_lint.config import Settings
from ssot_lint.facts import resolve_relative
from ssot_lint.knowledge import ProjectKnowledge
from ssot_lint.lazy import cst
from ssot_lint.resolver import dotted_name, import_module_name, matches_name, module_matches
from ssot_lint.rules.base import CstRule, FileContext


@dataclass(frozen=True)
class _Target:
    configured: str  # as written in the settings
    replacement: str
    is_module: bool

    @property
    def short(self) -> str:
        return self.configured.rsplit(".", 1)[-1]


def _targets(settings: Settings) -> list[_Target]:
    found = [_Target(d.symbol, d.replacement, False) for d in settings.deprecated if d.symbol] + [
        _Target(d.module, d.replacement, True) for d in settings.deprecated if d.module
    ]
    for canonical in settings.canonical:
        found += [_Target(m, canonical.class_, True) for m in canonical.absorbed_modules]
    return found


class DeprecatedSymbol(CstRule):
    code = "SSOT004"
    name = "deprecated-symbol"
    summary = "Import or use of a deprecated symbol or module"
    what_it_does = """
        Reports every import of a deprecated symbol (default: `DeepAgentState`)
        or deprecated module (configured ones, and modules absorbed by a
        canonical class): one diagnostic per imported name, one per module
        import statement; every attribute access that reaches the symbol
        through a module alias (`agent_state.DeepAgentState`); and string
        annotations that name it. Imports under `TYPE_CHECKING` and relative
        imports count. The defining module itself is not checked.

        Names are resolved through the module's imports: with a qualified
        configuration only that object counts (a different class of the same
        name elsewhere does not, a re-export of it does); the zero-config
        default matches any symbol of that name.
        """
    why_bad = """
        Deprecated types keep the old design alive. `DeepAgentState` is shared
        mutable state: every new importer is another place where one user's
        data can leak into another user's execution, and another module the
        migration to `UserExecutionContext` has to touch.
        """
    example = """
        from typing import TYPE_CHECKING

        from netra_backend.app.agents.state import DeepAgentState

        if TYPE_CHECKING:
            from netra_backend.app.agents import state as agent_state


        def run_triage(request: str, state: "DeepAgentState") -> None:
            snapshot = agent_state.DeepAgentState(user_request=request)
            print(snapshot, state)
        """
    use_instead = """
        from netra_backend.app.services.user_execution_context import UserExecutionContext


        def run_triage(request: str, context: UserExecutionContext) -> None:
            print(request, context.user_id)
        """
    options = ("deprecated", "canonical.absorbed-modules")
    fix_safety = """
        No automatic fix: the replacement type has a different interface
        (`UserExecutionContext` is immutable and per-request), so the code
        around each use has to change by hand.
        """
    VALID = [
        # Mentions in comments, docstrings and plain strings are not uses.
        '''
        """Replaces the old DeepAgentState."""
        # DeepAgentState was removed here
        log = "DeepAgentState is deprecated"
        ''',
        # The defining module is not checked.
        """
        class DeepAgentState:
            pass

        def copy(state: "DeepAgentState") -> "DeepAgentState":
            return DeepAgentState()
        """,
    ]
    INVALID = [
        """
        from ..agents.state import DeepAgentState as LegacyState
        """,
        """
        import netra_backend.app.agents.state as st

        def f() -> None:
            st.DeepAgentState()
        """,
    ]

    @classmethod
    def triggers(cls, settings: Settings) -> tuple[str, ...]:
        return tuple({t.short for t in _targets(settings)})

    @classmethod
    def project_triggers(cls, settings: Settings, knowledge: ProjectKnowledge) -> tuple[str, ...]:
        # `from app.compat import Legacy` names a re-export, not the class.
        renamed = {
            alias.rsplit(".", 1)[-1]
            for target in _targets(settings)
            if not target.is_module
            for alias in knowledge.aliases_for(target.configured)
        }
        return tuple(sorted(set(cls.triggers(settings)) | renamed))

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._targets = _targets(ctx.settings)
        self._symbols = [t for t in self._targets if not t.is_module]
        self._modules = [t for t in self._targets if t.is_module]
        self._skip_file = self._defines_target(ctx)
        self._annotation_depth = 0
        self._import_depth = 0

    # -- which file defines what ----------------------------------------------

    def _defines_target(self, ctx: FileContext) -> bool:
        module = ctx.module_name
        for target in self._modules:
            if module_matches(module, target.configured):
                return True
        defined = {c.name for c in ctx.facts.classes} | (
            ctx.facts.bindings - set(ctx.facts.import_table())
        )
        for target in self._symbols:
            if "." in target.configured:
                if target.configured == f"{module}.{target.short}":
                    return True
            elif target.short in defined:
                return True
        return False

    def _symbol(self, qualified: str | None) -> _Target | None:
        for target in self._symbols:
            aliases = self.ctx.knowledge.aliases_for(target.configured)
            if matches_name(qualified, target.configured, aliases):
                return target
        return None

    def _module(self, module: str) -> _Target | None:
        return next((t for t in self._modules if module_matches(module, t.configured)), None)

    # -- messages ------------------------------------------------------------

    def _report_symbol(self, node: cst.CSTNode, target: _Target, how: str) -> None:
        self.report(node, f"{how} deprecated `{target.short}`{_instead(target.replacement)}")

    def _report_module(self, node: cst.CSTNode, module: str, target: _Target) -> None:
        self.report(node, f"import of deprecated module `{module}`{_instead(target.replacement)}")

    # -- imports -------------------------------------------------------------

    def visit_Import(self, node: cst.Import) -> None:
        self._import_depth += 1
        if self._skip_file:
            return
        for alias in node.names:
            module = import_module_name(alias.name)
            target = self._module(module)
            if target is not None:
                self._report_module(alias.name, module, target)

    def leave_Import(self, node: cst.Import) -> None:
        self._import_depth -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._import_depth += 1
        if self._skip_file:
            return
        module = resolve_relative(
            self.ctx.module_name,
            self.ctx.facts.is_package,
            len(node.relative),
            import_module_name(node.module) or None,
        )
        reported_names = False
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                name = dotted_name(alias.name) or ""
                qualified = f"{module}.{name}" if module else name
                target = self._symbol(qualified)
                if target is not None:
                    self._report_symbol(alias.name, target, "import of")
                    reported_names = True
                    continue
                module_target = self._module(qualified)
                if module_target is not None:
                    self._report_module(alias.name, qualified, module_target)
                    reported_names = True
        module_target = self._module(module) if module else None
        if module_target is not None and not reported_names:
            anchor = node.module if node.module is not None else node
            self._report_module(anchor, module, module_target)

    def leave_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._import_depth -= 1

    # -- attribute access through a module alias -----------------------------

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self._skip_file or self._import_depth:
            return
        if node.attr.value not in {t.short for t in self._symbols}:
            return
        if not self.ctx.resolver.is_imported(node):
            return
        target = self._symbol(self.ctx.qualified_name(node))
        if target is not None:
            self._report_symbol(node, target, "use of")

    # -- string annotations ---------------------------------------------------

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._annotation_depth += 1

    def leave_Annotation(self, node: cst.Annotation) -> None:
        self._annotation_depth -= 1

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self._skip_file or not self._annotation_depth:
            return
        value = node.evaluated_value
        if not isinstance(value, str) or not any(t.short in value for t in self._symbols):
            return
        try:
            expression = cst.parse_expression(value.strip())
        except cst.ParserSyntaxError:
            return
        for found in _names_in(expression):
            target = self._symbol(self.ctx.qualified_name(found))
            if target is not None:
                self._report_symbol(node, target, "annotation names")
                return


def _instead(replacement: str) -> str:
    """``; use `UserExecutionContext` (from `pkg.services.context`) instead``."""
    if not replacement:
        return ""
    module, _, name = replacement.rpartition(".")
    where = f" (from `{module}`)" if module else ""
    return f"; use `{name}`{where} instead"


def _names_in(expression: cst.BaseExpression) -> list[cst.BaseExpression]:
    """Outermost Name/Attribute chains: ``Optional[a.B]`` -> ``Optional``, ``a.B``."""
    found: list[cst.BaseExpression] = []

    class Collector(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            if dotted_name(node) is not None:
                found.append(node)
                return False
            return True

        def visit_Name(self, node: cst.Name) -> bool:
            found.append(node)
            return False

    expression.visit(Collector())
    return found
