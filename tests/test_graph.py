"""The import graph: edges and their flags, exports re-read, `why`, cycles, focus."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from support import write_project

from ssot_lint.cli import main
from ssot_lint.graph import GraphError, ImportGraph, load_run, node_link_keywords

CONFIG = """
[[tool.ssot-lint.canonical]]
class = "app.core.execution_tracker.AgentExecutionTracker"
absorbs = ["AgentStateTracker"]

[[tool.ssot-lint.deprecated]]
symbol = "app.agents.state.DeepAgentState"
replacement = "app.services.user_context.UserExecutionContext"

[tool.ssot-lint.ids]
managers = ["app.core.unified_id_manager"]
"""

# Line numbers matter: the tests assert on them.
SOURCE = """
# file: app/__init__.py
# file: app/core/__init__.py
# file: app/core/unified_id_manager.py
import uuid


def new_execution_id() -> str:
    return f"exec_{uuid.uuid4().hex}"
# file: app/core/execution_tracker.py
from app.core.unified_id_manager import new_execution_id
from app.core.run_registry import RunRegistry


class AgentExecutionTracker:
    def __init__(self) -> None:
        self.registry = RunRegistry()

    def start(self) -> str:
        return new_execution_id()
# file: app/core/run_registry.py
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.execution_tracker import AgentExecutionTracker


class RunRegistry:
    def owner(self) -> "AgentExecutionTracker":
        from app.core.execution_tracker import AgentExecutionTracker

        return AgentExecutionTracker()
# file: app/agents/__init__.py
# file: app/agents/state.py
class DeepAgentState:
    pass
# file: app/agents/triage.py
from app.agents.state import DeepAgentState
from app.services import bridge


def triage(state: DeepAgentState) -> None:
    bridge.notify(state)
# file: app/services/__init__.py
# file: app/services/user_context.py
class UserExecutionContext:
    pass
# file: app/services/bridge.py
from typing import TYPE_CHECKING

from app.core.execution_tracker import AgentExecutionTracker

if TYPE_CHECKING:
    from app.core import execution_tracker
try:
    import app.services.fast_codec as codec
except ImportError:
    from app.services import slow_codec as codec


def notify(state: object) -> None:
    AgentExecutionTracker().start()
    codec.encode(state)
# file: app/services/fast_codec.py
def encode(value: object) -> bytes:
    return repr(value).encode()
# file: app/services/slow_codec.py
def encode(value: object) -> bytes:
    return str(value).encode()
# file: app/api/__init__.py
# file: app/api/routes.py
from app.services.bridge import notify
from app.agents.triage import triage


def handle(payload: object) -> None:
    notify(payload)
    triage(payload)
# file: app/util/__init__.py
# file: app/util/alpha.py
from app.util import beta

VALUE = 1
# file: app/util/beta.py
from app.util.alpha import VALUE

DOUBLE = VALUE * 2
"""


@pytest.fixture(scope="module")
def project_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("graph"), SOURCE, CONFIG)


@pytest.fixture(scope="module")
def graph(project_root: Path) -> ImportGraph:
    return ImportGraph.build(load_run(project_root, use_cache=False).project)


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


# -- the graph itself -----------------------------------------------------


def test_nodes_are_first_party_modules_with_roles(graph: ImportGraph) -> None:
    g = graph.graph
    assert "uuid" not in g and "typing" not in g
    assert g.nodes["app.core.execution_tracker"]["ssot"] == "canonical"
    assert g.nodes["app.services.user_context"]["ssot"] == "canonical"
    assert g.nodes["app.agents.state"]["ssot"] == "deprecated"
    assert g.nodes["app.core.unified_id_manager"]["ssot"] == "id-manager"
    assert g.nodes["app.api.routes"]["ssot"] == ""
    assert g.nodes["app.api.routes"]["path"] == "app/api/routes.py"
    assert g.nodes["app.services"]["package"] is True


def test_edges_carry_line_and_flags(graph: ImportGraph) -> None:
    g = graph.graph
    runtime = g.edges["app.core.execution_tracker", "app.core.run_registry"]
    assert (runtime["line"], runtime["type_checking"], runtime["function_local"]) == (
        2,
        False,
        False,
    )
    # run_registry imports the tracker under TYPE_CHECKING (line 4) and inside a
    # function (line 9): neither runs at import time, but the edge is not
    # TYPE_CHECKING-only, nor function-local-only.
    back = g.edges["app.core.run_registry", "app.core.execution_tracker"]
    assert back["lines"] == "4,9"
    assert back["type_checking"] is False and back["function_local"] is False
    assert back["runtime"] is False
    assert runtime["runtime"] is True
    # `from app.services import bridge` depends on the submodule, not the package.
    assert g.has_edge("app.agents.triage", "app.services.bridge")
    assert not g.has_edge("app.agents.triage", "app.services")


def test_edge_flags_need_every_import(graph: ImportGraph) -> None:
    g = graph.graph
    # bridge imports execution_tracker at run time (line 3) AND under TYPE_CHECKING
    # (line 6): the edge runs, and its line is the run-time import.
    edge = g.edges["app.services.bridge", "app.core.execution_tracker"]
    assert edge["type_checking"] is False
    assert edge["line"] == 3
    assert edge["lines"] == "3,6"
    fast = g.edges["app.services.bridge", "app.services.fast_codec"]
    slow = g.edges["app.services.bridge", "app.services.slow_codec"]
    assert fast["guarded"] is True and fast["line"] == 8
    assert slow["guarded"] is True and slow["line"] == 10
    assert g.edges["app.agents.triage", "app.agents.state"]["guarded"] is False


def test_type_checking_only_and_function_local_edges(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
        # file: svc/__init__.py
        # file: svc/a.py
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from svc.b import Thing


        def load() -> None:
            from svc.c import helper

            helper()
        # file: svc/b.py
        class Thing:
            pass
        # file: svc/c.py
        def helper() -> None:
            pass
        """,
    )
    g = ImportGraph.build(load_run(root, use_cache=False).project).graph
    assert g.edges["svc.a", "svc.b"]["type_checking"] is True
    assert g.edges["svc.a", "svc.b"]["function_local"] is False
    assert g.edges["svc.a", "svc.c"]["function_local"] is True
    assert g.edges["svc.a", "svc.c"]["type_checking"] is False
    assert g.edges["svc.a", "svc.c"]["line"] == 8


# -- exports re-read --------------------------------------------------------


def test_dot_export_lists_every_node_and_edge(project_root: Path, graph: ImportGraph) -> None:
    code, text = _invoke("graph", str(project_root), "--format", "dot", "--no-cache")
    assert code == 0
    assert text.startswith("digraph imports {")
    edges = re.findall(r'^\s*"([\w.]+)" -> "([\w.]+)" \[(.*)\];$', text, re.MULTILINE)
    assert {(a, b) for a, b, _ in edges} == set(graph.graph.edges)
    attrs = {(a, b): rest for a, b, rest in edges}
    tc = attrs[("app.core.run_registry", "app.core.execution_tracker")]
    assert 'lines="4,9"' in tc and "type_checking=false" in tc
    guarded = attrs[("app.services.bridge", "app.services.fast_codec")]
    assert "guarded=true" in guarded and "line=8" in guarded
    nodes = set(re.findall(r'^\s*"([\w.]+)" \[', text, re.MULTILINE))
    assert nodes == set(graph.graph.nodes)


def test_json_export_round_trips_through_networkx(project_root: Path, graph: ImportGraph) -> None:
    code, text = _invoke("graph", "export", str(project_root), "--format", "json", "--no-cache")
    assert code == 0
    reread = nx.node_link_graph(json.loads(text), directed=True, **node_link_keywords())
    assert set(reread.nodes) == set(graph.graph.nodes)
    assert set(reread.edges) == set(graph.graph.edges)
    for u, v, data in graph.graph.edges(data=True):
        assert reread.edges[u, v] == data
    assert reread.nodes["app.agents.state"]["ssot"] == "deprecated"


def test_graphml_export_round_trips_with_types(
    project_root: Path, graph: ImportGraph, tmp_path: Path
) -> None:
    out = tmp_path / "imports.graphml"
    code, _ = _invoke(
        "graph", str(project_root), "--format", "graphml", "-o", str(out), "--no-cache"
    )
    assert code == 0
    reread = nx.read_graphml(out)
    assert isinstance(reread, nx.DiGraph)
    assert set(reread.edges) == set(graph.graph.edges)
    edge = reread.edges["app.services.bridge", "app.services.slow_codec"]
    assert edge["line"] == 10 and isinstance(edge["line"], int)
    assert edge["guarded"] is True
    assert reread.nodes["app.core.unified_id_manager"]["ssot"] == "id-manager"


def test_focus_exports_a_neighbourhood(project_root: Path) -> None:
    code, text = _invoke(
        "graph", str(project_root), "--focus", "services.bridge", "--format", "json", "--no-cache"
    )
    assert code == 0
    near = nx.node_link_graph(json.loads(text), directed=True, **node_link_keywords())
    assert set(near.nodes) == {
        "app.services.bridge",
        "app.core.execution_tracker",  # imported
        "app.services.fast_codec",
        "app.services.slow_codec",
        "app.agents.triage",  # importers
        "app.api.routes",
    }
    assert near.graph["focus"] == "app.services.bridge"
    code, text = _invoke(
        "graph",
        str(project_root),
        "--focus",
        "app.services.bridge",
        "--depth",
        "2",
        "--direction",
        "imports",
        "--format",
        "json",
        "--no-cache",
    )
    assert code == 0
    near = nx.node_link_graph(json.loads(text), directed=True, **node_link_keywords())
    assert set(near.nodes) == {
        "app.services.bridge",
        "app.core.execution_tracker",
        "app.services.fast_codec",
        "app.services.slow_codec",
        "app.core.unified_id_manager",  # two imports away
        "app.core.run_registry",
    }


def test_focus_on_an_unknown_module_is_a_usage_error(project_root: Path) -> None:
    code, _ = _invoke("graph", str(project_root), "--focus", "app.nowhere", "--no-cache")
    assert code == 2


def test_svg_export_is_a_picture_of_the_neighbourhood(project_root: Path) -> None:
    code, text = _invoke(
        "graph", str(project_root), "--focus", "agents.state", "--format", "svg", "--no-cache"
    )
    assert code == 0
    assert text.startswith("<svg")
    modules = set(re.findall(r'class="node" data-module="([\w.]+)"', text))
    assert modules == {"app.agents.state", "app.agents.triage"}
    assert len(re.findall(r'<path class="edge"', text)) == 1


# -- why ------------------------------------------------------------------


def test_why_prints_the_shortest_chain_with_lines(project_root: Path) -> None:
    code, text = _invoke(
        "graph", "why", "app.api.routes", "app.core.unified_id_manager", str(project_root),
        "--no-cache",
    )  # fmt: skip
    assert code == 0
    assert text.splitlines() == [
        "app.api.routes",
        "  -> app.services.bridge  (app/api/routes.py:1)",
        "  -> app.core.execution_tracker  (app/services/bridge.py:3)",
        "  -> app.core.unified_id_manager  (app/core/execution_tracker.py:1)",
    ]


def test_why_marks_non_runtime_imports_and_can_skip_them(graph: ImportGraph) -> None:
    hops = graph.why("app.core.run_registry", "app.core.unified_id_manager")
    assert hops is not None
    assert [(h.source, h.target, h.line) for h in hops] == [
        ("app.core.run_registry", "app.core.execution_tracker", 9),
        ("app.core.execution_tracker", "app.core.unified_id_manager", 1),
    ]
    assert hops[0].flags == ("function-local",)
    assert graph.why("app.core.run_registry", "app.core.unified_id_manager", runtime=True) is None


def test_why_without_a_chain_exits_1(project_root: Path) -> None:
    code, text = _invoke(
        "graph", "why", "app.agents.state", "app.api.routes", str(project_root), "--no-cache"
    )
    assert code == 1
    assert "does not import" in text


def test_module_lookup(graph: ImportGraph) -> None:
    assert graph.find_module("agents.state") == "app.agents.state"
    assert graph.find_module("app/agents/state.py") == "app.agents.state"
    with pytest.raises(GraphError, match="did you mean"):
        graph.find_module("app.agents.stat")


def test_ambiguous_module_suffix(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
        # file: svc/__init__.py
        # file: svc/agents/__init__.py
        # file: svc/agents/state.py
        # file: svc/legacy/__init__.py
        # file: svc/legacy/state.py
        """,
    )
    g = ImportGraph.build(load_run(root, use_cache=False).project)
    with pytest.raises(GraphError, match=r"ambiguous: svc\.agents\.state, svc\.legacy\.state"):
        g.find_module("state")
    assert g.find_module("legacy.state") == "svc.legacy.state"


# -- cycles ---------------------------------------------------------------


def test_cycles_list_ssot_cycles_first(graph: ImportGraph) -> None:
    cycles = graph.cycles()
    described = [[h.source for h in hops] for hops in cycles]
    # The tracker <-> registry cycle runs through a canonical module: listed
    # first, although app.util sorts before it.
    assert described == [
        ["app.core.execution_tracker", "app.core.run_registry"],
        ["app.util.alpha", "app.util.beta"],
    ]
    first = cycles[0]
    assert [(h.path, h.line) for h in first] == [
        ("app/core/execution_tracker.py", 2),
        ("app/core/run_registry.py", 9),
    ]


def test_runtime_cycles_ignore_function_local_and_type_checking_imports(
    graph: ImportGraph,
) -> None:
    assert [[h.source for h in c] for c in graph.cycles(runtime=True)] == [
        ["app.util.alpha", "app.util.beta"]
    ]


def test_cycles_command(project_root: Path) -> None:
    code, text = _invoke("graph", "cycles", str(project_root), "--no-cache")
    assert code == 0
    assert "cycle 1 (2 modules)  [SSOT: canonical]" in text
    assert "Found 2 import cycle(s)." in text
    code, text = _invoke("graph", "cycles", str(project_root), "--format", "json", "--no-cache")
    data = json.loads(text)
    assert [c["modules"] for c in data] == [
        ["app.core.execution_tracker", "app.core.run_registry"],
        ["app.util.alpha", "app.util.beta"],
    ]
    assert data[0]["imports"][1]["flags"] == ["function-local"]


def test_shortest_cycle_through_each_module(tmp_path: Path) -> None:
    # a -> b -> c -> a and b -> a: the 2-cycle a<->b is the shortest through a
    # and b; the 3-cycle is the shortest through c.
    root = write_project(
        tmp_path,
        """
        # file: ring/__init__.py
        # file: ring/a.py
        from ring import b
        # file: ring/b.py
        from ring import a, c
        # file: ring/c.py
        from ring import a
        """,
    )
    g = ImportGraph.build(load_run(root, use_cache=False).project)
    assert sorted([h.source for h in c] for c in g.cycles()) == [
        ["ring.a", "ring.b"],
        ["ring.a", "ring.b", "ring.c"],
    ]


def test_importers_and_dependants(graph: ImportGraph) -> None:
    assert graph.importers(["app.agents.state"]) == {"app.agents.triage"}
    assert graph.dependants(["app.agents.state"]) == {"app.agents.triage", "app.api.routes"}
