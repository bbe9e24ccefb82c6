"""SSOT003 dict-state-update."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from ssot_lint.config import Settings
from ssot_lint.diagnostics import Applicability
from ssot_lint.lazy import cst
from ssot_lint.rules.base import CstRule, FileContext, NodeEdit, PendingFix

# A trigger no analysable file contains (NUL bytes make the file a parse error
# before any libcst rule runs): with no state functions configured the rule can
# never fire, and an empty tuple would mean "always parse".
_NEVER = "\x00"
_UNKNOWN = object()  # not a constant we can compare
_BUILTIN_DICT = frozenset({"dict", "builtins.dict"})

Bindings = dict[str, list[Any]]  # name -> assigned value node per binding (None: not a plain `=`)


def _function_names(settings: Settings) -> frozenset[str]:
    # Matched by name on any receiver: a dotted entry counts by its last part.
    return frozenset(f.rsplit(".", 1)[-1] for f in settings.state.functions if f)


class DictStateUpdate(CstRule):
    code = "SSOT003"
    name = "dict-state-update"
    summary = "State-update call given a dict or literal instead of a state enum member"
    what_it_does = """
        Checks calls to the configured state-update functions (default
        `update_execution_state`), matched by name on any receiver
        (`tracker.update_execution_state(...)`, `self._tracker...`,
        `get_execution_tracker().update_execution_state(...)`, a bare call).
        Reports the call when its state argument (the 2nd positional argument,
        or the keyword `state` / `new_state`) is a dict display, a dict
        comprehension, a call of the builtin `dict(...)`, a string, f-string,
        number, bool or `None` literal, or a name whose only binding in the
        scope it belongs to (the function, or the module for a global) is one
        of those (`outcome = {"success": True}` then
        `update_execution_state(eid, outcome)`).

        Dicts passed as other arguments (a 3rd positional metadata dict,
        `result={...}`, `**kwargs`) are fine, and so are parameters and names
        bound more than once: their value is not known statically.
        """
    why_bad = """
        The state-update API takes a member of the state enum (default
        `ExecutionState`). A dict such as `{"success": True, "completed": True}`
        or a string such as `"completed"` gets past the call site and fails
        later inside the tracker (`AttributeError: 'dict' object has no
        attribute 'value'`); on the platform this silently broke agent
        completion in production. The enum is the single source of truth for
        the states that exist.
        """
    example = """
        from netra_backend.app.core.agent_execution_tracker import get_execution_tracker


        def finish_triage(execution_id: str, category: str) -> None:
            tracker = get_execution_tracker()
            tracker.update_execution_state(execution_id, {"success": True, "completed": True})


        def cancel_triage(execution_id: str) -> None:
            get_execution_tracker().update_execution_state(execution_id, "cancelled")
        """
    use_instead = """
        from netra_backend.app.core.agent_execution_tracker import (
            ExecutionState,
            get_execution_tracker,
        )


        def finish_triage(execution_id: str, category: str) -> None:
            tracker = get_execution_tracker()
            tracker.update_execution_state(
                execution_id, ExecutionState.COMPLETED, {"category": category}
            )


        def cancel_triage(execution_id: str) -> None:
            get_execution_tracker().update_execution_state(execution_id, ExecutionState.CANCELLED)
        """
    options = (
        "state.functions",
        "state.enum",
        "state.position",
        "state.keywords",
        "state.members",
        "state.shapes",
    )
    fixable = True
    fix_safety = """
        A fix is offered only where the mapping is unambiguous, and replaces the
        state argument by `<Enum>.<MEMBER>`, importing the enum when the file
        does not bind it yet (the import is the configured `state.enum` when
        dotted, else the enum definition found in the project):

        * a string equal to exactly one member's value or name (`"completed"`
          or `"COMPLETED"` -> `ExecutionState.COMPLETED`);
        * a dict display or keyword-only `dict(...)` call whose keys and
          constant values equal a configured `state.shapes` entry, key order
          aside (default `{"success": True, "completed": True}` -> `COMPLETED`,
          `{"success": False, "completed": True}` -> `FAILED`).

        These fixes are safe: the call as written either fails inside the
        state-update function or depends on an undocumented coercion, and the
        member is the one the enum or the configuration declares equivalent,
        so the only behaviour that changes is the bug. The fix is unsafe when
        the replaced expression contains comments, which would be lost.

        No fix for f-strings, numbers, bools, `None`, dict comprehensions, other
        dict shapes, or a name bound to a literal elsewhere (the binding may be
        used for more than the call, so a person should decide), nor when the
        enum cannot be named here without clashing with an existing name or
        only through a `TYPE_CHECKING` import.
        """
    VALID = [
        # Dicts in other arguments: 3rd positional metadata, keyword result, **kwargs.
        """
        from netra_backend.app.core.agent_execution_tracker import (
            ExecutionState,
            get_execution_tracker,
        )


        def record_result(execution_id: str, report: dict, extra: dict) -> None:
            tracker = get_execution_tracker()
            tracker.update_execution_state(
                execution_id, ExecutionState.COMPLETED, {"rows": len(report)}, result=report
            )
            tracker.update_execution_state(execution_id, ExecutionState.RUNNING, **extra)
        """,
        # A parameter, and a name bound twice: the value is not known statically.
        """
        from netra_backend.app.core.agent_execution_tracker import ExecutionState


        def settle(tracker, execution_id: str, state: ExecutionState, failed: bool) -> None:
            tracker.update_execution_state(execution_id, state)
            final = ExecutionState.COMPLETED
            if failed:
                final = "failed"
            tracker.update_execution_state(execution_id, final)
        """,
    ]
    INVALID = [
        """
        def mark_cancelled(tracker, execution_id: str) -> None:
            tracker.update_execution_state(execution_id, new_state="cancelled")
        """,
        """
        def finish(tracker, execution_id: str, category: str) -> None:
            outcome = {"success": True, "completed": True, "category": category}
            tracker.update_execution_state(execution_id, outcome)
        """,
        """
        def reset(tracker, execution_id: str) -> None:
            tracker.update_execution_state(execution_id, None)
        """,
        """
        def finish(tracker, execution_id: str, steps: list) -> None:
            tracker.update_execution_state(execution_id, {step: True for step in steps})
            tracker.update_execution_state(execution_id, dict(success=True, completed=True))
            tracker.update_execution_state(execution_id, f"step-{len(steps)}")
        """,
    ]

    @classmethod
    def triggers(cls, settings: Settings) -> tuple[str, ...]:
        return tuple(sorted(_function_names(settings))) or (_NEVER,)

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        state = ctx.settings.state
        self._functions = _function_names(ctx.settings)
        self._position = state.position
        self._keywords = frozenset(state.keywords)
        self._enum = state.enum
        self._enum_short = state.enum.rsplit(".", 1)[-1]
        self._members = _members(ctx)
        self._member_names = [name for name, _ in self._members]
        # Enclosing scopes of the node being visited, innermost last; bindings
        # are collected per scope on first need only (a call with a Name argument).
        self._scopes: list[cst.CSTNode] = [ctx.module]
        self._bindings: dict[int, Bindings] = {}
        self._declared: frozenset[str] | None = None

    # -- scope tracking --------------------------------------------------------

    def _push(self, node: cst.CSTNode) -> None:
        self._scopes.append(node)

    def _pop(self, node: cst.CSTNode) -> None:
        if self._scopes and self._scopes[-1] is node:
            self._scopes.pop()

    visit_FunctionDef = visit_Lambda = visit_ClassDef = _push
    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _push
    leave_FunctionDef = leave_Lambda = leave_ClassDef = _pop
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = _pop

    # -- the check -------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            called = func.attr.value
        elif isinstance(func, cst.Name):
            called = func.value
        else:
            return
        if called not in self._functions:
            return
        argument = self._state_argument(node)
        if argument is None:
            return
        kind = self._literal_kind(argument)
        via = ""
        if kind is None and isinstance(argument, cst.Name):
            value = self._only_binding(argument.value)
            if value is None:
                return
            kind = self._literal_kind(value)  # never follows a second name
            via = f" (`{argument.value}`)"
        if kind is None:
            return
        member = None if via else self._member_for(argument)
        enum_ref = self._enum_reference() if member is not None else None
        fix = None
        if member is not None and enum_ref is not None:
            text, imports = enum_ref
            replacement = f"{text}.{member}"
            fix = PendingFix(
                f"Replace with `{replacement}`",
                [NodeEdit(argument, replacement)],
                imports,
                Applicability.UNSAFE if _has_comment(argument) else Applicability.SAFE,
            )
        example = member or self._example_member()
        hint = f" (e.g. `{self._enum_short}.{example}`)" if example else ""
        self.report(
            node,
            f"state passed as {kind}{via} to `{called}`; "
            f"pass {_article(self._enum_short)} `{self._enum_short}` member{hint}",
            fix,
        )

    def _state_argument(self, call: cst.Call) -> cst.BaseExpression | None:
        """The `position`-th positional argument, else the state keyword."""
        index = 0
        positional_known = True
        by_keyword = None
        for arg in call.args:
            if arg.star == "*":
                # Positions after *args are unknown; the star-arg itself is not the state.
                positional_known = False
            elif arg.star == "**":
                continue
            elif arg.keyword is None:
                index += 1
                if positional_known and index == self._position:
                    return arg.value
            elif arg.keyword.value in self._keywords and by_keyword is None:
                by_keyword = arg.value
        return by_keyword

    def _literal_kind(self, node: cst.BaseExpression) -> str | None:
        """How the argument is not an enum member, or None when it may be one."""
        if isinstance(node, cst.Dict):
            return "a dict"
        if isinstance(node, cst.DictComp):
            return "a dict comprehension"
        if isinstance(node, cst.Call) and self._is_builtin_dict(node.func):
            return "a dict"
        if isinstance(node, cst.FormattedString):
            return "an f-string"
        if isinstance(node, cst.ConcatenatedString):
            if any(isinstance(part, cst.FormattedString) for part in _string_parts(node)):
                return "an f-string"
            return "a bytes literal" if _is_bytes(node) else "a string"
        if isinstance(node, cst.SimpleString):
            return "a bytes literal" if _is_bytes(node) else "a string"
        if _is_number(node):
            return "a number"
        if isinstance(node, cst.Name) and node.value in ("True", "False"):
            return "a bool"
        if isinstance(node, cst.Name) and node.value == "None":
            return "None"
        return None

    def _is_builtin_dict(self, func: cst.BaseExpression) -> bool:
        if self.ctx.qualified_name(func) not in _BUILTIN_DICT:
            return False
        # The resolver knows imports and parameters; a plain `dict = ...` inside
        # an enclosing function shadows the builtin too.
        return not (isinstance(func, cst.Name) and self._bound_in_functions(func.value))

    # -- local names bound once ------------------------------------------------

    def _only_binding(self, name: str) -> cst.BaseExpression | None:
        """The value of ``name``'s single plain assignment in the scope it
        belongs to (Python's rules: innermost function that binds it, else the
        module), or None when that is not known."""
        if name in self._declared_names():
            return None  # `global`/`nonlocal` lets other scopes rebind it
        innermost = self._scopes[-1]
        for scope in reversed(self._scopes):
            if isinstance(scope, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
                if name in _comprehension_targets(scope):
                    return None
                continue
            if isinstance(scope, cst.Lambda):
                if name in _parameter_names(scope.params):
                    return None
                continue
            if isinstance(scope, cst.ClassDef) and scope is not innermost:
                continue  # class bodies are not enclosing scopes of their methods
            values = self._scope_bindings(scope).get(name)
            if values is not None:
                return values[0] if len(values) == 1 else None
        return None

    def _bound_in_functions(self, name: str) -> bool:
        return any(
            name in self._scope_bindings(scope)
            for scope in self._scopes
            if isinstance(scope, cst.FunctionDef)
        )

    def _scope_bindings(self, scope: cst.CSTNode) -> Bindings:
        key = id(scope)
        if key not in self._bindings:
            collector = _visitor(_BindingMethods)(scope)
            scope.visit(collector)
            self._bindings[key] = collector.bindings
        return self._bindings[key]

    def _declared_names(self) -> frozenset[str]:
        if self._declared is None:
            collector = _visitor(_DeclarationMethods)()
            self.ctx.module.visit(collector)
            self._declared = frozenset(collector.names)
        return self._declared

    # -- fixes -----------------------------------------------------------------

    def _member_for(self, node: cst.BaseExpression) -> str | None:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            value = _constant(node)
            return self._member_for_string(value) if isinstance(value, str) else None
        items = self._dict_items(node)
        if items is None:
            return None
        members = {
            shape.member
            for shape in self.ctx.settings.state.shapes
            if shape.member and _same_mapping(items, shape.match)
        }
        if len(members) != 1:
            return None
        member = members.pop()
        # Configured members are trusted only when they exist (if we know the enum).
        return member if not self._members or member in self._member_names else None

    def _member_for_string(self, text: str) -> str | None:
        by_value = [name for name, value in self._members if value == text]
        by_name = [name for name in self._member_names if name == text]
        # Several members with one value are aliases of the first (Enum semantics).
        candidates = set(by_value[:1]) | set(by_name)
        return candidates.pop() if len(candidates) == 1 else None

    def _dict_items(self, node: cst.BaseExpression) -> dict[str, Any] | None:
        """Constant keys and values of a dict display / keyword-only dict(...)."""
        items: dict[str, Any] = {}
        if isinstance(node, cst.Dict):
            for element in node.elements:
                if not isinstance(element, cst.DictElement):
                    return None
                key, value = _constant(element.key), _constant(element.value)
                if not isinstance(key, str) or value is _UNKNOWN or key in items:
                    return None
                items[key] = value
            return items
        if isinstance(node, cst.Call) and self._is_builtin_dict(node.func):
            for arg in node.args:
                if arg.star or arg.keyword is None:
                    return None
                value = _constant(arg.value)
                if value is _UNKNOWN:
                    return None
                items[arg.keyword.value] = value
            return items
        return None

    def _enum_reference(self) -> tuple[str, list[str]] | None:
        knowledge = self.ctx.knowledge
        # The configured dotted name is the user's chosen import path; else the
        # definition found in the project; else a bare name bound in this file.
        qualified = self._enum if "." in self._enum else knowledge.state_enum
        if not qualified:
            return self.ctx.runtime_reference(self._enum)
        aliases = knowledge.aliases_for(qualified)
        if knowledge.state_enum:
            aliases |= knowledge.aliases_for(knowledge.state_enum) | {knowledge.state_enum}
        return self.ctx.runtime_reference(qualified, aliases)

    def _example_member(self) -> str | None:
        if not self._members:
            shapes = [s.member for s in self.ctx.settings.state.shapes if s.member]
            return shapes[0] if shapes else None
        return "COMPLETED" if "COMPLETED" in self._member_names else self._member_names[0]


# ---------------------------------------------------------------------------
# Helpers.


def _article(word: str) -> str:
    return "an" if word[:1].lower() in ("a", "e", "i", "o", "u") else "a"


def _members(ctx: FileContext) -> list[tuple[str, Any]]:
    """(NAME, value) of the state enum; a value we cannot evaluate is _UNKNOWN."""
    out = []
    for name, source in ctx.knowledge.state_members:
        try:
            value = ast.literal_eval(source)
        except Exception:  # `auto()`, expressions: the member exists, its value is unknown
            value = _UNKNOWN
        out.append((name, value))
    return out


def _string_parts(node: cst.ConcatenatedString) -> Iterator[cst.BaseString]:
    for side in (node.left, node.right):
        if isinstance(side, cst.ConcatenatedString):
            yield from _string_parts(side)
        else:
            yield side


def _is_bytes(node: cst.SimpleString | cst.ConcatenatedString) -> bool:
    first = node if isinstance(node, cst.SimpleString) else next(_string_parts(node))
    return "b" in first.prefix.lower() if isinstance(first, cst.SimpleString) else False


def _is_number(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        node = node.expression
    return isinstance(node, (cst.Integer, cst.Float, cst.Imaginary))


def _constant(node: cst.BaseExpression) -> Any:
    """The value of a constant expression (strings, numbers, bools, None)."""
    if isinstance(node, cst.Name):
        return {"True": True, "False": False, "None": None}.get(node.value, _UNKNOWN)
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = node.evaluated_value
        except Exception:
            return _UNKNOWN
        return _UNKNOWN if value is None else value
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.evaluated_value
    if (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, (cst.Integer, cst.Float))
    ):
        return -node.expression.evaluated_value
    return _UNKNOWN


def _same_mapping(items: dict[str, Any], match: dict[str, Any]) -> bool:
    # Types must agree too: True == 1 in Python, but `{"completed": 1}` is not a shape.
    return items.keys() == match.keys() and all(
        type(items[k]) is type(v) and items[k] == v for k, v in match.items()
    )


def _has_comment(node: cst.CSTNode) -> bool:
    finder = _visitor(_CommentMethods)()
    node.visit(finder)
    return finder.found


@cache
def _visitor(methods: type) -> type[Any]:
    """``methods`` as a libcst visitor class, built on first use: subclassing
    ``cst.CSTVisitor`` at import time would import libcst for every run, even
    one served entirely from the cache."""
    return type(methods.__name__.replace("Methods", "Visitor"), (methods, cst.CSTVisitor), {})


class _CommentMethods:
    found = False

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found = True


def _target_names(node: cst.BaseExpression) -> Iterator[str]:
    if isinstance(node, cst.Name):
        yield node.value
    elif isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            yield from _target_names(element.value)
    elif isinstance(node, cst.StarredElement):
        yield from _target_names(node.value)


def _parameter_names(params: cst.Parameters) -> list[str]:
    names = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.append(star.name.value)
    return names


def _comprehension_targets(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()
    comp: cst.CompFor | None = getattr(node, "for_in", None)
    while comp is not None:
        names.update(_target_names(comp.target))
        comp = comp.inner_for_in
    return names


class _BindingMethods:
    """Names bound directly in one scope (function, class body or module),
    with the assigned value for plain ``name = value`` bindings.

    Nested functions, classes and lambdas are separate scopes: only their
    names are bound here. Comprehensions are walked for ``:=`` (which binds in
    the enclosing scope) but their loop targets are theirs.
    """

    def __init__(self, root: cst.CSTNode) -> None:
        super().__init__()
        self._root = root
        self.bindings: Bindings = {}

    def _bind(self, names: Sequence[str] | Iterator[str], value: Any = None) -> None:
        for name in names:
            self.bindings.setdefault(name, []).append(value)

    def _bind_target(self, target: cst.BaseExpression, value: Any = None) -> None:
        if isinstance(target, cst.Name):
            self._bind([target.value], value)
        else:
            self._bind(_target_names(target))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if node is self._root:
            self._bind(_parameter_names(node.params))
            return True
        self._bind([node.name.value])
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        if node is self._root:
            return True
        self._bind([node.name.value])
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if alias.asname is not None:
                self._bind_target(alias.asname.name)
            else:
                head = alias.name
                while isinstance(head, cst.Attribute):
                    head = head.value
                self._bind_target(head)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            bound = alias.asname.name if alias.asname is not None else alias.name
            self._bind_target(bound)

    def visit_Del(self, node: cst.Del) -> None:
        self._bind_target(node.target)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._bind([node.name.value])

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self._bind([node.name.value])

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self._bind([node.rest.value])

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        self._bind([node.name.value])


class _DeclarationMethods:
    """Every name in a ``global`` or ``nonlocal`` statement of the file."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_Global(self, node: cst.Global) -> None:
        self.names.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.names.update(item.name.value for item in node.names)
