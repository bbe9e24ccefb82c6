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
