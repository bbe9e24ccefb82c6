"""The rule registry: one module per rule, each defining one Rule subclass.

Modules are discovered, not listed, so adding a rule is adding a file.
"""

from __future__ import annotations

import importlib
from functools import cache

from ssot_lint.lazy import submodule_names
from ssot_lint.rules.base import CstRule, MetaRule, ProjectRule, Rule

__all__ = ["CstRule", "MetaRule", "ProjectRule", "Rule", "all_rules", "get_rule"]


@cache
def all_rules() -> dict[str, type[Rule]]:
    """Every rule by code, in code order."""
    found: dict[str, type[Rule]] = {}
    for name in submodule_names(__path__):
        if name == "base" or name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value.__module__ == module.__name__
                and getattr(value, "code", None)
            ):
                if value.code in found:
                    raise RuntimeError(f"duplicate rule code {value.code}")
                found[value.code] = value
    return dict(sorted(found.items()))


def get_rule(code_or_name: str) -> type[Rule] | None:
    key = code_or_name.strip()
    rules = all_rules()
    if key.upper() in rules:
        return rules[key.upper()]
    return next((r for r in rules.values() if r.name == key.lower()), None)
