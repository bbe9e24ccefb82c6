"""A check run: discovery → facts → project index → rules → suppressions.

The whole project's facts are always gathered (cross-file rules must see
everything, even when a pre-commit hook names three files), but diagnostics
are produced and reported only for the files the user named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ssot_lint.analysis import FactsResult, analyse_facts, analyse_rules
from ssot_lint.config import LoadedConfig, Settings, load_config
from ssot_lint.diagnostics import Diagnostic, InternalError
from ssot_lint.discovery import Discoverer, absolute
from ssot_lint.knowledge import ProjectKnowledge, gather_knowledge
from ssot_lint.project import Project, ProjectFile, make_test_matcher
from ssot_lint.rules import all_rules
from ssot_lint.rules.base import CstRule, ProjectRule
from ssot_lint.selection import RuleSelection
from ssot_lint.source import ProjectLayout, SourceError, is_package_init, read_source, split_lines
from ssot_lint.suppressions import NO_REASON_CODE, UNUSED_CODE, apply_suppressions


@dataclass
class RunOptions:
    paths: list[Path]
    config_file: Path | None = None
    select: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    progress: Callable[[int, int], None] | None = None  # (done, total)


@dataclass
class RunResult:
    config: LoadedConfig
    diagnostics: list[Diagnostic]
    errors: list[InternalError]
    files_checked: int
    suppressed: int
    project: Project
    knowledge: ProjectKnowledge

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def settings(self) -> Settings:
        return self.config.settings


def run_check(options: RunOptions) -> RunResult:
    paths = options.paths or [Path(".")]
    config = load_config(paths, options.config_file)
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

    layout = ProjectLayout.from_settings(config.root, settings.src, every_file)
    is_test = make_test_matcher(settings)
    project = Project(layout, settings)
    facts_results: dict[str, FactsResult] = {}
    paths_by_rel: dict[str, Path] = {}
    total = len(every_file)
    for done, file in enumerate(every_file, 1):
        rel = layout.relative_path(file)
        result = analyse_facts(file, rel, layout.module_name(file), is_package_init(file))
        facts_results[rel] = result
        paths_by_rel[rel] = file
        project.add(
            ProjectFile(absolute(file), rel, result.facts, is_test(rel), file in target_set)
        )
        if options.progress:
            options.progress(done, total)

    knowledge = gather_knowledge(project)
    rules = all_rules()
    cst_rules = [r for code, r in rules.items() if issubclass(r, CstRule)]
    project_rules = [r for code, r in rules.items() if issubclass(r, ProjectRule)]

    by_file: dict[str, list[Diagnostic]] = {}
    errors: list[InternalError] = []
    for file in project.targets:
        enabled = selection.for_file(file.rel_path)
        facts_result = facts_results[file.rel_path]
        found = by_file.setdefault(file.rel_path, [])
        if facts_result.parse_error is not None:
            found.append(facts_result.parse_error)
            continue
        active = [r for r in cst_rules if r.code in enabled]
        if not active:
            continue
        outcome = analyse_rules(
            file.path, file.rel_path, file.facts, settings, knowledge, active, file.is_test
        )
        found.extend(outcome.diagnostics)
        errors.extend(outcome.errors)

    for rule_class in project_rules:
        if not any(rule_class.code in selection.for_file(f.rel_path) for f in project.targets):
            continue
        try:
            produced = list(rule_class().check(project))
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

    known_codes = set(rules)
    diagnostics: list[Diagnostic] = []
    suppressed = 0
    for file in project.targets:
        enabled = selection.for_file(file.rel_path)
        found = [d for d in by_file.get(file.rel_path, []) if d.code in enabled]
        sup = file.facts.suppressions
        outcome = apply_suppressions(
            file.rel_path,
            found,
            sup,
            _lines(file.path) if sup else None,
            known_codes=known_codes,
            enabled_codes=enabled,
            report_unused=UNUSED_CODE in enabled,
            require_reasons=settings.suppressions.require_reasons and NO_REASON_CODE in enabled,
        )
        suppressed += outcome.suppressed
        diagnostics.extend(outcome.kept)
        diagnostics.extend(d for d in outcome.extra if d.code in enabled)
    diagnostics.sort(key=lambda d: d.sort_key)
    return RunResult(
        config=config,
        diagnostics=diagnostics,
        errors=errors,
        files_checked=len(target_set),
        suppressed=suppressed,
        project=project,
        knowledge=knowledge,
    )


def _lines(path: Path) -> list[str] | None:
    try:
        return split_lines(read_source(path).text)
    except SourceError:
        return None
