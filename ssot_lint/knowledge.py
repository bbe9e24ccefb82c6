"""Project facts that per-file rules need, computed once per run.

A per-file rule sees one file, but a few of its answers depend on the rest of
the project: the members of the state enum (for SSOT003's fix), and every
re-export of a configured symbol (``from pkg.compat import DeepAgentState``
is the deprecated class too). These are gathered here from the facts of all
files and folded into the per-file cache key, so a cached per-file result is
reused exactly when they are unchanged.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from ssot_lint.config import Settings
from ssot_lint.hashing import blake2b
from ssot_lint.names import matches_name
from ssot_lint.project import Project


@dataclass(frozen=True)
class ProjectKnowledge:
    state_enum: str | None = None  # qualified name of the state enum's definition
    state_members: tuple[tuple[str, str], ...] = ()  # (NAME, value source)
    aliases: dict[str, frozenset[str]] = field(default_factory=dict)  # configured -> re-exports
    # canonical class (as configured) -> qualified accessor, where the accessor is
    # configured bare and the project shows where it is defined (SSOT006's fix)
    accessors: dict[str, str] = field(default_factory=dict)
    # configured qualified name -> its definition, where the configuration names
    # a re-export (``pkg.core.Tracker`` defined in ``pkg.core.tracker``): the
    # definition is the same object, but ``aliases`` leaves it out
    definitions: dict[str, str] = field(default_factory=dict)

    def aliases_for(self, configured: str) -> frozenset[str]:
        return self.aliases.get(configured, frozenset())

    def fingerprint(self) -> str:
        data = asdict(self)
        data["aliases"] = {k: sorted(v) for k, v in sorted(self.aliases.items())}
        blob = json.dumps(data, sort_keys=True, default=str)
        return blake2b(blob.encode(), digest_size=12).hexdigest()


def configured_symbols(settings: Settings) -> list[str]:
    """Qualified names in the settings whose re-exports must be recognised."""
    names = [d.symbol for d in settings.deprecated if d.symbol and "." in d.symbol]
    names += [c.class_ for c in settings.canonical if "." in c.class_]
    if "." in settings.state.enum:
        names.append(settings.state.enum)
    return names


def gather_knowledge(project: Project) -> ProjectKnowledge:
    settings = project.settings
    enum_name, members = _state_enum(project, settings)
    accessors = _accessors(project, settings)
    names = configured_symbols(settings)
    # The fixes of SSOT003/SSOT006 name these; their re-exports count as bound.
    fix_targets = [enum_name, *accessors.values()]
    fix_targets += [c.accessor for c in settings.canonical if c.accessor and "." in c.accessor]
    names += [n for n in dict.fromkeys(fix_targets) if n and n not in names]
    aliases = {name: project.aliases_of(name) for name in names}
    definitions = {name: project.resolve(name) for name in configured_symbols(settings)}
    return ProjectKnowledge(
        enum_name,
        members,
        {k: v for k, v in aliases.items() if v},
        accessors,
        {k: v for k, v in definitions.items() if v != k},
    )


def _state_enum(
    project: Project, settings: Settings
) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """The state enum's definition and its members as (NAME, value source).

    A dotted configuration is followed through re-exports to its definition.
    A bare one may match several classes (copied enums are common, SSOT001 c):
    prefer real Enum subclasses, then non-test modules, then the definition
    imported by the most modules, then the path.
    """
    configured = settings.state.enum
    target = project.resolve(configured) if "." in configured else configured
    candidates = []
    for file in project:
        for cls in file.facts.classes:
            qualified = f"{file.facts.module}.{cls.name}"
            if matches_name(qualified, target) and cls.members:
                candidates.append((qualified, cls, file))
    if len(candidates) > 1:
        importers = Counter(
            imp.target for file in project for imp in file.facts.imports if imp.name
        )
        candidates.sort(
            key=lambda c: (not c[1].is_enum_by_bases, c[2].is_test, -importers[c[0]], c[2].rel_path)
        )
    if settings.state.members:
        # Configured members are values, not source: store their source form.
        members = tuple((name, repr(value)) for name, value in settings.state.members.items())
    else:
        members = candidates[0][1].members if candidates else ()
    if candidates:
        return candidates[0][0], members
    return (configured if "." in configured else None), members


def _accessors(project: Project, settings: Settings) -> dict[str, str]:
    """Where a bare (zero-config) accessor lives: the module defining the
    canonical class, when it also binds the accessor; else the one non-test
    module defining a function of that name. Ambiguity gives nothing."""
    found: dict[str, str] = {}
    for canonical in settings.canonical:
        accessor = canonical.accessor
        if not accessor or "." in accessor:
            continue
        if "." in canonical.class_:
            owners = [project.resolve(canonical.class_).rpartition(".")[0]]
        else:
            owners = [
                f.facts.module
                for f in project
                if not f.is_test and any(c.name == canonical.class_ for c in f.facts.classes)
            ]
        modules = [
            m
            for m in owners
            if m in project.modules and accessor in project.modules[m].facts.bindings
        ]
        if not modules:
            modules = [
                f.facts.module
                for f in project
                if not f.is_test
                and accessor in f.facts.bindings
                and accessor not in f.facts.import_table()
                and accessor not in f.facts.aliases
            ]
        if len(set(modules)) == 1:
            found[canonical.class_] = f"{modules[0]}.{accessor}"
    return found
