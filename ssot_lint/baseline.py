"""Baselines: record today's violations, then fail only on new ones.

Fingerprints
    A violation is identified by its rule, its project-relative path, the
    qualified scope that encloses it (``pkg.mod.Tracker.start``), the
    offending node's code normalised (comments, whitespace, a trailing comma
    before a closing bracket, redundant outer parentheses and string quote
    style do not count), and an occurrence index among violations with that
    same key, in source order. The line is stored only as a hint. Nothing in
    a key depends on line numbers or on the rest of the file, so entries
    survive edits elsewhere, lines inserted above, and reformatting.

Matching, for each baseline entry (``match``):
    1. the exact key;
    2. a rename: the entry's file no longer exists, and a violation with the
       same rule, scope inside its module, code and index appears in another
       file (the most similar path wins);
    3. same rule, path (or renamed path) and code, nearest line — the scope or
       index changed (the function was renamed, a copy was added above).
    Entries that match nothing are *stale*: the violation was fixed. They are
    reported so the baseline only ever shrinks (``ssot-lint baseline --prune``).

File format
    JSON, versioned (``"ssot-lint-baseline": 1``), one entry per line, sorted
    by (path, rule, scope, code, index), no counts, totals or file hashes: two
    branches that each add entries touch different lines, and git merges them
    cleanly. The entries array ends with a ``null`` so that every entry line
    ends with a comma — appending an entry never edits its neighbour's line.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import io
import json
import os
import re
import tokenize
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ssot_lint.config import ConfigError
from ssot_lint.diagnostics import Diagnostic
from ssot_lint.source import SourceError, read_source, split_lines

FORMAT_KEY = "ssot-lint-baseline"
FORMAT_VERSION = 1
DEFAULT_FILE = ".ssot-lint-baseline.json"
FINGERPRINT_KEY = "ssotLint/v1"  # the SARIF partialFingerprints key

_ABOUT = (
    "Known violations that `ssot-lint check` ignores. Written by `ssot-lint baseline`; "
    "shrink it with `ssot-lint baseline --prune`. One entry per line, sorted; the final "
    "null keeps every entry line ending with a comma so that merges stay clean."
)


class BaselineError(ConfigError):
    """An unreadable or invalid baseline file (a usage error, exit 2, like a bad config)."""


# ---------------------------------------------------------------------------
# Fingerprints.


@dataclass(frozen=True, slots=True)
class Entry:
    """One known violation. ``line`` and ``message`` are hints for humans and
    for nearest-line matching; they are not part of the key."""

    path: str
    code: str
    scope: str
    text: str
    index: int
    line: int = 0
    message: str = ""

    @property
    def key(self) -> tuple[str, str, str, str, int]:
        return (self.code, self.path, self.scope, self.text, self.index)

    @property
    def sort_key(self) -> tuple[str, str, str, str, int]:
        return (self.path, self.code, self.scope, self.text, self.index)

    @property
    def rename_key(self) -> tuple[str, str, str, int]:
        return (self.code, module_local_scope(self.scope, self.path), self.text, self.index)

    def fingerprint(self) -> str:
        """A short stable hash of the key (SARIF ``partialFingerprints``)."""
        blob = "\x1f".join([self.code, self.path, self.scope, self.text, str(self.index)])
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "code": self.code,
            "scope": self.scope,
            "text": self.text,
            "index": self.index,
            "line": self.line,
            "message": self.message,
        }


_WORD = re.compile(r"\w")
_STRING_PREFIX = re.compile(r"^([A-Za-z]*)['\"]")
_PLAIN_PREFIXES = {"", "u", "r", "b", "br", "rb"}
_SKIPPED = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
}


def normalise_code(code: str) -> str:
    """Code text that does not change when the code is only reformatted.

    Tokens without comments and whitespace; a space only where two words
    would otherwise merge; no trailing comma before a closing bracket; no
    redundant outer parentheses; plain string literals in one quote style.
    """
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(code.strip()).readline)
            if t.type not in _SKIPPED
        ]
    except (tokenize.TokenError, SyntaxError):
        # Not a whole token stream (it should be: it is one node's code).
        return " ".join(re.sub(r"#[^\n]*", "", code).split())
    texts = [_token_text(t) for t in tokens]
    kept = [
        text
        for i, text in enumerate(texts)
        if not (text == "," and i + 1 < len(texts) and texts[i + 1] in ")]}")
    ]
    while len(kept) >= 2 and kept[0] == "(" and kept[-1] == ")" and _closes_at_end(kept):
        kept = kept[1:-1]
    out: list[str] = []
    for text in kept:
        if out and _WORD.match(out[-1][-1:] or " ") and _WORD.match(text[:1] or " "):
            out.append(" ")
        out.append(text)
    return "".join(out)


def _token_text(token: tokenize.TokenInfo) -> str:
    if token.type != tokenize.STRING:
        return token.string
    match = _STRING_PREFIX.match(token.string)
    if match is None or match.group(1).lower() not in _PLAIN_PREFIXES:
        return token.string
    try:
        return repr(ast.literal_eval(token.string))
    except (ValueError, SyntaxError):
        return token.string


def _closes_at_end(tokens: list[str]) -> bool:
    """Does the opening parenthesis at 0 close at the very last token?"""
    depth = 0
    for index, text in enumerate(tokens):
        if text in "([{":
            depth += 1
        elif text in ")]}":
            depth -= 1
            if depth == 0:
                return index == len(tokens) - 1
    return False


def module_local_scope(scope: str, path: str) -> str:
    """``scope`` without its module part (what survives moving the file).

    The module name is some dotted suffix of the path (``src/pkg/mod.py`` is
    ``pkg.mod``); the longest such suffix that prefixes the scope is removed.
    """
    parts = path.replace("\\", "/").split("/")
    if parts and parts[-1].endswith((".py", ".pyi")):
        parts[-1] = parts[-1].rsplit(".", 1)[0]
    if parts and parts[-1] == "__init__":
        parts.pop()
    for start in range(len(parts)):
        module = ".".join(parts[start:])
        if not module:
            continue
        if scope == module:
            return ""
        if scope.startswith(module + "."):
            return scope[len(module) + 1 :]
    return scope


class _SourceCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._lines: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            file = Path(path) if os.path.isabs(path) else self.root / path
            try:
                self._lines[path] = split_lines(read_source(file).text)
            except (SourceError, OSError):
                self._lines[path] = None
        return self._lines[path]


def _region(lines: list[str] | None, diag: Diagnostic) -> str | None:
    if lines is None or not 1 <= diag.line <= diag.end_line <= len(lines):
        return None
    if diag.line == diag.end_line:
        if diag.end_column < diag.column:
            return None
        return lines[diag.line - 1][diag.column - 1 : diag.end_column - 1]
    pieces = [lines[diag.line - 1][diag.column - 1 :]]
    pieces += lines[diag.line : diag.end_line - 1]
    pieces.append(lines[diag.end_line - 1][: diag.end_column - 1])
    return "\n".join(pieces)


def _node_code(diag: Diagnostic, sources: _SourceCache) -> str:
    """The offending code with its line breaks (so comments inside it can be
    told apart), when the file still matches the diagnostic; else its snippet."""
    region = _region(sources.lines(diag.path), diag)
    if region is not None and (not diag.snippet or " ".join(region.split()) == diag.snippet):
        return region
    return diag.snippet


def fingerprint(diagnostics: Sequence[Diagnostic], root: Path) -> list[Entry]:
    """One entry per diagnostic, in the same order, occurrence indexes assigned
    in source order among diagnostics with the same (rule, path, scope, code)."""
    sources = _SourceCache(root)
    texts = [normalise_code(_node_code(d, sources)) for d in diagnostics]
    order = sorted(range(len(diagnostics)), key=lambda i: diagnostics[i].sort_key)
    counters: dict[tuple[str, str, str, str], int] = defaultdict(int)
    indexes = [0] * len(diagnostics)
    for i in order:
        d = diagnostics[i]
        key = (d.code, d.path, d.scope, texts[i])
        indexes[i] = counters[key]
        counters[key] += 1
    return [
        Entry(d.path, d.code, d.scope, texts[i], indexes[i], d.line, d.message)
        for i, d in enumerate(diagnostics)
    ]


# ---------------------------------------------------------------------------
# Matching.


@dataclass
class MatchResult:
    new: list[Diagnostic]  # not in the baseline: these fail the check
    known: list[tuple[Entry, Diagnostic]]  # (baseline entry, today's diagnostic)
    stale: list[Entry]  # no longer occur, in code that was checked
    untouched: list[Entry]  # not matched, in code this run did not check
    known_entries: list[tuple[Entry, Entry]] = field(default_factory=list)  # (stored, today's)
    new_entries: list[Entry] = field(default_factory=list)  # today's, for ``new``

    @property
    def ignored(self) -> int:
        return len(self.known)

    def regenerated(self) -> list[Entry]:
        """A baseline of today's violations: an exact match keeps its stored entry
        (line hint and message too, so regenerating rewrites no unrelated line),
        others are written afresh; entries this run did not check are kept."""
        entries = [stored if stored.key == now.key else now for stored, now in self.known_entries]
        return [*entries, *self.new_entries, *self.untouched]

    def pruned(self) -> list[Entry]:
        """The baseline minus its stale entries; nothing added, nothing rewritten."""
        return [*(stored for stored, _ in self.known_entries), *self.untouched]


def match(
    entries: Sequence[Entry],
    diagnostics: Sequence[Diagnostic],
    root: Path,
    *,
    checked: Callable[[Entry], bool] = lambda entry: True,
    path_exists: Callable[[str], bool] | None = None,
) -> MatchResult:
    """Split today's diagnostics into known and new, and find stale entries.

    ``checked(entry)`` says whether this run could have reproduced the entry
    (its file and rule were checked); unmatched entries it could not have
    reproduced are ``untouched`` rather than stale. ``path_exists`` tells
    whether an entry's file is still there (default: on disk under ``root``).
    """
    exists = path_exists or (lambda path: (root / path).exists())
    current = fingerprint(diagnostics, root)
    free_diags = set(range(len(diagnostics)))
    pairs: dict[int, int] = {}  # entry index -> diagnostic index

    # 1. Exact key.
    by_key: dict[tuple[str, str, str, str, int], list[int]] = defaultdict(list)
    for i in sorted(free_diags):
        by_key[current[i].key].append(i)
    for e, entry in enumerate(entries):
        candidates = by_key.get(entry.key)
        if candidates:
            i = candidates.pop(0)
            pairs[e] = i
            free_diags.discard(i)

    # 2. Renamed file: same key apart from the path (scope taken inside the module).
    current_paths = {entry.path for entry in current}
    gone = {
        e
        for e, entry in enumerate(entries)
        if e not in pairs and entry.path not in current_paths and not exists(entry.path)
    }
    renamed_to: dict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_rename_key: dict[tuple[str, str, str, int], list[int]] = defaultdict(list)
    if gone:
        for i in sorted(free_diags):
            by_rename_key[current[i].rename_key].append(i)
    for e in sorted(gone, key=lambda e: entries[e].sort_key):
        entry = entries[e]
        options = [i for i in by_rename_key.get(entry.rename_key, []) if i in free_diags]
        if not options:
            continue
        i = max(options, key=lambda i: (_path_similarity(entry.path, current[i].path), -i))
        pairs[e] = i
        free_diags.discard(i)
        renamed_to[entry.path][current[i].path] += 1

    # 3. Same rule, path (following renames) and code: nearest line.
    candidates_3: list[tuple[int, int, int, int]] = []  # (distance, line, entry, diag)
    by_text: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i in free_diags:
        by_text[(current[i].code, current[i].path, current[i].text)].append(i)
    for e, entry in enumerate(entries):
        if e in pairs:
            continue
        paths = [entry.path]
        if entry.path in renamed_to:
            moved = renamed_to[entry.path]
            paths.append(max(moved, key=lambda p: (moved[p], p)))
        for path in paths:
            for i in by_text.get((entry.code, path, entry.text), []):
                distance = abs(diagnostics[i].line - entry.line)
                candidates_3.append((distance, diagnostics[i].line, e, i))
    for _, _, e, i in sorted(candidates_3):
        if e in pairs or i not in free_diags:
            continue
        pairs[e] = i
        free_diags.discard(i)

    ordered = sorted(pairs.items(), key=lambda p: p[1])
    known = [(entries[e], diagnostics[i]) for e, i in ordered]
    new = [diagnostics[i] for i in sorted(free_diags)]
    stale: list[Entry] = []
    untouched: list[Entry] = []
    for e, entry in enumerate(entries):
        if e in pairs:
            continue
        (stale if checked(entry) else untouched).append(entry)
    return MatchResult(
        new,
        known,
        stale,
        untouched,
        known_entries=[(entries[e], current[i]) for e, i in ordered],
        new_entries=[current[i] for i in sorted(free_diags)],
    )


def _path_similarity(a: str, b: str) -> tuple[bool, float]:
    same_name = a.rsplit("/", 1)[-1] == b.rsplit("/", 1)[-1]
    return same_name, difflib.SequenceMatcher(None, a, b).ratio()


# ---------------------------------------------------------------------------
# The file.


def dumps(entries: Iterable[Entry]) -> str:
    """The baseline file's text: stable, sorted, one entry per line."""
    unique = sorted(set(entries), key=lambda e: (e.sort_key, e.line, e.message))
    lines = [
        "{",
        f"  {json.dumps(FORMAT_KEY)}: {FORMAT_VERSION},",
        f'  "about": {json.dumps(_ABOUT)},',
        '  "entries": [',
    ]
    lines += [f"    {json.dumps(e.to_json(), ensure_ascii=False)}," for e in unique]
    lines += ["    null", "  ]", "}"]
    return "\n".join(lines) + "\n"


def loads(text: str, source: str = "baseline") -> list[Entry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or FORMAT_KEY not in data:
        raise BaselineError(f"{source}: not an ssot-lint baseline (no {FORMAT_KEY!r} key)")
    version = data[FORMAT_KEY]
    if version != FORMAT_VERSION:
        raise BaselineError(
            f"{source}: baseline format version {version!r} is not supported "
            f"(this ssot-lint reads version {FORMAT_VERSION}); regenerate it with "
            "`ssot-lint baseline`"
        )
    raw = data.get("entries")
    if not isinstance(raw, list):
        raise BaselineError(f"{source}: 'entries' must be a list")
    entries: list[Entry] = []
    for number, item in enumerate(raw, 1):
        if item is None:
            continue
        entries.append(_entry(item, f"{source}: entry {number}"))
    return entries


_FIELDS: dict[str, type] = {
    "path": str,
    "code": str,
    "scope": str,
    "text": str,
    "index": int,
    "line": int,
    "message": str,
}
_REQUIRED = ("path", "code", "scope", "text", "index")


def _entry(item: object, where: str) -> Entry:
    if not isinstance(item, dict):
        raise BaselineError(f"{where}: expected an object")
    for key in _REQUIRED:
        if key not in item:
            raise BaselineError(f"{where}: missing {key!r}")
    for key, value in item.items():
        expected = _FIELDS.get(key)
        if expected is None:
            raise BaselineError(f"{where}: unknown field {key!r}")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise BaselineError(f"{where}: {key!r} must be a {expected.__name__}")
    return Entry(**item)


def load(path: Path) -> list[Entry]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(
            f"baseline file {path} does not exist; create it with `ssot-lint baseline`"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read baseline file {path}: {exc}") from None
    return loads(text, str(path))


def save(path: Path, entries: Iterable[Entry]) -> None:
    from ssot_lint.fixes import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, dumps(entries).encode("utf-8"))


# ---------------------------------------------------------------------------
# Wiring into a run: used by `check` and `baseline`.


def resolve_path(cli_path: Path | None, settings_value: str | None, root: Path) -> Path | None:
    """The baseline file: ``--baseline`` (relative to the working directory),
    else the ``baseline`` key (relative to the configuration's directory)."""
    if cli_path is not None:
        return cli_path
    if settings_value:
        return root / settings_value
    return None


def run_scope(
    result: Any,
    select: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> tuple[Callable[[Entry], bool], Callable[[str], bool]]:
    """What a finished run covered: ``checked(entry)`` and ``path_exists(path)``.

    An entry was checked when its file was a target of the run and its rule
    enabled for that file; an entry of a file that no longer exists counts
    as checked only when the run covered the whole project (a partial run,
    like a pre-commit hook, cannot tell a deleted file from a renamed one it
    did not look at).
    """
    from ssot_lint.selection import RuleSelection

    selection = RuleSelection.from_settings(
        result.settings,
        select=list(select),
        extend_select=list(extend_select),
        ignore=list(ignore),
    )
    project = result.project
    targets = {f.rel_path for f in project.targets}
    whole_project = targets == set(project.files)
    root: Path = result.root

    def path_exists(path: str) -> bool:
        return path in project.files or (root / path).exists()

    def checked(entry: Entry) -> bool:
        if entry.path in targets:
            return entry.code in selection.for_file(entry.path)
        if path_exists(entry.path):
            return False
        return whole_project and entry.code in selection.for_file(entry.path)

    return checked, path_exists


@dataclass
class Gate:
    """The outcome of applying a baseline to a check run."""

    file: Path
    result: MatchResult
    all_diagnostics: list[Diagnostic]

    @property
    def stale_count(self) -> int:
        return len(self.result.stale)


def apply(
    result: Any,
    file: Path,
    *,
    select: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> Gate:
    """Match a RunResult's diagnostics against the baseline in ``file``."""
    entries = load(file)
    checked, path_exists = run_scope(result, select, extend_select, ignore)
    matched = match(
        entries, result.diagnostics, result.root, checked=checked, path_exists=path_exists
    )
    return Gate(file, matched, list(result.diagnostics))


def gate_run(
    result: Any, options: Any, cli_file: Path | None, disabled: bool = False
) -> Gate | None:
    """``check``'s baseline step: with a baseline (``--baseline`` or the
    ``baseline`` key, unless ``--no-baseline``), ``result.diagnostics`` becomes
    the violations NOT in it. Returns None when there is no baseline."""
    path = None if disabled else resolve_path(cli_file, result.settings.baseline, result.root)
    if path is None:
        return None
    gate = apply(
        result,
        path,
        select=options.select,
        extend_select=options.extend_select,
        ignore=options.ignore,
    )
    result.diagnostics = list(gate.result.new)
    return gate


def announce(gate: Gate | None, *, quiet: bool, text_output: bool, fail_on_stale: bool) -> bool:
    """Tell the user (on stderr) what the baseline did; True when stale entries
    must fail the run (``--fail-on-stale-baseline``, PHPStan's
    ``reportUnmatchedIgnoredErrors``)."""
    import click

    if gate is None:
        return False
    if not quiet and not text_output and gate.result.ignored:
        # The text formats say it in their summary; machine formats keep stdout clean.
        click.echo(ignored_message(gate.result.ignored), err=True)
    stale = gate.stale_count
    if stale and fail_on_stale:
        click.echo(
            click.style("error:", fg="red", bold=True) + f" {stale_message(stale)}", err=True
        )
        return True
    if stale and not quiet:
        click.echo(
            click.style("note:", fg="yellow", bold=True) + f" {stale_message(stale)}", err=True
        )
    return False


def stale_message(count: int) -> str:
    if count == 1:
        return "1 baseline entry no longer occurs; run `ssot-lint baseline --prune`"
    return f"{count} baseline entries no longer occur; run `ssot-lint baseline --prune`"


def ignored_message(count: int) -> str:
    noun = "violation" if count == 1 else "violations"
    return f"{count} known {noun} ignored by the baseline."
