"""The benchmark corpus: the running interpreter's standard library plus a
small agent-platform package with SSOT violations planted at known places.

Planted lines carry ``# expect: CODE`` markers, so recall is computed from
the corpus itself rather than from a hand-kept list.
"""

from __future__ import annotations

import re
import shutil
import sysconfig
import textwrap
from collections import Counter
from pathlib import Path

MARKER = re.compile(r"#\s*expect:\s*([A-Z0-9_, ]+)")

PYPROJECT = """\
[tool.ssot-lint]
src = ["stdlib", "platform_app"]
extend-exclude = ["ssot_fixit_rules.py"]
registry = "SSOT_IMPORT_REGISTRY.md"

[[tool.ssot-lint.canonical]]
class = "platform_app.core.tracker.AgentExecutionTracker"
absorbs = ["AgentStateTracker", "AgentExecutionTimeoutManager"]
accessor = "platform_app.core.tracker.get_execution_tracker"

[[tool.ssot-lint.deprecated]]
symbol = "platform_app.agents.state.DeepAgentState"
replacement = "platform_app.services.context.UserExecutionContext"

[tool.ssot-lint.ids]
managers = ["platform_app.core.unified_id_manager"]
fix-imports = [
    "platform_app.core.unified_id_manager.UnifiedIDManager",
    "platform_app.core.unified_id_manager.IDType",
]

[tool.ssot-lint.state]
enum = "platform_app.core.tracker.ExecutionState"

[tool.fixit]
root = true
enable = [".ssot_fixit_rules"]
"""

REGISTRY = """\
# SSOT Import Registry

## VERIFIED IMPORTS

```python
from platform_app.core.tracker import AgentExecutionTracker, ExecutionState
from platform_app.core.unified_id_manager import UnifiedIDManager, IDType
```
"""

PLANTED = {
    "platform_app/__init__.py": "",
    "platform_app/core/__init__.py": "",
    "platform_app/agents/__init__.py": "",
    "platform_app/services/__init__.py": "",
    "platform_app/core/tracker.py": '''
        """The canonical execution tracker."""
        from enum import Enum


        class ExecutionState(Enum):
            PENDING = "pending"
            RUNNING = "running"
            COMPLETED = "completed"
            FAILED = "failed"


        class AgentExecutionTracker:
            def start_execution(self, agent: str) -> str:
                return agent

            def update_execution_state(self, execution_id: str, state: ExecutionState) -> None:
                self.last = (execution_id, state)

            def complete_execution(self, execution_id: str) -> None:
                self.last = (execution_id, ExecutionState.COMPLETED)

            def record_heartbeat(self, execution_id: str) -> None:
                self.beat = execution_id


        _tracker = AgentExecutionTracker()


        def get_execution_tracker() -> AgentExecutionTracker:
            return _tracker
        ''',
    "platform_app/core/unified_id_manager.py": """
        import uuid
        from enum import Enum


        class IDType(Enum):
            EXECUTION = "execution"
            RUN = "run"


        class UnifiedIDManager:
            @staticmethod
            def generate_id(kind: IDType) -> str:
                return f"{kind.value}_{uuid.uuid4().hex}"
        """,
    "platform_app/agents/state.py": '''
        class DeepAgentState:
            """Deprecated shared state."""
        ''',
    "platform_app/services/context.py": """
        class UserExecutionContext:
            pass
        """,
    "platform_app/agents/supervisor.py": """
        import uuid
        from uuid import uuid4 as new_id

        from platform_app.agents.state import DeepAgentState  # expect: SSOT004
        from platform_app.core.tracker import AgentExecutionTracker, get_execution_tracker


        class Supervisor:
            def __init__(self) -> None:
                self.execution_id = f"exec_{uuid.uuid4().hex[:8]}"  # expect: SSOT002
                self.tracker = AgentExecutionTracker()  # expect: SSOT006
                self.shared = get_execution_tracker()

            def run(self, request: str) -> dict:
                run_id = str(new_id())  # expect: SSOT002
                self.tracker.update_execution_state(run_id, {"success": True, "completed": True})  # expect: SSOT003
                return {"thread_id": uuid.uuid4().hex, "request": request}  # expect: SSOT002

            def snapshot(self, state: "DeepAgentState") -> None:  # expect: SSOT004
                print(state)
        """,
    "platform_app/agents/triage.py": """
        import uuid as u

        from platform_app.agents import state as agent_state
        from platform_app.core.tracker import AgentExecutionTracker as Tracker
        from platform_app.core.missing_module import Helper  # expect: SSOT005


        def triage(tracker, execution_id: str) -> None:
            tracker.update_execution_state(execution_id, "completed")  # expect: SSOT003
            legacy = agent_state.DeepAgentState()  # expect: SSOT004
            local = Tracker()  # expect: SSOT006
            print(legacy, local, Helper, u.uuid4())


        def generate_trace_id() -> str:
            return u.uuid4().hex  # expect: SSOT002
        """,
    "platform_app/core/state_tracker.py": """
        from platform_app.core.tracker import ExecutionState as _Canonical  # noqa: F401
        from platform_app.core.tracker import get_execution_trackr  # expect: SSOT005


        class AgentStateTracker:  # expect: SSOT001
            def update(self, state: dict) -> None:
                get_execution_trackr().update_execution_state("x", None)  # expect: SSOT003
        """,
    # A re-export under another name: the importer never spells the class's name.
    "platform_app/agents/compat.py": """
        from platform_app.agents.state import DeepAgentState as LegacyState  # expect: SSOT004
        """,
    "platform_app/services/legacy_user.py": """
        from platform_app.agents.compat import LegacyState  # expect: SSOT004


        def restore(data: dict) -> object:
            return LegacyState(**data)
        """,
}


def stdlib_root() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def build(destination: Path, limit: int | None = None) -> tuple[int, int]:
    """Write the corpus; returns (files, lines)."""
    if destination.exists():
        shutil.rmtree(destination)
    stdlib = destination / "stdlib"
    files = 0
    lines = 0
    sources = sorted(
        p
        for p in stdlib_root().rglob("*.py")
        if "site-packages" not in p.parts and "__pycache__" not in p.parts
    )
    for source in sources[:limit] if limit else sources:
        target = stdlib / source.relative_to(stdlib_root())
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            data = source.read_bytes()
        except OSError:
            continue
        target.write_bytes(data)
        files += 1
        lines += data.count(b"\n")
    for rel, text in PLANTED.items():
        path = destination / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        body = textwrap.dedent(text).lstrip("\n")
        path.write_text(body, encoding="utf-8")
        files += 1
        lines += body.count("\n")
    (destination / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (destination / "SSOT_IMPORT_REGISTRY.md").write_text(REGISTRY, encoding="utf-8")
    shutil.copy(Path(__file__).with_name("fixit_rules.py"), destination / "ssot_fixit_rules.py")
    return files, lines


def planted() -> Counter[tuple[str, int, str]]:
    expected: Counter[tuple[str, int, str]] = Counter()
    for rel, text in PLANTED.items():
        body = textwrap.dedent(text).lstrip("\n")
        for number, line in enumerate(body.splitlines(), 1):
            match = MARKER.search(line)
            if match:
                for code in match.group(1).split(","):
                    if code.strip():
                        expected[(rel, number, code.strip())] += 1
    return expected
