"""The first-party import graph: modules and the imports between them.

Built once from the per-file facts the rules already have (never by parsing
again). Nodes are first-party modules that have a file; an edge ``A -> B``
means module A imports module B. Several import statements may make one edge;
the edge keeps every line and is flagged ``type_checking`` / ``function_local``
/ ``guarded`` only when *all* of them are (an edge is only as harmless as its
least harmless import). ``runtime`` tells whether any of them runs when the
module is imported; ``line`` and ``flags`` describe the import that most
surely runs.

networkx is imported lazily: ``ssot-lint check`` never pays for it.
"""

from __future__ import annotations

import difflib
import inspect
import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ssot_lint.facts import ImportFact
from ssot_lint.resolver import module_matches

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx

    from ssot_lint.engine import RunResult
    from ssot_lint.project import Project

# Roles of SSOT modules, in the order they are listed.
ROLES = ("canonical", "deprecated", "id-manager", "registry")
EXPORT_FORMATS = ("dot", "json", "graphml", "svg")


class GraphError(Exception):
    """A question the graph cannot answer (unknown module...): a usage error."""


@dataclass(frozen=True, slots=True)
class Hop:
    """One import in a chain: ``source`` imports ``target`` at ``line`` of ``path``."""

    source: str
    target: str
    path: str
    line: int
    flags: tuple[str, ...]

    def describe(self) -> str:
        marks = f" [{', '.join(self.flags)}]" if self.flags else ""
        return f"{self.path}:{self.line}{marks}"


def import_target(project: Project, imp: ImportFact) -> str | None:
    """The first-party module (with a file) an import makes its module depend on.

    ``from pkg import sub`` depends on ``pkg.sub`` when that is a module, else
    on ``pkg``; ``import a.b.c`` on ``a.b.c``. A name without a file of its own
    (a namespace package, a missing module) falls back to its longest prefix
    that has one; third-party imports give None.
    """
    if not imp.module or not project.is_first_party(imp.module):
        return None
    candidate = imp.module
    if imp.name is not None and not imp.is_star:
        sub = f"{imp.module}.{imp.name}"
        if project.is_module(sub):
            candidate = sub
    parts = candidate.split(".")
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        if name in project.modules:
            return name
    return None


def import_flags(imp: ImportFact) -> tuple[str, ...]:
    """How one import statement is conditional, in words."""
    flags = []
    if imp.type_checking:
        flags.append("TYPE_CHECKING")
    if imp.in_function:
        flags.append("function-local")
    if imp.guarded or imp.in_except:
        flags.append("try/except")
    return tuple(flags)


def edge_flags(data: dict[str, Any]) -> tuple[str, ...]:
    """Flags of the import an edge's ``line`` points at."""
    value = str(data.get("flags", ""))
    return tuple(value.split(",")) if value else ()


def _strength(imp: ImportFact) -> tuple[bool, bool, bool, int]:
    # Sorting key: the import that most surely runs at import time comes first.
    return (imp.type_checking, imp.in_function, imp.guarded or imp.in_except, imp.line)


def ssot_roles(project: Project) -> dict[str, set[str]]:
    """SSOT modules of the project and their roles (see ``ROLES``)."""
    from ssot_lint.progress import resolve_consolidations  # circular at import time

    settings = project.settings
    roles: dict[str, set[str]] = {}

    def add(module: str, role: str) -> None:
        if module in project.modules:
            roles.setdefault(module, set()).add(role)

    for plan in resolve_consolidations(project):
        for module in plan.legacy_modules:
            add(module, "deprecated")
        for module in plan.canonical_modules:
            add(module, "canonical")
    for canonical in settings.canonical:
        for module in defining_modules(project, canonical.class_):
            add(module, "canonical")
    for module in project.modules:
        if any(module_matches(module, m) for m in settings.ids.managers):
            add(module, "id-manager")
    for module in registry_modules(project):
        add(module, "registry")
    return roles


def defining_modules(project: Project, configured: str) -> set[str]:
    """Modules that define the class/binding ``configured`` (qualified or bare)."""
    found: set[str] = set()
    if "." in configured:
        resolved = project.resolve(configured)
        module, rest = project.split(resolved)
        if module in project.modules and len(rest) == 1:
            found.add(module)
        return found
    for module, file in project.modules.items():
        facts = file.facts
        own = {c.name for c in facts.classes} | (facts.bindings - set(facts.import_table()))
        if configured in own and configured not in facts.aliases:
            found.add(module)
    return found


def registry_modules(project: Project) -> set[str]:
    """First-party modules that the SSOT import registry lists as import sources."""
    from ssot_lint.registry import load_project_registry

    try:
        registry = load_project_registry(project.layout.root, project.settings)
    except Exception:  # a broken registry is SSOT005's and `registry check`'s to report
        return set()
    if registry is None:
        return set()
    modules: set[str] = set()
    for item in registry.verified:
        target = item.target
        modules.add(target if item.name and project.is_module(target) else item.module)
    return modules


class ImportGraph:
    """The import graph of one project snapshot, and the questions asked of it."""

    def __init__(self, graph: nx.DiGraph, project: Project) -> None:
        self.graph = graph
        self.project = project

    # -- construction --------------------------------------------------------

    @classmethod
    def build(cls, project: Project, *, roles: dict[str, set[str]] | None = None) -> ImportGraph:
        import networkx as nx

        graph = nx.DiGraph()
        if roles is None:
            roles = ssot_roles(project)
        for module, file in sorted(project.modules.items()):
            graph.add_node(
                module,
                path=file.rel_path,
                test=file.is_test,
                package=file.facts.is_package,
                ssot=",".join(r for r in ROLES if r in roles.get(module, ())),
            )
        by_edge: dict[tuple[str, str], list[ImportFact]] = {}
        for module, file in project.modules.items():
            for imp in file.facts.imports:
                target = import_target(project, imp)
                if target is None or target == module:
                    continue
                by_edge.setdefault((module, target), []).append(imp)
        for (source, target), imports in sorted(by_edge.items()):
            imports.sort(key=_strength)
            first = imports[0]
            names = sorted({imp.name or imp.module for imp in imports})
            graph.add_edge(
                source,
                target,
                line=first.line,
                lines=",".join(str(n) for n in sorted({imp.line for imp in imports})),
                names=",".join(names),
                count=len(imports),
                type_checking=all(imp.type_checking for imp in imports),
                function_local=all(imp.in_function for imp in imports),
                guarded=all(imp.guarded or imp.in_except for imp in imports),
                runtime=any(not imp.type_checking and not imp.in_function for imp in imports),
                flags=",".join(import_flags(first)),
            )
        return cls(graph, project)

    # -- lookups -------------------------------------------------------------

    def find_module(self, name: str) -> str:
        """A module named exactly, by a unique dotted suffix, or by its file path."""
        if name in self.graph:
            return name
        file = self.project.files.get(name.removeprefix("./"))
        if file is not None and file.facts.module in self.graph:
            return file.facts.module
        suffix = [m for m in self.graph if m.endswith("." + name)]
        if len(suffix) == 1:
            return suffix[0]
        if len(suffix) > 1:
            listed = ", ".join(sorted(suffix)[:8])
            raise GraphError(f"module '{name}' is ambiguous: {listed}")
        close = difflib.get_close_matches(name, list(self.graph), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise GraphError(f"no first-party module '{name}' in the project{hint}")

    def runtime_view(self) -> nx.DiGraph:
        """Only the edges that execute when the module is imported."""
        return self.graph.edge_subgraph(
            (u, v) for u, v, d in self.graph.edges(data=True) if d["runtime"]
        )

    def _view(self, runtime: bool) -> nx.DiGraph:
        if not runtime:
            return self.graph
        view = self.runtime_view().copy()
        view.add_nodes_from(self.graph.nodes(data=True))
        return view

    def hop(self, source: str, target: str) -> Hop:
        data = self.graph.edges[source, target]
        path = self.graph.nodes[source]["path"]
        return Hop(source, target, path, data["line"], edge_flags(data))

    # -- queries -------------------------------------------------------------

    def neighbourhood(
        self, focus: str, depth: int = 1, direction: str = "both"
    ) -> tuple[nx.DiGraph, dict[str, int]]:
        """The subgraph within ``depth`` imports of ``focus``, and each node's signed
        distance (negative: importers of the focus, positive: what it imports)."""
        distances = {focus: 0}
        if direction in ("both", "imports"):
            for node, dist in _bfs(self.graph.successors, focus, depth):
                distances.setdefault(node, dist)
        if direction in ("both", "importers"):
            for node, dist in _bfs(self.graph.predecessors, focus, depth):
                distances.setdefault(node, -dist)
        return self.graph.subgraph(distances).copy(), distances

    def why(self, source: str, target: str, *, runtime: bool = False) -> list[Hop] | None:
        """The shortest import chain from ``source`` to ``target`` (None: there is none)."""
        import networkx as nx

        view = self._view(runtime)
        try:
            path = nx.shortest_path(view, source, target)
        except nx.NetworkXNoPath:
            return None
        return [self.hop(a, b) for a, b in itertools.pairwise(path)]

    def cycles(self, *, runtime: bool = False) -> list[list[Hop]]:
        """Import cycles: for every module on a cycle, the shortest cycle through it.

        Enumerating every simple cycle is exponential on a real monorepo; the
        shortest cycle per module is finite, covers every module that is on a
        cycle, and is the one to break first. Cycles through SSOT modules come
        first, then shorter ones, then by name.
        """
        import networkx as nx

        view = self._view(runtime)
        found: dict[tuple[str, ...], list[str]] = {}
        for component in nx.strongly_connected_components(view):
            if len(component) < 2:
                continue
            # Sorted adjacency once per component: deterministic and cheap BFS.
            adjacency = {
                node: sorted(n for n in view.successors(node) if n in component)
                for node in component
            }
            for node in sorted(component):
                cycle = _shortest_cycle(adjacency, node)
                if cycle:
                    found.setdefault(_canonical_rotation(cycle), cycle)
        cycles = [self._cycle_hops(c) for c in found.values()]
        cycles.sort(key=lambda hops: (not self._touches_ssot(hops), len(hops), _names(hops)))
        return cycles

    def _cycle_hops(self, cycle: list[str]) -> list[Hop]:
        start = min(range(len(cycle)), key=lambda i: cycle[i])
        ordered = cycle[start:] + cycle[:start]
        return [self.hop(a, b) for a, b in itertools.pairwise([*ordered, ordered[0]])]

    def _touches_ssot(self, hops: list[Hop]) -> bool:
        return any(self.graph.nodes[h.source]["ssot"] for h in hops)

    def roles(self, module: str) -> list[str]:
        value = self.graph.nodes[module]["ssot"]
        return value.split(",") if value else []

    def importers(self, modules: Iterable[str]) -> set[str]:
        """Modules that import any of ``modules`` directly (excluding themselves)."""
        targets = set(modules) & set(self.graph)
        found: set[str] = set()
        for module in targets:
            found.update(self.graph.predecessors(module))
        return found - targets

    def dependants(self, modules: Iterable[str]) -> set[str]:
        """Modules that depend on any of ``modules``, directly or transitively."""
        targets = set(modules) & set(self.graph)
        found: set[str] = set()
        queue = deque(targets)
        while queue:
            node = queue.popleft()
            for pred in self.graph.predecessors(node):
                if pred not in found and pred not in targets:
                    found.add(pred)
                    queue.append(pred)
        return found

    # -- exports -------------------------------------------------------------

    def export(
        self, fmt: str, graph: nx.DiGraph | None = None, distances: dict[str, int] | None = None
    ) -> str:
        graph = self.graph if graph is None else graph
        if fmt == "dot":
            return to_dot(graph)
        if fmt == "json":
            return to_json(graph)
        if fmt == "graphml":
            return to_graphml(graph)
        if fmt == "svg":
            from ssot_lint.audit import graph_svg

            return graph_svg(graph, distances or _layers_by_distance(graph))
        raise GraphError(f"unknown format '{fmt}' (expected one of {', '.join(EXPORT_FORMATS)})")


def _bfs(neighbours: Any, start: str, depth: int) -> Iterator[tuple[str, int]]:
    seen = {start}
    frontier = [start]
    for dist in range(1, depth + 1):
        following = []
        for node in frontier:
            for nxt in neighbours(node):
                if nxt not in seen:
                    seen.add(nxt)
                    following.append(nxt)
                    yield nxt, dist
        frontier = following


def _shortest_cycle(adjacency: dict[str, list[str]], node: str) -> list[str] | None:
    """Shortest cycle through ``node`` (BFS from its successors back to it)."""
    parents: dict[str, str | None] = {}
    queue: deque[str] = deque()
    for succ in adjacency[node]:
        if succ == node:
            return [node]
        parents[succ] = None
        queue.append(succ)
    while queue:
        current = queue.popleft()
        for succ in adjacency[current]:
            if succ == node:
                chain = [current]
                while (parent := parents[chain[-1]]) is not None:
                    chain.append(parent)
                return [node, *reversed(chain)]
            if succ not in parents:
                parents[succ] = current
                queue.append(succ)
    return None


def _canonical_rotation(cycle: list[str]) -> tuple[str, ...]:
    start = min(range(len(cycle)), key=lambda i: cycle[i])
    return tuple(cycle[start:] + cycle[:start])


def _names(hops: list[Hop]) -> tuple[str, ...]:
    return tuple(h.source for h in hops)


def _layers_by_distance(graph: nx.DiGraph) -> dict[str, int]:
    """Whole-graph layering when no focus is given: longest path from the sources,
    computed on the condensation so cycles do not matter."""
    import networkx as nx

    condensed = nx.condensation(graph)
    layer: dict[int, int] = {}
    for component in nx.topological_sort(condensed):
        preds = list(condensed.predecessors(component))
        layer[component] = max((layer[p] + 1 for p in preds), default=0)
    mapping = condensed.graph["mapping"]
    return {node: layer[mapping[node]] for node in graph}


# ---------------------------------------------------------------------------
# Export formats.


def _dot_quote(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


_ROLE_COLOURS = {
    "deprecated": "#f8d7da",
    "canonical": "#d4edda",
    "id-manager": "#d6e4f0",
    "registry": "#fff3cd",
}


def to_dot(graph: nx.DiGraph) -> str:
    """Graphviz DOT text; every node/edge attribute is kept, plus styling."""
    lines = [
        "digraph imports {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
    ]
    for node, data in sorted(graph.nodes(data=True)):
        attrs = dict(data)
        roles = str(data.get("ssot", "")).split(",")
        colour = next((_ROLE_COLOURS[r] for r in ROLES if r in roles), None)
        if colour:
            attrs["fillcolor"] = colour
        attrs["label"] = node
        body = ", ".join(f"{k}={_dot_quote(v)}" for k, v in attrs.items())
        lines.append(f"  {_dot_quote(node)} [{body}];")
    for source, target, data in sorted(graph.edges(data=True)):
        attrs = dict(data)
        if data.get("type_checking"):
            attrs["style"] = "dashed"
        elif not data.get("runtime", True):
            attrs["style"] = "dotted"
        body = ", ".join(f"{k}={_dot_quote(v)}" for k, v in attrs.items())
        lines.append(f"  {_dot_quote(source)} -> {_dot_quote(target)} [{body}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def node_link_keywords() -> dict[str, str]:
    """Keyword that names the edge list in node-link data, across networkx versions
    (``link=`` until 3.3, ``edges=`` since; the default changed in 3.6)."""
    import networkx as nx

    params = inspect.signature(nx.node_link_data).parameters
    return {"edges": "edges"} if "edges" in params else {"link": "edges"}


def to_json(graph: nx.DiGraph) -> str:
    import json

    import networkx as nx

    data = nx.node_link_data(graph, **node_link_keywords())
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def to_graphml(graph: nx.DiGraph) -> str:
    import networkx as nx

    return "\n".join(nx.generate_graphml(graph, prettyprint=True)) + "\n"


def load_run(
    path: Path,
    config_file: Path | None = None,
    *,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    full: bool = False,
) -> RunResult:
    """Facts of the whole project containing ``path`` (every rule too when ``full``).

    Without ``full`` only parse errors are "checked": no CST rule runs, so the
    graph and progress cost the (cached) facts and nothing more.
    """
    from ssot_lint.engine import RunOptions, run_check

    return run_check(
        RunOptions(
            paths=[path],
            config_file=config_file,
            select=[] if full else ["SSOT000"],
            use_cache=use_cache,
            cache_dir=cache_dir,
        )
    )
