"""A small project in which every fixable SSOT rule has something to fix.

Shared by the reliability tests (fuzzing, kill-during-fix, security): the
canonical modules, a registry and a configuration, plus templates of
violations (from the examples in ``rules/SSOT00*.md``) that a fuzzed or
generated target file can be built from.
"""

from __future__ import annotations

from pathlib import Path

from support import write_project

CONFIG = """
src = ["app"]
registry = "SSOT_IMPORT_REGISTRY.md"

[tool.ssot-lint.ids]
fix-imports = ["app.core.ids.UnifiedIDManager", "app.core.ids.IDType"]

[[tool.ssot-lint.canonical]]
class = "app.core.tracker.AgentExecutionTracker"
accessor = "app.core.tracker.get_execution_tracker"
"""

REGISTRY = """# SSOT Import Registry

## ✅ VERIFIED IMPORTS

```python
from app.core.tracker import AgentExecutionTracker, get_execution_tracker, ExecutionState
from app.core.ids import UnifiedIDManager, IDType
from app.bridge import create_websocket_bridge
```

## ❌ BROKEN IMPORTS (Do Not Use)

```python
from app.bridge import get_websocket_bridge  # ❌ shared across users
# USE INSTEAD: from app.bridge import create_websocket_bridge
```
"""

FILES = {
    "app/__init__.py": "",
    "app/core/__init__.py": (
        "from app.core.tracker import ExecutionState, get_execution_tracker\n\n"
        '__all__ = ["ExecutionState", "get_execution_tracker"]\n'
    ),
    "app/core/ids.py": (
        "import enum\nimport uuid\n\n\nclass IDType(enum.Enum):\n"
        '    EXECUTION = "exec"\n    REQUEST = "req"\n    RUN = "run"\n\n\n'
        "class UnifiedIDManager:\n    @staticmethod\n"
        "    def generate_id(kind: IDType) -> str:\n"
        '        return f"{kind.value}_{uuid.uuid4().hex}"  # ssot: ignore[SSOT002] the SSOT\n'
    ),
    "app/core/tracker.py": (
        "import enum\n\n\nclass ExecutionState(enum.Enum):\n"
        '    RUNNING = "running"\n    COMPLETED = "completed"\n    FAILED = "failed"\n\n\n'
        "class AgentExecutionTracker:\n"
        "    def start_execution(self, name: str) -> str:\n        return name\n\n"
        "    def update_execution_state(self, run_id: str, state: object) -> None:\n"
        "        pass\n\n\n"
        "_tracker = AgentExecutionTracker()\n\n\n"
        "def get_execution_tracker() -> AgentExecutionTracker:\n    return _tracker\n"
    ),
    "app/bridge.py": (
        "def create_websocket_bridge(user_id: str) -> object:\n    return object()\n\n\n"
        "def get_websocket_bridge() -> object:\n    return object()\n"
    ),
    "app/target.py": "",
}

TARGET = "app/target.py"

# One violation each, in the shape of the rules' documented examples; ``{n}``
# keeps the function names of several copies apart.
TEMPLATES = {
    "SSOT002": (
        "import uuid\n\n\ndef start_execution_{n}(agent_name):\n"
        '    execution_id = f"exec_{{uuid.uuid4().hex[:8]}}"\n'
        '    return {{"agent": agent_name, "execution_id": execution_id}}\n'
    ),
    "SSOT003": (
        "from app.core.tracker import get_execution_tracker\n\n\n"
        "def cancel_triage_{n}(execution_id):\n"
        '    get_execution_tracker().update_execution_state(execution_id, "completed")\n'
    ),
    "SSOT005": (
        "from app.bridge import get_websocket_bridge\n\n\n"
        "def publish_{n}(user_id):\n    return get_websocket_bridge()\n"
    ),
    "SSOT006": (
        "from app.core.tracker import AgentExecutionTracker\n\n\n"
        "class ExecutionEngine{n}:\n    def __init__(self):\n"
        "        self._tracker = AgentExecutionTracker()\n"
    ),
}


def violations(codes: list[str]) -> str:
    """The templates for ``codes`` (repeats allowed), one after another."""
    return "\n\n".join(TEMPLATES[code].format(n=n) for n, code in enumerate(codes))


def make_project(root: Path, target: str | bytes = "") -> Path:
    """Write the project; returns the target file's path."""
    write_project(root, FILES, CONFIG)
    (root / "SSOT_IMPORT_REGISTRY.md").write_text(REGISTRY, encoding="utf-8")
    path = root / TARGET
    if isinstance(target, str):
        target = target.encode("utf-8")
    path.write_bytes(target)
    return path
