"""Matching resolved names against configured ones (no libcst needed)."""

from __future__ import annotations


def matches_name(
    qualified: str | None, configured: str, aliases: frozenset[str] = frozenset()
) -> bool:
    """Does a resolved name denote the configured object?

    A dotted configuration (``pkg.mod.Class``) matches exactly that object, or a
    known re-export of it (``aliases``); a bare name (the zero-config default)
    matches any object of that name.
    """
    if qualified is None:
        return False
    if "." in configured:
        return qualified == configured or qualified in aliases
    return qualified == configured or qualified.endswith("." + configured)


def module_matches(module: str, configured: str) -> bool:
    """Module patterns: dotted names match exactly (or as a suffix when bare)."""
    if "." in configured:
        return module == configured
    return module == configured or module.endswith("." + configured)
