"""The SSOT import registry: which import lines are verified, which are broken.

Two formats are read into one model (``Registry``), every entry keeping its
line in the file so diagnostics and ``ssot-lint registry check`` can point at
it:

* **Markdown**, as teams actually write it (``SSOT_IMPORT_REGISTRY.md``):
  fenced ``python`` blocks under headings such as "✅ VERIFIED IMPORTS" or
  "❌ BROKEN IMPORTS (Do Not Use)". A line's status comes from, in order: a
  marker in its own comment (``# ❌``, ``# ❓``, ``# ✅``); the last marker-only
  comment line in the same block (``# ❌ BEFORE (vulnerable):``); the nearest
  heading that says what its section holds; otherwise "verified" (a registry
  lists imports to use). ``# USE INSTEAD: <import>`` attaches to the broken
  lines just above it. ``[SOME_CLASSES]`` placeholders register the module
  without naming its symbols; module paths with ``{placeholders}`` are
  patterns, not imports, and are skipped. ``@patch('a.b.C.run')`` lines are
  mock targets. Prose, ``class`` bodies and other code in the blocks are
  ignored.
* **TOML**, ssot-lint's own format (written by ``ssot-lint registry
  export``)::

      version = 1

      [[imports]]
      statement = "from pkg.core.tracker import AgentExecutionTracker"

      [[imports]]
      statement = "from pkg.old.tracker import AgentStateTracker"
      status = "broken"            # verified (default) | unverified | broken
      use-instead = "from pkg.core.tracker import AgentExecutionTracker"
      note = "absorbed in #220"    # optional; so is `section`

      [[patches]]
      target = "pkg.agents.helper.DataHelperAgent.run"

A registry that cannot be read unambiguously (an unclosed code block, an
import line that does not parse, a relative import, a ``USE INSTEAD`` with
nothing to replace, invalid TOML or unknown keys) raises ``RegistryError``
naming ``file:line`` — a configuration error, never a traceback.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ssot_lint.config import ConfigError, Settings

if TYPE_CHECKING:
    from ssot_lint.project import Project

REGISTRY_FILE_NAMES = ("SSOT_IMPORT_REGISTRY.md", "SSOT_IMPORT_REGISTRY.toml")
REGISTRY_DIRECTORIES = ("", "docs")
TOML_VERSION = 1


class RegistryError(ConfigError):
    """A registry that cannot be read: the message starts with ``file:line``."""

    def __init__(self, message: str, path: Path, line: int | None = None) -> None:
        self.path = path
        super().__init__(message, path, line=line)


class Status(str, Enum):
    VERIFIED = "verified"
    UNVERIFIED = "unverified"  # listed with a ❓: registered, but nobody re-checked it
    BROKEN = "broken"

    @property
    def registered(self) -> bool:
        return self is not Status.BROKEN


@dataclass(frozen=True, slots=True)
class RegistryImport:
    """One imported name of a registry line (``from m import a, b`` gives two).

    ``name`` is None for ``import m``, and ``"*"`` for a placeholder or star
    line: the module is listed, its symbols are not.
    """

    module: str
    name: str | None
    asname: str | None = None

    @property
    def is_wildcard(self) -> bool:
        return self.name == "*"

    @property
    def target(self) -> str:
        if self.name is None or self.is_wildcard:
            return self.module
        return f"{self.module}.{self.name}"


@dataclass(frozen=True, slots=True)
class Statement:
    text: str  # the import as written, on one line (placeholders kept)
    items: tuple[RegistryImport, ...]
    placeholders: tuple[str, ...] = ()

    def names(self) -> list[str]:
        return [i.name for i in self.items if i.name and not i.is_wildcard]


@dataclass(frozen=True, slots=True)
class Hint:
    """A ``USE INSTEAD`` line; ``statement`` is None when it is prose."""

    text: str
    line: int
    statement: Statement | None


@dataclass(slots=True)
class RegistryEntry:
    statement: Statement
    status: Status
    line: int
    note: str = ""
    section: str = ""
    use_instead: list[Hint] = field(default_factory=list)

    @property
    def items(self) -> tuple[RegistryImport, ...]:
        return self.statement.items

    @property
    def text(self) -> str:
        return self.statement.text


@dataclass(frozen=True, slots=True)
class PatchTarget:
    """A mock path (``@patch('pkg.mod.Class.method')``) the registry lists."""

    target: str
    status: Status
    line: int
    section: str = ""


@dataclass
class Registry:
    path: Path
    display: str  # how diagnostics name the file (project-relative when possible)
    entries: list[RegistryEntry] = field(default_factory=list)
    patches: list[PatchTarget] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # patterns, not imports

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Rebuild the lookup tables after ``entries`` changed."""
        self._registered: dict[str, list[tuple[RegistryEntry, RegistryImport]]] = {}
        self._registered_modules: dict[str, list[RegistryEntry]] = {}
        self._broken: dict[str, tuple[RegistryEntry, RegistryImport]] = {}
        self._broken_modules: dict[str, tuple[RegistryEntry, RegistryImport]] = {}
        for entry in self.entries:
            for item in entry.items:
                if entry.status.registered:
                    if item.is_wildcard:
                        self._registered_modules.setdefault(item.module, []).append(entry)
                    else:
                        self._registered.setdefault(item.target, []).append((entry, item))
                elif item.is_wildcard or item.name is None:
                    self._broken_modules.setdefault(item.module, (entry, item))
                    if item.name is None:
                        self._broken.setdefault(item.target, (entry, item))
                else:
                    self._broken.setdefault(item.target, (entry, item))

    # -- what the rules ask ----------------------------------------------------

    @property
    def verified(self) -> list[RegistryImport]:
        """Every registered (verified or unverified) imported item."""
        return [i for e in self.entries if e.status.registered for i in e.items]

    def where(self, line: int) -> str:
        return f"{self.display}:{line}"

    def registered(self, target: str) -> list[tuple[RegistryEntry, RegistryImport]]:
        """Registered lines that import exactly ``target`` (``module.name`` or a module)."""
        return list(self._registered.get(target, []))

    def registers_module(self, module: str) -> bool:
        """Is ``module`` listed with a placeholder (``from m import [CLASSES]``)?"""
        return module in self._registered_modules

    def is_registered(self, module: str, name: str | None) -> bool:
        target = f"{module}.{name}" if name else module
        if target in self._registered:
            return True
        return name is not None and self.registers_module(module)

    def broken(self, module: str, name: str | None) -> tuple[RegistryEntry, RegistryImport] | None:
        """The broken line an import matches, unless the registry also verifies it.

        ``import a.b`` matches a broken ``import a.b`` (or ``from a import b``);
        ``from a.b import X`` matches a broken ``from a.b import X``, and any
        name from a module listed as broken as a whole (``import a.b``,
        ``from a.b import [ANYTHING]``).
        """
        if self.is_registered(module, name):
            return None
        target = f"{module}.{name}" if name else module
        if name is not None and name != "*" and target in self._broken:
            return self._broken[target]
        if name is None and target in self._broken:
            return self._broken[target]
        if name is not None and module in self._broken_modules:
            return self._broken_modules[module]
        return None

    def conflicts(self) -> list[tuple[RegistryEntry, RegistryEntry, str]]:
        """(registered line, broken line, target) listed as both."""
        out = []
        for target, (broken_entry, _) in sorted(self._broken.items()):
            for entry, _item in self._registered.get(target, [])[:1]:
                out.append((entry, broken_entry, target))
        return out


# ---------------------------------------------------------------------------
# Finding and loading.


def find_registry(root: Path, settings: Settings) -> Path | None:
    """The configured registry, else SSOT_IMPORT_REGISTRY.md at the root or in docs/."""
    if settings.registry:
        path = root / settings.registry
        if not path.is_file():
            raise RegistryError(
                "registry file not found (set by the `registry` setting)", path.resolve()
            )
        return path
    for directory in REGISTRY_DIRECTORIES:
        for name in REGISTRY_FILE_NAMES:
            candidate = root / directory / name if directory else root / name
            if candidate.is_file():
                return candidate
    return None


_CACHE: dict[tuple[str, int, int, str], Registry] = {}


def load_registry(path: Path, root: Path | None = None) -> Registry:
    """Read and parse a registry file (Markdown unless it ends in ``.toml``)."""
    absolute = path.resolve()
    try:
        stat = absolute.stat()
        data = absolute.read_bytes()
    except OSError as exc:
        raise RegistryError(f"cannot read registry: {exc.strerror or exc}", absolute) from None
    display = _display(absolute, root)
    key = (str(absolute), stat.st_mtime_ns, stat.st_size, display)
    if key in _CACHE:
        return _CACHE[key]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RegistryError("registry is not valid UTF-8", absolute, line) from None
    if absolute.suffix.lower() == ".toml":
        registry = parse_toml(text, absolute, display)
    else:
        registry = parse_markdown(text, absolute, display)
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[key] = registry
    return registry


def load_project_registry(root: Path, settings: Settings) -> Registry | None:
    """The project's registry, or None when it has none."""
    path = find_registry(root, settings)
    return load_registry(path, root) if path is not None else None


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


# ---------------------------------------------------------------------------
# Import statements (shared by both formats).


class _Pattern(Exception):
    """A line that describes a path pattern, not an import: skipped."""


_PLACEHOLDER = re.compile(r"\[[^\]\n]*\]|<[^>\n]*>|\.\.\.|…")
_PATTERN_CHARS = re.compile(r"[\[\]{}<>*]|\.\.\.")
_FROM = re.compile(r"^from\s+(?P<module>\S+)\s+import\b(?P<names>.*)$", re.DOTALL)
_IMPORT_LIKE = re.compile(r"^(?:from\s+\S+\s+import\b|import\s+[A-Za-z_\[{<])")


def looks_like_import(code: str) -> bool:
    return bool(_IMPORT_LIKE.match(code.strip()))


def parse_statement(code: str) -> Statement:
    """Parse one import statement of a registry (placeholders allowed).

    Raises ``ValueError`` with a reason for anything else, and ``_Pattern``
    for a module path written as a pattern (``pkg.{component}.x``).
    """
    text = " ".join(code.split())
    match = _FROM.match(text)
    placeholders: list[str] = []
    source = text
    if match:
        module = match.group("module")
        if _PATTERN_CHARS.search(module):
            raise _Pattern(text)
        names = match.group("names").strip()
        placeholders = [m.group(0) for m in _PLACEHOLDER.finditer(names)]
        # Each placeholder stands for names: keep its slot so stray commas show.
        inner = _PLACEHOLDER.sub("\0", names).strip()
        if inner.startswith("(") and inner.endswith(")"):
            inner = inner[1:-1]
        parts = [part.strip() for part in inner.split(",")]
        if len(parts) > 1 and not parts[-1]:
            parts.pop()  # a trailing comma
        if not any(parts):
            raise ValueError("nothing is imported")
        if any(not part for part in parts):
            raise ValueError("not a valid import statement")
        real = [part for part in parts if part != "\0"]
        if real:
            source = f"from {module} import {', '.join(real)}"
        else:
            source = f"from {module} import _placeholder_"
    elif text.startswith("import ") and _PATTERN_CHARS.search(text):
        raise _Pattern(text)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        raise ValueError("not a valid import statement") from None
    if len(tree.body) != 1 or not isinstance(tree.body[0], (ast.Import, ast.ImportFrom)):
        raise ValueError("not a single import statement")
    node = tree.body[0]
    items: list[RegistryImport] = []
    if isinstance(node, ast.Import):
        items = [RegistryImport(a.name, None, a.asname) for a in node.names]
    else:
        if node.level:
            raise ValueError("relative import; registry lines must name the absolute module")
        module = node.module or ""
        if match and not real:
            items = [RegistryImport(module, "*")]
        else:
            items = [RegistryImport(module, a.name, a.asname) for a in node.names]
            if placeholders:
                items.append(RegistryImport(module, "*"))
    return Statement(text, tuple(items), tuple(placeholders))


def _classify_hint(text: str, where: int) -> tuple[Hint | None, str | None]:
    """A USE INSTEAD text: (hint, error message if it is a broken import line)."""
    text = text.strip().strip("`").strip()
    if not text:
        return None, "`USE INSTEAD:` without a replacement"
    if looks_like_import(text):
        try:
            return Hint(text, where, parse_statement(text)), None
        except _Pattern:
            return Hint(text, where, None), None
        except ValueError as exc:
            return None, f"cannot parse the USE INSTEAD line `{text}`: {exc}"
    return Hint(text, where, None), None


# ---------------------------------------------------------------------------
# Markdown.

_FENCE_OPEN = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\s`]*)")
_ATX = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(?P<char>=+|-+)[ \t]*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_PATCH = re.compile(r"\bpatch\(\s*(['\"])(?P<target>[A-Za-z_][\w.]*)\1")
_USE_INSTEAD = re.compile(r"use\s+instead\s*:?", re.IGNORECASE)
_PYTHON_INFOS = {"python", "py", "python3", "py3", "pycon", "ipython"}

_MARKERS = {"❌": Status.BROKEN, "🚫": Status.BROKEN, "⛔": Status.BROKEN}
_MARKERS.update({"❓": Status.UNVERIFIED, "❔": Status.UNVERIFIED})
_MARKERS.update({"✅": Status.VERIFIED, "✔": Status.VERIFIED})

# Heading words, checked in this order ("NOT WORKING" before "WORKING",
# "UNVERIFIED" before "VERIFIED", "INCORRECT" before "CORRECT").
_HEADING_WORDS: tuple[tuple[Status, tuple[str, ...]], ...] = (
    (
        Status.BROKEN,
        (
            "broken",
            "do not use",
            "don't use",
            "dont use",
            "not working",
            "incorrect",
            "invalid",
            "wrong",
            "forbidden",
            "removed",
            "do not exist",
            "does not exist",
            "banned",
        ),
    ),
    (
        Status.UNVERIFIED,
        ("unverified", "not verified", "needs verification", "requires verification"),
    ),
    (
        Status.VERIFIED,
        ("verified", "working", "correct", "available", "canonical", "approved", "recommended"),
    ),
)


def _marker(text: str) -> Status | None:
    """The first status emoji in ``text``."""
    best: tuple[int, Status] | None = None
    for emoji, status in _MARKERS.items():
        index = text.find(emoji)
        if index >= 0 and (best is None or index < best[0]):
            best = (index, status)
    return best[1] if best else None


def _heading_status(text: str) -> Status | None:
    marker = _marker(text)
    if marker is not None:
        return marker
    lowered = text.lower()
    for status, words in _HEADING_WORDS:
        if any(re.search(r"\b" + re.escape(w) + r"\b", lowered) for w in words):
            return status
    return None


def _clean_heading(text: str) -> str:
    text = "".join(ch for ch in text if ch.isascii() or ch.isalnum()).strip()
    return " ".join(text.replace("**", "").split()).rstrip(":").strip()


def _split_comment(line: str) -> tuple[str, str]:
    """``code  # comment`` -> (code, comment); import lines hold no strings."""
    code, hash_, comment = line.partition("#")
    return code.rstrip(), comment.strip() if hash_ else ""


def _note(comment: str) -> str:
    text = comment
    for emoji in _MARKERS:
        text = text.replace(emoji, "")
    text = _USE_INSTEAD.split(text, maxsplit=1)[0]
    return " ".join(text.replace("\ufe0f", "").split()).strip(" -—:")


@dataclass
class _Block:
    python: bool  # ```python: strict; unlabelled blocks: lenient
    opened_at: int
    fence: str
    skip: bool = False  # a block in another language
    mode: Status | None = None  # set by a marker-only comment line
    # Broken lines on consecutive lines, awaiting a USE INSTEAD that follows
    # them directly; a blank or comment line ends the run.
    pending: list[RegistryEntry] = field(default_factory=list)
    last_statement: RegistryEntry | None = None
    last_hinted: list[RegistryEntry] = field(default_factory=list)
    last_was_hint: bool = False
    buffer: list[tuple[int, str, str]] = field(default_factory=list)  # multi-line statement


class _MarkdownParser:
    def __init__(self, text: str, path: Path, display: str) -> None:
        self.lines = text.splitlines()
        self.path = path
        self.registry = Registry(path, display)
        self.headings: list[tuple[int, str, Status | None]] = []

    def error(self, message: str, line: int) -> RegistryError:
        return RegistryError(message, self.path, line)

    # -- document structure ----------------------------------------------------

    def parse(self) -> Registry:
        block: _Block | None = None
        previous = ""
        for number, raw in enumerate(self.lines, 1):
            if block is not None:
                if _closes(raw, block.fence):
                    self.finish_block(block)
                    block = None
                    previous = ""
                else:
                    self.block_line(block, number, raw)
                continue
            opened = _FENCE_OPEN.match(raw)
            if opened:
                info = opened.group("info").lower()
                # Other languages (bash, toml, text...) are skipped entirely.
                skip = info not in _PYTHON_INFOS and info != ""
                block = _Block(info in _PYTHON_INFOS, number, opened.group("fence"), skip=skip)
                previous = ""
                continue
            atx = _ATX.match(raw)
            if atx:
                self.heading(len(atx.group("hashes")), atx.group("text") or "")
                previous = ""
                continue
            setext = _SETEXT.match(raw)
            if setext and previous.strip() and not _LIST_ITEM.match(previous):
                self.heading(1 if setext.group("char")[0] == "=" else 2, previous)
                previous = ""
                continue
            previous = raw
        if block is not None:
            raise self.error(
                f"code block opened here ({block.fence}) is never closed", block.opened_at
            )
        self.registry.reindex()
        return self.registry

    def heading(self, level: int, text: str) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, text, _heading_status(text)))

    def section_status(self) -> Status:
        for _level, _text, status in reversed(self.headings):
            if status is not None:
                return status
        return Status.VERIFIED

    def section_name(self) -> str:
        # A level-1 heading is the document's title, not a section.
        headings = [h for h in self.headings if h[0] > 1] or self.headings
        return " / ".join(c for _l, text, _s in headings if (c := _clean_heading(text)))

    # -- code blocks -----------------------------------------------------------

    def block_line(self, block: _Block, number: int, raw: str) -> None:
        if block.skip:
            return
        stripped = raw.strip()
        if block.buffer:
            code, comment = _split_comment(stripped)
            block.buffer.append((number, code, comment))
            if _balanced(" ".join(c for _n, c, _m in block.buffer)):
                self.statement(block, block.buffer)
                block.buffer = []
            return
        if not stripped:
            block.pending = []
            return
        if stripped.startswith("#"):
            self.comment_line(block, number, stripped.lstrip("#").strip())
            return
        code, comment = _split_comment(stripped)
        if looks_like_import(code):
            if not _balanced(code):
                block.buffer = [(number, code, comment)]
                return
            self.statement(block, [(number, code, comment)])
            return
        patch = _PATCH.search(stripped)
        if patch:
            status = _marker(comment) or block.mode or self.section_status()
            self.registry.patches.append(
                PatchTarget(patch.group("target"), status, number, self.section_name())
            )
            return
        # Anything else (prose in a block, class bodies, calls) says nothing.
        block.last_was_hint = False
        block.pending = []
        block.last_statement = None

    def comment_line(self, block: _Block, number: int, comment: str) -> None:
        # `# USE INSTEAD: ...`, possibly after a ✅ (`# ✅ USE INSTEAD: ...`).
        unmarked = re.sub(r"^[✅✔\ufe0f\s]+", "", comment)
        hint_match = _USE_INSTEAD.match(unmarked)
        if hint_match:
            self.hint(block, number, unmarked[hint_match.end() :])
            return
        marker = _marker(comment)
        if marker is not None:
            block.mode = marker
            block.last_statement = None
        block.pending = []
        block.last_was_hint = False

    def hint(self, block: _Block, number: int, text: str) -> None:
        hint, problem = _classify_hint(text, number)
        if problem is not None:
            if block.python:
                raise self.error(problem, number)
            return
        assert hint is not None
        last = block.last_statement
        if block.pending:
            targets = block.pending
        elif block.last_was_hint and block.last_hinted:
            targets = block.last_hinted  # a second USE INSTEAD line for the same imports
        elif last is not None and last.status is Status.BROKEN and not last.use_instead:
            targets = [last]  # separated from its broken line by a blank or comment line
        else:
            if block.python:
                raise self.error(
                    "`USE INSTEAD:` must follow the broken import line(s) it replaces", number
                )
            return
        for entry in targets:
            entry.use_instead.append(hint)
        block.last_hinted = targets
        block.pending = []
        block.last_was_hint = True

    def statement(self, block: _Block, parts: list[tuple[int, str, str]]) -> None:
        number = parts[0][0]
        code = " ".join(c for _n, c, _m in parts)
        comment = " ".join(m for _n, _c, m in parts if m)
        try:
            statement = parse_statement(code)
        except _Pattern:
            self.registry.skipped.append((number, " ".join(code.split())))
            return
        except ValueError as exc:
            if block.python:
                raise self.error(
                    f"cannot parse import line `{' '.join(code.split())}`: {exc}", number
                ) from None
            return
        status = _marker(comment) or block.mode or self.section_status()
        entry = RegistryEntry(statement, status, number, _note(comment), self.section_name())
        self.registry.entries.append(entry)
        block.last_was_hint = False
        block.last_statement = entry
        inline = _USE_INSTEAD.search(comment)
        if inline:
            hint, problem = _classify_hint(comment[inline.end() :], number)
            if problem is not None and block.python:
                raise self.error(problem, number)
            if hint is not None:
                entry.use_instead.append(hint)
        if status is Status.BROKEN:
            if block.pending and block.pending[-1].use_instead:
                block.pending = []
            if not entry.use_instead:
                block.pending.append(entry)
        else:
            block.pending = []

    def finish_block(self, block: _Block) -> None:
        if block.buffer:
            number = block.buffer[0][0]
            if block.python:
                raise self.error(
                    "import statement is not closed before the code block ends", number
                )


def _closes(raw: str, fence: str) -> bool:
    stripped = raw.strip()
    return (
        bool(stripped)
        and stripped[0] == fence[0]
        and len(stripped) >= len(fence)
        and set(stripped) == {fence[0]}
    )


def _balanced(code: str) -> bool:
    if code.rstrip().endswith("\\"):
        return False
    return code.count("(") <= code.count(")")


def parse_markdown(text: str, path: Path, display: str | None = None) -> Registry:
    return _MarkdownParser(text, path, display or path.as_posix()).parse()


# ---------------------------------------------------------------------------
# TOML.

_TOML_TOP = {"version", "imports", "patches"}
_TOML_IMPORT = {"statement", "status", "use-instead", "note", "section"}
_TOML_PATCH = {"target", "status", "section"}


class _TomlLines:
    """Line numbers for values (tomlkit keeps none): searched in document order."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.cursor = 0

    def find(self, needle: str, start: int | None = None) -> int | None:
        begin = self.cursor if start is None else start
        for index in range(begin, len(self.lines)):
            if needle in self.lines[index]:
                return index + 1
        return None

    def key(self, key: str) -> int | None:
        pattern = re.compile(r"^\s*(\[\[?\s*)?" + re.escape(key) + r"\b")
        for index, line in enumerate(self.lines):
            if pattern.match(line):
                return index + 1
        return None

    def headers(self, table: str) -> list[int]:
        pattern = re.compile(r"^\s*\[\[\s*" + re.escape(table) + r"\s*\]\]")
        return [i + 1 for i, line in enumerate(self.lines) if pattern.match(line)]


def parse_toml(text: str, path: Path, display: str | None = None) -> Registry:
    import tomlkit
    import tomlkit.exceptions

    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.TOMLKitError as exc:
        # ParseError knows its line; KeyAlreadyPresent (a key repeated inside an
        # array of tables) does not, and is not a ParseError.
        line = getattr(exc, "line", None) or _repeated_key_line(text, str(exc))
        raise RegistryError(f"invalid TOML: {exc}", path, line) from None
    data: dict[str, Any] = document.unwrap()
    lines = _TomlLines(text)
    registry = Registry(path, display or path.as_posix())

    def fail(message: str, line: int | None) -> RegistryError:
        return RegistryError(message, path, line)

    for key in data:
        if key not in _TOML_TOP:
            known = ", ".join(sorted(_TOML_TOP))
            raise fail(f"unknown key `{key}` (known keys: {known})", lines.key(key))
    version = data.get("version", TOML_VERSION)
    if version != TOML_VERSION:
        raise fail(
            f"unsupported registry version {version!r} (expected {TOML_VERSION})",
            lines.key("version"),
        )
    imports = data.get("imports", [])
    if not isinstance(imports, list) or not all(isinstance(t, dict) for t in imports):
        raise fail("`imports` must be an array of tables ([[imports]])", lines.key("imports"))
    headers = lines.headers("imports")
    for index, table in enumerate(imports):
        fallback = headers[index] if index < len(headers) else lines.key("imports")
        registry.entries.append(_toml_import(table, lines, fallback, fail))
    patches = data.get("patches", [])
    if not isinstance(patches, list) or not all(isinstance(t, dict) for t in patches):
        raise fail("`patches` must be an array of tables ([[patches]])", lines.key("patches"))
    lines.cursor = 0
    headers = lines.headers("patches")
    for index, table in enumerate(patches):
        fallback = headers[index] if index < len(headers) else lines.key("patches")
        registry.patches.append(_toml_patch(table, lines, fallback, fail))
    registry.reindex()
    return registry


def _repeated_key_line(text: str, message: str) -> int | None:
    """Where a key tomlkit reports as repeated occurs for the second time."""
    match = re.search(r'Key "(.+?)" already exists', message)
    if match is None:
        return None
    pattern = re.compile(r"^\s*" + re.escape(match.group(1)) + r"\s*=")
    seen = [n for n, line in enumerate(text.splitlines(), 1) if pattern.match(line)]
    return seen[1] if len(seen) > 1 else None


def _status(value: Any, line: int | None, fail: Any) -> Status:
    if value is None:
        return Status.VERIFIED
    try:
        return Status(value)
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise fail(f"`status` must be one of {allowed}, got {value!r}", line) from None


def _strings(value: Any, key: str, line: int | None, fail: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise fail(f"`{key}` must be a string or an array of strings", line)


def _toml_import(
    table: dict[str, Any], lines: _TomlLines, fallback: int | None, fail: Any
) -> RegistryEntry:
    for key in table:
        if key not in _TOML_IMPORT:
            known = ", ".join(sorted(_TOML_IMPORT))
            raise fail(f"unknown key `{key}` in [[imports]] (known keys: {known})", fallback)
    text = table.get("statement")
    if not isinstance(text, str):
        raise fail("every [[imports]] entry needs `statement`, a string", fallback)
    line = lines.find(text) or fallback or 1
    lines.cursor = line  # the next entry comes after this one
    for key in ("note", "section"):
        if key in table and not isinstance(table[key], str):
            raise fail(f"`{key}` must be a string", line)
    try:
        statement = parse_statement(text)
    except _Pattern:
        raise fail(f"`{text}` is a path pattern, not an import", line) from None
    except ValueError as exc:
        raise fail(f"cannot parse import line `{text}`: {exc}", line) from None
    entry = RegistryEntry(
        statement,
        _status(table.get("status"), line, fail),
        line,
        table.get("note", ""),
        table.get("section", ""),
    )
    for hint_text in _strings(table.get("use-instead", []), "use-instead", line, fail):
        where = lines.find(hint_text, line - 1) or line
        hint, problem = _classify_hint(hint_text, where)
        if problem is not None:
            raise fail(problem, where)
        assert hint is not None
        entry.use_instead.append(hint)
    if entry.use_instead and entry.status is not Status.BROKEN:
        raise fail('`use-instead` only applies to entries with status = "broken"', line)
    return entry


def _toml_patch(
    table: dict[str, Any], lines: _TomlLines, fallback: int | None, fail: Any
) -> PatchTarget:
    for key in table:
        if key not in _TOML_PATCH:
            known = ", ".join(sorted(_TOML_PATCH))
            raise fail(f"unknown key `{key}` in [[patches]] (known keys: {known})", fallback)
    target = table.get("target")
    if not isinstance(target, str) or not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+", target):
        raise fail("every [[patches]] entry needs `target`, a dotted name", fallback)
    line = lines.find(target) or fallback or 1
    lines.cursor = line
    section = table.get("section", "")
    if not isinstance(section, str):
        raise fail("`section` must be a string", line)
    return PatchTarget(target, _status(table.get("status"), line, fail), line, section)


def to_toml(registry: Registry) -> str:
    """The registry in ssot-lint's TOML format (``ssot-lint registry export``)."""
    import tomlkit

    document = tomlkit.document()
    document.add(tomlkit.comment("SSOT import registry, in ssot-lint's TOML format."))
    document.add(
        tomlkit.comment(f"Exported from {registry.display} by `ssot-lint registry export`.")
    )
    document.add(
        tomlkit.comment(
            'status: "verified" (the default), "unverified" or "broken"; '
            "use-instead: the replacement import lines of a broken entry."
        )
    )
    document.add(tomlkit.nl())
    document["version"] = TOML_VERSION
    imports = tomlkit.aot()
    for entry in registry.entries:
        table = tomlkit.table()
        table["statement"] = entry.text
        if entry.status is not Status.VERIFIED:
            table["status"] = entry.status.value
        if entry.use_instead:
            hints = [h.text for h in entry.use_instead]
            table["use-instead"] = hints[0] if len(hints) == 1 else hints
        if entry.note:
            table["note"] = entry.note
        if entry.section:
            table["section"] = entry.section
        imports.append(table)
    if registry.entries:
        document["imports"] = imports
    patches = tomlkit.aot()
    for patch in registry.patches:
        table = tomlkit.table()
        table["target"] = patch.target
        if patch.status is not Status.VERIFIED:
            table["status"] = patch.status.value
        if patch.section:
            table["section"] = patch.section
        patches.append(table)
    if registry.patches:
        document["patches"] = patches
    return tomlkit.dumps(document)


# ---------------------------------------------------------------------------
# `ssot-lint registry check`: registry lines against the code.


@dataclass(frozen=True, slots=True)
class RegistryProblem:
    line: int
    text: str  # the registry line (or USE INSTEAD / patch target) concerned
    status: Status
    problem: str


@dataclass
class RegistryReport:
    registry: Registry
    problems: list[RegistryProblem] = field(default_factory=list)
    checked: int = 0  # lines checked against the code
    skipped: int = 0  # lines naming no first-party module (or path patterns)


def check_registry(registry: Registry, project: Project) -> RegistryReport:
    """Registry lines that do not resolve against the code.

    Verified and ❓ lines, the USE INSTEAD lines of broken ones, and mock
    targets must name an existing module and a name it defines, binds,
    re-exports or has as a submodule. Broken lines themselves are expected not
    to resolve (or to be deliberately avoided) and are not checked. A line
    listed both as verified and as broken is reported too.
    """
    report = RegistryReport(registry, skipped=len(registry.skipped))

    def check_items(line: int, text: str, status: Status, items: Iterable[RegistryImport]) -> None:
        items = [i for i in items if project.is_first_party(i.module)]
        if not items:
            report.skipped += 1
            return
        report.checked += 1
        reasons = []
        for item in items:
            reason = _unresolved(project, item)
            if reason and reason not in reasons:
                reasons.append(reason)
        if reasons:
            marked = " (marked ❓ unverified)" if status is Status.UNVERIFIED else ""
            report.problems.append(RegistryProblem(line, text, status, "; ".join(reasons) + marked))

    hints_checked: set[int] = set()  # one USE INSTEAD line may serve several broken lines
    for entry in registry.entries:
        if entry.status.registered:
            check_items(entry.line, entry.text, entry.status, entry.items)
            continue
        for hint in entry.use_instead:
            if hint.statement is not None and hint.line not in hints_checked:
                hints_checked.add(hint.line)
                check_items(hint.line, hint.text, Status.VERIFIED, hint.statement.items)
    for patch in registry.patches:
        if patch.status.registered:
            _check_patch(project, patch, report)
    for verified, broken, target in registry.conflicts():
        report.problems.append(
            RegistryProblem(
                broken.line,
                broken.text,
                broken.status,
                f"`{target}` is listed as broken here and as verified at line {verified.line}",
            )
        )
    report.problems.sort(key=lambda p: (p.line, p.problem))
    return report


def _unresolved(project: Project, item: RegistryImport) -> str:
    from ssot_lint.project import Found

    if item.name is None or item.is_wildcard:
        if project.module_state(item.module) is Found.NO:
            return f"module `{item.module}` not found"
        return ""
    lookup = project.lookup(item.module, item.name)
    if lookup.found is Found.NO:
        if lookup.reason.startswith("module") and lookup.reason.endswith("not found"):
            return lookup.reason
        return f"`{item.name}` not found: {lookup.reason}"
    return ""


def _check_patch(project: Project, patch: PatchTarget, report: RegistryReport) -> None:
    from ssot_lint.project import Found

    module, rest = project.split(patch.target)
    if not module:
        parts = patch.target.split(".")
        if not project.is_first_party(parts[0]) or len(parts) < 2:
            report.skipped += 1
            return
        report.checked += 1
        report.problems.append(
            RegistryProblem(
                patch.line, patch.target, patch.status, f"module of `{patch.target}` not found"
            )
        )
        return
    if not project.is_first_party(module):
        report.skipped += 1
        return
    report.checked += 1
    if not rest:
        return
    lookup = project.lookup(module, rest[0])
    if lookup.found is Found.NO:
        # The longest existing prefix may be a parent of a deleted module.
        reason = (
            f"`{rest[0]}` not found in `{module}`"
            if module in project.modules
            else f"module `{module}.{rest[0]}` not found"
        )
        report.problems.append(RegistryProblem(patch.line, patch.target, patch.status, reason))
