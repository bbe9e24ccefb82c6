"""Hot statements: where in a file a CST rule can fire, and results by shape.

The trigger prefilter, one level down. A file is cut into *chunks*, one per
top-level statement (statements sharing a line stay together; the leading
docstring and imports form the first chunk). A chunk whose text names no
trigger, and no module-level name bound to one, cannot produce a diagnostic,
so only the *hot* chunks are given to libcst (``rule_runner`` and
``incremental``, which explains why a chunk's results depend on its own text
given the rest of the module's *context*).

This module needs no libcst, so the main process can also answer the common
pre-commit case without importing it (~0.1 s): a file edited outside its hot
statements. The hot chunks' results depend only on

* their own texts (positions are relative to each chunk, moved to its line);
* the context: the file's facts without positions, its path, role and rules,
  the settings and project knowledge, the default indent and newline, and the
  rest of the module as the rules see it — the names and ``global``/
  ``nonlocal`` declarations of the other functions and classes, and what the
  other module-level statements *are* (``ast.dump``: comments, blank lines
  and layout do not change what a statement binds);
* for a fix that adds an import, the text of the first chunk (stored with it).

``file_shape`` digests exactly that. A file whose shape was analysed before
gets the stored per-chunk results, placed at its own lines; a test compares
them with a full libcst analysis of the edited file.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ssot_lint.diagnostics import Diagnostic, Edit, Fix
from ssot_lint.facts import FileFacts, facts_signature
from ssot_lint.hashing import blake2b

if TYPE_CHECKING:
    from ssot_lint.config import Settings
    from ssot_lint.knowledge import ProjectKnowledge
    from ssot_lint.rules.base import CstRule

# Lines with their endings, as the tokenizer counts them ("\r\n", "\r", "\n").
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
NEWLINE = re.compile(r"\r\n|\r|\n")
_DECLARATION = re.compile(r"\b(?:global|nonlocal)\b")
# libcst's default indent of a file without an indented block.
FALLBACK_INDENT = "    "
# An import edit whose place is decided when the file's results are assembled:
# line 0 never occurs in a real edit.
IMPORT_MARK = 0


@dataclass(frozen=True, slots=True)
class Chunk:
    """One top-level statement (or several on one line) with the comment and
    blank lines before it; the last chunk also holds the file's trailing lines."""

    start: int  # 1-based line of the chunk's first line
    text: str
    kind: str  # "def", "class" or "code"
    name: str = ""  # of a def/class
    is_async: bool = False
    declared: tuple[tuple[str, tuple[str, ...]], ...] = ()  # ("global"|"nonlocal", names)


def split_chunks(text: str, tree: ast.Module) -> list[Chunk]:
    """Cut ``text`` (whose syntax tree is ``tree``) into chunks."""
    lines = _LINES.findall(text)
    groups: list[list[ast.stmt]] = []
    spans: list[tuple[int, int]] = []  # first, last line of each group
    for stmt in tree.body:
        first = stmt.lineno
        decorators = getattr(stmt, "decorator_list", None)
        if decorators:
            first = min(first, *(d.lineno for d in decorators))
        last = stmt.end_lineno or stmt.lineno
        if spans and first <= spans[-1][1]:
            groups[-1].append(stmt)
            spans[-1] = (spans[-1][0], max(spans[-1][1], last))
        else:
            groups.append([stmt])
            spans.append((first, last))
    if not groups:
        return [Chunk(1, text, "code")] if text else []
    # The leading docstring and imports stay one chunk: where a fix adds an
    # import is decided from it, as from the whole module.
    lead = 1
    while lead < len(groups) and all(
        isinstance(s, (ast.Import, ast.ImportFrom)) for s in groups[lead]
    ):
        lead += 1
    if lead > 1:
        merged = [s for group in groups[:lead] for s in group]
        groups[:lead] = [merged]
        spans[:lead] = [(spans[0][0], spans[lead - 1][1])]
    chunks: list[Chunk] = []
    previous_end = 0
    for index, (group, (_first, last)) in enumerate(zip(groups, spans, strict=True)):
        end = len(lines) if index == len(groups) - 1 else last
        chunk_text = "".join(lines[previous_end:end])
        chunks.append(_chunk(previous_end + 1, chunk_text, group))
        previous_end = end
    return chunks


def _chunk(start: int, text: str, group: list[ast.stmt]) -> Chunk:
    if len(group) != 1 or not isinstance(
        group[0], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    ):
        return Chunk(start, text, "code")
    stmt = group[0]
    declared: list[tuple[str, tuple[str, ...]]] = []
    if _DECLARATION.search(text):
        for node in ast.walk(stmt):
            if isinstance(node, ast.Global):
                declared.append(("global", tuple(node.names)))
            elif isinstance(node, ast.Nonlocal):
                declared.append(("nonlocal", tuple(node.names)))
    return Chunk(
        start,
        text,
        "class" if isinstance(stmt, ast.ClassDef) else "def",
        stmt.name,
        isinstance(stmt, ast.AsyncFunctionDef),
        tuple(declared),
    )


def digest(text: str) -> str:
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def deferred_import_edit(missing: list[str]) -> Edit:
    return Edit(IMPORT_MARK, IMPORT_MARK, IMPORT_MARK, IMPORT_MARK, "\n".join(missing))


def place(diag: Diagnostic, offset: int, import_edit: Callable[[str], Edit]) -> Diagnostic:
    """A chunk-relative diagnostic moved to the chunk's place in the file."""
    fix = diag.fix
    if fix is not None:
        edits = []
        for edit in fix.edits:
            if edit.line == IMPORT_MARK:
                edits.append(import_edit(edit.content))
            else:
                edits.append(
                    replace(edit, line=edit.line + offset, end_line=edit.end_line + offset)
                )
        fix = Fix(fix.message, tuple(sorted(edits)), fix.applicability)
    if offset == 0 and fix is diag.fix:
        return diag
    return replace(diag, line=diag.line + offset, end_line=diag.end_line + offset, fix=fix)


def bound_triggers(
    active: Sequence[type[CstRule]],
    settings: Settings,
    knowledge: ProjectKnowledge,
    facts: FileFacts,
) -> set[str] | None:
    """The active rules' triggers plus every module-level name bound, through
    imports or ``X = Y`` aliases, to something whose name contains one."""
    names: set[str] = set()
    for rule in active:
        triggers = rule.project_triggers(settings, knowledge)
        if not triggers:
            return None
        names.update(triggers)
    bindings = [
        (imp.bound_name, f"{imp.module} {imp.name or ''}")
        for imp in facts.imports
        if not imp.is_star
    ]
    bindings += list(facts.aliases.items())
    grown = True
    while grown:  # aliases of aliases
        grown = False
        for bound, source in bindings:
            if bound not in names and any(n in source for n in names):
                names.add(bound)
                grown = True
    return names


def hot_texts(chunks: Sequence[Chunk], names: set[str]) -> set[str]:
    """The texts of the chunks that name a trigger (or a name bound to one)."""
    return {c.text for c in chunks if any(n in c.text for n in names)}


# ---------------------------------------------------------------------------
# Results by shape.


@dataclass(frozen=True, slots=True)
class Shape:
    """What the hot chunks' results of one version of a file depend on."""

    chunks: list[Chunk]
    hot: list[int]  # indexes of the hot chunks, in file order
    indent: str  # libcst's default indent, found without libcst
    digest: str  # of the context and the hot chunks' texts


@dataclass(frozen=True, slots=True)
class ShapeResult:
    """The hot chunks' diagnostics relative to each chunk (``place`` moves them),
    and the import edits their fixes need, valid for one first chunk."""

    per_chunk: tuple[tuple[Diagnostic, ...], ...]
    first_chunk: str  # digest of the first chunk's text
    import_edits: dict[str, Edit] = field(default_factory=dict)

    def placed(self, shape: Shape, rel_path: str) -> list[Diagnostic] | None:
        """The diagnostics at ``shape``'s lines; None where an added import
        would be placed from another first chunk than the stored one."""
        first = digest(shape.chunks[0].text)
        missing: list[str] = []

        def import_edit(names: str) -> Edit:
            edit = self.import_edits.get(names) if first == self.first_chunk else None
            if edit is None:
                missing.append(names)
                return Edit(IMPORT_MARK, IMPORT_MARK, IMPORT_MARK, IMPORT_MARK, names)
            return edit

        out = []
        for index, diagnostics in zip(shape.hot, self.per_chunk, strict=True):
            offset = shape.chunks[index].start - 1
            for diag in diagnostics:
                placed = place(diag, offset, import_edit)
                out.append(placed if placed.path == rel_path else replace(placed, path=rel_path))
        return None if missing else out


def file_shape(
    text: str, tree: ast.Module, facts: FileFacts, names: set[str], chunks: list[Chunk]
) -> Shape | None:
    """The shape of ``text`` (``chunks`` are its ``split_chunks``), or None
    where it cannot be told without libcst."""
    indent = default_indent(text, tree)
    if indent is None:
        return None
    hot_set = hot_texts(chunks, names)
    hot = [i for i, c in enumerate(chunks) if c.text in hot_set]
    statements = _statements_by_chunk(tree, chunks)
    signature: list[object] = []
    for index, chunk in enumerate(chunks):
        if chunk.text in hot_set:
            signature.append(("hot", chunk.text))
        elif chunk.kind == "code":
            signature.append(("code", [ast.dump(s) for s in statements[index]]))
        else:
            signature.append((chunk.kind, chunk.name, chunk.is_async, chunk.declared))
    newline = NEWLINE.search(text)
    key = repr((facts_signature(facts), indent, newline.group(0) if newline else "\n", signature))
    return Shape(chunks, hot, indent, digest(key))


def _statements_by_chunk(tree: ast.Module, chunks: list[Chunk]) -> list[list[ast.stmt]]:
    """Each chunk's top-level statements (a chunk starts at or before its first)."""
    out: list[list[ast.stmt]] = [[] for _ in chunks]
    index = 0
    for stmt in tree.body:
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        while index + 1 < len(chunks) and chunks[index + 1].start <= first:
            index += 1
        out[index].append(stmt)
    return out


def default_indent(text: str, tree: ast.Module) -> str | None:
    """libcst's default indent, the whitespace of the file's first indented
    block, from the syntax tree; None where a line continuation makes the
    tree's answer uncertain."""
    lines = _LINES.findall(text)
    for stmt in tree.body:
        found = _block_indent(stmt, lines)
        if found is not None:
            return found or None
    return FALLBACK_INDENT


def _block_indent(stmt: ast.stmt, lines: list[str]) -> str | None:
    """The indent of ``stmt``'s first indented block; "" when uncertain; None
    when it has none."""
    if isinstance(stmt, ast.Match):
        return ""  # the block starts at "case", which has no position in the tree
    for block in _blocks(stmt):
        first = block[0]
        line = lines[first.lineno - 1].encode("utf-8", "surrogatepass")
        prefix = line[: first.col_offset]
        if prefix.strip(b" \t\f") == b"" and prefix:
            previous = lines[first.lineno - 2] if first.lineno >= 2 else ""
            if previous.rstrip("\r\n").endswith("\\"):
                return ""  # a continued line: the tokenizer sees no INDENT here
            return prefix.decode("ascii")
        if isinstance(first, _COMPOUND):  # "elif": the If starts mid-line
            found = _block_indent(first, lines)
            if found is not None:
                return found
    return None


_COMPOUND = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Match,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
)


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    """The statement blocks of a compound statement, in source order."""
    blocks: list[list[ast.stmt]] = []
    body = getattr(stmt, "body", None)
    if isinstance(body, list) and body:
        blocks.append(body)
    for handler in getattr(stmt, "handlers", ()) or ():
        blocks.append(handler.body)
    for attr in ("orelse", "finalbody"):
        part = getattr(stmt, attr, None)
        if part:
            blocks.append(part)
    return blocks
