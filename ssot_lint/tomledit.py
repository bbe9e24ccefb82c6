"""Adding or replacing ``[tool.ssot-lint]`` in a pyproject.toml, byte for byte.

tomlkit round-trips a document it parsed, but re-rendering a document it
edited may move or re-space neighbouring tables, and a CRLF file or one
without a final newline is exactly where that shows. So the file is edited
as text: the new section is appended (or put where the old one stood), every
other byte is left as it was, and tomlkit then proves the result: it must
parse, hold exactly the proposed section, and hold everything else exactly
as before. Anything the text scan cannot handle safely (a section written as
dotted keys or an inline table) is refused rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.exceptions

from ssot_lint.config import SECTION, ConfigError

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"\s*(?:{_BARE}|{_QUOTED})\s*"
_HEADER = re.compile(rf"[ \t]*(\[\[?)({_KEY}(?:\.{_KEY})*)(\]\]?)[ \t]*(?:#.*)?")
_KEY_PART = re.compile(rf"\s*({_BARE}|{_QUOTED})\s*(?:\.|$)")


class SectionExists(Exception):
    """The file already has the section and ``force`` was not given."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


@dataclass(frozen=True)
class Header:
    start: int  # offset of the line's first character
    end: int  # offset just past the line (its newline included)
    line: int  # 1-based
    key: tuple[str, ...]

    @property
    def ours(self) -> bool:
        return self.key[: len(SECTION)] == SECTION


@dataclass(frozen=True)
class Edit:
    data: bytes
    action: str  # "created", "added" or "replaced"
    line: int  # 1-based line where the section now starts


def newline_of(text: str) -> str:
    """The file's own line ending (the first one it uses), LF when it has none."""
    match = re.search(r"\r\n|\n", text)
    return match.group(0) if match else "\n"


def _key_parts(raw: str) -> tuple[str, ...] | None:
    parts = []
    position = 0
    while position < len(raw):
        match = _KEY_PART.match(raw, position)
        if match is None or match.end() == position:
            return None
        token = match.group(1)
        if token[0] == '"':
            token = tomlkit.parse(f"k = {token}")["k"]  # escapes, as TOML reads them
        elif token[0] == "'":
            token = token[1:-1]
        parts.append(str(token))
        position = match.end()
    return tuple(parts)


def table_headers(text: str) -> list[Header]:
    """Every ``[table]`` / ``[[array]]`` header line, outside strings and arrays.

    A small scanner rather than a regex over lines: a line inside a multi-line
    string or a multi-line array can look like a header and is not one.
    """
    headers: list[Header] = []
    position, line, depth = 0, 1, 0
    multiline: str | None = None  # the closing delimiter we are inside
    length = len(text)
    while position < length:
        end = text.find("\n", position)
        end = length if end < 0 else end + 1
        if multiline is None and depth == 0:
            content_end = end
            if content_end > position and text[content_end - 1] == "\n":
                content_end -= 1
            if content_end > position and text[content_end - 1] == "\r":
                content_end -= 1
            match = _HEADER.fullmatch(text, position, content_end)
            if match is not None and len(match.group(1)) == len(match.group(3)):
                key = _key_parts(match.group(2))
                if key is not None:
                    headers.append(Header(position, end, line, key))
                    position, line = end, line + 1
                    continue
        multiline, depth = _scan_line(text[position:end], multiline, depth)
        position, line = end, line + 1
    return headers


def _scan_line(segment: str, multiline: str | None, depth: int) -> tuple[str | None, int]:
    """Track multi-line strings and bracket depth across one line."""
    i, n = 0, len(segment)
    while i < n:
        if multiline is not None:
            close = segment.find(multiline, i)
            if close < 0:
                return multiline, depth
            i = close + 3
            while i < n and segment[i] == multiline[0]:
                i += 1  # up to two quotes may end the string's content
            multiline = None
            continue
        char = segment[i]
        if char == "#":
            return None, depth
        if segment.startswith(('"""', "'''"), i):
            multiline = segment[i : i + 3]
            i += 3
        elif char == '"':
            i = _string_end(segment, i, escapes=True)
        elif char == "'":
            i = _string_end(segment, i, escapes=False)
        else:
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth = max(depth - 1, 0)
            i += 1
    return multiline, depth


def _string_end(segment: str, start: int, *, escapes: bool) -> int:
    quote = segment[start]
    i = start + 1
    while i < len(segment) and segment[i] not in "\r\n":
        if escapes and segment[i] == "\\":
            i += 2
            continue
        if segment[i] == quote:
            return i + 1
        i += 1
    return i


def _is_trailer(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def section_blocks(text: str) -> list[tuple[int, int, int]]:
    """(start, end, line) of each run of consecutive ``[tool.ssot-lint...]`` tables.

    A run ends where the next foreign table starts, minus the blank and
    comment lines just above that table: those introduce it, not us.
    """
    headers = table_headers(text)
    blocks: list[tuple[int, int, int]] = []
    index = 0
    while index < len(headers):
        if not headers[index].ours:
            index += 1
            continue
        first = headers[index]
        while index < len(headers) and headers[index].ours:
            index += 1
        stop = headers[index].start if index < len(headers) else len(text)
        blocks.append((first.start, _shrink(text, first.end, stop), first.line))
    return blocks


def _shrink(text: str, floor: int, stop: int) -> int:
    lines = text[floor:stop].splitlines(keepends=True)
    while lines and _is_trailer(lines[-1]):
        lines.pop()
    return floor + sum(len(line) for line in lines)


# ---------------------------------------------------------------------------
# The edit itself.


def _plain(document: Any) -> dict[str, Any]:
    return document.unwrap() if hasattr(document, "unwrap") else dict(document)


def _without_section(data: dict[str, Any]) -> dict[str, Any]:
    tool = data.get("tool")
    if isinstance(tool, dict) and "ssot-lint" in tool:
        tool = {k: v for k, v in tool.items() if k != "ssot-lint"}
        data = {**data, "tool": tool}
        if not tool:
            del data["tool"]
    return data


def _parse(text: str, path: Path, what: str) -> dict[str, Any]:
    try:
        return _plain(tomlkit.parse(text))
    except tomlkit.exceptions.ParseError as exc:
        message = re.sub(r"\s*at line \d+ col \d+$", "", str(exc)).rstrip(". ")
        raise ConfigError(f"{what}: {message}", path, line=exc.line, column=exc.col + 1) from None
    except (tomlkit.exceptions.TOMLKitError, ValueError, RecursionError) as exc:
        raise ConfigError(f"{what}: {exc}", path) from None


def _decode(data: bytes, path: Path) -> tuple[str, bytes]:
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    try:
        return data[len(bom) :].decode("utf-8"), bom
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError("invalid TOML: not UTF-8", path, line=line) from None


def plan_edit(
    path: Path, section: str, expected: dict[str, Any], *, force: bool, existing: bytes | None
) -> Edit:
    """The new bytes of ``path`` with ``section`` (TOML text, LF line ends) in it.

    ``existing`` is the file's current content (None: there is no file).
    ``expected`` is the plain table the section must parse to.
    """
    if existing is None:
        _verify(path, section, {}, expected)
        return Edit(section.encode("utf-8"), "created", 1)
    text, bom = _decode(existing, path)
    before = _parse(text, path, "invalid TOML")
    newline = newline_of(text)
    rendered = section.replace("\n", newline)
    blocks = section_blocks(text)
    has_section = "ssot-lint" in (before.get("tool") or {})
    if has_section and not blocks:
        raise ConfigError(
            "[tool.ssot-lint] is written as dotted keys or an inline table; "
            "ssot-lint init only replaces a section written as [tool.ssot-lint] "
            "tables: edit it by hand",
            path,
        )
    if blocks and not force:
        raise SectionExists(blocks[0][2])
    if blocks:
        new_text, line = _replace(text, blocks, rendered)
        action = "replaced"
    else:
        new_text, line = _append(text, rendered, newline)
        action = "added"
    _verify(path, new_text, before, expected)
    return Edit(bom + new_text.encode("utf-8"), action, line)


def _append(text: str, rendered: str, newline: str) -> tuple[str, int]:
    if not text:
        separator = ""
    elif not text.endswith("\n"):
        separator = newline * 2  # end the last line, then one blank line
    elif text.endswith("\n\n") or text.endswith("\n\r\n"):
        separator = ""
    else:
        separator = newline
    prefix = text + separator
    return prefix + rendered, prefix.count("\n") + 1 + _leading_comment_lines(rendered)


def _replace(text: str, blocks: list[tuple[int, int, int]], rendered: str) -> tuple[str, int]:
    pieces = []
    position = 0
    for number, (start, end, _) in enumerate(blocks):
        pieces.append(text[position:start])
        if number == 0:
            pieces.append(rendered)
        elif _ends_with_blank_line(text[:start]):
            # A removed table leaves one blank line between its neighbours, not two.
            end += len(text[end:]) - len(text[end:].lstrip("\r\n"))
        position = end
    pieces.append(text[position:])
    line = text[: blocks[0][0]].count("\n") + 1 + _leading_comment_lines(rendered)
    return "".join(pieces), line


def _ends_with_blank_line(text: str) -> bool:
    return text.endswith(("\n\n", "\n\r\n")) or text in ("", "\n", "\r\n")


def _leading_comment_lines(rendered: str) -> int:
    count = 0
    for line in rendered.splitlines():
        if not line.startswith("#"):
            break
        count += 1
    return count


def _verify(path: Path, new_text: str, before: dict[str, Any], expected: dict[str, Any]) -> None:
    """The edited text must hold the proposed section and nothing else changed."""
    after = _parse(new_text, path, "cannot add [tool.ssot-lint] here, the result is invalid TOML")
    got = (after.get("tool") or {}).get("ssot-lint")
    if got != expected or _without_section(after) != _without_section(before):
        raise ConfigError(
            "cannot insert [tool.ssot-lint] without changing other settings "
            "(an unusual layout of the [tool] tables?); add the section by hand",
            path,
        )
