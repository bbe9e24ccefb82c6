"""``ssot-lint init``: infer a starter ``[tool.ssot-lint]`` section from the tree.

Everything is read from the same per-file facts the rules use (discovery,
``ast`` facts, the project index). Facts carry no docstrings, comments or
function signatures, so the two inferences that need them (deprecated
symbols, state-update functions) re-parse only the few candidate files the
facts (or a cheap byte search) point at.

Each proposed entry carries its evidence: short lines rendered as TOML
comments above it, so that a reviewer can judge the guess without rerunning
anything.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from ssot_lint.cache import Cache
from ssot_lint.config import DuplicatesSettings, Settings, StateSettings
from ssot_lint.discovery import Discoverer, absolute
from ssot_lint.facts import ClassFact
from ssot_lint.idnames import is_id_factory_name, significant_words, split_words
from ssot_lint.project import Project, ProjectFile, make_test_matcher
from ssot_lint.source import ProjectLayout, SourceError, parse_python, read_source

# Modules that make IDs; importing one of them is evidence of an ID manager.
_ID_SOURCES = frozenset({"uuid", "secrets"})
_FACTORY_VERBS = frozenset({"generate", "new", "make", "create"})
# State-update functions: update_execution_state, set_run_status, transition_phase...
_STATE_FUNCTION = re.compile(r"^(update|set|transition|change)(_\w+)?_(state|status|phase)$")
_DEPRECATION_WARNINGS = frozenset({"DeprecationWarning", "PendingDeprecationWarning"})
# "Deprecated" said about the thing itself, not "replaces the deprecated X".
_SAYS_DEPRECATED = re.compile(
    r"^\W*deprecated\b|\.\.\s+deprecated::|\b(?:is|are|now)\s+deprecated\b"
    r"|\bdeprecated\s*(?::|since|in\s+favou?r|\(|-)",
    re.IGNORECASE | re.MULTILINE,
)
_REPLACEMENT = [
    re.compile(
        r"\b(?:use|replaced\s+by|in\s+favou?r\s+of|superseded\s+by|pass\s+an?)\s+"
        r"[`'\"]*([A-Za-z_][\w.]*\w)",
        re.IGNORECASE,
    ),
    re.compile(r"[`'\"]*\b([A-Z]\w+)[`'\"]*\s+instead\b"),
]


@dataclass
class Proposed:
    """One proposed table (or top-level key) with the evidence behind it."""

    values: dict[str, Any]
    evidence: list[str] = field(default_factory=list)


@dataclass
class Proposal:
    root: Path
    files: int
    src: Proposed | None = None
    registry: Proposed | None = None
    canonical: list[Proposed] = field(default_factory=list)
    deprecated: list[Proposed] = field(default_factory=list)
    ids: Proposed | None = None
    state: Proposed | None = None
    notes: list[str] = field(default_factory=list)

    def section(self) -> dict[str, Any]:
        """The proposal as the plain ``[tool.ssot-lint]`` table it renders to."""
        table: dict[str, Any] = {}
        for top in (self.src, self.registry):
            if top is not None:
                table.update(top.values)
        if self.canonical:
            table["canonical"] = [p.values for p in self.canonical]
        if self.deprecated:
            table["deprecated"] = [p.values for p in self.deprecated]
        if self.ids is not None:
            table["ids"] = self.ids.values
        if self.state is not None:
            table["state"] = self.state.values
        return table


# ---------------------------------------------------------------------------
# Building the project index exactly as a zero-configuration check would.


def index_project(root: Path, jobs: int | None = None, src: list[str] | None = None) -> Project:
    """Facts for every Python file under ``root``, default settings, no cache.

    Default settings on purpose: the proposal must not depend on the section
    it is about to replace. ``src``: the first-party roots (default: what a
    zero-configuration run would take).
    """
    from ssot_lint.engine import RunStats, _gather_facts, index_files
    from ssot_lint.workers import default_jobs

    settings = Settings()
    root = absolute(root)
    files = Discoverer(root, settings).discover([root])
    layout = ProjectLayout.from_settings(root, src or [], files)
    results = _gather_facts(
        index_files(files, layout), Cache.disabled(), jobs or default_jobs(), None, RunStats()
    )
    is_test = make_test_matcher(settings)
    project = Project(layout, settings)
    for file in files:
        rel = layout.relative_path(file)
        project.add(ProjectFile(absolute(file), rel, results[rel].facts, is_test(rel), True))
    return project


def propose(root: Path, jobs: int | None = None) -> Proposal:
    project = index_project(root, jobs)
    proposal = Proposal(root=absolute(root), files=len(project.files))
    proposal.src = _first_party_roots(project)
    if proposal.src is not None:
        src = proposal.src.values["src"]
        if set(src) != {p.name for p in project.layout.packages.values()}:
            # Module names (and so every qualified name below) depend on the
            # roots: name them as `check` will once the proposal is in force.
            project = index_project(root, jobs, src)
    proposal.registry = _registry(project)
    proposal.deprecated = _deprecated(project)
    symbols = {str(p.values["symbol"]) for p in proposal.deprecated if "symbol" in p.values}
    proposal.canonical = _canonical_classes(project, symbols)
    proposal.ids = _id_managers(project)
    proposal.state = _state_functions(project)
    return proposal


# ---------------------------------------------------------------------------
# Shared counting.


def _module_importers(project: Project) -> dict[str, set[str]]:
    """Module -> the other modules importing it (``import m``, ``from m import x``,
    ``from parent import m``)."""
    index: dict[str, set[str]] = {}
    for file in project:
        for imp in file.facts.imports:
            for module in {imp.module, imp.target}:
                if module and module != file.facts.module and project.is_module(module):
                    index.setdefault(module, set()).add(file.facts.module)
    return index


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _non_test(project: Project) -> Iterator[ProjectFile]:
    return (f for f in project if not f.is_test and f.facts.syntax_error is None)


# ---------------------------------------------------------------------------
# src: first-party roots.


def _first_party_roots(project: Project) -> Proposed | None:
    """Importable top-level packages (regular or namespace), with their imports."""
    counts: Counter[str] = Counter()
    for file in project:
        for imp in file.facts.imports:
            if imp.level == 0 and imp.module:
                counts[imp.module.split(".", 1)[0]] += 1
    layout = project.layout
    chosen: list[tuple[str, str, int]] = []  # path, kind, imports
    for name, location in sorted(layout.packages.items()):
        if location.suffix in (".py", ".pyi"):
            # A lone top-level module (setup.py, noxfile.py) is a root only if
            # something imports it.
            kind = "module"
            if not counts[name]:
                continue
        elif name in ("tests", "test") and not counts[name]:
            continue  # nothing imports the test package: it needs no root
        elif (location / "__init__.py").is_file() or (location / "__init__.pyi").is_file():
            kind = "package"
        else:
            # A directory of scripts is not a namespace package unless it is imported.
            kind = "namespace package"
            if not counts[name]:
                continue
        chosen.append((location.relative_to(layout.root).as_posix(), kind, counts[name]))
    if not chosen:
        return None
    width = max(len(path) for path, _, _ in chosen)
    evidence = ["First-party roots (absolute imports of each, project-wide):"]
    evidence += [
        f"  {path:<{width}}  {kind:<17}  {_plural(n, 'import')}" for path, kind, n in chosen
    ]
    return Proposed({"src": [path for path, _, _ in chosen]}, evidence)


# ---------------------------------------------------------------------------
# registry


def _registry(project: Project) -> Proposed | None:
    from ssot_lint.registry import find_registry

    found = find_registry(project.layout.root, Settings())
    if found is None:
        return None
    rel = found.relative_to(project.layout.root).as_posix()
    return Proposed({"registry": rel}, [f"SSOT import registry found at {rel}."])


# ---------------------------------------------------------------------------
# canonical: one per duplicate family, the most imported definition.


@dataclass
class _Definition:
    file: ProjectFile
    cls: ClassFact
    importers: int

    @property
    def qualified(self) -> str:
        return f"{self.file.facts.module}.{self.cls.name}"

    @property
    def where(self) -> str:
        return f"{self.file.rel_path}:{self.cls.line}"


def _definitions(project: Project) -> list[_Definition]:
    found = []
    for file in _non_test(project):
        for cls in file.facts.classes:
            qualified = f"{file.facts.module}.{cls.name}"
            found.append(_Definition(file, cls, len(project.importers_of(qualified))))
    return found


def _most_imported(family: list[_Definition]) -> list[_Definition]:
    # Most importers first; a tie is broken by path so the output is stable.
    return sorted(family, key=lambda d: (-d.importers, d.file.rel_path, d.cls.line))


def _canonical_classes(project: Project, deprecated: set[str]) -> list[Proposed]:
    definitions = _definitions(project)
    proposed: dict[str, Proposed] = {}
    # Deprecated classes are what the canonical ones replace, never canonical.
    absorbed: set[str] = {s.rsplit(".", 1)[-1] for s in deprecated}
    for pattern in DuplicatesSettings().patterns:
        family = [
            d
            for d in definitions
            if fnmatchcase(d.cls.name, pattern) and d.qualified not in deprecated
        ]
        if len(family) < 2:
            continue
        best, *others = _most_imported(family)
        names = sorted({d.cls.name for d in others} - {best.cls.name})
        absorbed.update(names)
        entry = proposed.setdefault(best.qualified, _canonical_entry(project, best))
        if names:
            entry.values["absorbs"] = sorted({*entry.values.get("absorbs", []), *names})
        entry.evidence += _family_evidence(f"{pattern} classes", best, others)
    # Same-named Enums (SSOT001 c); other same-named classes are no rule's business.
    by_name: dict[str, list[_Definition]] = {}
    for d in definitions:
        if project.is_enum(d.file, d.cls):
            by_name.setdefault(d.cls.name, []).append(d)
    for name, family in sorted(by_name.items()):
        if len(family) < 2 or name in absorbed:
            continue
        best, *others = _most_imported(family)
        entry = proposed.setdefault(best.qualified, _canonical_entry(project, best))
        entry.evidence += _family_evidence(f"Enum {name} defined {len(family)} times", best, others)
    for entry in proposed.values():
        # The accessor note reads best after the family it belongs to.
        notes = [line for line in entry.evidence if line.startswith("accessor:")]
        entry.evidence = [line for line in entry.evidence if line not in notes] + notes
        if best_unused(entry):
            entry.evidence.append("none is imported anywhere: the first by path was taken")
    return [proposed[q] for q in sorted(proposed)]


def best_unused(entry: Proposed) -> bool:
    counts = [line.split()[0] for line in entry.evidence if line.startswith("  ")]
    return bool(counts) and all(c == "0" for c in counts)


def _canonical_entry(project: Project, best: _Definition) -> Proposed:
    values: dict[str, Any] = {"class": best.qualified}
    evidence: list[str] = []
    accessor = _accessor(best)
    if accessor is not None:
        values["accessor"] = f"{best.file.facts.module}.{accessor}"
        evidence.append(f"accessor: {accessor}() is defined in the same module")
    return Proposed(values, evidence)


def _family_evidence(title: str, best: _Definition, others: list[_Definition]) -> list[str]:
    """A small table: importing modules, class, where; the chosen one first."""
    family = [best, *others]
    width = max(len(d.cls.name) for d in family)
    lines = [f"{title}; modules importing each:"]
    lines += [f"  {d.importers:>3}  {d.cls.name:<{width}}  {d.where}" for d in family]
    return lines


def _modules(count: int) -> str:
    return _plural(count, "module")


def _accessor(best: _Definition) -> str | None:
    """A module-level ``get_<words of the class>()`` bound in the class's module:
    ``get_execution_tracker`` for ``AgentExecutionTracker``."""
    words = [w.lower() for w in split_words(best.cls.name)]
    facts = best.file.facts
    imported = set(facts.import_table())
    for name in sorted(facts.bindings - imported):
        if not name.startswith("get_"):
            continue
        wanted = [w.lower() for w in split_words(name[4:])]
        if wanted and wanted[-1] == words[-1] and set(wanted) <= set(words):
            return name
    return None


# ---------------------------------------------------------------------------
# ids: modules defining ID factories that many modules import.


def _makes_ids(name: str) -> bool:
    """An ID factory by name that is also a verb (``generate_id``, ``new_run_id``):
    ``is_valid_id`` and ``PLACEHOLDER_IDS`` are ID-like names, not factories."""
    if name.startswith("_") or name.isupper():
        return False
    words = significant_words(name)
    return bool(words) and words[0].lower() in _FACTORY_VERBS and is_id_factory_name(name)


def _id_factories(file: ProjectFile) -> list[str]:
    facts = file.facts
    imported = set(facts.import_table()) | set(facts.aliases)
    names = [f"{n}()" for n in sorted(facts.bindings - imported) if _makes_ids(n)]
    for cls in facts.classes:
        names += [f"{cls.name}.{m}()" for m in cls.methods if _makes_ids(m)]
    return names


def _id_managers(project: Project) -> Proposed | None:
    importers = _module_importers(project)
    candidates = []
    for file in _non_test(project):
        factories = _id_factories(file)
        users = importers.get(file.facts.module, set())
        if factories and len(users) >= 2:
            candidates.append((len(users), file, factories))
    if not candidates:
        return None
    candidates.sort(key=lambda c: (-c[0], c[1].rel_path))
    evidence = ["ID managers: modules defining ID factories; modules importing each:"]
    managers = []
    for users, file, factories in candidates:
        managers.append(file.facts.module)
        shown = ", ".join(factories[:3]) + (", ..." if len(factories) > 3 else "")
        source = [m for m in _ID_SOURCES if any(i.module == m for i in file.facts.imports)]
        uses = f"; uses {', '.join(sorted(source))}" if source else ""
        evidence.append(f"  {users:>3}  {file.rel_path} ({shown}{uses})")
    values: dict[str, Any] = {"managers": managers}
    values.update(_id_fix(project, candidates[0][1], evidence))
    return Proposed(values, evidence)


def _id_fix(project: Project, file: ProjectFile, evidence: list[str]) -> dict[str, Any]:
    """``fix-imports``/``kinds`` when the top manager is shaped like the default fix,
    ``UnifiedIDManager.generate_id(IDType.{KIND})``."""
    facts = file.facts
    module = facts.module
    if not {"UnifiedIDManager", "IDType"} <= facts.bindings:
        evidence.append("fix: not inferred (no UnifiedIDManager/IDType); set it to your ID call")
        return {}
    values: dict[str, Any] = {
        "fix-imports": [f"{module}.UnifiedIDManager", f"{module}.IDType"],
    }
    id_type = [c for c in facts.classes if c.name == "IDType"]
    if id_type and id_type[-1].members:
        values["kinds"] = [name for name, _ in id_type[-1].members]
        evidence.append(f"kinds: the members of {module}.IDType")
    return values


# ---------------------------------------------------------------------------
# state: update functions and the enum their state parameter is annotated with.


@dataclass(frozen=True)
class _StateFunction:
    name: str
    where: str
    enum: str
    position: int | None  # 1-based, call side (self/cls dropped); None: keyword-only
    keyword: str


def _state_candidates(project: Project) -> Iterator[ProjectFile]:
    for file in _non_test(project):
        facts = file.facts
        names = set(facts.bindings)
        for cls in facts.classes:
            names.update(cls.methods)
        if any(_STATE_FUNCTION.match(n) for n in names):
            yield file


def _parse(file: ProjectFile) -> tuple[ast.Module, str] | None:
    """The file's tree and text; None if it changed into something unparsable."""
    try:
        text = read_source(file.path).text
        return parse_python(text), text
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _functions(tree: ast.Module) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """Module-level functions and methods of module-level classes (is_method)."""
    function = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, function):
            yield node, False
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, function):
                    static = any(_dotted(d) == "staticmethod" for d in item.decorator_list)
                    yield item, not static


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.strip() or None  # a string annotation
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _qualify(file: ProjectFile, dotted: str) -> str:
    head, _, rest = dotted.partition(".")
    table = file.facts.import_table()
    if head in table:
        return f"{table[head]}.{rest}" if rest else table[head]
    return f"{file.facts.module}.{dotted}"


def _enum_of(project: Project, file: ProjectFile, annotation: ast.expr | None) -> str | None:
    dotted = _dotted(annotation) if annotation is not None else None
    if dotted is None:
        return None
    found = project.class_at(_qualify(file, dotted))
    if found is None or not project.is_enum(*found):
        return None
    return f"{found[0].facts.module}.{found[1].name}"


def _state_functions_in(project: Project, file: ProjectFile) -> Iterator[_StateFunction]:
    parsed = _parse(file)
    if parsed is None:
        return
    for node, is_method in _functions(parsed[0]):
        if not _STATE_FUNCTION.match(node.name):
            continue
        positional = [*node.args.posonlyargs, *node.args.args]
        if is_method and positional:
            positional = positional[1:]  # self / cls: not written at the call
        for index, arg in enumerate([*positional, *node.args.kwonlyargs]):
            enum = _enum_of(project, file, arg.annotation)
            if enum is None:
                continue
            position = index + 1 if index < len(positional) else None
            where = f"{file.rel_path}:{node.lineno}"
            yield _StateFunction(node.name, where, enum, position, arg.arg)
            break


def _state_functions(project: Project) -> Proposed | None:
    found = [f for file in _state_candidates(project) for f in _state_functions_in(project, file)]
    if not found:
        return None
    # One enum per configuration: the one most state functions take.
    by_enum = Counter(f.enum for f in found)
    enum = min(by_enum, key=lambda e: (-by_enum[e], e))
    chosen = [f for f in found if f.enum == enum]
    defaults = StateSettings()
    positions = Counter(f.position for f in chosen if f.position is not None)
    values: dict[str, Any] = {
        "functions": sorted({f.name for f in chosen}),
        "enum": enum,
    }
    if positions:
        position = min(positions, key=lambda p: (-positions[p], p))
        if position != defaults.position:
            values["position"] = position
    keywords = list(dict.fromkeys([*defaults.keywords, *(f.keyword for f in chosen)]))
    if keywords != defaults.keywords:
        values["keywords"] = keywords
    short = enum.rsplit(".", 1)[-1]
    evidence = [f"State-update functions with a parameter annotated {short}:"]
    evidence += [
        f"  {f.where}: {f.name}({f.keyword}: {short})"
        + (f", argument {f.position}" if f.position else ", keyword-only")
        for f in chosen
    ]
    evidence += [
        f"  not taken: {f.where}: {f.name}({f.keyword}: {f.enum.rsplit('.', 1)[-1]}), another enum"
        for f in found
        if f.enum != enum
    ]
    return Proposed(values, evidence)


# ---------------------------------------------------------------------------
# deprecated: classes (and modules) that say so, or warn.


def _deprecated(project: Project) -> list[Proposed]:
    found: list[Proposed] = []
    for file in _non_test(project):
        try:
            data = file.path.read_bytes()
        except OSError:
            continue
        if b"deprecat" not in data.lower():
            continue  # the cheap filter: most files never mention it
        parsed = _parse(file)
        if parsed is not None:
            found += _deprecated_in(project, file, *parsed)
    return found


def _deprecated_in(
    project: Project, file: ProjectFile, tree: ast.Module, text: str
) -> list[Proposed]:
    lines = text.splitlines()
    found = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        reasons, texts = _class_deprecation(node, lines)
        if reasons:
            qualified = f"{file.facts.module}.{node.name}"
            users = len(project.importers_of(qualified))
            reasons.append(f"{node.lineno}: {node.name} is still imported by {_modules(users)}")
            found.append(_deprecated_entry(project, {"symbol": qualified}, reasons, texts))
    module_reasons, module_texts = _module_deprecation(tree)
    # A module whose docstring alone says "deprecated" usually means the class
    # found above; a module that warns on import is deprecated as a whole.
    warns = any("warns" in r for r in module_reasons)
    if module_reasons and (warns or not found):
        values = {"module": file.facts.module}
        found.append(_deprecated_entry(project, values, module_reasons, module_texts))
    for entry in found:
        entry.evidence = [f"{file.rel_path}:{line}" for line in entry.evidence]
    return found


def _class_deprecation(node: ast.ClassDef, lines: list[str]) -> tuple[list[str], list[str]]:
    reasons: list[str] = []
    texts: list[str] = []
    docstring = ast.get_docstring(node) or ""
    if _SAYS_DEPRECATED.search(docstring):
        reasons.append(f"{node.lineno}: {node.name}'s docstring says deprecated")
        texts.append(docstring)
    comment = _comments_near(node, lines)
    if _SAYS_DEPRECATED.search(comment) or "deprecat" in comment.lower():
        reasons.append(f"{node.lineno}: a comment at {node.name} says deprecated")
        texts.append(comment)
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (_dotted(target) or "").rsplit(".", 1)[-1] == "deprecated":
            reasons.append(f"{decorator.lineno}: {node.name} is decorated @deprecated")
            texts += _strings(decorator)
    for call in _deprecation_warnings(node.body):
        reasons.append(f"{call.lineno}: {node.name} warns DeprecationWarning")
        texts += _strings(call)
    return reasons, texts


def _module_deprecation(tree: ast.Module) -> tuple[list[str], list[str]]:
    reasons: list[str] = []
    texts: list[str] = []
    docstring = ast.get_docstring(tree) or ""
    if _SAYS_DEPRECATED.search(docstring):
        reasons.append("1: the module docstring says deprecated")
        texts.append(docstring)
    # Only statements run at import time: a warning inside a function or
    # class is about that function or class, not the module.
    top = [s for s in tree.body if not isinstance(s, (ast.FunctionDef, ast.ClassDef))]
    top = [s for s in top if not isinstance(s, ast.AsyncFunctionDef)]
    for call in _deprecation_warnings(top):
        reasons.append(f"{call.lineno}: the module warns DeprecationWarning on import")
        texts += _strings(call)
    return reasons, texts


def _comments_near(node: ast.ClassDef, lines: list[str]) -> str:
    """Comment lines directly above the class (or its decorators) and on its line."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    found = []
    index = first - 2
    while index >= 0 and lines[index].lstrip().startswith("#"):
        found.append(lines[index].lstrip("# \t"))
        index -= 1
    if node.lineno - 1 < len(lines) and "#" in lines[node.lineno - 1]:
        found.append(lines[node.lineno - 1].split("#", 1)[1])
    return "\n".join(found)


def _deprecation_warnings(body: list[ast.stmt]) -> Iterator[ast.Call]:
    for stmt in body:
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            if (_dotted(node.func) or "").rsplit(".", 1)[-1] != "warn":
                continue
            values = [*node.args, *(k.value for k in node.keywords)]
            if any(_is_deprecation_warning(v) for v in values):
                yield node


def _is_deprecation_warning(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return False  # a string naming the warning is not the warning
    return (_dotted(node) or "").rsplit(".", 1)[-1] in _DEPRECATION_WARNINGS


def _strings(node: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _deprecated_entry(
    project: Project, values: dict[str, str], reasons: list[str], texts: list[str]
) -> Proposed:
    entry = Proposed(dict(values), list(reasons))
    line = reasons[0].split(":", 1)[0]
    replacement = _replacement(project, " ".join(texts), values)
    if replacement is not None:
        entry.values["replacement"] = replacement
        entry.evidence.append(f"{line}: replacement named in the deprecation text")
    return entry


def _replacement(project: Project, text: str, values: dict[str, str]) -> str | None:
    own = (values.get("symbol") or values.get("module") or "").rsplit(".", 1)[-1]
    text = re.sub(r"\s+", " ", text)
    for pattern in _REPLACEMENT:
        for match in pattern.finditer(text):
            name = match.group(1).rstrip(".")
            if name.rsplit(".", 1)[-1] == own or not (name[0].isupper() or "." in name):
                continue
            return _qualified_definition(project, name)
    return None


def _qualified_definition(project: Project, name: str) -> str:
    """A bare name defined by exactly one non-test module becomes its qualified name."""
    if "." in name:
        return name
    owners = [
        q
        for q in project.definitions_named(name)
        if not project.modules[q.rpartition(".")[0]].is_test
    ]
    return owners[0] if len(owners) == 1 else name


# ---------------------------------------------------------------------------
# Rendering: TOML text with the evidence as comments.

_WIDTH = 88


def _value(value: Any) -> str:
    """A TOML value as tomlkit writes it; long arrays one item per line."""
    import tomlkit

    flat = tomlkit.item(value).as_string()
    if not isinstance(value, list) or len(flat) <= _WIDTH - 20:
        return flat
    # Long arrays: short items filled up to the width, long ones one per line.
    lines: list[str] = []
    for item in (tomlkit.item(v).as_string() + "," for v in value):
        if lines and len(lines[-1]) + 1 + len(item) <= _WIDTH:
            lines[-1] += " " + item
        else:
            lines.append("    " + item)
    return "[\n" + "\n".join(lines) + "\n]"


def _entry_lines(entry: Proposed) -> list[str]:
    lines = [f"# {line}".rstrip() for line in entry.evidence]
    lines += [f"{key} = {_value(value)}" for key, value in entry.values.items()]
    return lines


def render(proposal: Proposal) -> str:
    """The proposal as a ``[tool.ssot-lint]`` section (LF line endings).

    The banner goes below the header so that a later ``--force`` replaces it
    along with the rest instead of stacking up copies above the section.
    """
    out = [
        "[tool.ssot-lint]",
        f"# Proposed by `ssot-lint init` from {_plural(proposal.files, 'Python file')}. Each entry",
        "# lists the evidence it was inferred from: review it before committing.",
    ]
    for top in (proposal.src, proposal.registry):
        if top is not None:
            out += _entry_lines(top)
    for note in _default_notes(proposal):
        out.append(f"# {note}")
    for name, entries in (("canonical", proposal.canonical), ("deprecated", proposal.deprecated)):
        for entry in entries:
            out += ["", *_table_lines(f"[[tool.ssot-lint.{name}]]", entry)]
    for name, entry in (("ids", proposal.ids), ("state", proposal.state)):
        if entry is not None:
            out += ["", *_table_lines(f"[tool.ssot-lint.{name}]", entry)]
    return "\n".join(out) + "\n"


def _table_lines(header: str, entry: Proposed) -> list[str]:
    evidence = [f"# {line}".rstrip() for line in entry.evidence]
    values = [f"{key} = {_value(value)}" for key, value in entry.values.items()]
    return [*evidence, header, *values]


def _default_notes(proposal: Proposal) -> list[str]:
    """Say which settings keep their built-in defaults, and why."""
    missing = []
    if proposal.src is None:
        missing.append("src (no importable top-level package found)")
    if not proposal.canonical:
        missing.append("canonical (no duplicate class family found)")
    if not proposal.deprecated:
        missing.append("deprecated (no class or module says it is deprecated)")
    if proposal.ids is None:
        missing.append("ids (no widely imported module defines generate_* ID functions)")
    if proposal.state is None:
        missing.append("state (no update_*_state function takes an Enum)")
    if not missing:
        return []
    return ["Not inferred, so the built-in defaults apply:", *(f"  {m}" for m in missing)]
