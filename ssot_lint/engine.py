"""A check run: discovery → facts → project index → rules → suppressions.

The whole project's facts are always gathered (cross-file rules must see
everything, even when a pre-commit hook names three files), but diagnostics
are produced and reported only for the files the user named.

Per-file work is cached by content (``cache.py``) and run in worker processes
(``workers.py``); libcst is imported only when some file actually needs a CST
rule run, so a warm run never pays for it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ssot_lint.analysis import FactsResult, RulesResult, analyse_facts
from ssot_lint.cache import Cache, default_cache_dir
from ssot_lint.config import ConfigError, LoadedConfig, Settings, load_config
from ssot_lint.diagnostics import Diagnostic, InternalError
from ssot_lint.discovery import Discoverer, absolute
from ssot_lint.knowledge import ProjectKnowledge, gather_knowledge
from ssot_lint.project import Project, ProjectFile, make_test_matcher
from ssot_lint.rules import all_rules
from ssot_lint.rules.base import CstRule, ProjectRule
from ssot_lint.selection import RuleSelection
from ssot_lint.source import (
    ProjectLayout,
    SourceError,
    content_digest,
    is_package_init,
    read_source,
    split_lines,
)
from ssot_lint.suppressions import NO_REASON_CODE, UNUSED_CODE, apply_suppressions
from ssot_lint.workers import default_jobs, run_tasks

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


@dataclass
class RunResult:
    config: LoadedConfig
    diagnostics: list[Diagnostic]
    errors: list[InternalError]
    files_checked: int
    suppressed: int
    project: Project
    knowledge: ProjectKnowledge
    stats: RunStats = field(default_factory=RunStats)

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


def run_check(options: RunOptions) -> RunResult:
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
    discoverer = Discoverer(config.root, settings)
    targets = discoverer.discover(paths)
    project_files = discoverer.discover([config.root]) if config.root.is_dir() else []
    every_file = sorted(set(project_files) | set(targets))
    target_set = set(targets)
    jobs = options.jobs or default_jobs()
    cache = open_cache(options, config)
    stats = RunStats(files_in_project=len(every_file))

    layout = ProjectLayout.from_settings(config.root, settings.src, every_file)
    is_test = make_test_matcher(settings)
    facts_results = _gather_facts(every_file, layout, cache, jobs, options.progress, stats)
    project = Project(layout, settings)
    for file in every_file:
        rel = layout.relative_path(file)
        facts = facts_results[rel].facts
        project.add(ProjectFile(absolute(file), rel, facts, is_test(rel), file in target_set))

    knowledge = gather_knowledge(project)
    rules = all_rules()
    by_file, errors = _run_cst_rules(
        project, facts_results, selection, settings, knowledge, cache, jobs, options, stats
    )
    errors += _run_project_rules(project, selection, by_file, rules)
    diagnostics, suppressed = _apply_suppressions(project, selection, by_file, settings, set(rules))
    cache.save()
    return RunResult(
        config=config,
        diagnostics=diagnostics,
        errors=errors,
        files_checked=len(target_set),
        suppressed=suppressed,
        project=project,
        knowledge=knowledge,
        stats=stats,
    )


# ---------------------------------------------------------------------------
# Phase 1: facts for every file.


def _gather_facts(
    files: list[Path],
    layout: ProjectLayout,
    cache: Cache,
    jobs: int,
    progress: ProgressCallback | None,
    stats: RunStats,
) -> dict[str, FactsResult]:
    results: dict[str, FactsResult] = {}
    pending: list[tuple[Path, str, str, bool]] = []
    pending_stats: dict[str, os.stat_result] = {}
    for file in files:
        rel = layout.relative_path(file)
        module = layout.module_name(file)
        is_package = is_package_init(file)
        try:
            stat = file.stat()
        except OSError:
            stat = None
        digest = cache.digest_for(rel, stat) if (stat is not None and cache.enabled) else None
        if digest is None and stat is not None and cache.enabled:
            # Changed (or racy) on disk: hash it here, it may still be in the store.
            try:
                digest = content_digest(file.read_bytes())
            except OSError:
                digest = None
            if digest is not None:
                cache.record_stat(rel, stat, digest)
        cached = cache.get_facts((digest, module, is_package)) if digest else None
        if cached is not None:
            results[rel] = FactsResult(rel, digest, cached.facts, _rebase(cached.parse_error, rel))
            continue
        pending.append((file, rel, module, is_package))
        if stat is not None:
            pending_stats[rel] = stat
    cache.forget_missing(set(results) | {task[1] for task in pending})
    stats.facts_computed = len(pending)
    done = [len(files) - len(pending)]

    def tick(count: int) -> None:
        done[0] += count
        if progress:
            progress("facts", done[0], len(files))

    for result in run_tasks(analyse_facts, pending, jobs, tick):
        results[result.path] = result
        if result.digest is not None:
            cache.put_facts((result.digest, result.facts.module, result.facts.is_package), result)
    return results


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
    pending: list[tuple[tuple[object, ...], tuple[object, ...]]] = []
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
        task = (
            file.path,
            file.rel_path,
            file.facts,
            settings,
            knowledge,
            codes,
            file.is_test,
            options.prefilter,
        )
        pending.append((key, task))
    stats.rules_computed = len(pending)
    if not pending:
        return by_file, errors
    # Only now is libcst needed (imported by the rule runner).
    from ssot_lint.rule_runner import analyse_rules_by_code

    done = [0]

    def tick(count: int) -> None:
        done[0] += count
        if options.progress:
            options.progress("rules", done[0], len(pending))

    tasks = [task for _, task in pending]
    for (key, _), result in zip(
        pending, run_tasks(analyse_rules_by_code, tasks, jobs, tick), strict=True
    ):
        by_file[result.path].extend(result.diagnostics)
        errors.extend(result.errors)
        stats.libcst_parsed += result.parsed
        if key[0] is not None and not result.errors:
            cache.put_rules(key, RulesResult(result.path, result.diagnostics, [], result.parsed))
    return by_file, errors


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
