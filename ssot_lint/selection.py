"""Which rules run where: select / extend-select / ignore / per-file-ignores.

Selectors follow ruff: a full code (``SSOT002``), a prefix (``SSOT00``,
``SSOT``), a rule name (``manual-id-generation``) or ``ALL``. ``ignore`` wins
over ``select`` at the same specificity; a more specific selector wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

import pathspec

from ssot_lint.config import ConfigError, Settings
from ssot_lint.rules import all_rules


def expand_selector(selector: str) -> set[str]:
    """Codes a selector denotes; raises ConfigError for one that matches none."""
    rules = all_rules()
    key = selector.strip()
    if key.upper() == "ALL":
        return set(rules)
    by_name = {r.name: code for code, r in rules.items()}
    if key.lower() in by_name:
        return {by_name[key.lower()]}
    codes = {code for code in rules if code.startswith(key.upper())}
    if not codes:
        raise ConfigError(f"unknown rule selector {selector!r} (see `ssot-lint rule --all`)")
    return codes


def _specificity(selector: str) -> int:
    rules = all_rules()
    if selector.upper() == "ALL":
        return 0
    if selector.lower() in {r.name for r in rules.values()}:
        return 100
    return len(selector)


@dataclass
class RuleSelection:
    enabled: set[str]
    per_file: list[tuple[pathspec.PathSpec, str, set[str]]] = field(default_factory=list)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        select: list[str] | None = None,
        extend_select: list[str] | None = None,
        ignore: list[str] | None = None,
    ) -> RuleSelection:
        rules = all_rules()
        base = select if select else settings.select
        if base:
            chosen: dict[str, tuple[int, bool]] = {}
            _apply(chosen, base, True)
        else:
            chosen = {code: (0, True) for code, r in rules.items() if r.default_enabled}
        _apply(chosen, [*settings.extend_select, *(extend_select or [])], True)
        _apply(chosen, [*settings.ignore, *(ignore or [])], False)
        enabled = {code for code, (_, on) in chosen.items() if on}
        per_file = []
        for pattern, codes in settings.per_file_ignores.items():
            expanded: set[str] = set()
            for selector in codes:
                expanded |= expand_selector(selector)
            spec = pathspec.GitIgnoreSpec.from_lines([pattern])
            per_file.append((spec, pattern, expanded))
        return cls(enabled, per_file)

    def for_file(self, rel_path: str) -> set[str]:
        """Codes enabled for one project-relative path."""
        codes = self.enabled
        name = rel_path.rsplit("/", 1)[-1]
        for spec, pattern, ignored in self.per_file:
            if spec.match_file(rel_path) or ("/" not in pattern and fnmatchcase(name, pattern)):
                codes = codes - ignored
        return codes


def _apply(chosen: dict[str, tuple[int, bool]], selectors: list[str], on: bool) -> None:
    # Later lists win ties (ignore beats select); a more specific selector
    # beats a broader one whatever the order.
    for selector in selectors:
        weight = _specificity(selector)
        for code in expand_selector(selector):
            current = chosen.get(code)
            if current is None or weight >= current[0]:
                chosen[code] = (weight, on)
