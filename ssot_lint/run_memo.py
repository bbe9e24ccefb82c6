"""Reusing a whole check run (and its project knowledge) when nothing it depends on changed.

Per-file results are cached by content, but the cross-file phase (project
knowledge, project rules, suppressions) runs over the whole project, and on a
warm run it was most of the time left. Its outcome is a pure function of:

* every analysed file: path, content digest, module name, package or not,
  test or not, reported on (target) or not;
* the effective settings and the rule selection of this run;
* the registry file's content (SSOT005);
* what the file system says about modules that exist but are not analysed
  (excluded files, compiled extensions): recorded while the run asks, and
  asked again before the memo is trusted.

The code of ssot-lint itself is part of the cache file's name (``cache.py``).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field

from ssot_lint.diagnostics import Diagnostic
from ssot_lint.hashing import blake2b
from ssot_lint.knowledge import ProjectKnowledge
from ssot_lint.project import module_on_disk
from ssot_lint.source import ProjectLayout, content_digest


@dataclass
class RunMemo:
    diagnostics: list[Diagnostic]
    suppressed: int
    knowledge: ProjectKnowledge
    disk_answers: dict[str, bool] = field(default_factory=dict)

    def still_valid(self, layout: ProjectLayout) -> bool:
        """Does the file system still answer as it did for this run?"""
        return all(module_on_disk(layout, m) == answer for m, answer in self.disk_answers.items())


def run_key(
    files: list[tuple[str, str, str, bool, bool, bool]],
    settings_fingerprint: str,
    selection_inputs: Iterable[object],
    registry_file: object,
) -> tuple[str, ...] | None:
    """The memo key of a run, or None when the registry cannot be read.

    ``files``: (path, digest, module, package?, test?, target?) of every file.
    """
    registry = _registry_digest(registry_file)
    if registry is None:
        return None
    return ("run", _digest((files, settings_fingerprint, tuple(selection_inputs), registry)))


def knowledge_key(
    files: list[tuple[str, bool, str]],
    packages: list[tuple[str, str]],
    settings_fingerprint: str,
) -> tuple[str, ...]:
    """The key of the project knowledge: ``files`` are (path, test?,
    ``facts_signature``), ``packages`` the first-party roots (name, path)."""
    return ("knowledge", _digest((files, packages, settings_fingerprint)))


def _digest(value: object) -> str:
    blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return blake2b(blob, digest_size=16).hexdigest()


def _registry_digest(registry_file: object) -> str | None:
    """'' without a registry; its content digest; None when it cannot be read."""
    if registry_file is None:
        return ""
    try:
        with open(registry_file, "rb") as handle:  # type: ignore[call-overload]
            return content_digest(handle.read())
    except OSError:
        return None
