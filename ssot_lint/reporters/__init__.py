"""Output formats. Each reporter turns a finished run into text."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from importlib import import_module

from ssot_lint.reporters.base import ReportContext

Reporter = Callable[[ReportContext], str]

# format -> (module in this package, function). A run imports only the
# reporter it writes with: the others (XML, SARIF) would cost every
# pre-commit run their import time.
_WHERE: dict[str, tuple[str, str]] = {
    "full": ("text", "render_full"),
    "concise": ("text", "render_concise"),
    "json": ("json_format", "render_json"),
    "json-lines": ("json_format", "render_json_lines"),
    "sarif": ("sarif", "render_sarif"),
    "github": ("github", "render_github"),
    "junit": ("junit", "render_junit"),
}


class _Reporters(Mapping[str, Reporter]):
    """The output formats by name; each reporter's module imported on first use."""

    def __getitem__(self, name: str) -> Reporter:
        module, function = _WHERE[name]
        reporter: Reporter = getattr(import_module(f"{__name__}.{module}"), function)
        return reporter

    def __iter__(self) -> Iterator[str]:
        return iter(_WHERE)

    def __len__(self) -> int:
        return len(_WHERE)


REPORTERS: Mapping[str, Reporter] = _Reporters()

__all__ = ["REPORTERS", "ReportContext", "Reporter"]
