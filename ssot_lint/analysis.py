"""Per-file analysis, in two phases with a project-wide barrier between them.

1. ``analyse_facts`` (here) — every project file: read, decode, ``ast`` parse,
   facts, suppression comments. Cheap; needed by cross-file rules and the graph.
2. ``rule_runner.analyse_rules`` — only the files being checked whose text
   contains a trigger of an enabled CST rule: one libcst parse, ONE walk
   dispatching to every rule, positions computed only if something was reported.

Both are pure functions of their arguments, so their results can be cached by
content hash and computed in worker processes. This module never imports
libcst: a run whose rule results all come from the cache does not pay for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ssot_lint.diagnostics import Diagnostic, InternalError
from ssot_lint.facts import FileFacts, extract_facts, facts_signature
from ssot_lint.hot_chunks import ShapeResult
from ssot_lint.source import SourceError, read_source
from ssot_lint.trigger_words import has_word

PARSE_ERROR = "SSOT000"


@dataclass(frozen=True, slots=True)
class TriggerScan:
    """Which CST-rule triggers a file's text contains, found while the facts
    phase has the text in hand, so that choosing the file's rules afterwards
    does not read it again (on a cold run, that re-read was a serial fifth
    of the rules phase). Sent back from the worker; never cached."""

    scanned: frozenset[str]  # the triggers looked for
    hits: frozenset[str]  # those of them in the text
    chars: int  # the text's length: the file's weight as a rules task
    utf8: bool = False  # the bytes are the text in UTF-8: searchable undecoded


@dataclass
class FactsResult:
    path: str  # project-relative
    digest: str | None
    facts: FileFacts
    parse_error: Diagnostic | None = None
    lines: int = 0
    signature: str = ""  # facts_signature: the facts that project knowledge reads
    scan: TriggerScan | None = None  # None: not scanned (e.g. facts from the cache)


@dataclass
class RulesResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[InternalError] = field(default_factory=list)
    parsed: bool = False  # whether libcst was needed at all
    # (shape digest, hot chunks' results) when asked to remember them; the
    # caller adds its run-wide part to the key (``hot_chunks``).
    shape: tuple[str, ShapeResult] | None = None


def parse_error(path: str, message: str, line: int, column: int) -> Diagnostic:
    return Diagnostic(
        code=PARSE_ERROR,
        message=f"cannot parse: {message}",
        path=path,
        line=max(line, 1),
        column=max(column, 1),
        end_line=max(line, 1),
        end_column=max(column, 1),
    )


def analyse_facts(
    file: Path,
    rel_path: str,
    module: str,
    is_package: bool,
    triggers: frozenset[str] = frozenset(),
) -> FactsResult:
    """The facts of one file; ``triggers``: the words to record a ``TriggerScan`` of."""
    try:
        source = read_source(file)
    except SourceError as exc:
        facts = FileFacts(module=module, is_package=is_package)
        error = parse_error(rel_path, str(exc), exc.line, 1)
        return FactsResult(rel_path, exc.digest, facts, error, 0, facts_signature(facts))
    facts, _tree = extract_facts(source.text, module, is_package)
    error = None
    if facts.syntax_error is not None:
        message, line, column = facts.syntax_error
        error = parse_error(rel_path, message, line, column)
    lines = source.text.count("\n") + 1
    text = source.text
    hits = frozenset(t for t in triggers if has_word(text, t))
    scan = TriggerScan(triggers, hits, len(text), source.encoding == "utf-8")
    return FactsResult(rel_path, source.digest, facts, error, lines, facts_signature(facts), scan)
