"""The rule API.

A rule is a small class (Fixit-style) that carries its own documentation in
ruff's shape and its own examples, which the test suite executes:

* ``CstRule`` — per-file: ``visit_<Node>``/``leave_<Node>`` methods run in ONE
  shared walk of the file's libcst tree; names are resolved through
  ``self.ctx.qualified_name(node)``; findings go to ``self.report``.
* ``ProjectRule`` — cross-file: ``check(project)`` runs on the project index.
* ``MetaRule`` — documented here, produced by the engine itself (parse errors,
  suppression comments).

Examples are Python source; several files are written as sections that start
with ``# file: path/to/module.py``. ``example`` must trigger exactly this rule,
``use_instead`` must trigger nothing (both run with ``example_config``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from ssot_lint.diagnostics import Applicability, Diagnostic
from ssot_lint.lazy import cst
from ssot_lint.trigger_words import has_word, has_word_in_utf8

if TYPE_CHECKING:
    from ssot_lint.analysis import TriggerScan
    from ssot_lint.config import Settings
    from ssot_lint.facts import FileFacts
    from ssot_lint.knowledge import ProjectKnowledge
    from ssot_lint.project import Project
    from ssot_lint.resolver import NameResolver


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line, shown by `rule --all`
    what_it_does: ClassVar[str]
    why_bad: ClassVar[str]
    example: ClassVar[str]
    use_instead: ClassVar[str]
    fix_safety: ClassVar[str] = "This rule has no automatic fix."
    options: ClassVar[tuple[str, ...]] = ()  # dotted [tool.ssot-lint] keys it reads
    example_config: ClassVar[str] = ""  # TOML body of [tool.ssot-lint] for the examples
    default_enabled: ClassVar[bool] = True
    fixable: ClassVar[bool] = False
    kind: ClassVar[str] = "meta"
    # Extra executable cases (Fixit's VALID/INVALID), same format as `example`.
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[str]] = []

    @classmethod
    def doc(cls, attribute: str) -> str:
        return textwrap.dedent(getattr(cls, attribute)).strip("\n")


class MetaRule(Rule):
    kind = "meta"


# ---------------------------------------------------------------------------
# Per-file rules.


@dataclass
class NodeEdit:
    """Replace ``node`` by ``replacement`` (a node or source text)."""

    node: cst.CSTNode
    replacement: cst.CSTNode | str


@dataclass
class PendingFix:
    """A fix described with nodes; turned into text edits once positions exist."""

    message: str
    edits: list[NodeEdit]
    imports: list[str] = field(default_factory=list)  # qualified names to import
    applicability: Applicability = Applicability.SAFE


@dataclass
class Report:
    code: str
    node: cst.CSTNode
    message: str
    scope: str
    fix: PendingFix | None = None


class FileContext:
    """What a per-file rule may know: this file, its names, the settings, and
    the few project facts folded into the cache key (``knowledge``)."""

    def __init__(
        self,
        *,
        path: str,
        module: cst.Module,
        facts: FileFacts,
        resolver: NameResolver,
        settings: Settings,
        knowledge: ProjectKnowledge,
        is_test: bool,
    ) -> None:
        self.path = path
        self.module = module
        self.facts = facts
        self.module_name = facts.module
        self.resolver = resolver
        self.settings = settings
        self.knowledge = knowledge
        self.is_test = is_test
        self.reports: list[Report] = []

    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        return self.resolver.qualified_name(node)

    def code_for(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def reference(self, qualified: str) -> tuple[str, list[str]]:
        """Text that names ``qualified`` here, and the imports that needs.

        Uses an existing binding when the file has one (``from m import X`` ->
        ``X``), otherwise plans ``from m import X``.
        """
        local = self.resolver.local_name_for(qualified)
        if local is not None:
            return local, []
        return qualified.rsplit(".", 1)[-1], [qualified]

    def runtime_reference(
        self, qualified: str, aliases: Iterable[str] = ()
    ) -> tuple[str, list[str]] | None:
        """``reference`` for code that runs, at the node being visited, or None.

        None when a fix could not name ``qualified`` safely: its short name is
        already bound here to something else (the planned import would clash),
        the existing binding is shadowed at this point, or it comes only from a
        ``TYPE_CHECKING`` import (absent at run time, yet counted as bound, so
        no import would be added). ``aliases`` are re-exports of the same
        object. A bare ``qualified`` (zero-config) is usable only when bound.
        """
        same = {qualified, *aliases}
        short = qualified.rsplit(".", 1)[-1]
        if "." not in qualified:
            if not self.resolver.is_bound(short):
                return None
            text = short
            found = self.resolver.lookup(short)
            if found is not None and found.rsplit(".", 1)[-1] == short:
                same.add(found)
        elif self.resolver.is_bound(short) and self.resolver.lookup(short) in same:
            text = short  # `from pkg import X` (or a re-export of it) beats `mod.X`
        else:
            text, imports = self.reference(qualified)
            if imports:
                return None if self.resolver.is_bound(short) else (text, imports)
        if self.resolver.qualified_name(cst.parse_expression(text)) not in same:
            return None
        head = text.partition(".")[0]
        imports_of_head = [
            imp for imp in self.facts.imports if not imp.in_function and imp.bound_name == head
        ]
        if imports_of_head and all(imp.type_checking for imp in imports_of_head):
            return None
        return text, []


class CstRule(Rule):
    kind = "cst"

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx

    @classmethod
    def triggers(cls, settings: Settings) -> tuple[str, ...]:
        """Words without which this rule cannot fire in a file.

        The engine skips the libcst parse of a file none of whose rules'
        triggers occur in it as words (``trigger_words.has_word``: not inside
        a longer identifier). An empty tuple means "always run".
        """
        return ()

    @classmethod
    def project_triggers(cls, settings: Settings, knowledge: ProjectKnowledge) -> tuple[str, ...]:
        """``triggers`` plus what only the project knows: the short names of
        re-exports under another name (``LegacyTracker = AgentExecutionTracker``
        in a compat module), which a file may use without naming the original."""
        return cls.triggers(settings)

    @classmethod
    def can_fire(cls, settings: Settings, knowledge: ProjectKnowledge, text: str) -> bool:
        """Whether ``text`` contains one of this rule's triggers (or it has none)."""
        triggers = cls.project_triggers(settings, knowledge)
        return not triggers or any(has_word(text, t) for t in triggers)

    @classmethod
    def fires_on_scan(
        cls,
        settings: Settings,
        knowledge: ProjectKnowledge,
        scan: TriggerScan,
        utf8_bytes: Callable[[], bytes | None],
    ) -> bool | None:
        """``can_fire`` answered from the facts phase's scan of the text.

        Triggers it did not look for (re-export names only the project
        knows) are searched in the file's bytes, from ``utf8_bytes``, where
        the file is UTF-8: UTF-8 is self-synchronising, so a string occurs in
        the text exactly where its encoding occurs in the bytes, and no
        decoding is needed (``has_word_in_utf8``). None where only the
        decoded text can tell.
        """
        triggers = cls.project_triggers(settings, knowledge)
        if not triggers or any(t in scan.hits for t in triggers):
            return True
        unseen = [t for t in triggers if t not in scan.scanned]
        if not unseen:
            return False
        data = utf8_bytes() if scan.utf8 else None
        if data is None:
            return None
        return any(has_word_in_utf8(data, t) for t in unseen)

    def report(self, node: cst.CSTNode, message: str, fix: PendingFix | None = None) -> None:
        self.ctx.reports.append(Report(self.code, node, message, self.ctx.resolver.scope, fix))

    def visitors(self) -> Iterable[tuple[str, Callable[[cst.CSTNode], object]]]:
        """(``visit_Call`` / ``leave_Call`` ..., bound method) pairs of this rule."""
        for attr in dir(type(self)):
            if attr.startswith(("visit_", "leave_")):
                yield attr, getattr(self, attr)


# ---------------------------------------------------------------------------
# Cross-file rules.


class ProjectRule(Rule):
    kind = "project"

    def check(self, project: Project) -> Iterable[Diagnostic]:
        raise NotImplementedError
