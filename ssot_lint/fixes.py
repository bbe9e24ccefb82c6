"""Applying fixes to source text, and writing the result safely.

A fix is a set of text edits at 1-based (line, character column) positions,
end exclusive (``ssot_lint.diagnostics``). Applying the fixes of one file:

* edits are sorted and exact duplicates dropped — two diagnostics that both
  need ``from m import X`` produce the same insertion, applied once;
* a fix is applied whole or not at all; a fix whose edits overlap an edit
  already accepted in this pass is left for the next pass (the caller
  re-checks and iterates, as ruff does), so no fix ever sees stale positions;
* an import line a fix inserted or rewrote (``from m import X``) is then
  merged into an existing ``from m import ...`` next to it where possible (a
  libcst transform that keeps that statement's layout and comments);
* the result must parse (libcst and CPython's ``ast``) before anyone may
  write it; a fix that breaks the code is dropped, the others are kept.

Writing is atomic (temporary file in the same directory, fsync,
``os.replace``, file mode kept), and refused when the file's content changed
since it was read, so a fix can never clobber a concurrent edit or leave a
half-written file behind.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ssot_lint.diagnostics import Edit, Fix
from ssot_lint.source import content_digest, parse_python

MAX_PASSES = 10  # check -> apply rounds before giving up (ruff allows 100; ours converge in 2)


class FixError(Exception):
    """A fix that cannot be applied or written; the file is left untouched."""


class FileChangedError(FixError):
    """The file on disk is no longer the content the fix was computed for."""


# ---------------------------------------------------------------------------
# Positions.


class _Lines:
    """Offsets of line starts, with the tokenizer's notion of a newline."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        index, size = 0, len(text)
        while index < size:
            char = text[index]
            if char == "\r":
                index += 2 if text.startswith("\r\n", index) else 1
                self.starts.append(index)
            elif char == "\n":
                index += 1
                self.starts.append(index)
            else:
                index += 1

    def offset(self, line: int, column: int) -> tuple[int, bool]:
        """Offset of a 1-based position, and whether a newline must be supplied first.

        The position just past the last line (``line == lines + 1``, column 1)
        is valid: an insertion "after the last statement" of a file without a
        final newline lands there and needs the newline written first.
        """
        count = len(self.starts)
        if line == count + 1 and column == 1:
            return len(self.text), True
        if not 1 <= line <= count:
            raise FixError(f"edit position {line}:{column} is outside the file ({count} lines)")
        start = self.starts[line - 1]
        end = self.starts[line] if line < count else len(self.text)
        body_end = end
        while body_end > start and self.text[body_end - 1] in "\r\n":
            body_end -= 1
        if not 1 <= column <= body_end - start + 1:
            raise FixError(f"edit position {line}:{column} is outside line {line}")
        return start + column - 1, False


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    content: str
    needs_newline: bool

    def overlaps(self, other: _Span) -> bool:
        # Strict overlap only: an insertion at the boundary of a replacement,
        # or two insertions at one point, have an unambiguous result.
        if self.start == self.end or other.start == other.end:
            point, span = (self, other) if self.start == self.end else (other, self)
            return span.start < point.start < span.end
        return self.start < other.end and other.start < self.end


def _newline_of(text: str) -> str:
    for newline in ("\r\n", "\n", "\r"):
        if newline in text:
            return newline
    return "\n"


def _to_span(lines: _Lines, edit: Edit) -> _Span:
    start, needs_newline = lines.offset(edit.line, edit.column)
    end, _ = lines.offset(edit.end_line, edit.end_column)
    if end < start:
        raise FixError(f"edit ends before it starts at {edit.line}:{edit.column}")
    return _Span(start, end, edit.content, needs_newline)


# ---------------------------------------------------------------------------
# Applying edits.


@dataclass
class FixOutcome:
    """The text after one pass of fixes over one file."""

    text: str
    applied: list[Fix] = field(default_factory=list)
    deferred: list[Fix] = field(default_factory=list)  # overlapped: next pass
    failed: list[tuple[Fix, str]] = field(default_factory=list)  # invalid or broke the code


def _select(lines: _Lines, fixes: Sequence[Fix]) -> tuple[list[_Span], FixOutcome]:
    """Choose the fixes of this pass: whole fixes, no overlaps, duplicates once."""
    outcome = FixOutcome(lines.text)
    candidates: list[tuple[tuple[int, int], Fix, list[_Span]]] = []
    for fix in fixes:
        try:
            spans = [_to_span(lines, edit) for edit in fix.edits]
        except FixError as exc:
            outcome.failed.append((fix, str(exc)))
            continue
        if not spans:
            continue
        first = min((s.start, s.end) for s in spans)
        candidates.append((first, fix, spans))
    # Earlier fixes first, as ruff does; the order among equal starts is made
    # deterministic by the edits themselves.
    candidates.sort(key=lambda item: (item[0], item[1].edits))
    accepted: list[_Span] = []
    seen: set[_Span] = set()
    for _, fix, spans in candidates:
        fresh = [s for s in dict.fromkeys(spans) if s not in seen]
        own_conflict = any(a.overlaps(b) for i, a in enumerate(fresh) for b in fresh[i + 1 :])
        if own_conflict:
            outcome.failed.append((fix, "the fix's own edits overlap"))
            continue
        if any(s.overlaps(a) for s in fresh for a in accepted):
            outcome.deferred.append(fix)
            continue
        accepted.extend(fresh)
        seen.update(fresh)
        outcome.applied.append(fix)
    return accepted, outcome


def _splice(text: str, spans: Iterable[_Span]) -> tuple[str, list[tuple[int, int]]]:
    """Apply non-overlapping spans; return the text and, for each span that
    wrote something, the 1-based line range its content occupies in the result."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end, s.content))
    newline = _newline_of(text)
    pieces: list[str] = []
    written: list[tuple[int, int]] = []  # offsets in the result
    position = 0
    length = 0
    for span in ordered:
        pieces.append(text[position : span.start])
        length += span.start - position
        content = span.content
        # Only the first insertion past the end supplies the missing newline.
        if span.needs_newline and not "".join(pieces).endswith(("\n", "\r")):
            content = newline + content
        if span.content:
            first = length + len(content) - len(span.content)
            # An insertion of whole lines ends with its newline: its last line is the one before.
            last = first + len(span.content.rstrip("\r\n")) if span.content.strip() else first
            written.append((first, last))
        pieces.append(content)
        length += len(content)
        position = max(position, span.end)
    pieces.append(text[position:])
    result = "".join(pieces)
    result_lines = _Lines(result)
    touched = [(_line_of(result_lines, a), _line_of(result_lines, b)) for a, b in written]
    return result, touched


def _line_of(lines: _Lines, offset: int) -> int:
    low, high = 0, len(lines.starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if lines.starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low + 1


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply text edits: sorted, exact duplicates once, overlapping ones skipped.

    The plain-edit counterpart of ``apply_fixes`` (each edit counts as its own
    fix; no import merging), for tests and simple callers.
    """
    lines = _Lines(text)
    spans, _ = _select(lines, [Fix("edit", (edit,)) for edit in edits])
    return _splice(text, spans)[0]


def apply_fixes(text: str, fixes: Sequence[Fix]) -> FixOutcome:
    """One pass: apply every fix that does not overlap an earlier one, merge the
    imports they insert into existing ``from`` imports, and check the result parses.

    A fix that would break the code is dropped (and reported in ``failed``);
    the others are kept, so one faulty fix does not cost a file its other fixes.
    """
    lines = _Lines(text)
    spans, outcome = _select(lines, fixes)
    if not outcome.applied:
        return outcome
    # CPython's verdict counts only if it accepted the original: libcst may
    # parse syntax newer than the running interpreter does.
    cpython = _cpython_problem(text) is None
    result, touched = _splice(text, spans)
    result = merge_fixed_imports(result, touched)
    problem = parse_problem(result, cpython=cpython)
    if problem is None:
        outcome.text = result
        return outcome
    # Find the culprits: apply the chosen fixes one by one, keeping each only
    # if the text still parses. Rare (a rule bug), so the cost is acceptable.
    return _apply_one_by_one(text, outcome, cpython)


def _apply_one_by_one(text: str, chosen: FixOutcome, cpython: bool) -> FixOutcome:
    outcome = FixOutcome(text, deferred=list(chosen.deferred), failed=list(chosen.failed))
    current = text
    kept: list[Fix] = []
    for fix in chosen.applied:
        trial = [*kept, fix]
        spans, _ = _select(_Lines(text), trial)
        candidate, touched = _splice(text, spans)
        candidate = merge_fixed_imports(candidate, touched)
        problem = parse_problem(candidate, cpython=cpython)
        if problem is None:
            kept.append(fix)
            current = candidate
        else:
            outcome.failed.append((fix, f"the fixed code would not parse ({problem})"))
    outcome.text = current
    outcome.applied = kept
    return outcome


def parse_problem(text: str, *, cpython: bool = True) -> str | None:
    """Why ``text`` is not valid Python for libcst (and, with ``cpython``, for
    the running interpreter's ``ast``), or None."""
    try:
        cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        return f"libcst: {exc.message} at {exc.raw_line}:{exc.raw_column + 1}"
    except Exception as exc:  # libcst internal failure: treat as unparsable
        return f"libcst: {exc}"
    return _cpython_problem(text) if cpython else None


def _cpython_problem(text: str) -> str | None:
    try:
        parse_python(text)
    except (SyntaxError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


# ---------------------------------------------------------------------------
# Merging inserted or rewritten imports into existing ones.


def _module_key(node: cst.ImportFrom) -> tuple[int, str] | None:
    """(relative level, dotted module) of a ``from`` import; None for a star import."""
    if isinstance(node.names, cst.ImportStar):
        return None
    module = cst.Module([]).code_for_node(node.module) if node.module is not None else ""
    return len(node.relative), "".join(module.split())


def _alias_key(alias: cst.ImportAlias) -> tuple[str, str | None]:
    name = cst.Module([]).code_for_node(alias.name)
    asname = None
    if alias.asname is not None:
        asname = cst.Module([]).code_for_node(alias.asname.name)
    return name, asname


def _sort_key(name: str) -> tuple[int, str]:
    # isort/ruff "order by type": CONSTANTS, then Classes, then functions.
    if name.isupper() and len(name) > 1:
        return 0, name
    if name[:1].isupper():
        return 1, name
    return 2, name


def _clean_separator(node: cst.ImportFrom) -> cst.Comma:
    """The comma between two names in this statement's style, minus any comment."""
    names = node.names
    assert isinstance(names, Sequence)
    if node.lpar is not None and isinstance(
        node.lpar.whitespace_after, cst.ParenthesizedWhitespace
    ):
        # One name per line: the indentation of the first name.
        opening = node.lpar.whitespace_after
        return cst.Comma(
            whitespace_after=opening.with_changes(
                first_line=cst.TrailingWhitespace(), empty_lines=[]
            )
        )
    for alias in names[:-1]:
        if isinstance(alias.comma, cst.Comma) and isinstance(
            alias.comma.whitespace_after, cst.SimpleWhitespace
        ):
            return alias.comma
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _with_alias(node: cst.ImportFrom, alias: cst.ImportAlias) -> cst.ImportFrom:
    """``node`` importing ``alias`` as well, in the statement's own layout."""
    names = list(node.names)  # type: ignore[arg-type]
    separator = _clean_separator(node)
    alias = alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    name = _alias_key(alias)[0]
    keys = [_alias_key(a)[0] for a in names]
    position = len(names)
    if all(_sort_key(a) <= _sort_key(b) for a, b in itertools.pairwise(keys)):
        # Sorted (isort/ruff style) names stay sorted.
        position = next((i for i, k in enumerate(keys) if _sort_key(name) < _sort_key(k)), position)
    if position < len(names):
        names.insert(position, alias.with_changes(comma=separator))
        return node.with_changes(names=names)
    last = names[-1]
    sep_after = separator.whitespace_after
    if isinstance(last.comma, cst.Comma):
        # Trailing comma: the old last name keeps its comment but takes the
        # separator's line break; the new name inherits the closing layout.
        after = last.comma.whitespace_after
        if isinstance(after, cst.ParenthesizedWhitespace) and isinstance(
            sep_after, cst.ParenthesizedWhitespace
        ):
            kept = last.comma.with_changes(
                whitespace_after=after.with_changes(
                    last_line=sep_after.last_line, indent=sep_after.indent
                )
            )
            closing = last.comma.with_changes(
                whitespace_after=after.with_changes(
                    first_line=cst.TrailingWhitespace(), empty_lines=[]
                )
            )
        else:
            kept, closing = separator, last.comma
        names[-1] = last.with_changes(comma=kept)
        names.append(alias.with_changes(comma=closing))
        return node.with_changes(names=names)
    closing_ws = node.rpar.whitespace_before if node.rpar is not None else None
    if isinstance(closing_ws, cst.ParenthesizedWhitespace) and isinstance(
        sep_after, cst.ParenthesizedWhitespace
    ):
        # No trailing comma, one name per line: a comment after the last name
        # lives in the closing parenthesis' whitespace and must stay with it.
        names[-1] = last.with_changes(
            comma=cst.Comma(
                whitespace_after=closing_ws.with_changes(
                    last_line=sep_after.last_line, indent=sep_after.indent
                )
            )
        )
        names.append(alias)
        rpar = node.rpar.with_changes(  # type: ignore[union-attr]
            whitespace_before=closing_ws.with_changes(
                first_line=cst.TrailingWhitespace(), empty_lines=[]
            )
        )
        return node.with_changes(names=names, rpar=rpar)
    names[-1] = last.with_changes(comma=separator)
    names.append(alias)
    return node.with_changes(names=names)


def _single_import_from(statement: cst.CSTNode) -> cst.ImportFrom | None:
    if (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.ImportFrom)
        and not isinstance(statement.body[0].names, cst.ImportStar)
    ):
        return statement.body[0]
    return None


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body
    )


def _has_comment(statement: cst.SimpleStatementLine) -> bool:
    # A comment on a fixed import line (a linter directive, say) belongs to
    # that line: dissolving the line would lose it, so the line is left alone.
    return bool(_comments(statement.with_changes(leading_lines=())))


def _comments(node: cst.CSTNode) -> list[cst.Comment]:
    found: list[cst.Comment] = []

    class Collect(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            found.append(comment)

    node.visit(Collect())
    return found


def _partner(
    body: list[cst.BaseStatement], index: int, key: tuple[int, str]
) -> tuple[int, cst.ImportFrom] | None:
    """A ``from`` import of the same module in the run of import-only lines
    around ``body[index]``: nothing runs between the two, so moving names from
    one to the other binds them no later than before. Earlier ones first."""
    for step in (-1, 1):
        other = index + step
        while 0 <= other < len(body) and _is_import_line(body[other]):
            statement = body[other]
            assert isinstance(statement, cst.SimpleStatementLine)
            for small in statement.body:
                if isinstance(small, cst.ImportFrom) and _module_key(small) == key:
                    return other, small
            other += step
    return None


def merge_fixed_imports(text: str, touched: Sequence[tuple[int, int]]) -> str:
    """Merge each module-level ``from m import ...`` line that a fix wrote or
    rewrote (it overlaps a ``touched`` line range) into another ``from m
    import ...`` of the same module next to it (only import lines between them).

    The other statement keeps its layout and comments and gains the names; the
    fixed line disappears. Never applied to lines the fixes did not touch,
    nor to imports in ``if TYPE_CHECKING:``/``try:`` blocks or functions.
    """
    if not touched:
        return text
    try:
        wrapper = MetadataWrapper(cst.parse_module(text))
    except Exception:
        return text  # the parse check reports it
    module = wrapper.module
    positions = wrapper.resolve(PositionProvider)

    def was_touched(statement: cst.BaseStatement) -> bool:
        where = positions[statement]
        return any(a <= where.end.line and where.start.line <= b for a, b in touched)

    body = list(module.body)
    fixed = [_single_import_from(s) is not None and was_touched(s) for s in body]
    footer = list(module.footer)
    changed = False
    index = 0
    while index < len(body):
        statement = body[index]
        imported = _single_import_from(statement)
        key = _module_key(imported) if imported is not None else None
        if not fixed[index] or imported is None or key is None:
            index += 1
            continue
        assert isinstance(statement, cst.SimpleStatementLine)
        partner = None if _has_comment(statement) else _partner(body, index, key)
        if partner is None:
            index += 1
            continue
        other_index, other = partner
        merged = other
        present = {_alias_key(a) for a in other.names}  # type: ignore[union-attr]
        for alias in imported.names:  # type: ignore[union-attr]
            if _alias_key(alias) not in present:
                merged = _with_alias(merged, alias)
                present.add(_alias_key(alias))
        target = body[other_index]
        assert isinstance(target, cst.SimpleStatementLine)
        body[other_index] = target.with_changes(
            body=[merged if s is other else s for s in target.body]
        )
        # Blank lines and comments above the removed line stay where they were.
        if statement.leading_lines:
            if index + 1 < len(body):
                follower = body[index + 1]
                body[index + 1] = follower.with_changes(
                    leading_lines=[*statement.leading_lines, *follower.leading_lines]
                )
            else:
                footer = [*statement.leading_lines, *footer]
        del body[index]
        del fixed[index]
        changed = True
    if not changed:
        return text
    return module.with_changes(body=body, footer=footer).code


# ---------------------------------------------------------------------------
# Encoding and writing.


def encode_text(text: str, encoding: str) -> bytes:
    """Encode fixed text back with the file's own encoding (BOM included for
    ``utf-8-sig``); newlines were never touched, so CRLF files stay CRLF."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise FixError(
            f"the fixed code contains {exc.object[exc.start : exc.end]!r}, "
            f"which the file's encoding ({encoding}) cannot represent"
        ) from None


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path``'s content atomically, keeping its permission bits.

    The data goes to a temporary file in the same directory (same file
    system, so the rename is atomic), is flushed to disk, then renamed over
    the original. Any failure before the rename leaves the original intact
    and removes the temporary file. A symbolic link is followed: its target
    is rewritten and the link kept.
    """
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        # A new file gets the mode open() would give it, not mkstemp's 0600.
        mode = 0o666 & ~_umask()
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".ssot-lint.tmp"
    )
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_directory(target.parent)


def _umask() -> int:
    # The only portable way to read the umask is to set it and put it back.
    current = os.umask(0o022)
    os.umask(current)
    return current


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_if_unchanged(path: Path, data: bytes, expected_digest: str) -> None:
    """Write ``data`` to ``path`` unless the file no longer has the content
    (hash) it had when it was read; the new data must parse as Python."""
    try:
        current = path.read_bytes()
    except OSError as exc:
        raise FileChangedError(f"cannot re-read the file: {exc.strerror or exc}") from None
    if content_digest(current) != expected_digest:
        raise FileChangedError("the file changed on disk since it was read; not fixed")
    atomic_write(path, data)
