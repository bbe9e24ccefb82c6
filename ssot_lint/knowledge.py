"""Project facts that per-file rules need, computed once per run.

A per-file rule sees one file, but a few of its answers depend on the rest of
the project: the members of the state enum (for SSOT003's fix), and every
re-export of a configured symbol (``from pkg.compat import DeepAgentState``
is the deprecated class too). These are gathered here from the facts of all
files and folded into the per-file cache key, so a cached per-file result is
reused exactly when they are unchanged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from ssot_lint.config import Settings
from ssot_lint.project import Project
from ssot_lint.resolver import matches_name


@dataclass(frozen=True)
class ProjectKnowledge:
    state_enum: str | None = None  # qualified name of the state enum's definition
    state_members: tuple[tuple[str, str], ...] = ()  # (NAME, value source)
    aliases: dict[str, frozenset[str]] = field(default_factory=dict)  # configured -> re-exports

    def aliases_for(self, configured: str) -> frozenset[str]:
        return self.aliases.get(configured, frozenset())

    def fingerprint(self) -> str:
        data = asdict(self)
        data["aliases"] = {k: sorted(v) for k, v in sorted(self.aliases.items())}
        blob = json.dumps(data, sort_keys=True, default=str)
        return hashlib.blake2b(blob.encode(), digest_size=12).hexdigest()


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
    aliases = {name: project.aliases_of(name) for name in configured_symbols(settings)}
    return ProjectKnowledge(enum_name, members, {k: v for k, v in aliases.items() if v})


def _state_enum(
    project: Project, settings: Settings
) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    configured = settings.state.enum
    if settings.state.members:
        return configured, tuple(sorted(settings.state.members.items()))
    candidates = []
    for file in sorted(project, key=lambda f: (f.is_test, f.rel_path)):
        for cls in file.facts.classes:
            qualified = f"{file.facts.module}.{cls.name}"
            if matches_name(qualified, configured) and cls.members:
                candidates.append((qualified, cls))
    if not candidates:
        return None, ()
    qualified, cls = candidates[0]
    return qualified, cls.members
