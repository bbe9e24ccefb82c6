"""Fixit rules equivalent to ssot-lint's per-file rules, for the benchmark only.

Written the way Fixit documents rules: ``LintRule`` subclasses that resolve
names with ``QualifiedNameProvider`` (Fixit itself adds position and parent
metadata to every rule). They flag the same patterns as SSOT002/3/4/6 on the
benchmark corpus, so the comparison is like for like.
"""

from __future__ import annotations

import re

import libcst as cst
from fixit import LintRule
from libcst.metadata import QualifiedNameProvider

GENERATORS = {"uuid.uuid1", "uuid.uuid3", "uuid.uuid4", "uuid.uuid5"}
ID_WORD = re.compile(
    r"(?:^|[_\-. ])(?:id|ids|uuid|guid)\d*$|[a-z0-9](?:Id|ID|Ids|IDs|Uuid|Guid)\d*$", re.I
)
DEPRECATED = "platform_app.agents.state.DeepAgentState"
CANONICAL = "platform_app.core.tracker.AgentExecutionTracker"


def _qualified(rule: LintRule, node: cst.CSTNode) -> set[str]:
    return {q.name for q in rule.get_metadata(QualifiedNameProvider, node, set())}


def _id_like(name: str) -> bool:
    return bool(ID_WORD.search(name))


class ManualIdGeneration(LintRule):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)
    MESSAGE = "manual ID generation; use UnifiedIDManager.generate_id"

    def __init__(self) -> None:
        super().__init__()
        self.sink_depth = 0

    def _sink(self, name: str | None) -> bool:
        return bool(name) and _id_like(name)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            name = _target_name(target.target)
            if self._sink(name):
                self.sink_depth += 1

    def leave_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if self._sink(_target_name(target.target)):
                self.sink_depth -= 1

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None and self._sink(node.keyword.value):
            self.sink_depth += 1

    def leave_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None and self._sink(node.keyword.value):
            self.sink_depth -= 1

    def visit_DictElement(self, node: cst.DictElement) -> None:
        if isinstance(node.key, cst.SimpleString) and self._sink(node.key.raw_value):
            self.sink_depth += 1

    def leave_DictElement(self, node: cst.DictElement) -> None:
        if isinstance(node.key, cst.SimpleString) and self._sink(node.key.raw_value):
            self.sink_depth -= 1

    def visit_Return(self, node: cst.Return) -> None:
        self.sink_depth += 1

    def leave_Return(self, node: cst.Return) -> None:
        self.sink_depth -= 1

    def visit_Call(self, node: cst.Call) -> None:
        if self.sink_depth and _qualified(self, node.func) & GENERATORS:
            self.report(node, self.MESSAGE)


def _target_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            return index.value.raw_value
    return None


class DictStateUpdate(LintRule):
    MESSAGE = "pass an ExecutionState member, not a literal"
    LITERALS = (
        cst.Dict,
        cst.DictComp,
        cst.SimpleString,
        cst.FormattedString,
        cst.Integer,
        cst.Float,
    )

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        if name != "update_execution_state":
            return
        positional = [a for a in node.args if a.keyword is None and not a.star]
        state = positional[1].value if len(positional) > 1 else None
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in ("state", "new_state"):
                state = arg.value
        if isinstance(state, self.LITERALS) or (
            isinstance(state, cst.Name) and state.value in ("None", "True", "False")
        ):
            self.report(node, self.MESSAGE)


class DeprecatedSymbol(LintRule):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)
    MESSAGE = "DeepAgentState is deprecated; use UserExecutionContext"

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if DEPRECATED in _qualified(self, node.asname.name if node.asname else node.name):
            self.report(node, self.MESSAGE)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if DEPRECATED in _qualified(self, node):
            self.report(node, self.MESSAGE)


class DirectSingletonInstantiation(LintRule):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)
    MESSAGE = "use get_execution_tracker()"

    def visit_Call(self, node: cst.Call) -> None:
        if CANONICAL in _qualified(self, node.func):
            self.report(node, self.MESSAGE)
