"""``ssot-lint graph``: export the import graph, explain a dependency, list cycles."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ssot_lint.cli import EXIT_OK, EXIT_VIOLATIONS, fail, project_options, write_output

EXPORT_FORMATS = ("dot", "json", "graphml", "svg")


class _ExportByDefault(click.Group):
    """``ssot-lint graph [OPTIONS]`` means ``ssot-lint graph export [OPTIONS]``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["export", *args]
        return super().parse_args(ctx, args)


def _load(path: Path, config_file: Path | None, no_cache: bool, cache_dir: Path | None) -> Any:
    from ssot_lint.graph import ImportGraph, load_run

    result = load_run(path, config_file, use_cache=not no_cache, cache_dir=cache_dir)
    return ImportGraph.build(result.project)


def _find(graph: Any, name: str) -> str:
    from ssot_lint.graph import GraphError

    try:
        return graph.find_module(name)
    except GraphError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


@click.group(cls=_ExportByDefault, name="graph")
def graph_group() -> None:
    """The first-party import graph (default: export it).

    \b
      ssot-lint graph --format json -o graph.json
      ssot-lint graph --focus agents.state --depth 2 --format svg -o state.svg
      ssot-lint graph why netra_backend.app.agents.triage_agent netra_backend.app.agents.state
      ssot-lint graph cycles
    """


@graph_group.command("export")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="dot",
    show_default=True,
    help="dot (Graphviz), json (networkx node-link), graphml, or svg (a picture).",
)
@click.option("--focus", metavar="MODULE", help="Export only the neighbourhood of this module.")
@click.option(
    "--depth", type=click.IntRange(min=0), default=1, show_default=True, help="With --focus."
)
@click.option(
    "--direction",
    type=click.Choice(["both", "imports", "importers"]),
    default="both",
    show_default=True,
    help="With --focus: follow what it imports, what imports it, or both.",
)
@click.option("--output-file", "-o", help="Write to this file instead of stdout.")
@project_options()
def export(
    path: Path,
    fmt: str,
    focus: str | None,
    depth: int,
    direction: str,
    output_file: str | None,
    config_file: Path | None,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Export the import graph of the project containing PATH.

    Nodes carry `path`, `test`, `package` and `ssot` (the SSOT roles of the
    module: canonical, deprecated, id-manager, registry); edges carry `line`,
    `lines`, `names`, `count`, `type_checking` / `function_local` / `guarded`
    (true when every import making the edge is of that kind), `runtime` (some
    import runs when the module is imported) and `flags` (those of the import
    at `line`).
    """
    graph = _load(path, config_file, no_cache, cache_dir)
    sub, distances = graph.graph, None
    title = "import graph"
    if focus:
        module = _find(graph, focus)
        sub, distances = graph.neighbourhood(module, depth, direction)
        sub.graph.update(focus=module, depth=depth, direction=direction)
        title = f"imports around {module} (depth {depth})"
    if fmt == "svg":
        from ssot_lint.audit import graph_svg
        from ssot_lint.graph import _layers_by_distance

        text = graph_svg(
            sub, distances or _layers_by_distance(sub), focus=sub.graph.get("focus"), title=title
        )
    else:
        text = graph.export(fmt, sub)
    write_output(text, output_file)


@graph_group.command("why")
@click.argument("source")
@click.argument("target")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option(
    "--runtime",
    is_flag=True,
    help="Follow only imports that run at import time (not TYPE_CHECKING, not in functions).",
)
@project_options()
def why(
    source: str,
    target: str,
    path: Path,
    runtime: bool,
    config_file: Path | None,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Print the shortest import chain from module SOURCE to module TARGET.

    Modules may be given by dotted name, by a unique dotted suffix
    (`agents.state`) or by file path. Exit 1 when there is no chain.
    """
    graph = _load(path, config_file, no_cache, cache_dir)
    a, b = _find(graph, source), _find(graph, target)
    if a == b:
        fail("SOURCE and TARGET are the same module")
    hops = graph.why(a, b, runtime=runtime)
    if hops is None:
        kind = "runtime " if runtime else ""
        click.echo(f"{a} does not import {b}, directly or through a {kind}import chain")
        sys.exit(EXIT_VIOLATIONS)
    lines = [a]
    for hop in hops:
        lines.append(f"  -> {hop.target}  ({hop.describe()})")
    click.echo("\n".join(lines))
    sys.exit(EXIT_OK)


@graph_group.command("cycles")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option(
    "--runtime",
    is_flag=True,
    help="Only cycles of imports that run at import time (the ones that can break imports).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--output-file", "-o", help="Write to this file instead of stdout.")
@project_options()
def cycles(
    path: Path,
    runtime: bool,
    fmt: str,
    output_file: str | None,
    config_file: Path | None,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """List import cycles: the shortest cycle through every module on one,
    cycles through SSOT modules (canonical, deprecated, ID manager, registry) first."""
    graph = _load(path, config_file, no_cache, cache_dir)
    found = graph.cycles(runtime=runtime)
    if fmt == "json":
        data = [
            {
                "modules": [h.source for h in hops],
                "ssot": sorted({r for h in hops for r in graph.roles(h.source)}),
                "imports": [
                    {
                        "source": h.source,
                        "target": h.target,
                        "path": h.path,
                        "line": h.line,
                        "flags": list(h.flags),
                    }
                    for h in hops
                ],
            }
            for hops in found
        ]
        write_output(json.dumps(data, indent=2) + "\n", output_file)
        return
    out = []
    for number, hops in enumerate(found, 1):
        roles = sorted({r for h in hops for r in graph.roles(h.source)})
        tag = f"  [SSOT: {', '.join(roles)}]" if roles else ""
        out.append(f"cycle {number} ({len(hops)} modules){tag}")
        for hop in hops:
            out.append(f"  {hop.source}\n    -> {hop.target}  ({hop.describe()})")
    kind = "runtime " if runtime else ""
    out.append(f"Found {len(found)} {kind}import cycle(s).")
    write_output("\n".join(out) + "\n", output_file)


command = graph_group
