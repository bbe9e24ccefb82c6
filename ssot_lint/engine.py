"""A check run: discovery → facts → project index → rules → suppressions.

The whole project's facts are always gathered (cross-file rules must see
everything, even when a pre-commit hook names three files), but diagnostics
are produced and reported only for the files the user named.

Per-file work is cached by content (``cache.py``) and run in worker processes
(``workers.py``); libcst is imported only when some file actually needs a CST
rule run, so a warm run never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ssot_lint.analysis import FactsResult, RulesResult, TriggerScan, analyse_facts
from ssot_lint.cache import Cache, default_cache_dir
from ssot_lint.config import ConfigError, LoadedConfig, Settings, load_config
from ssot_lint.diagnostics import Diagnostic, InternalError
from ssot_lint.discovery import Discoverer, absolute
from ssot_lint.hot_chunks import ShapeResult, bound_triggers, file_shape, split_chunks
from ssot_lint.knowledge import ProjectKnowledge, gather_knowledge
from ssot_lint.project import Project, ProjectFile, make_test_matcher
from ssot_lint.registry import RegistryError, find_registry
from ssot_lint.rules import all_rules
from ssot_lint.rules.base import CstRule, ProjectRule
from ssot_lint.run_memo import RunMemo, knowledge_key, run_key
from ssot_lint.selection import RuleSelection
from ssot_lint.source import (
    ProjectLayout,
    Source,
    SourceError,
    content_digest,
    is_package_init,
    parse_python,
    read_bytes,
    read_source,
    split_lines,
)
from ssot_lint.suppressions import NO_REASON_CODE, UNUSED_CODE, apply_suppressions
from ssot_lint.walk_memo import WalkMemo
from ssot_lint.workers import default_jobs, paused_gc, run_tasks

# (phase name, files done, files in the phase); called from the main process.
ProgressCallback = Callable[[str, int, int], None]


@dataclass
class RunOptions:
    paths: list[Path]
    config_file: Path | None = None
    select: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    jobs: int | None = None  # None: one per available core
    use_cache: bool = True
    cache_dir: Path | None = None
    progress: ProgressCallback | None = None
    # Skip the libcst pass where no rule's trigger text occurs. Turned off
    # only to verify that the shortcut changes nothing (tests, benchmark).
    prefilter: bool = True
    force_exclude: bool | None = None  # --force-exclude: overrides the setting


@dataclass
class RunStats:
    files_in_project: int = 0
    facts_computed: int = 0  # files parsed with ast this run (cache misses)
    rules_computed: int = 0  # files whose rule results were computed this run
    libcst_parsed: int = 0  # of those, files that needed libcst
    rules_by_shape: int = 0  # of those, files answered by shape without libcst
    whole_run_reused: bool = False  # nothing changed: the last such run's outcome stands


@dataclass
class RunResult:
    config: LoadedConfig
    diagnostics: list[Diagnostic]
    errors: list[InternalError]
    files_checked: int
    suppressed: int
    knowledge: ProjectKnowledge
    stats: RunStats = field(default_factory=RunStats)
    # The project index, or how to build it: a reused run never needed it,
    # and builds it only if a caller asks (baseline, graph, fix).
    _project: Project | None = None
    _load_project: Callable[[], Project] | None = None

    @property
    def project(self) -> Project:
        if self._project is None:
            assert self._load_project is not None
            self._project = self._load_project()
        return self._project

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def settings(self) -> Settings:
        return self.config.settings


def open_cache(options: RunOptions, config: LoadedConfig) -> Cache:
    if not options.use_cache:
        return Cache.disabled()
    if options.cache_dir is not None:
        directory = absolute(options.cache_dir)
    elif config.settings.cache_dir:
        directory = absolute(config.root / config.settings.cache_dir)
    else:
        directory = default_cache_dir(config.root)
    return Cache.for_project(directory, config.root)


def _discoverer(config: LoadedConfig, cache: Cache) -> Discoverer:
    """A discoverer that starts from the last walk of this root, if any."""
    discoverer = Discoverer(config.root, config.settings)
    if not cache.enabled:
        return discoverer
    memo = cache.get_run(discoverer.memo_key())
    if isinstance(memo, WalkMemo):
        discoverer.start_from(memo)
    return discoverer


def run_check(options: RunOptions) -> RunResult:
    # A run builds tens of thousands of long-lived, acyclic objects (facts
    # loaded from the cache, the project index) and frees little before it
    # ends: the cyclic collector would walk them over and over while they are
    # made, half the time of loading a warm project's facts. Workers run
    # without it for the same reason.
    with paused_gc():
        return _run_check(options)


def _run_check(options: RunOptions) -> RunResult:
    paths = options.paths or [Path(".")]
    config = load_config(paths, options.config_file)
    if options.force_exclude is not None:
        config.settings.force_exclude = options.force_exclude
    settings = config.settings
    selection = RuleSelection.from_settings(
        settings,
        select=options.select,
        extend_select=options.extend_select,
        ignore=options.ignore,
    )
    cache = open_cache(options, config)
    discoverer = _discoverer(config, cache)
    # The project first: a file it kept needs no exclude check when named.
    project_files = discoverer.discover([config.root]) if config.root.is_dir() else []
    if all(absolute(p) == discoverer.root for p in paths):
        targets = project_files  # `check .` at the root: one walk, not two
    else:
        targets = discoverer.discover(paths)
    if discoverer.memo_changed:
        cache.put_run(discoverer.memo_key(), discoverer.memo)
    target_set = set(targets)
    # Both lists come sorted; most runs name files inside the project.
    every_file = (
        project_files
        if target_set.issubset(project_files)
        else sorted(set(project_files) | target_set)
    )
    jobs = options.jobs or default_jobs()
    stats = RunStats(files_in_project=len(every_file))

    layout = ProjectLayout.from_settings(config.root, settings.src, every_file)
    tests_key = ("tests", repr(settings.test_patterns))
    known_tests = cache.get_run(tests_key) if cache.enabled else None
    is_test = make_test_matcher(settings, known_tests if isinstance(known_tests, dict) else None)
    entries = index_files(every_file, layout)
    digests = _file_digests(entries, cache)

    def build_project(
        progress: ProgressCallback | None = None,
    ) -> tuple[Project, dict[str, FactsResult]]:
        facts_results = _gather_facts(
            entries, cache, jobs, progress, stats, digests, _static_triggers(settings)
        )
        project = Project(layout, settings)
        for entry in entries:
            rel = entry.rel
            facts = facts_results[rel].facts
            target = entry.path in target_set
            # Discovery gives absolute, normalised paths already.
            project.add(ProjectFile(entry.path, rel, facts, is_test(rel), target))
        return project, facts_results

    memo_key = None
    if cache.enabled:
        rows = [(e.rel, e.module, e.is_package, e.path in target_set) for e in entries]
        memo_key = _memo_key(rows, digests, is_test, config.root, settings, options)
    if cache.enabled and is_test.learned:
        cache.put_run(tests_key, {entry.rel: is_test(entry.rel) for entry in entries})
    memo = cache.get_run(memo_key) if memo_key is not None else None
    if memo is not None and memo.still_valid(layout):
        stats.whole_run_reused = True

        def load_project() -> Project:
            project, _ = build_project()
            cache.save()  # facts evicted meanwhile were recomputed
            return project

        cache.save()
        return RunResult(
            config=config,
            diagnostics=memo.diagnostics,
            errors=[],
            files_checked=len(target_set),
            suppressed=memo.suppressed,
            knowledge=memo.knowledge,
            stats=stats,
            _load_project=load_project,
        )

    project, facts_results = build_project(options.progress)
    knowledge = _knowledge(project, facts_results, cache)
    rules = all_rules()
    by_file, errors = _run_cst_rules(
        project, facts_results, selection, settings, knowledge, cache, jobs, options, stats
    )
    errors += _run_project_rules(project, selection, by_file, rules)
    diagnostics, suppressed = _apply_suppressions(project, selection, by_file, settings, set(rules))
    if memo_key is not None and not errors:
        memo = RunMemo(diagnostics, suppressed, knowledge, dict(project.disk_answers))
        cache.put_run(memo_key, memo)
    cache.save()
    return RunResult(
        config=config,
        diagnostics=diagnostics,
        errors=errors,
        files_checked=len(target_set),
        suppressed=suppressed,
        knowledge=knowledge,
        stats=stats,
        _project=project,
    )


def _memo_key(
    rows: list[tuple[str, str, bool, bool]],
    digests: dict[str, str | None],
    is_test: Callable[[str], bool],
    root: Path,
    settings: Settings,
    options: RunOptions,
) -> tuple[str, ...] | None:
    try:
        registry_file = find_registry(root, settings)
    except RegistryError:
        return None  # the run reports it
    selection = (
        tuple(options.select),
        tuple(options.extend_select),
        tuple(options.ignore),
        options.prefilter,
    )
    files = []
    for rel, module, is_package, is_target in rows:
        digest = digests.get(rel)
        if digest is None:  # unreadable: nothing to key the file on
            return None
        files.append((rel, digest, module, is_package, is_test(rel), is_target))
    return run_key(files, settings.fingerprint(), selection, registry_file)


def _knowledge(
    project: Project, facts_results: dict[str, FactsResult], cache: Cache
) -> ProjectKnowledge:
    """``gather_knowledge``, reused while no file's names change.

    Knowledge reads what modules define, import and re-export, never where:
    keyed by each file's ``facts_signature``, it survives edits inside
    function bodies, which is what most commits (and pre-commit runs) are.
    """
    if not cache.enabled:
        return gather_knowledge(project)
    rows = []
    for rel, file in sorted(project.files.items()):
        signature = facts_results[rel].signature
        if not signature:
            return gather_knowledge(project)
        rows.append((rel, file.is_test, signature))
    packages = sorted((name, str(path)) for name, path in project.layout.packages.items())
    key = knowledge_key(rows, packages, project.settings.fingerprint())
    knowledge = cache.get_run(key)
    if knowledge is None:
        knowledge = gather_knowledge(project)
        cache.put_run(key, knowledge)
    return knowledge


# ---------------------------------------------------------------------------
# Phase 1: facts for every file.


class FileEntry(NamedTuple):
    """A discovered file and what its path says: worked out once per run,
    since every phase keys on them (1,800 files: ~20 ms when recomputed)."""

    path: Path
    rel: str  # project-relative POSIX path
    module: str
    is_package: bool


def index_files(files: list[Path], layout: ProjectLayout) -> list[FileEntry]:
    return [
        FileEntry(file, layout.relative_path(file), layout.module_name(file), is_package_init(file))
        for file in files
    ]


def _file_digests(entries: list[FileEntry], cache: Cache) -> dict[str, str | None]:
    """Each file's content digest: from the stat index where the file is
    unchanged, else read and hashed. None where the cache is off or the file
    cannot be read."""
    digests: dict[str, str | None] = {}
    if not cache.enabled:
        return {entry.rel: None for entry in entries}
    for file, rel, _, _ in entries:
        try:
            stat = file.stat()
        except OSError:
            digests[rel] = None
            continue
        digest = cache.digest_for(rel, stat)
        if digest is None:
            # Changed (or racy) on disk: hash it here, it may still be in the store.
            try:
                digest = content_digest(file.read_bytes())
            except OSError:
                digest = None
            if digest is not None:
                cache.record_stat(rel, stat, digest)
        digests[rel] = digest
    cache.forget_missing(set(digests))
    return digests


def _gather_facts(
    entries: list[FileEntry],
    cache: Cache,
    jobs: int,
    progress: ProgressCallback | None,
    stats: RunStats,
    digests: dict[str, str | None] | None = None,
    triggers: frozenset[str] = frozenset(),
) -> dict[str, FactsResult]:
    """Facts of every entry, from the cache or computed in workers; computed
    ones carry a ``TriggerScan`` of ``triggers`` (see ``_static_triggers``)."""
    if digests is None:
        digests = _file_digests(entries, cache)
    results: dict[str, FactsResult] = {}
    pending: list[FileEntry] = []
    for entry in entries:
        _, rel, module, is_package = entry
        digest = digests.get(rel)
        cached = cache.get_facts((digest, module, is_package)) if digest else None
        if cached is not None:
            error = _rebase(cached.parse_error, rel)
            results[rel] = FactsResult(
                rel, digest, cached.facts, error, cached.lines, cached.signature
            )
            continue
        pending.append(entry)
    stats.facts_computed = len(pending)
    done = [len(entries) - len(pending)]

    def tick(count: int) -> None:
        done[0] += count
        if progress:
            progress("facts", done[0], len(entries))

    tasks = [(*entry, triggers) for entry in pending] if triggers else pending
    for result in run_tasks(analyse_facts, tasks, jobs, tick):
        results[result.path] = result
        if result.digest is not None:
            # The scan depends on the rule set, not on the content: not cached
            # (put_facts pickles at once, so it can be put back after).
            scan, result.scan = result.scan, None
            cache.put_facts((result.digest, result.facts.module, result.facts.is_package), result)
            result.scan = scan
    return results


def _static_triggers(settings: Settings) -> frozenset[str]:
    """Every CST rule's settings-only triggers, for the facts phase to look
    for while it has each file's text (``CstRule.fires_on_scan``)."""
    found: set[str] = set()
    for rule in all_rules().values():
        if issubclass(rule, CstRule):
            found.update(rule.triggers(settings))
    return frozenset(found)


def _rebase(diag: Diagnostic | None, rel: str) -> Diagnostic | None:
    """A cached parse error belongs to content; give it this file's path."""
    if diag is None or diag.path == rel:
        return diag
    from dataclasses import replace

    return replace(diag, path=rel)


# ---------------------------------------------------------------------------
# Phase 2: per-file libcst rules on the target files.


def _run_cst_rules(
    project: Project,
    facts_results: dict[str, FactsResult],
    selection: RuleSelection,
    settings: Settings,
    knowledge: ProjectKnowledge,
    cache: Cache,
    jobs: int,
    options: RunOptions,
    stats: RunStats,
) -> tuple[dict[str, list[Diagnostic]], list[InternalError]]:
    cst_rules = [r for r in all_rules().values() if issubclass(r, CstRule)]
    settings_key = settings.fingerprint()
    knowledge_key = knowledge.fingerprint()
    by_file: dict[str, list[Diagnostic]] = {}
    errors: list[InternalError] = []
    pending: list[tuple[tuple[object, ...], tuple[object, ...], tuple[object, ...], int]] = []
    for file in project.targets:
        found = by_file.setdefault(file.rel_path, [])
        facts_result = facts_results[file.rel_path]
        if facts_result.parse_error is not None:
            found.append(facts_result.parse_error)
            continue
        enabled = selection.for_file(file.rel_path)
        codes = tuple(sorted(r.code for r in cst_rules if r.code in enabled))
        if not codes:
            continue
        key = (
            facts_result.digest,
            file.rel_path,
            file.facts.module,
            file.is_test,
            codes,
            settings_key,
            knowledge_key,
            options.prefilter,
        )
        cached = cache.get_rules(key) if facts_result.digest else None
        if cached is not None:
            found.extend(cached.diagnostics)
            errors.extend(cached.errors)
            continue
        stats.rules_computed += 1
        active, size, source = _active_codes(
            file, codes, settings, knowledge, options.prefilter, facts_result.scan
        )
        if not active:
            # No trigger in the text: nothing can fire, and no worker is needed
            # to find that out (reading a file costs far less than sending it).
            if facts_result.digest is not None:
                cache.put_rules(key, RulesResult(file.rel_path))
            continue
        shape_key = (
            "shape",
            file.rel_path,
            file.facts.module,
            file.is_test,
            active,
            settings_key,
            knowledge_key,
        )
        remember = cache.enabled and options.prefilter and facts_result.digest is not None
        if remember:
            shaped = _rules_by_shape(file, source, active, settings, knowledge, cache, shape_key)
            if shaped is not None:
                stats.rules_by_shape += 1
                found.extend(shaped.diagnostics)
                cache.put_rules(key, shaped)
                continue
        task = (
            file.path,
            file.rel_path,
            file.facts,
            settings,
            knowledge,
            active,
            file.is_test,
            options.prefilter,
            remember,
        )
        pending.append((key, shape_key, task, size))
    if not pending:
        return by_file, errors
    # Only now is libcst needed (imported by the rule runner).
    from ssot_lint.rule_runner import analyse_rules_by_code

    done = [0]

    def tick(count: int) -> None:
        done[0] += count
        if options.progress:
            options.progress("rules", done[0], len(pending))

    # Largest first, so the pool is not left waiting on one big file at the end.
    pending.sort(key=lambda item: -item[3])
    tasks = [task for _, _, task, _ in pending]
    weights = [size for _, _, _, size in pending]
    results = run_tasks(analyse_rules_by_code, tasks, jobs, tick, weights)
    for (key, shape_key, _, _), result in zip(pending, results, strict=True):
        by_file[result.path].extend(result.diagnostics)
        errors.extend(result.errors)
        stats.libcst_parsed += result.parsed
        if key[0] is not None and not result.errors:
            cache.put_rules(key, RulesResult(result.path, result.diagnostics, [], result.parsed))
            if result.shape is not None:
                shape_digest, shape_result = result.shape
                cache.put_rules((*shape_key, shape_digest), shape_result)
                # Which paths have results by shape: only those are worth an
                # ast parse in the main process on the next run.
                cache.put_rules(("shape-of", result.path), True)
    return by_file, errors


def _active_codes(
    file: ProjectFile,
    codes: tuple[str, ...],
    settings: Settings,
    knowledge: ProjectKnowledge,
    prefilter: bool,
    scan: TriggerScan | None,
) -> tuple[tuple[str, ...], int, Source | None]:
    """The enabled CST rules whose triggers occur in the file, its size, and
    its source where this had to read it (None: not read, or unreadable).

    Answered from the facts phase's scan (plus, for triggers it could not
    know of, a search of the raw bytes), which spares decoding the file again:
    on a cold run that was a serial fifth of the rules phase. Else from the text.
    """
    rules = all_rules()
    if scan is not None:
        if not prefilter:
            return codes, scan.chars, None
        utf8_bytes = _memo_read(file.path)
        answers = [rules[c].fires_on_scan(settings, knowledge, scan, utf8_bytes) for c in codes]  # type: ignore[attr-defined]
        if None not in answers:
            active = tuple(c for c, fires in zip(codes, answers, strict=True) if fires)
            return active, scan.chars, None
    try:
        source = read_source(file.path)
    except SourceError:
        return (), 0, None  # reported as SSOT000 by the facts phase
    if not prefilter:
        return codes, len(source.text), source
    active = tuple(c for c in codes if rules[c].can_fire(settings, knowledge, source.text))  # type: ignore[attr-defined]
    return active, len(source.text), source


def _memo_read(path: Path) -> Callable[[], bytes | None]:
    """The file's bytes (an editor's overlay, if any), read on the first call
    only; None if unreadable."""
    data: list[bytes | None] = []

    def read() -> bytes | None:
        if not data:
            try:
                data.append(read_bytes(path))
            except OSError:
                data.append(None)
        return data[0]

    return read


def _rules_by_shape(
    file: ProjectFile,
    source: Source | None,
    active: tuple[str, ...],
    settings: Settings,
    knowledge: ProjectKnowledge,
    cache: Cache,
    shape_key: tuple[object, ...],
) -> RulesResult | None:
    """The file's results from an earlier version of the same shape, without
    libcst (``hot_chunks``); None where there is none. ``source``: the file,
    if already read."""
    if cache.get_rules(("shape-of", file.rel_path)) is None:
        return None  # never analysed by hot chunks: not worth a parse
    if source is None:
        try:
            source = read_source(file.path)
        except SourceError:
            return None
    if source.encoding != "utf-8":
        return None  # hot chunks index the UTF-8 text
    text = source.text
    rules = all_rules()
    names = bound_triggers([rules[c] for c in active], settings, knowledge, file.facts)  # type: ignore[misc]
    if names is None:
        return None
    try:
        tree = parse_python(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    chunks = split_chunks(text, tree)
    shape = file_shape(text, tree, file.facts, names, chunks)
    if shape is None or len(shape.hot) == len(chunks):
        return None
    stored = cache.get_rules((*shape_key, shape.digest))
    if not isinstance(stored, ShapeResult):
        return None
    diagnostics = stored.placed(shape, file.rel_path)
    if diagnostics is None:
        return None
    return RulesResult(file.rel_path, diagnostics)


# ---------------------------------------------------------------------------
# Phase 3: cross-file rules.


def _run_project_rules(
    project: Project,
    selection: RuleSelection,
    by_file: dict[str, list[Diagnostic]],
    rules: dict[str, type],
) -> list[InternalError]:
    errors: list[InternalError] = []
    targets = list(project.targets)
    for rule_class in rules.values():
        if not issubclass(rule_class, ProjectRule):
            continue
        if not any(rule_class.code in selection.for_file(f.rel_path) for f in targets):
            continue
        try:
            produced = list(rule_class().check(project))
        except ConfigError:
            raise  # a malformed registry is the user's to fix (exit 2), not a rule bug
        except Exception as exc:  # a rule bug must not cost the other results
            errors.append(InternalError("<project>", f"{rule_class.code} failed: {exc!r}"))
            continue
        for diag in produced:
            target = project.files.get(diag.path)
            if (
                target is not None
                and target.is_target
                and diag.code in selection.for_file(diag.path)
            ):
                by_file.setdefault(diag.path, []).append(diag)
    return errors


# ---------------------------------------------------------------------------
# Phase 4: per-file-ignores and suppression comments.


def _apply_suppressions(
    project: Project,
    selection: RuleSelection,
    by_file: dict[str, list[Diagnostic]],
    settings: Settings,
    known_codes: set[str],
) -> tuple[list[Diagnostic], int]:
    diagnostics: list[Diagnostic] = []
    suppressed = 0
    for file in project.targets:
        enabled = selection.for_file(file.rel_path)
        found = [d for d in by_file.get(file.rel_path, []) if d.code in enabled]
        comments = file.facts.suppressions
        outcome = apply_suppressions(
            file.rel_path,
            found,
            comments,
            _lines(file.path) if comments else None,
            known_codes=known_codes,
            enabled_codes=enabled,
            report_unused=UNUSED_CODE in enabled,
            require_reasons=settings.suppressions.require_reasons and NO_REASON_CODE in enabled,
        )
        suppressed += outcome.suppressed
        diagnostics.extend(outcome.kept)
        diagnostics.extend(d for d in outcome.extra if d.code in enabled)
    diagnostics.sort(key=lambda d: d.sort_key)
    return diagnostics, suppressed


def _lines(path: Path) -> list[str] | None:
    try:
        return split_lines(read_source(path).text)
    except SourceError:
        return None
