"""SSOT002 manual-id-generation.

How it works, in one walk of the file:

* Nodes that carry an ID-like *sink* (``execution_id = ...``, ``run_id=...``,
  ``{"thread_id": ...}``, ``.get("trace_id", ...)``, ``return`` in
  ``generate_*``...) push a frame naming the sink's value node(s) when the
  walk enters them and pop it when it leaves.
* A generator occurrence (a call of ``uuid.uuid4`` & co., or a bare reference
  to one) is resolved through the module's imports where it is met, so the
  resolver's scope is the right one. Its sink is the innermost open sink
  whose value contains it: a containment search in that (small) value, done
  only when a generator is actually found.

Nothing is reported inside an ID-manager module.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from functools import cache

from ssot_lint.config import Settings
from ssot_lint.diagnostics import Applicability
from ssot_lint.idnames import id_kind, is_id_factory_name, is_id_like
from ssot_lint.lazy import cst
from ssot_lint.resolver import dotted_name, matches_name, module_matches
from ssot_lint.rules.base import CstRule, FileContext, NodeEdit, PendingFix

UUID_GENERATORS = ("uuid.uuid1", "uuid.uuid3", "uuid.uuid4", "uuid.uuid5")
_BUILTINS = frozenset(dir(builtins))
_UNKNOWN_KIND = "<KIND>"


@dataclass(frozen=True)
class _Sink:
    """A value that reaches an ID-like name."""

    name: str  # the ID-like name, as written (for the message)
    value: cst.BaseExpression  # what a fix replaces
    kind: str | None  # EXECUTION for execution_id; None when the name has no kind word
    role: str = "value"  # "value" | "factory" (default_factory) | "augmented" | "return"
    fixable: bool = True  # False: the value reaches several names (tuple unpacking)


@dataclass
class _Frame:
    owner: cst.CSTNode
    sinks: list[_Sink]  # innermost first


def _generators(settings: Settings) -> tuple[str, ...]:
    return UUID_GENERATORS + tuple(g for g in settings.ids.generators if g)


def _string_constant(node: cst.BaseExpression) -> str | None:
    """The text of a constant str literal (implicit concatenation too), else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _target_name(target: cst.BaseExpression) -> str | None:
    """The name an assignment target writes: ``x``, ``obj.x``, ``d["x"]``, ``d[a]["x"]``."""
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index) and index.star is None:
            return _string_constant(index.value)
    return None


def _target_leaves(target: cst.BaseExpression) -> list[str]:
    """Names written by an unpacking target, in order."""
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in _target_leaves(element.value)]
    if isinstance(target, cst.StarredElement):
        return _target_leaves(target.value)
    name = _target_name(target)
    return [name] if name is not None else []


def _pairable(target: cst.BaseExpression, value: cst.BaseExpression) -> bool:
    """``a, b = x, y``: same length, no starred element on either side."""
    if not isinstance(target, (cst.Tuple, cst.List)) or not isinstance(
        value, (cst.Tuple, cst.List)
    ):
        return False
    if len(target.elements) != len(value.elements):
        return False
    return not any(isinstance(e, cst.StarredElement) for e in (*target.elements, *value.elements))


def _path(root: cst.CSTNode, target: cst.CSTNode) -> list[cst.CSTNode] | None:
    """Nodes from ``root`` down to ``target`` (both included), if ``target`` is inside."""
    if root is target:
        return [root]
    stack = [root]
    parents: dict[int, cst.CSTNode] = {}
    while stack:
        node = stack.pop()
        for child in node.children:
            parents[id(child)] = node
            if child is target:
                chain = [child]
                while chain[-1] is not root:
                    chain.append(parents[id(chain[-1])])
                return chain[::-1]
            stack.append(child)
    return None


def _head_names(expression: cst.BaseExpression) -> list[cst.Name]:
    """Names an expression needs bound: the heads of its Name/Attribute chains."""
    found: list[cst.Name] = []
    stack: list[cst.CSTNode] = [expression]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Attribute):
            base: cst.BaseExpression = node
            while isinstance(base, cst.Attribute):
                base = base.value
            # `f().attr`: the head is inside the call; attribute names never are.
            stack.append(base)
        elif isinstance(node, cst.Name):
            found.append(node)
        elif isinstance(node, cst.Arg):
            stack.append(node.value)  # a keyword is not a reference
        elif isinstance(node, cst.Param):
            if node.default is not None:
                stack.append(node.default)
        else:
            stack.extend(reversed(node.children))
    return found


@cache
def _renamer_class() -> type[cst.CSTTransformer]:
    """Built on first use: subclassing libcst at import time would load it for
    runs served entirely from the cache."""

    class Renamer(cst.CSTTransformer):
        """Replace given Name nodes (by identity) by other expressions."""

        def __init__(self, renames: dict[int, cst.BaseExpression]) -> None:
            super().__init__()
            self._renames = renames

        def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
            return self._renames.get(id(original_node), updated_node)

    return Renamer


class ManualIdGeneration(CstRule):
    code = "SSOT002"
    name = "manual-id-generation"
    summary = "ID built by hand (uuid) instead of by the ID manager"
    fixable = True
    what_it_does = """
        Reports a `uuid.uuid1/3/4/5` call (or a configured generator), or a
        bare reference passed as a factory (`default_factory=uuid.uuid4`),
        anywhere inside a value that reaches an ID-like name, outside the
        ID-manager modules. It is reported at the generator call, once per
        call.

        A name is ID-like when its last word is `id`, `ids`, `uuid` or
        `guid`; words are split on `_`, `-`, `.`, spaces and camelCase, and
        trailing digits are ignored: `execution_id`, `runId`, `X-Request-ID`,
        `thread_ids`, `user_id_2` are ID-like; `jti`, `uuid_str`, `id_value`,
        `valid` are not.

        The value reaches an ID-like sink when it is:

        - assigned to an ID-like name, attribute or constant subscript key
          (`self.execution_id = ...`, `ctx["thread_id"] = ...`), also with an
          annotation, augmented (`+=`), as a walrus, or pairwise in a
          tuple-to-tuple assignment (`run_id, started = str(uuid4()), now()`
          concerns `run_id` only; unpacking anything else into ID-like names
          concerns the whole value);
        - an ID-like keyword argument (`start(run_id=...)`) or parameter
          default (`def start(run_id=...)`);
        - the value of an ID-like constant dict key (`{"thread_id": ...}`);
        - the default of `.get(K, default)`, `.setdefault(K, default)` or
          `getattr(obj, K, default)` with an ID-like constant `K`;
        - returned by a function named like an ID factory (leading
          underscores dropped): `*_id`, `*_ids`, `generate_*`, `new_*id`,
          `make_*id`, matched word by word so `newRunId` and
          `generateToken` count and `new_valid` does not;
        - the `default` / `default_factory` of an ID-like class attribute
          (`session_id: str = field(default_factory=...)`, pydantic's
          `Field`, an ORM `Column(default=...)`).

        "Inside the value" covers every wrapper: `str()`, typed constructors
        (`UserID(...)`, `ensure_user_id(...)`), `.hex`, slicing, f-strings,
        concatenation, `%` and `.format`, `x or ...`, conditional expressions,
        containers, comprehensions and lambdas. A nested `def` is not part of
        the value, and a positional argument is never a sink by itself
        (`register(uuid4())`), whatever the callee.

        With `ids.strict = true`, every generator call outside the ID
        managers is reported, and every generator passed as an argument.
        Generators are recognised through the module's imports and aliases
        (`import uuid as u`, `from uuid import uuid4 as new_id`, a star
        import, `make = uuid.uuid4`), never by their text: a parameter or a
        local function named `uuid4` is not the generator, nor is
        `uuid.uuid4()` in a module that never imports `uuid`. A generator
        re-exported by another first-party module under a new name is not
        followed.
        """
    why_bad = """
        The ID manager is the single source of truth for identifiers: it
        gives every ID a kind prefix and a format the rest of the platform
        validates (`UnifiedIDManager.is_valid_id`). A hand-made
        `f"exec_{uuid.uuid4().hex[:8]}"` looks like an ID, passes code review,
        and then fails validation, breaks routing by prefix, or collides,
        because eight hex characters are not unique enough.
        """
    example = """
        import uuid
        from dataclasses import dataclass, field


        @dataclass
        class WebSocketSession:
            user_id: str
            session_id: str = field(default_factory=lambda: str(uuid.uuid4()))


        def start_execution(agent_name: str, user_id: str) -> dict[str, str]:
            execution_id = f"exec_{uuid.uuid4().hex[:8]}"
            return {"agent": agent_name, "user_id": user_id, "execution_id": execution_id}
        """
    use_instead = """
        # file: netra_backend/app/core/unified_id_manager.py
        import uuid
        from enum import Enum


        class IDType(str, Enum):
            EXECUTION = "exec"
            SESSION = "sess"


        class UnifiedIDManager:
            @classmethod
            def generate_id(cls, id_type: IDType) -> str:
                return f"{id_type.value}_{uuid.uuid4().hex}"

        # file: netra_backend/app/services/websocket_bridge.py
        from dataclasses import dataclass, field

        from netra_backend.app.core.unified_id_manager import IDType, UnifiedIDManager


        @dataclass
        class WebSocketSession:
            user_id: str
            session_id: str = field(
                default_factory=lambda: UnifiedIDManager.generate_id(IDType.SESSION)
            )


        def start_execution(agent_name: str, user_id: str) -> dict[str, str]:
            execution_id = UnifiedIDManager.generate_id(IDType.EXECUTION)
            return {"agent": agent_name, "user_id": user_id, "execution_id": execution_id}
        """
    example_config = (
        "ids.fix-imports = [\n"
        '    "netra_backend.app.core.unified_id_manager.UnifiedIDManager",\n'
        '    "netra_backend.app.core.unified_id_manager.IDType",\n'
        "]\n"
    )
    options = (
        "ids.managers",
        "ids.generators",
        "ids.strict",
        "ids.fix",
        "ids.fix-imports",
        "ids.kinds",
    )
    fix_safety = """
        The fix replaces the whole value that reaches the sink with `ids.fix`
        (default `UnifiedIDManager.generate_id(IDType.{KIND})`), where the
        kind is the word before the sink name's last word, upper-cased
        (`execution_id` -> `EXECUTION`, `X-Request-ID` -> `REQUEST`). It is
        offered only when that kind is listed in `ids.kinds` and the names
        the expression needs are either already imported in the file (they
        are reused, aliases included) or listed in `ids.fix-imports` (the
        import is added). A `default_factory`, a bare generator passed as a
        factory, or a lambda stays a callable: `lambda: <fix>`. Unpacking one
        value into several names has no fix.

        The fix is safe when the only things it drops around the generator
        are `str()`, `.hex` and f-strings whose other parts are plain text:
        they all just spell the ID as a string, which the manager also
        returns. It is unsafe when it drops anything else (slicing such as
        `.hex[:8]`, concatenation, `%`/`.format`, `x or ...`, conditional
        expressions, other calls, containers, comprehensions, other f-string
        placeholders or format specs), when a bare generator reference sits
        inside the value instead of being the whole value, and for
        augmented assignments (`+=` keeps the old value in front of the new
        ID).
        """
    VALID = [
        # Not ID-like names, positional arguments, a nested def's body.
        """
        import uuid


        def build_claims(subject: str) -> dict[str, str]:
            jti = str(uuid.uuid4())
            token_uuid_str = str(uuid.uuid4())
            request_nonce = uuid.uuid4().hex
            return {"sub": subject, "jti": jti, "nonce": request_nonce + token_uuid_str}


        def generate_report_name(register) -> str:
            register(uuid.uuid4())

            def suffix() -> str:
                return uuid.uuid4().hex[:6]

            return "report-" + suffix()
        """,
        # The ID manager itself may call uuid.
        """
        # file: platform/core/unified_id_manager.py
        import uuid


        def generate_id(kind: str) -> str:
            execution_id = f"{kind}_{uuid.uuid4().hex}"
            return execution_id
        """,
        # A parameter named uuid shadows the module.
        """
        import uuid


        def attach(uuid, ctx: dict) -> None:
            ctx["run_id"] = uuid.uuid4()
        """,
    ]
    INVALID = [
        """
        from uuid import uuid4 as new_id


        def handoff(agent: str) -> dict[str, str]:
            return {"agent": agent, "handoff_id": new_id().hex}
        """,
        """
        import uuid as u


        def bind(headers: dict[str, str], context: dict[str, str]) -> None:
            context.setdefault("trace_id", headers.get("X-Request-ID", str(u.uuid4())))
        """,
        """
        import uuid


        def new_correlation_id(prefix: str = "corr") -> str:
            return f"{prefix}_{uuid.uuid4().hex[:16]}"
        """,
    ]

    @classmethod
    def triggers(cls, settings: Settings) -> tuple[str, ...]:
        # A generator is only reachable through text naming it: an import or a
        # qualified reference names its module or itself, a star import its
        # module. Each is a word of its own (``trigger_words``): `uuid` does
        # not stand for `uuid4`.
        names = {"uuid"} | {g.rsplit(".", 1)[-1] for g in _generators(settings)}
        return tuple(sorted(n for n in names if n))

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        ids = ctx.settings.ids
        self._generators = _generators(ctx.settings)
        self._generator_names = frozenset(g.rsplit(".", 1)[-1] for g in self._generators)
        self._heads = self._candidate_heads(ctx)
        self._skip_file = any(module_matches(ctx.module_name, m) for m in ids.managers if m)
        self._strict = ids.strict
        self._kinds = {k.upper(): k for k in ids.kinds}
        self._fix_imports = {q.rsplit(".", 1)[-1]: q for q in ids.fix_imports if q}
        self._frames: list[_Frame] = []
        self._scopes: list[tuple[str, str]] = []  # ("class" | "def", name)
        self._import_depth = 0
        # Name/Attribute nodes that are not references of their own: call
        # targets already handled, attribute bases and attribute names,
        # keyword and parameter names, comprehension targets.
        self._not_references: set[int] = set()
        self._arguments: set[int] = set()  # bare references passed as arguments

    def _candidate_heads(self, ctx: FileContext) -> frozenset[str]:
        """Local names that may start a reference to a generator."""
        heads = set(self._generator_names)
        for imp in ctx.facts.imports:
            target = imp.module if imp.is_star else imp.target
            for generator in self._generators:
                if generator == target or generator.startswith(target + "."):
                    if imp.is_star:
                        heads.add(generator.rsplit(".", 1)[-1])
                    else:
                        heads.add(imp.bound_name)
        heads.update(name for name, value in ctx.facts.aliases.items() if value)
        return frozenset(heads)

    # -- scopes -----------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._scopes.append(("class", node.name.value))
        self._not_references.add(id(node.name))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append(("def", node.name.value))
        self._not_references.add(id(node.name))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_Import(self, node: cst.Import) -> None:
        self._import_depth += 1

    def leave_Import(self, node: cst.Import) -> None:
        self._import_depth -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._import_depth += 1

    def leave_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._import_depth -= 1

    @property
    def _in_class_body(self) -> bool:
        return bool(self._scopes) and self._scopes[-1][0] == "class"

    # -- sinks ------------------------------------------------------------------

    def _push(self, owner: cst.CSTNode, sinks: list[_Sink]) -> None:
        if sinks and not self._skip_file:
            self._frames.append(_Frame(owner, sinks))

    def _pop(self, owner: cst.CSTNode) -> None:
        if self._frames and self._frames[-1].owner is owner:
            self._frames.pop()

    def _named_sink(
        self, name: str | None, value: cst.BaseExpression, role: str = "value"
    ) -> _Sink | None:
        if name is None or not is_id_like(name):
            return None
        return _Sink(name, value, id_kind(name), role)

    def _assignment_sinks(
        self, target: cst.BaseExpression, value: cst.BaseExpression, role: str = "value"
    ) -> list[_Sink]:
        if isinstance(target, (cst.Tuple, cst.List)):
            if _pairable(target, value):
                assert isinstance(value, (cst.Tuple, cst.List))
                pairs = zip(target.elements, value.elements, strict=True)
                return [s for t, v in pairs for s in self._assignment_sinks(t.value, v.value)]
            leaves = [name for name in _target_leaves(target) if is_id_like(name)]
            if not leaves:
                return []
            return [_Sink(leaves[0], value, None, role, fixable=False)]
        sink = self._named_sink(_target_name(target), value, role)
        return [sink] if sink else []

    def _field_sinks(self, target: cst.BaseExpression, value: cst.BaseExpression) -> list[_Sink]:
        """``session_id: str = field(default_factory=...)`` in a class body."""
        name = _target_name(target)
        if not self._in_class_body or not isinstance(value, cst.Call) or name is None:
            return []
        if not is_id_like(name):
            return []
        sinks = []
        for arg in value.args:
            if arg.keyword is not None and arg.keyword.value in ("default", "default_factory"):
                role = "factory" if arg.keyword.value == "default_factory" else "value"
                sinks.append(_Sink(name, arg.value, id_kind(name), role))
        return sinks

    def visit_Assign(self, node: cst.Assign) -> None:
        sinks: list[_Sink] = []
        for target in node.targets:
            sinks += self._field_sinks(target.target, node.value)
        for target in node.targets:
            sinks += self._assignment_sinks(target.target, node.value)
        self._push(node, sinks)

    def leave_Assign(self, node: cst.Assign) -> None:
        self._pop(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is None:
            return
        sinks = self._field_sinks(node.target, node.value)
        sinks += self._assignment_sinks(node.target, node.value)
        self._push(node, sinks)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._pop(node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._push(node, self._assignment_sinks(node.target, node.value, "augmented"))

    def leave_AugAssign(self, node: cst.AugAssign) -> None:
        self._pop(node)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._push(node, self._assignment_sinks(node.target, node.value))

    def leave_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._pop(node)

    def visit_Arg(self, node: cst.Arg) -> None:
        if self._strict and isinstance(node.value, (cst.Name, cst.Attribute)):
            self._arguments.add(id(node.value))
        if node.keyword is None:
            return
        self._not_references.add(id(node.keyword))
        sink = self._named_sink(node.keyword.value, node.value)
        self._push(node, [sink] if sink else [])

    def leave_Arg(self, node: cst.Arg) -> None:
        self._pop(node)

    def visit_Param(self, node: cst.Param) -> None:
        self._not_references.add(id(node.name))
        if node.default is None:
            return
        sink = self._named_sink(node.name.value, node.default)
        self._push(node, [sink] if sink else [])

    def leave_Param(self, node: cst.Param) -> None:
        self._pop(node)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        sink = self._named_sink(_string_constant(node.key), node.value)
        self._push(node, [sink] if sink else [])

    def leave_DictElement(self, node: cst.DictElement) -> None:
        self._pop(node)

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is None or not self._scopes or self._scopes[-1][0] != "def":
            return
        function = self._scopes[-1][1]
        if not is_id_factory_name(function):
            return
        sink = _Sink(f"{function}()", node.value, id_kind(function.lstrip("_")), "return")
        self._push(node, [sink])

    def leave_Return(self, node: cst.Return) -> None:
        self._pop(node)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        # `[... for uuid4 in xs]` binds, it does not refer.
        self._not_references.update(id(n) for n in _bound_names(node.target))

    def _default_sink(self, node: cst.Call) -> _Sink | None:
        """``m.get(K, default)``, ``m.setdefault(K, default)``, ``getattr(o, K, default)``."""
        args = node.args
        if any(a.keyword is not None or a.star for a in args[:3]):
            return None
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("get", "setdefault"):
            key, default = (args[0], args[1]) if len(args) == 2 else (None, None)
        elif isinstance(func, cst.Name) and len(args) == 3:
            if not self._is_builtin(func, "getattr"):
                return None
            key, default = args[1], args[2]
        else:
            return None
        if key is None or default is None:
            return None
        return self._named_sink(_string_constant(key.value), default.value)

    # -- generator occurrences --------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        sink = self._default_sink(node) if node.args else None
        self._push(node, [sink] if sink else [])
        func = node.func
        if isinstance(func, cst.Name):
            candidate = func.value in self._heads
        elif isinstance(func, cst.Attribute):
            candidate = func.attr.value in self._generator_names
        else:
            return
        if candidate and self._is_generator(func):
            self._not_references.add(id(func))
            self._occurrence(node, func, is_call=True)

    def leave_Call(self, node: cst.Call) -> None:
        self._pop(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._not_references.add(id(node.attr))
        if isinstance(node.value, (cst.Name, cst.Attribute)):
            self._not_references.add(id(node.value))
        if self._consumed(node) or node.attr.value not in self._generator_names:
            return
        if self._import_depth == 0 and self._is_generator(node):
            self._occurrence(node, node, is_call=False)

    def visit_Name(self, node: cst.Name) -> None:
        if self._consumed(node) or node.value not in self._heads:
            return
        if self._import_depth == 0 and self._is_generator(node):
            self._occurrence(node, node, is_call=False)

    def _consumed(self, node: cst.CSTNode) -> bool:
        key = id(node)
        if key in self._not_references:
            self._not_references.discard(key)
            return True
        return False

    def _resolve(self, node: cst.Name | cst.Attribute) -> str | None:
        """Qualified name, following this module's own ``X = uuid.uuid4`` aliases."""
        qualified = self.ctx.qualified_name(node)
        dotted = dotted_name(node)
        if qualified == dotted and dotted and not self.ctx.resolver.is_bound(dotted.split(".")[0]):
            return None  # `uuid.uuid4()` without `import uuid`: text, not a binding
        module = self.ctx.module_name
        aliases = self.ctx.facts.aliases
        for _ in range(8):  # alias chains are short; never loop forever on a cycle
            if qualified is None or not module or not qualified.startswith(module + "."):
                break
            head, _, rest = qualified[len(module) + 1 :].partition(".")
            target = aliases.get(head)
            if not target:
                break
            qualified = f"{target}.{rest}" if rest else target
        return qualified

    def _is_generator(self, node: cst.Name | cst.Attribute) -> bool:
        qualified = self._resolve(node)
        return any(matches_name(qualified, g) for g in self._generators)

    def _occurrence(
        self, node: cst.CSTNode, reference: cst.Name | cst.Attribute, *, is_call: bool
    ) -> None:
        if self._skip_file:
            return
        for frame in reversed(self._frames):
            for sink in frame.sinks:
                path = _path(sink.value, node)
                if path is not None:
                    self._report_sink(node, sink, path, is_call)
                    return
        if self._strict and (is_call or id(reference) in self._arguments):
            generator = self._resolve(reference) or dotted_name(reference)
            how = f"`{generator}()` called" if is_call else f"`{generator}` passed as a factory"
            self.report(
                node,
                f"manual ID: {how} outside the ID manager; use `{self._alternative(None)}`",
            )

    # -- messages and fixes -----------------------------------------------------

    def _kind(self, kind: str | None) -> str | None:
        return self._kinds.get(kind.upper()) if kind else None

    def _alternative(self, kind: str | None) -> str:
        return self.ctx.settings.ids.fix.replace("{KIND}", self._kind(kind) or _UNKNOWN_KIND)

    def _report_sink(
        self, node: cst.CSTNode, sink: _Sink, path: list[cst.CSTNode], is_call: bool
    ) -> None:
        alternative = self._alternative(sink.kind)
        if sink.role == "return":
            message = f"manual ID returned by `{sink.name}`; use `{alternative}`"
        else:
            message = f"manual ID for `{sink.name}`; use `{alternative}`"
        self.report(node, message, fix=self._fix(sink, path, is_call))

    def _fix(self, sink: _Sink, path: list[cst.CSTNode], is_call: bool) -> PendingFix | None:
        if not sink.fixable:
            return None
        planned = self._fix_expression(sink.kind)
        if planned is None:
            return None
        text, imports = planned
        value = sink.value
        if not is_call and len(path) == 1:
            # A bare generator as the value: keep a callable.
            replacement, safe = f"lambda: {text}", True
        elif isinstance(value, cst.Lambda) and _no_params(value) and path[1] is value.body:
            replacement, safe = f"lambda: {text}", is_call and self._safe_wrappers(path[1:])
        elif sink.role == "factory":
            replacement, safe = f"lambda: {text}", False
        else:
            replacement, safe = text, is_call and self._safe_wrappers(path)
        if sink.role == "augmented":
            safe = False
        return PendingFix(
            f"Replace with `{replacement}`",
            [NodeEdit(value, replacement)],
            imports=imports,
            applicability=Applicability.SAFE if safe else Applicability.UNSAFE,
        )

    def _safe_wrappers(self, path: list[cst.CSTNode]) -> bool:
        """Only ``str()``, ``.hex`` and text-only f-strings between value and generator?"""
        index = 0
        while index < len(path) - 1:
            node, child = path[index], path[index + 1]
            if isinstance(node, cst.Call) and self._is_str_call(node) and child is node.args[0]:
                index += 2  # the Arg node, then its value
                continue
            if isinstance(node, cst.Attribute) and node.attr.value == "hex":
                if child is not node.value:
                    return False
            elif isinstance(node, cst.FormattedString):
                if not _text_only_except(node, child):
                    return False
                expression = child
                assert isinstance(expression, cst.FormattedStringExpression)
                if expression.format_spec is not None or expression.conversion not in (None, "s"):
                    return False
                if index + 2 >= len(path) or path[index + 2] is not expression.expression:
                    return False
                index += 2
                continue
            elif isinstance(node, cst.ConcatenatedString):
                other = node.right if child is node.left else node.left
                if not _is_plain_text(other):
                    return False
            else:
                return False
            index += 1
        return True

    def _is_str_call(self, node: cst.Call) -> bool:
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            return False
        return isinstance(node.func, cst.Name) and self._is_builtin(node.func, "str")

    def _is_builtin(self, node: cst.Name, name: str) -> bool:
        if node.value == name and not self.ctx.resolver.is_bound(name):
            # Unbound: the builtin (the resolver would credit a lone star import).
            return True
        return self.ctx.qualified_name(node) == f"builtins.{name}"

    def _fix_expression(self, kind: str | None) -> tuple[str, list[str]] | None:
        """The fix text for ``kind`` as this file can spell it, plus imports to add."""
        template = self.ctx.settings.ids.fix
        if "{KIND}" in template:
            configured = self._kind(kind)
            if configured is None:
                return None
            template = template.replace("{KIND}", configured)
        try:
            expression = cst.parse_expression(template)
        except cst.ParserSyntaxError:
            return None
        imports: list[str] = []
        renames: dict[int, cst.BaseExpression] = {}
        resolver = self.ctx.resolver
        for node in _head_names(expression):
            head = node.value
            qualified = self._fix_imports.get(head)
            if qualified is None:
                # Not ours to import: usable only if the file already binds it.
                if head in _BUILTINS and not resolver.is_bound(head):
                    continue
                if not resolver.is_bound(head) or not self._bound_at_run_time(head):
                    return None
                continue
            if resolver.lookup(head) == qualified:
                text, needed = head, []
            else:
                text, needed = self.ctx.reference(qualified)
                if needed and resolver.is_bound(head):
                    return None  # the name means something else here
            if not needed and not self._bound_at_run_time(text.split(".", 1)[0]):
                return None
            if text != head:
                renames[id(node)] = cst.parse_expression(text)
            imports += needed
        if renames:
            expression = expression.visit(_renamer_class()(renames))
        return cst.Module(body=[]).code_for_node(expression), imports

    def _bound_at_run_time(self, name: str) -> bool:
        """False when the file binds ``name`` only by imports under ``TYPE_CHECKING``."""
        imports = [
            imp
            for imp in self.ctx.facts.imports
            if not imp.in_function and not imp.is_star and imp.bound_name == name
        ]
        return not imports or any(not imp.type_checking for imp in imports)


def _bound_names(target: cst.BaseExpression) -> list[cst.Name]:
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for element in target.elements for n in _bound_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return _bound_names(target.value)
    return []


def _no_params(node: cst.Lambda) -> bool:
    params = node.params
    return not (
        params.params
        or params.posonly_params
        or params.kwonly_params
        or isinstance(params.star_arg, cst.Param)
        or isinstance(params.star_kwarg, cst.Param)
    )


def _is_plain_text(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString):
        return True
    if isinstance(node, cst.FormattedString):
        return all(isinstance(p, cst.FormattedStringText) for p in node.parts)
    if isinstance(node, cst.ConcatenatedString):
        return _is_plain_text(node.left) and _is_plain_text(node.right)
    return False


def _text_only_except(node: cst.FormattedString, keep: cst.CSTNode) -> bool:
    """Is ``keep`` the f-string's only placeholder (the rest being text)?"""
    return any(p is keep for p in node.parts) and all(
        p is keep or isinstance(p, cst.FormattedStringText) for p in node.parts
    )
