"""Which rules run where: select / extend-select / ignore / per-file-ignores.

Selectors follow ruff: a full code (``SSOT002``), a prefix (``SSOT00``,
``SSOT``), a rule name (``manual-id-generation``) or ``ALL``.

Resolution follows ruff's layering too. The defaults (every rule that is not
opt-in) are the starting set; then the configuration file, then the command
line, each a layer of ``select`` / ``extend-select`` / ``ignore``. A layer's
``select`` replaces everything before it (so ``--select SSOT004`` means just
that, whatever the file ignores); ``extend-select`` adds; ``ignore`` removes.
Within a layer a more specific selector wins (``select = ["SSOT004"]`` beats
``ignore = ["SSOT"]``), and at equal specificity ``ignore`` wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING

from ssot_lint.config import ConfigError, Settings, join_key
from ssot_lint.discovery import gitignore_spec
from ssot_lint.rules import all_rules

if TYPE_CHECKING:
    import pathspec


class UnknownSelector(ValueError):
    """A selector that denotes no rule."""


def expand_selector(selector: str) -> set[str]:
    """Codes a selector denotes; raises UnknownSelector for one that matches none."""
    rules = all_rules()
    key = selector.strip()
    if not key:
        raise UnknownSelector("empty rule selector")
    if key.upper() == "ALL":
        return set(rules)
    by_name = {r.name: code for code, r in rules.items()}
    if key.lower() in by_name:
        return {by_name[key.lower()]}
    codes = {code for code in rules if code.startswith(key.upper())}
    if not codes:
        raise UnknownSelector(
            f"unknown rule selector {selector!r} (`ssot-lint rule --all` lists the rules)"
        )
    return codes


def validate_selectors(settings: Settings, file: Path | None) -> None:
    """Raise ConfigError, naming ``file`` and the key, for any selector that matches no rule."""
    lists = {
        "select": settings.select,
        "extend-select": settings.extend_select,
        "ignore": settings.ignore,
    }
    for pattern, codes in settings.per_file_ignores.items():
        lists[join_key("per-file-ignores", pattern)] = codes
    for key, selectors in lists.items():
        for index, selector in enumerate(selectors):
            try:
                expand_selector(selector)
            except UnknownSelector as exc:
                raise ConfigError(str(exc), file, f"{key}[{index}]") from None


def _specificity(selector: str) -> int:
    if selector.strip().upper() == "ALL":
        return 0
    if selector.strip().lower() in {r.name for r in all_rules().values()}:
        return 100
    return len(selector.strip())


@dataclass
class RuleSelection:
    enabled: set[str]
    # (pattern, codes it turns off), in the settings' order
    per_file: list[tuple[str, set[str]]] = field(default_factory=list)
    _specs: list[pathspec.PathSpec] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        select: list[str] | None = None,
        extend_select: list[str] | None = None,
        ignore: list[str] | None = None,
    ) -> RuleSelection:
        """The settings' selection, with the command line's as a layer on top."""
        enabled = {code for code, r in all_rules().items() if r.default_enabled}
        enabled = _layer(
            enabled, settings.select, settings.extend_select, settings.ignore, cli=False
        )
        enabled = _layer(enabled, select or [], extend_select or [], ignore or [], cli=True)
        per_file = []
        for pattern, codes in settings.per_file_ignores.items():
            expanded: set[str] = set()
            for selector in codes:
                expanded |= _expand(selector, join_key("per-file-ignores", pattern), False)
            per_file.append((pattern, expanded))
        return cls(enabled, per_file)

    def for_file(self, rel_path: str) -> set[str]:
        """Codes enabled for one project-relative path."""
        codes = self.enabled
        if not self.per_file:
            return codes
        if self._specs is None:
            # Compiled when first asked: a run that reuses a whole previous
            # run never asks, nor imports pathspec.
            self._specs = [gitignore_spec([pattern]) for pattern, _ in self.per_file]
        name = rel_path.rsplit("/", 1)[-1]
        for spec, (pattern, ignored) in zip(self._specs, self.per_file, strict=True):
            if spec.match_file(rel_path) or ("/" not in pattern and fnmatchcase(name, pattern)):
                codes = codes - ignored
        return codes


def _expand(selector: str, origin: str, cli: bool) -> set[str]:
    try:
        return expand_selector(selector)
    except UnknownSelector as exc:
        if cli:
            raise ConfigError(f"--{origin}: {exc}") from None
        raise ConfigError(str(exc), key=origin) from None


def _layer(
    current: set[str], select: list[str], extend_select: list[str], ignore: list[str], *, cli: bool
) -> set[str]:
    # What the earlier layers chose has the lowest weight: anything this layer
    # says about a code overrides it.
    chosen: dict[str, tuple[int, bool]] = {} if select else {c: (-1, True) for c in current}
    for key, selectors, on in (
        ("select", select, True),
        ("extend-select", extend_select, True),
        ("ignore", ignore, False),
    ):
        # Later lists win ties (ignore beats select); a more specific selector
        # beats a broader one whatever the order.
        for selector in selectors:
            weight = _specificity(selector)
            for code in _expand(selector, key, cli):
                current_choice = chosen.get(code)
                if current_choice is None or weight >= current_choice[0]:
                    chosen[code] = (weight, on)
    return {code for code, (_, on) in chosen.items() if on}
