"""``cst``: libcst, imported on first use.

Importing libcst costs ~0.2 s, more than a whole warm run may take, and a run
whose per-file results all come from the cache never needs it. Modules that
only need libcst inside functions (rules, the resolver) write::

    from ssot_lint.lazy import cst

and use ``cst.Name`` etc. as usual; the first attribute access imports the
real module. (``importlib.util.LazyLoader`` cannot do this on Python 3.11:
the ``import`` statement itself touches the module and loads it.) A test
checks that building the rule registry and the engine leaves libcst unloaded.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any


class _LazyModule:
    def __init__(self, name: str) -> None:
        self.__dict__["_name"] = name

    def _load(self) -> ModuleType:
        module = importlib.import_module(self.__dict__["_name"])
        # Copy the public namespace so later lookups are plain dict hits.
        self.__dict__.update(vars(module))
        return module

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)


if TYPE_CHECKING:
    import libcst as cst
else:
    cst = _LazyModule("libcst")

__all__ = ["cst"]


def submodule_names(package_path: list[str] | Any) -> list[str]:
    """The modules and sub-packages of a package, sorted, as
    ``pkgutil.iter_modules`` names them. A directory listing where the
    package is a directory: ``pkgutil`` and what it imports cost a run more
    time than the rest of its start-up (zip imports still go through it)."""
    import os

    names: set[str] = set()
    for entry in package_path:
        if not os.path.isdir(entry):
            import pkgutil

            names.update(info.name for info in pkgutil.iter_modules([entry]))
            continue
        for item in os.scandir(entry):
            name, dot, suffix = item.name.partition(".")
            if not name.isidentifier() or name == "__init__":
                continue
            is_module = bool(dot) and suffix == "py" and item.is_file()
            is_package = not dot and os.path.isfile(os.path.join(item.path, "__init__.py"))
            if is_module or is_package:
                names.add(name)
    return sorted(names)
