"""Consolidation progress: how far each migration to a canonical module has got.

A consolidation moves code off deprecated modules/symbols onto a canonical
module (or symbol). For one project snapshot (the working tree, or one git
commit) we measure, each split into production and test code:

* ``importers`` — modules importing a deprecated module directly;
* ``dependants`` — modules that depend on the legacy code transitively;
* ``symbol_importers`` — modules importing a deprecated symbol, through
  whatever path (re-exports and aliases are followed: a class MOVED elsewhere
  and re-exported from its old module is still the same class);
* ``references`` — every import or alias binding of a deprecated symbol;
* ``remaining`` — modules still on a deprecated path (importers of either);
* ``canonical`` — modules on the canonical path and on no deprecated one;
* ``migrated`` — canonical / (canonical + remaining);
* ``duplicates`` — SSOT001 duplicates that belong to the consolidation.

"Legacy modules" (the deprecated modules and the modules that define the
deprecated symbols) are the code being retired: they are never counted as
importers of themselves.

Everything here is a function of the per-file facts, so the same figures are
computed for every commit of a git range without parsing anything twice.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ssot_lint.config import Settings
from ssot_lint.diagnostics import Diagnostic
from ssot_lint.facts import ImportFact
from ssot_lint.project import Project, ProjectFile

HISTORY_FORMAT = 1
SPLITS = ("production", "test", "total")
DUPLICATE_CODE = "SSOT001"


class ProgressError(Exception):
    """A history file that cannot be read or written (exit 2)."""


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    lower_is_better: bool
    percent: bool = False


FIGURES: tuple[Figure, ...] = (
    Figure("importers", "modules importing deprecated modules directly", True),
    Figure("dependants", "modules depending on them transitively", True),
    Figure("symbol_importers", "modules importing deprecated symbols", True),
    Figure("references", "references to deprecated symbols", True),
    Figure("remaining", "modules still on a deprecated path", True),
    Figure("canonical", "modules already on the canonical path", False),
    Figure("migrated", "share migrated", False, percent=True),
    Figure("duplicates", "remaining SSOT001 duplicates", True),
)
FIGURES_BY_KEY = {f.key: f for f in FIGURES}
TOTAL_DUPLICATES = Figure("duplicates", "SSOT001 duplicates (whole project)", True)


# ---------------------------------------------------------------------------
# Which consolidations, resolved against one project snapshot.


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _module_in(module: str, configured: str) -> bool:
    """``module`` is the configured module or inside it (bare names match a suffix)."""
    if not module:
        return False
    if "." in configured:
        return module == configured or module.startswith(configured + ".")
    parts = module.split(".")
    return configured in parts


@dataclass
class Plan:
    """A consolidation resolved against one project: what counts as what."""

    name: str
    deprecated_modules: list[str]  # configured names (dotted, or bare)
    deprecated_symbols: list[str]
    canonical: str
    canonical_is_module: bool
    legacy_modules: set[str] = field(default_factory=set)  # project modules being retired
    canonical_modules: set[str] = field(default_factory=set)
    symbol_definitions: dict[str, set[str]] = field(default_factory=dict)  # configured -> defs
    canonical_definitions: set[str] = field(default_factory=set)
    symbol_modules: set[str] = field(default_factory=set)  # modules defining deprecated symbols
    carrier_modules: set[str] = field(default_factory=set)  # ... and the configured homes
    warnings: list[str] = field(default_factory=list)

    @property
    def short_names(self) -> set[str]:
        return {_short(s) for s in self.deprecated_symbols}

    # -- matching imports -----------------------------------------------------

    def module_hit(self, imp: ImportFact) -> bool:
        names = [imp.module]
        if imp.name is not None and not imp.is_star:
            names.append(imp.target)
        return any(_module_in(n, d) for n in names for d in self.deprecated_modules)

    def symbol_hit(self, project: Project, target: str) -> bool:
        resolved = project.resolve(target)
        for configured in self.deprecated_symbols:
            if "." in configured:
                definitions = self.symbol_definitions.get(configured, set())
                if target == configured or resolved in definitions:
                    return True
            elif _short(target) == configured or (
                _short(resolved) == configured and resolved not in self.canonical_definitions
            ):
                return True
        return False

    def canonical_hit(self, project: Project, imp: ImportFact) -> bool:
        if not self.canonical:
            return False
        if self.canonical_is_module:
            names = [imp.module] + ([imp.target] if imp.name and not imp.is_star else [])
            if any(_module_in(n, self.canonical) for n in names):
                return True
            if imp.name and not imp.is_star:
                module, _ = project.split(project.resolve(imp.target))
                return _module_in(module, self.canonical)
            return False
        if imp.name is None or imp.is_star:
            return False
        resolved = project.resolve(imp.target)
        if "." in self.canonical:
            return imp.target == self.canonical or resolved in self.canonical_definitions
        return _short(imp.target) == self.canonical or _short(resolved) == self.canonical


def _is_module_name(project: Project, name: str) -> bool:
    if "." in name:
        return project.is_module(name)
    return any(_module_in(m, name) for m in project.modules)


def _symbol_definitions(project: Project, configured: str, canonical: set[str]) -> set[str]:
    """Where a deprecated symbol is defined, following re-exports and aliases.

    An alias of the canonical class kept under the deprecated name (a
    compatibility shim) is its own definition: following it would make the
    canonical class "deprecated".
    """
    if "." not in configured:
        return set()
    resolved = project.resolve(configured)
    if resolved in canonical:
        return {configured}
    return {configured, resolved}


def _defining_modules(project: Project, plan: Plan) -> set[str]:
    found: set[str] = set()
    for configured in plan.deprecated_symbols:
        if "." in configured:
            for definition in plan.symbol_definitions[configured]:
                module, rest = project.split(definition)
                if module in project.modules and len(rest) == 1:
                    file = project.modules[module]
                    if rest[0] in _own_names(file):
                        found.add(module)
        else:
            for module, file in project.modules.items():
                if configured in _own_names(file):
                    found.add(module)
    return found


def _own_names(file: ProjectFile) -> set[str]:
    """Names a module defines itself (classes, defs, assignments), not imports."""
    facts = file.facts
    imported = {imp.bound_name for imp in facts.imports if not imp.in_function}
    return {c.name for c in facts.classes} | (facts.bindings - imported)


def _canonical_class_in(
    project: Project, canonical_class: str, consolidation_canonical: str
) -> bool:
    """Does a configured canonical class live in (or is it) this consolidation's canonical?"""
    if not consolidation_canonical:
        return False
    if _short(canonical_class) == _short(consolidation_canonical) and (
        "." not in canonical_class
        or "." not in consolidation_canonical
        or canonical_class == consolidation_canonical
    ):
        return True
    if "." in canonical_class:
        return _module_in(canonical_class.rsplit(".", 1)[0], consolidation_canonical)
    return any(
        canonical_class in {c.name for c in file.facts.classes}
        for module, file in project.modules.items()
        if _module_in(module, consolidation_canonical)
    )


@dataclass
class ConsolidationSpec:
    """A consolidation to measure: configured, or derived from other settings.

    ``kinds`` says which deprecated names are known to be modules or symbols
    (``absorbed-modules`` are modules even after they are deleted); the others,
    from ``[[consolidations]] deprecated``, are classified against each snapshot.
    """

    name: str
    deprecated: list[str]
    canonical: str
    kinds: dict[str, str] = field(default_factory=dict)  # name -> "module" | "symbol"


def consolidations(settings: Settings, project: Project) -> list[ConsolidationSpec]:
    """Configured consolidations, plus automatic ones.

    Classes absorbed by a canonical class (``[[canonical]] absorbs``) and its
    ``absorbed-modules`` count automatically: they join a configured
    consolidation whose canonical holds that class, or else make one of their
    own. A ``[[deprecated]]`` entry with a replacement is a consolidation too
    (``DeepAgentState`` -> ``UserExecutionContext``), unless a configured one
    already covers it.
    """
    result: list[ConsolidationSpec] = []
    covered: set[str] = set()
    absorbed_by: dict[int, list[str]] = {}
    kinds: dict[str, str] = {}
    for index, canonical in enumerate(settings.canonical):
        absorbed_by[index] = [*canonical.absorbs, *canonical.absorbed_modules]
        kinds.update(dict.fromkeys(canonical.absorbs, "symbol"))
        kinds.update(dict.fromkeys(canonical.absorbed_modules, "module"))
    for configured in settings.consolidations:
        deprecated = list(configured.deprecated)
        for index, canonical in enumerate(settings.canonical):
            if _canonical_class_in(project, canonical.class_, configured.canonical):
                deprecated += [d for d in absorbed_by[index] if d not in deprecated]
                covered.add(f"canonical:{index}")
        name = configured.name or _default_name(deprecated, configured.canonical)
        known = {d: kinds[d] for d in deprecated if d in kinds and d not in configured.deprecated}
        result.append(ConsolidationSpec(name, deprecated, configured.canonical, known))
    seen_short = {_short(d) for c in result for d in c.deprecated}
    for index, canonical in enumerate(settings.canonical):
        items = absorbed_by[index]
        if not items or f"canonical:{index}" in covered:
            continue
        if {_short(d) for d in items} <= seen_short:
            continue
        result.append(
            ConsolidationSpec(
                _default_name(canonical.absorbs or items, canonical.class_),
                list(items),
                canonical.class_,
                {d: kinds[d] for d in items},
            )
        )
        seen_short |= {_short(d) for d in items}
    for entry in settings.deprecated:
        item = entry.symbol or entry.module
        if not item or _short(item) in seen_short:
            continue
        result.append(
            ConsolidationSpec(
                _default_name([item], entry.replacement),
                [item],
                entry.replacement,
                {item: "symbol" if entry.symbol else "module"},
            )
        )
        seen_short.add(_short(item))
    return result


def _default_name(deprecated: Sequence[str], canonical: str) -> str:
    left = ", ".join(_short(d) for d in deprecated) or "?"
    return f"{left} → {_short(canonical)}" if canonical else left


def resolve_consolidations(project: Project) -> list[Plan]:
    plans = []
    for item in consolidations(project.settings, project):
        modules, symbols, missing = [], [], []
        for name in item.deprecated:
            kind = item.kinds.get(name)
            if kind is None:
                if _is_module_name(project, name):
                    kind = "module"
                elif _symbol_exists(project, name):
                    kind = "symbol"
            if kind == "module":
                modules.append(name)
            elif kind == "symbol":
                symbols.append(name)
            else:
                # Neither here (deleted, or misspelt): any import naming it is a
                # leftover either way.
                missing.append(name)
                modules.append(name)
                symbols.append(name)
        canonical = item.canonical
        canonical_is_module = bool(canonical) and _is_module_name(project, canonical)
        plan = Plan(item.name, modules, symbols, canonical, canonical_is_module)
        if canonical and not canonical_is_module:
            resolved = project.resolve(canonical) if "." in canonical else canonical
            plan.canonical_definitions = {canonical, resolved}
            if "." in canonical:
                module, _ = project.split(resolved)
                if module in project.modules:
                    plan.canonical_modules.add(module)
            else:
                for module, file in project.modules.items():
                    if canonical in {c.name for c in file.facts.classes}:
                        plan.canonical_modules.add(module)
                        plan.canonical_definitions.add(f"{module}.{canonical}")
        elif canonical:
            plan.canonical_modules = {m for m in project.modules if _module_in(m, canonical)}
        for symbol in symbols:
            plan.symbol_definitions[symbol] = _symbol_definitions(
                project, symbol, plan.canonical_definitions
            )
        plan.symbol_modules = _defining_modules(project, plan) - plan.canonical_modules
        # The path the configuration names is a way to the symbol too, even when
        # the class has moved out and the module only re-exports it.
        plan.carrier_modules = plan.symbol_modules | {
            s.rsplit(".", 1)[0]
            for s in symbols
            if "." in s and s.rsplit(".", 1)[0] in project.modules
        }
        plan.legacy_modules = {
            m for m in project.modules if any(_module_in(m, d) for d in modules)
        } | plan.symbol_modules
        plan.legacy_modules -= plan.canonical_modules
        for name in missing:
            plan.warnings.append(
                f"`{name}` is neither a module nor a symbol of the project (removed, or misspelt?)"
            )
        for symbol in symbols:
            if (
                "." in symbol
                and symbol not in missing
                and not any(_defines(project, d) for d in plan.symbol_definitions[symbol])
            ):
                plan.warnings.append(
                    f"deprecated symbol `{symbol}` is not defined in the project "
                    "(removed, or misspelt?)"
                )
        plans.append(plan)
    return plans


def _symbol_exists(project: Project, name: str) -> bool:
    if "." in name:
        return _defines(project, project.resolve(name))
    return any(name in _own_names(file) for file in project.modules.values())


def _defines(project: Project, qualified: str) -> bool:
    module, rest = project.split(qualified)
    if module not in project.modules or len(rest) != 1:
        return False
    return rest[0] in _own_names(project.modules[module])


# ---------------------------------------------------------------------------
# Figures.


@dataclass
class Split:
    production: float = 0
    test: float = 0
    total: float = 0

    def as_dict(self) -> dict[str, float]:
        return {"production": self.production, "test": self.test, "total": self.total}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Split:
        return cls(data.get("production", 0), data.get("test", 0), data.get("total", 0))


def _count(paths: Iterable[str], tests: set[str]) -> Split:
    paths = set(paths)
    test = len(paths & tests)
    return Split(len(paths) - test, test, len(paths))


def _share(done: Split, left: Split) -> Split:
    def ratio(a: float, b: float) -> float:
        return round(a / (a + b), 4) if a + b else 1.0

    return Split(
        ratio(done.production, left.production),
        ratio(done.test, left.test),
        ratio(done.total, left.total),
    )


@dataclass
class ConsolidationProgress:
    name: str
    deprecated: list[str]
    canonical: str
    values: dict[str, Split]
    # Who is behind each count: figure -> sorted project-relative paths
    # ("path:line" for references).
    details: dict[str, list[str]]
    warnings: list[str] = field(default_factory=list)


@dataclass
class ProgressReport:
    consolidations: list[ConsolidationProgress]
    duplicates: Split  # every SSOT001 finding in the project
    commit: str | None = None
    date: str | None = None
    subject: str | None = None

    def record(self) -> dict[str, Any]:
        """The figures as one history record (numbers only)."""
        return {
            "format": HISTORY_FORMAT,
            "date": self.date or now_iso(),
            "commit": self.commit,
            "consolidations": {
                c.name: {key: split.as_dict() for key, split in c.values.items()}
                for c in self.consolidations
            },
            "totals": {"duplicates": self.duplicates.as_dict()},
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "commit": self.commit,
            "subject": self.subject,
            "consolidations": [
                {
                    "name": c.name,
                    "deprecated": c.deprecated,
                    "canonical": c.canonical,
                    "figures": {k: v.as_dict() for k, v in c.values.items()},
                    "details": c.details,
                    "warnings": c.warnings,
                }
                for c in self.consolidations
            ],
            "totals": {"duplicates": self.duplicates.as_dict()},
        }


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _counted_files(project: Project) -> list[ProjectFile]:
    """One file per module: a ``.pyi`` stub beside its ``.py`` would count twice."""
    py_modules = {f.facts.module for f in project if not f.rel_path.endswith(".pyi")}
    return [
        f for f in project if not (f.rel_path.endswith(".pyi") and f.facts.module in py_modules)
    ]


def compute_progress(
    project: Project, duplicates: list[Diagnostic], graph: Any | None = None
) -> ProgressReport:
    """Every consolidation's figures for one project snapshot."""
    from ssot_lint.graph import ImportGraph

    plans = resolve_consolidations(project)
    if graph is None:
        graph = ImportGraph.build(project, roles={})
    files = _counted_files(project)
    tests = {f.rel_path for f in project if f.is_test}
    path_of = {m: f.rel_path for m, f in project.modules.items()}
    results = []
    for plan in plans:
        legacy_paths = {path_of[m] for m in plan.legacy_modules}
        canonical_paths = {path_of[m] for m in plan.canonical_modules}
        importers: set[str] = set()
        symbol_importers: set[str] = set()
        references: list[str] = []
        canonical: set[str] = set()
        for file in files:
            if file.rel_path in legacy_paths:
                continue
            for imp in file.facts.imports:
                if plan.module_hit(imp):
                    importers.add(file.rel_path)
                is_symbol = bool(plan.deprecated_symbols) and (
                    (
                        imp.name is not None
                        and not imp.is_star
                        and plan.symbol_hit(project, imp.target)
                    )
                    or _module_object_of(project, imp, plan.carrier_modules)
                )
                if is_symbol:
                    symbol_importers.add(file.rel_path)
                    references.append(f"{file.rel_path}:{imp.line}")
                elif plan.canonical_hit(project, imp):
                    canonical.add(file.rel_path)
            if plan.deprecated_symbols:
                for name, value in sorted(file.facts.aliases.items()):
                    if plan.symbol_hit(project, value):
                        symbol_importers.add(file.rel_path)
                        references.append(f"{file.rel_path}:{name}")
        remaining = importers | symbol_importers
        canonical -= remaining | canonical_paths
        dependant_modules = graph.dependants(plan.legacy_modules)
        dependants = {path_of[m] for m in dependant_modules if m in path_of} - legacy_paths
        own = _plan_duplicates(project, plan, duplicates)
        ref_split = Split(
            sum(1 for r in references if r.rsplit(":", 1)[0] not in tests),
            sum(1 for r in references if r.rsplit(":", 1)[0] in tests),
            len(references),
        )
        values = {
            "importers": _count(importers, tests),
            "dependants": _count(dependants, tests),
            "symbol_importers": _count(symbol_importers, tests),
            "references": ref_split,
            "remaining": _count(remaining, tests),
            "canonical": _count(canonical, tests),
        }
        values["migrated"] = _share(values["canonical"], values["remaining"])
        values["duplicates"] = _count_diagnostics(own, tests)
        details = {
            "importers": sorted(importers),
            "dependants": sorted(dependants),
            "symbol_importers": sorted(symbol_importers),
            "references": sorted(references, key=_location_key),
            "remaining": sorted(remaining),
            "canonical": sorted(canonical),
            "duplicates": sorted(f"{d.path}:{d.line}" for d in own),
            "legacy_modules": sorted(plan.legacy_modules),
        }
        results.append(
            ConsolidationProgress(
                name=plan.name,
                deprecated=[*plan.deprecated_modules, *plan.deprecated_symbols],
                canonical=plan.canonical,
                values={f.key: values[f.key] for f in FIGURES},
                details=details,
                warnings=list(plan.warnings),
            )
        )
    return ProgressReport(results, _count_diagnostics(duplicates, tests))


def _module_object_of(project: Project, imp: ImportFact, modules: set[str]) -> bool:
    """Does ``imp`` bind, as a module object, a module that defines a deprecated
    symbol or is its configured home?

    ``from pkg import state as s`` then ``s.DeepAgentState``: the facts do not
    follow attribute access, but the module object is a path to the symbol.
    """
    if imp.is_star or not modules:
        return False
    target = imp.module if imp.name is None else imp.target
    return target in modules and (imp.name is None or project.is_module(target))


def _location_key(text: str) -> tuple[str, int, str]:
    path, _, where = text.rpartition(":")
    return (path, int(where) if where.isdigit() else 0, where)


def _count_diagnostics(diagnostics: Iterable[Diagnostic], tests: set[str]) -> Split:
    items = list(diagnostics)
    test = sum(1 for d in items if d.path in tests)
    return Split(len(items) - test, test, len(items))


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _plan_duplicates(
    project: Project, plan: Plan, duplicates: list[Diagnostic]
) -> list[Diagnostic]:
    """SSOT001 findings that belong to this consolidation: the duplicate class is a
    deprecated symbol or shares the canonical's name, it lives in a legacy module,
    or the finding names the canonical or a deprecated symbol."""
    names = plan.short_names
    if plan.canonical and not plan.canonical_is_module:
        names = names | {_short(plan.canonical)}
    legacy_paths = {project.modules[m].rel_path for m in plan.legacy_modules}
    own = []
    for diag in duplicates:
        file = project.files.get(diag.path)
        at = {c.name for c in file.facts.classes if c.line == diag.line} if file else set()
        mentioned = set(_WORD.findall(diag.message))
        if at & names or diag.path in legacy_paths or mentioned & names:
            own.append(diag)
    return own


# ---------------------------------------------------------------------------
# Duplicates (SSOT001), computed the same way for the working tree and for
# every commit, so the two agree.


def duplicate_diagnostics(project: Project) -> list[Diagnostic]:
    """SSOT001 findings after per-file-ignores and suppression comments.

    Progress measures the project whatever ``select`` says on the command line,
    but a team's own per-file-ignores and ``# ssot: ignore[SSOT001]`` comments
    are decisions, and are honoured. Empty until the SSOT001 rule exists.
    """
    from ssot_lint.rules import all_rules
    from ssot_lint.selection import RuleSelection
    from ssot_lint.suppressions import apply_suppressions

    rule_class = all_rules().get(DUPLICATE_CODE)
    if rule_class is None:
        return []
    found = list(rule_class().check(project))  # type: ignore[call-arg,attr-defined]
    selection = RuleSelection.from_settings(project.settings)
    kept: list[Diagnostic] = []
    by_path: dict[str, list[Diagnostic]] = {}
    for diag in found:
        if diag.code == DUPLICATE_CODE and DUPLICATE_CODE in selection.for_file(diag.path):
            by_path.setdefault(diag.path, []).append(diag)
    for path, diags in sorted(by_path.items()):
        file = project.files.get(path)
        suppressions = file.facts.suppressions if file else []
        outcome = apply_suppressions(
            path,
            diags,
            suppressions,
            None,
            known_codes={DUPLICATE_CODE},
            enabled_codes={DUPLICATE_CODE},
            report_unused=False,
            require_reasons=False,
        )
        kept.extend(outcome.kept)
    kept.sort(key=lambda d: d.sort_key)
    return kept


def progress_for(project: Project, graph: Any | None = None) -> ProgressReport:
    return compute_progress(project, duplicate_diagnostics(project), graph)


# ---------------------------------------------------------------------------
# Text output.


def format_value(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.1f}%"
    return str(int(value))


def render_table(report: ProgressReport) -> str:
    out: list[str] = []
    if not report.consolidations:
        out.append(
            "No consolidations: configure [[tool.ssot-lint.consolidations]], "
            "[[tool.ssot-lint.canonical]] absorbs, or [[tool.ssot-lint.deprecated]] replacements."
        )
    width = max(len(f.label) for f in FIGURES) + 2
    header = f"  {'':<{width}}{'production':>12}{'test':>8}{'total':>8}"
    for item in report.consolidations:
        out.append(item.name)
        out.append(f"  deprecated: {', '.join(item.deprecated) or '-'}")
        out.append(f"  canonical:  {item.canonical or '-'}")
        out.append(header)
        for figure in FIGURES:
            split = item.values[figure.key]
            cells = [format_value(getattr(split, s), figure.percent) for s in SPLITS]
            out.append(f"  {figure.label:<{width}}{cells[0]:>12}{cells[1]:>8}{cells[2]:>8}")
        out.extend(f"  warning: {w}" for w in item.warnings)
        out.append("")
    d = report.duplicates
    out.append(
        f"{TOTAL_DUPLICATES.label}: {int(d.total)} "
        f"({int(d.production)} production, {int(d.test)} test)"
    )
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# History file: JSON lines, one record per line, appended.


def read_history(path: Path) -> list[dict[str, Any]]:
    """Records of a history file (a missing file has none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgressError(f"{path}: cannot read history: {exc}") from None
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ProgressError(f"{path}:{number}: not a JSON record ({exc.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("consolidations"), dict):
            raise ProgressError(f"{path}:{number}: not a progress record")
        records.append(record)
    return records


def append_records(path: Path, records: Sequence[dict[str, Any]]) -> None:
    """Append records, one JSON object per line, in one write, flushed to disk.

    A file whose last line lacks its newline (an interrupted writer, a
    hand edit) gets one first, so the new record never glues onto it.
    """
    if not records:
        return
    payload = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in records)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+b") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() > 0:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    payload = "\n" + payload
            handle.write(payload.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise ProgressError(f"{path}: cannot append to history: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class Regression:
    consolidation: str
    figure: Figure
    split: str
    before: float
    after: float

    def describe(self) -> str:
        before = format_value(self.before, self.figure.percent)
        after = format_value(self.after, self.figure.percent)
        return (
            f"{self.consolidation}: {self.figure.label} ({self.split}) "
            f"got worse: {before} -> {after}"
        )


def regressions(previous: dict[str, Any], current: dict[str, Any]) -> list[Regression]:
    """Every figure of ``current`` worse than in ``previous`` (the ratchet)."""
    found: list[Regression] = []

    def compare(name: str, figure: Figure, old: Any, new: Any) -> None:
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        for split in SPLITS:
            a, b = old.get(split), new.get(split)
            if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
                continue
            worse = b > a + 1e-9 if figure.lower_is_better else b < a - 1e-9
            if worse:
                found.append(Regression(name, figure, split, a, b))

    for name, figures in current.get("consolidations", {}).items():
        old_figures = previous.get("consolidations", {}).get(name)
        if not isinstance(old_figures, dict):
            continue  # a new consolidation has no past to be worse than
        for figure in FIGURES:
            compare(name, figure, old_figures.get(figure.key), figures.get(figure.key))
    compare(
        "whole project",
        TOTAL_DUPLICATES,
        previous.get("totals", {}).get("duplicates"),
        current.get("totals", {}).get("duplicates"),
    )
    return found
