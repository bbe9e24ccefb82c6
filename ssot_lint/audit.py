"""The HTML audit report, and the SVG pictures it (and the README) shows.

One self-contained file: inline CSS, inline SVG, no script, no font, no image
and no stylesheet from anywhere else, so it opens the same from a CI artifact,
an e-mail attachment or an air-gapped laptop. The graph pictures are laid out
here (layers by import distance, ordered to cut crossings), not by a
JavaScript library.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ssot_lint import __version__
from ssot_lint.progress import FIGURES, SPLITS, ProgressReport, format_value

if TYPE_CHECKING:
    import networkx as nx

    from ssot_lint.engine import RunResult
    from ssot_lint.graph import ImportGraph

PALETTE = ("#c0392b", "#2471a3", "#b9770e", "#7d3c98", "#148f77", "#566573", "#a04000")
ROLE_FILL = {
    "deprecated": "#f8d7da",
    "canonical": "#d4edda",
    "id-manager": "#d6e4f0",
    "registry": "#fff3cd",
}
ROLE_STROKE = {
    "deprecated": "#c0392b",
    "canonical": "#1e8449",
    "id-manager": "#2471a3",
    "registry": "#b9770e",
}
MAX_PER_LAYER = 24
BURNDOWN_TITLE = "Burndown: modules still on a deprecated path, and SSOT001 duplicates"
CHAR_WIDTH = 6.6  # average glyph width of the 11px sans-serif labels


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


# ---------------------------------------------------------------------------
# Graph picture.


def _common_prefix(names: Sequence[str]) -> str:
    """Longest dotted package prefix shared by every name (kept out of labels)."""
    if len(names) < 2:
        return ""
    split = [n.split(".") for n in names]
    prefix: list[str] = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        prefix.append(parts[0])
    if any(len(s) <= len(prefix) for s in split):
        prefix = prefix[:-1]
    return ".".join(prefix) + "." if prefix else ""


def _order_layers(graph: nx.DiGraph, layers: dict[int, list[str]]) -> None:
    """Order each layer by the mean position of its neighbours in the layers already
    placed (one barycentre sweep each way): far fewer crossings than alphabetical."""
    keys = sorted(layers)
    for sweep in (keys, list(reversed(keys))):
        position: dict[str, float] = {}
        for key in sweep:
            nodes = layers[key]
            centres = {n: _barycentre(graph, n, position) for n in nodes}
            nodes.sort(key=lambda n: (centres[n], n))
            for index, node in enumerate(nodes):
                position[node] = index - (len(nodes) - 1) / 2


def _barycentre(graph: nx.DiGraph, node: str, position: dict[str, float]) -> float:
    near = [
        position[n] for n in (*graph.predecessors(node), *graph.successors(node)) if n in position
    ]
    return sum(near) / len(near) if near else math.inf


def graph_svg(
    graph: nx.DiGraph,
    distances: dict[str, int],
    *,
    focus: str | None = None,
    title: str = "",
    uid: str = "g",
) -> str:
    """An SVG picture of ``graph`` with nodes in columns by ``distances``.

    Arrows point from importer to imported module; dashed = only under
    ``TYPE_CHECKING``, dotted = otherwise not run at import time (inside
    functions). Deprecated modules are red, canonical ones green, ID managers
    blue, registry modules yellow; test modules have a dashed border.
    """
    layers: dict[int, list[str]] = {}
    for node in graph:
        layers.setdefault(distances.get(node, 0), []).append(node)
    hidden: dict[int, int] = {}
    for key, nodes in layers.items():
        if len(nodes) > MAX_PER_LAYER:
            nodes.sort(key=lambda n: (-graph.degree(n), n))
            hidden[key] = len(nodes) - MAX_PER_LAYER
            del nodes[MAX_PER_LAYER:]
    shown = {n for nodes in layers.values() for n in nodes}
    view = graph.subgraph(shown)
    _order_layers(view, layers)
    prefix = _common_prefix(sorted(shown))

    def label(node: str) -> str:
        return node[len(prefix) :] if prefix and node.startswith(prefix) else node

    keys = sorted(layers)
    box_h, gap_y, pad = 26, 14, 20
    widths = {
        key: max(
            [len(label(n)) * CHAR_WIDTH + 20 for n in layers[key]] + [90 if key in hidden else 0]
        )
        for key in keys
    }
    column_gap = 70
    # Imports within one column are drawn as arcs on its outer side: leave room.
    same_column = {
        distances.get(u, 0) for u, v in view.edges if distances.get(v, 0) == distances.get(u, 0)
    }
    arc_room = 40
    x_of: dict[int, float] = {}
    x = pad + (arc_room if keys and keys[0] < 0 and keys[0] in same_column else 0)
    for key in keys:
        x_of[key] = x
        x += widths[key] + column_gap
    if keys and keys[-1] >= 0 and keys[-1] in same_column:
        x += arc_room
    # Wide enough for the legend, whatever the graph.
    legend_w = (
        pad * 2
        + sum(30 + len(r) * CHAR_WIDTH for r in ROLE_FILL)
        + sum(40 + len(t) * CHAR_WIDTH for t in ("TYPE_CHECKING only", "not at import time"))
    )
    width = max(x - column_gap + pad, legend_w)
    rows = max((len(layers[k]) + (1 if k in hidden else 0)) for k in keys) if keys else 1
    header = 34 if title else 8
    legend_h = 28
    height = header + rows * (box_h + gap_y) + legend_h + pad
    pos: dict[str, tuple[float, float, float]] = {}  # node -> x, y (top), width
    for key in keys:
        nodes = layers[key]
        count = len(nodes) + (1 if key in hidden else 0)
        top = header + (rows - count) * (box_h + gap_y) / 2
        for index, node in enumerate(nodes):
            pos[node] = (x_of[key], top + index * (box_h + gap_y), widths[key])

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="import-graph" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="11">',
        f"<title>{_e(title or 'import graph')}</title>",
        "<defs>",
        f'<marker id="{uid}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker>',
        "</defs>",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    if title:
        out.append(
            f'<text x="{pad}" y="22" font-size="14" font-weight="bold" fill="#222">'
            f"{_e(title)}</text>"
        )
    for source, target, data in sorted(view.edges(data=True)):
        sx, sy, sw = pos[source]
        tx, ty, tw = pos[target]
        y1, y2 = sy + box_h / 2, ty + box_h / 2
        if tx > sx:
            x1, x2 = sx + sw, tx
            mid = (x1 + x2) / 2
            d = f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        elif tx < sx:
            x1, x2 = sx, tx + tw
            mid = (x1 + x2) / 2
            d = f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        elif distances.get(source, 0) < 0:  # same column, left of the focus: arc on the left
            x1 = x2 = sx
            bulge = x1 - 20 - min(abs(y2 - y1) / 6, 18)
            d = f"M{x1:.1f},{y1:.1f} C{bulge:.1f},{y1:.1f} {bulge:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        else:  # same column: an arc on the right-hand side
            x1 = x2 = sx + sw
            bulge = x1 + 20 + min(abs(y2 - y1) / 6, 18)
            d = f"M{x1:.1f},{y1:.1f} C{bulge:.1f},{y1:.1f} {bulge:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        dash = ""
        if data.get("type_checking"):
            dash = ' stroke-dasharray="6 4"'
        elif not data.get("runtime", True):
            dash = ' stroke-dasharray="2 3"'
        flags = [f for f in str(data.get("flags", "")).split(",") if f]
        tip = f"{source} imports {target} (line {data.get('line')})"
        if flags:
            tip += f" [{', '.join(flags)}]"
        out.append(
            f'<path class="edge" d="{d}" fill="none" stroke="#777" stroke-width="1.2"{dash} '
            f'marker-end="url(#{uid}-arrow)"><title>{_e(tip)}</title></path>'
        )
    for node in sorted(shown):
        x0, y0, w = pos[node]
        data = graph.nodes[node]
        roles = [r for r in str(data.get("ssot", "")).split(",") if r]
        fill = next((ROLE_FILL[r] for r in ROLE_FILL if r in roles), "#ffffff")
        stroke = next((ROLE_STROKE[r] for r in ROLE_STROKE if r in roles), "#888888")
        stroke_w = 2.5 if node == focus else 1
        dash = ' stroke-dasharray="4 2"' if data.get("test") else ""
        tip = node + (f" ({', '.join(roles)})" if roles else "")
        if data.get("test"):
            tip += " [test]"
        weight = ' font-weight="bold"' if node == focus else ""
        out.append(
            f'<g class="node" data-module="{_e(node)}"><title>{_e(tip)}</title>'
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{box_h}" rx="5" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_w}"{dash}/>'
            f'<text x="{x0 + 10:.1f}" y="{y0 + 17:.1f}" fill="#222"{weight}>'
            f"{_e(label(node))}</text></g>"
        )
    for key, count in hidden.items():
        x0 = x_of[key]
        y0 = header + (rows - 1) * (box_h + gap_y)
        out.append(
            f'<text x="{x0 + 10:.1f}" y="{y0 + 17:.1f}" fill="#555" font-style="italic">'
            f"+{count} more</text>"
        )
    ly = height - legend_h + 6
    lx = pad
    for role in ("deprecated", "canonical", "id-manager", "registry"):
        out.append(
            f'<rect x="{lx}" y="{ly}" width="14" height="14" rx="3" fill="{ROLE_FILL[role]}" '
            f'stroke="{ROLE_STROKE[role]}"/><text x="{lx + 19}" y="{ly + 11}" fill="#333">'
            f"{role}</text>"
        )
        lx += 30 + len(role) * CHAR_WIDTH
    for text, dash in (("TYPE_CHECKING only", "6 4"), ("not at import time", "2 3")):
        out.append(
            f'<line x1="{lx}" y1="{ly + 7}" x2="{lx + 26}" y2="{ly + 7}" stroke="#777" '
            f'stroke-dasharray="{dash}"/><text x="{lx + 31}" y="{ly + 11}" fill="#333">'
            f"{text}</text>"
        )
        lx += 40 + len(text) * CHAR_WIDTH
    if prefix and title:
        out.append(
            f'<text x="{width - pad:.0f}" y="22" fill="#777" text-anchor="end">'
            f"labels relative to {_e(prefix.rstrip('.'))}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# Burndown chart.


@dataclass
class Point:
    label: str  # shown under the x axis
    tooltip: str
    values: dict[str, float] = field(default_factory=dict)


def points_from_records(records: Sequence[dict[str, Any]]) -> list[Point]:
    """One point per history record: each consolidation's remaining modules, and
    the project's SSOT001 duplicates."""
    points = []
    for record in records:
        values: dict[str, float] = {}
        for name, figures in record.get("consolidations", {}).items():
            remaining = figures.get("remaining", {})
            if isinstance(remaining, dict) and "total" in remaining:
                values[name] = remaining["total"]
        duplicates = record.get("totals", {}).get("duplicates", {})
        if isinstance(duplicates, dict) and "total" in duplicates:
            values["SSOT001 duplicates"] = duplicates["total"]
        date = str(record.get("date") or "")[:10]
        commit = str(record.get("commit") or "")[:7]
        label = record.get("label") or commit or date
        named = str(record.get("label") or "")
        tooltip = " ".join(p for p in (named, date, commit, str(record.get("subject") or "")) if p)
        points.append(Point(str(label), tooltip, values))
    return points


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def burndown_svg(points: Sequence[Point], *, title: str = "", uid: str = "b") -> str:
    """A line chart of every series in ``points`` over time (left to right)."""
    series = list(dict.fromkeys(name for p in points for name in p.values))
    width, height = 860, 360
    left, right, top, bottom = 66, 20, 40 if title else 16, 70
    legend_rows = max(1, len(series))
    height += legend_rows * 18
    plot_w = width - left - right
    plot_h = height - top - bottom - legend_rows * 18
    top_value = _nice_max(max((v for p in points for v in p.values.values()), default=1))
    count = len(points)

    def x_at(index: int) -> float:
        return left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y_at(value: float) -> float:
        return top + plot_h - plot_h * value / top_value

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="burndown" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="11">',
        f"<title>{_e(title or 'burndown')}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if title:
        out.append(
            f'<text x="{left}" y="24" font-size="14" font-weight="bold" fill="#222">'
            f"{_e(title)}</text>"
        )
    ticks = 5
    for i in range(ticks + 1):
        value = top_value * i / ticks
        y = y_at(value)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#e5e5e5"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="#555">{value:g}</text>'
        )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        'stroke="#999"/>'
    )
    step = max(1, math.ceil(count / 14))
    for index, point in enumerate(points):
        if index % step and index != count - 1:
            continue
        x = x_at(index)
        out.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="end" fill="#555" '
            f'transform="rotate(-35 {x:.1f} {top + plot_h + 14})">{_e(point.label)}</text>'
        )
    for number, name in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        coords = [(i, p.values[name]) for i, p in enumerate(points) if name in p.values]
        if len(coords) > 1:
            d = " ".join(
                f"{'M' if k == 0 else 'L'}{x_at(i):.1f},{y_at(v):.1f}"
                for k, (i, v) in enumerate(coords)
            )
            out.append(
                f'<path class="series" data-series="{_e(name)}" d="{d}" fill="none" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        for i, value in coords:
            tip = f"{name}: {value:g} — {points[i].tooltip or points[i].label}"
            out.append(
                f'<circle class="point" cx="{x_at(i):.1f}" cy="{y_at(value):.1f}" r="3.5" '
                f'fill="{colour}"><title>{_e(tip)}</title></circle>'
            )
    legend_top = height - legend_rows * 18 - 8
    for number, name in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        lx = left
        ly = legend_top + number * 18
        out.append(
            f'<line x1="{lx:.1f}" y1="{ly:.1f}" x2="{lx + 22:.1f}" y2="{ly:.1f}" '
            f'stroke="{colour}" stroke-width="2"/><text x="{lx + 28:.1f}" y="{ly + 4:.1f}" '
            f'fill="#333">{_e(name)}</text>'
        )
    if not points:
        out.append(
            f'<text x="{width / 2}" y="{top + plot_h / 2}" text-anchor="middle" fill="#777">'
            "no history yet</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# The HTML report.

_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1200px;
       padding: 16px 24px 48px; color: #222; background: #fafafa; }
h1 { margin-bottom: 4px; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #666; margin-top: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 10px 16px;
        min-width: 130px; }
.card .value { font-size: 26px; font-weight: bold; } .card .name { color: #666; }
table { border-collapse: collapse; background: #fff; margin: 8px 0 16px; }
th, td { border: 1px solid #ddd; padding: 4px 10px; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.bar { background: #c0392b; height: 10px; display: inline-block; border-radius: 2px; }
figure { background: #fff; border: 1px solid #ddd; border-radius: 6px; margin: 12px 0;
         padding: 8px; overflow-x: auto; }
figcaption { color: #555; margin-top: 6px; }
.warning { color: #a04000; }
code { background: #f0f0f0; padding: 1px 4px; border-radius: 3px; }
"""


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric: set[int]) -> str:
    head = "".join(
        f"<th{' class=num' if i in numeric else ''}>{_e(h)}</th>" for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = "".join(
            f"<td{' class=num' if i in numeric else ''}>{cell}</td>" for i, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _top_directory(path: str) -> str:
    return path.split("/", 1)[0] + "/" if "/" in path else "(project root)"


@dataclass
class AuditInput:
    result: RunResult
    graph: ImportGraph
    progress: ProgressReport
    history: list[dict[str, Any]]  # records for the burndown, oldest first
    history_source: str  # where they came from, for the caption
    depth: int = 1
    commit: str | None = None
    generated: str = ""
    git_stats: str | None = None


def render_audit(data: AuditInput) -> str:
    from ssot_lint.rules import all_rules

    result = data.result
    rules = all_rules()
    diagnostics = result.diagnostics
    by_rule = Counter(d.code for d in diagnostics)
    by_dir: dict[str, Counter[str]] = {}
    for diag in diagnostics:
        by_dir.setdefault(_top_directory(diag.path), Counter())[diag.code] += 1
    project_name = result.root.name or str(result.root)
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>ssot-lint audit — {_e(project_name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<header><h1>ssot-lint audit: {_e(project_name)}</h1>",
        f'<p class="meta">{_e(str(result.root))} · generated {_e(data.generated)}'
        + (f" · commit <code>{_e(data.commit[:12])}</code>" if data.commit else "")
        + f" · ssot-lint {_e(__version__)}</p></header>",
    ]

    # -- summary
    parse_errors = by_rule.get("SSOT000", 0)
    cards = [
        ("files analysed", len(result.project.files)),
        ("violations", len(diagnostics)),
        ("rules violated", len(by_rule)),
        ("files with violations", len({d.path for d in diagnostics})),
        ("parse errors", parse_errors),
        ("internal errors", len(result.errors)),
        ("suppressed", result.suppressed),
        ("consolidations", len(data.progress.consolidations)),
        ("SSOT001 duplicates", int(data.progress.duplicates.total)),
        ("import edges", data.graph.graph.number_of_edges()),
    ]
    parts.append('<section id="summary"><h2>Summary</h2><div class="cards">')
    for name, value in cards:
        slug = name.replace(" ", "-")
        parts.append(
            f'<div class="card" data-card="{_e(slug)}"><div class="value">{value}</div>'
            f'<div class="name">{_e(name)}</div></div>'
        )
    parts.append("</div></section>")

    # -- violations by rule
    most = max(by_rule.values(), default=1)
    rule_rows = []
    for code, count in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = rules.get(code)
        bar = f'<span class="bar" style="width:{max(2, 200 * count / most):.0f}px"></span>'
        rule_rows.append([f"<code>{_e(code)}</code>", _e(rule.name if rule else "?"), count, bar])
    parts.append('<section id="by-rule"><h2>Violations by rule</h2>')
    parts.append(
        _table(["code", "rule", "violations", ""], rule_rows, {2})
        if rule_rows
        else "<p>No violations.</p>"
    )
    parts.append("</section>")

    # -- violations by directory
    codes = sorted(by_rule)
    dir_rows = []
    for directory, counter in sorted(by_dir.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        dir_rows.append(
            [f"<code>{_e(directory)}</code>", sum(counter.values())]
            + [counter.get(c, "") for c in codes]
        )
    parts.append('<section id="by-directory"><h2>Violations by top-level directory</h2>')
    parts.append(
        _table(["directory", "total", *codes], dir_rows, set(range(1, 2 + len(codes))))
        if dir_rows
        else "<p>No violations.</p>"
    )
    parts.append("</section>")

    # -- progress
    parts.append('<section id="progress"><h2>Consolidation progress</h2>')
    if not data.progress.consolidations:
        parts.append("<p>No consolidations configured.</p>")
    for item in data.progress.consolidations:
        parts.append(
            f'<h3 class="consolidation">{_e(item.name)}</h3><p>deprecated: '
            + ", ".join(f"<code>{_e(d)}</code>" for d in item.deprecated)
            + f" → canonical: <code>{_e(item.canonical or '-')}</code></p>"
        )
        rows = []
        for figure in FIGURES:
            split = item.values[figure.key]
            rows.append(
                [_e(figure.label)]
                + [format_value(getattr(split, s), figure.percent) for s in SPLITS]
            )
        parts.append(_table(["figure", *SPLITS], rows, {1, 2, 3}))
        for warning in item.warnings:
            parts.append(f'<p class="warning">warning: {_e(warning)}</p>')
    d = data.progress.duplicates
    parts.append(
        f"<p>SSOT001 duplicates in the whole project: {int(d.total)} "
        f"({int(d.production)} production, {int(d.test)} test).</p></section>"
    )

    # -- burndown
    points = points_from_records(data.history)
    parts.append('<section id="burndown"><h2>Burndown</h2><figure>')
    parts.append(burndown_svg(points, title=BURNDOWN_TITLE, uid="burndown"))
    caption = f"{len(points)} points from {_e(data.history_source)}."
    if data.git_stats:
        caption += f" {_e(data.git_stats)}."
    if len(points) < 2:
        caption += (
            " Record history with <code>ssot-lint progress --record FILE</code> "
            "or read it from git with <code>--git RANGE</code>."
        )
    parts.append(f"<figcaption>{caption}</figcaption></figure></section>")

    # -- graph pictures
    parts.append(
        f'<section id="graphs"><h2>Import neighbourhood of deprecated modules</h2>'
        f"<p>Modules within {data.depth} import(s) of each deprecated module: importers on "
        "the left, what it imports on the right.</p>"
    )
    legacy = sorted(
        {m for c in data.progress.consolidations for m in c.details.get("legacy_modules", [])}
        | {m for m in data.graph.graph if "deprecated" in data.graph.roles(m)}
    )
    if not legacy:
        parts.append("<p>No deprecated module in the project.</p>")
    for index, module in enumerate(legacy):
        if module not in data.graph.graph:
            continue
        sub, distances = data.graph.neighbourhood(module, data.depth)
        importers = sum(1 for v in distances.values() if v < 0)
        parts.append(f'<figure class="graph" data-module="{_e(module)}">')
        parts.append(graph_svg(sub, distances, focus=module, title=module, uid=f"graph{index}"))
        parts.append(
            f"<figcaption><code>{_e(module)}</code>: {importers} importer(s) within "
            f"{data.depth} import(s), {sub.number_of_nodes() - 1 - importers} "
            "imported module(s).</figcaption></figure>"
        )
    parts.append("</section>")

    # -- every violation
    parts.append('<section id="violations"><h2>All violations</h2>')
    limit = 2000
    shown = diagnostics[:limit]
    rows = [
        [
            f"<code>{_e(d.path)}:{d.line}:{d.column}</code>",
            f"<code>{_e(d.code)}</code>",
            _e(d.message),
        ]
        for d in shown
    ]
    parts.append(
        f"<details><summary>{len(diagnostics)} violation(s)"
        + (f", first {limit} listed" if len(diagnostics) > limit else "")
        + "</summary>"
        + _table(["location", "code", "message"], rows, set())
        + "</details>"
    )
    parts.append("</section></body></html>")
    return "\n".join(parts) + "\n"
