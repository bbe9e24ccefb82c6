"""A generated agent-platform project for the language-server benchmark.

``generate(root, files=5000, big_lines=2000)`` writes a package ``fleet`` of
``files`` modules spread over areas (agents, services, core, ...), each module
importing classes from a few others, plus one large module
(``fleet/services/orchestration.py``) of exactly ``big_lines`` lines: the file
the benchmark edits. A few SSOT violations are planted so that every rule has
work to do, and the canonical tracker, the ID manager and the deprecated
state class exist where the configuration says.
"""

from __future__ import annotations

import random
import shutil
import textwrap
from pathlib import Path

AREAS = (
    "agents",
    "services",
    "websocket",
    "billing",
    "tools",
    "memory",
    "routing",
    "storage",
    "telemetry",
    "workflows",
)

PYPROJECT = """\
[project]
name = "fleet"
version = "0.1.0"

[tool.ssot-lint]
src = ["fleet"]

[[tool.ssot-lint.canonical]]
class = "fleet.core.tracker.AgentExecutionTracker"
absorbs = ["AgentStateTracker"]
accessor = "fleet.core.tracker.get_execution_tracker"

[[tool.ssot-lint.deprecated]]
symbol = "fleet.core.state.DeepAgentState"
replacement = "fleet.core.context.UserExecutionContext"

[tool.ssot-lint.ids]
managers = ["fleet.core.unified_id_manager"]
fix-imports = [
    "fleet.core.unified_id_manager.UnifiedIDManager",
    "fleet.core.unified_id_manager.IDType",
]

[tool.ssot-lint.state]
enum = "fleet.core.tracker.ExecutionState"
"""

CORE = {
    "fleet/__init__.py": "",
    "fleet/core/__init__.py": "",
    "fleet/core/tracker.py": '''
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


        _tracker = AgentExecutionTracker()


        def get_execution_tracker() -> AgentExecutionTracker:
            return _tracker
        ''',
    "fleet/core/unified_id_manager.py": """
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
    "fleet/core/state.py": '''
        class DeepAgentState:
            """Deprecated: shared mutable state; use UserExecutionContext."""
        ''',
    "fleet/core/context.py": """
        class UserExecutionContext:
            user_id: str = ""
        """,
}

BIG_FILE = "fleet/services/orchestration.py"


def _module_source(rng: random.Random, index: int, earlier: list[tuple[str, str]]) -> str:
    imports = rng.sample(earlier, min(3, len(earlier)))
    lines = [f'"""Generated module {index}."""', "from __future__ import annotations", ""]
    lines.append("import logging")
    if index % 97 == 0:
        lines.append("import uuid")
    lines.append("")
    for module, name in sorted(imports):
        lines.append(f"from {module} import {name}")
    lines.append("from fleet.core.tracker import AgentExecutionTracker, ExecutionState")
    lines += ["", "logger = logging.getLogger(__name__)", "", ""]
    cls = f"Handler{index}"
    lines.append(f"class {cls}:")
    lines.append(f'    """Handles step {index} of a run."""')
    lines.append("")
    lines.append("    def __init__(self, tracker: AgentExecutionTracker) -> None:")
    lines.append("        self.tracker = tracker")
    for name in [n for _, n in imports]:
        lines.append(f"        self.{name.lower()} = {name}")
    lines.append("")
    lines.append("    def handle(self, execution_id: str, payload: dict) -> dict:")
    lines.append('        logger.info("step %s", execution_id)')
    lines.append(
        "        self.tracker.update_execution_state(execution_id, ExecutionState.RUNNING)"
    )
    if index % 97 == 0:
        lines.append("        run_id = str(uuid.uuid4())")
        lines.append('        payload["run_id"] = run_id')
    lines.append(f'        return {{"step": {index}, "payload": payload}}')
    lines.append("")
    lines.append("    def describe(self) -> str:")
    lines.append(f'        return "{cls}"')
    lines += ["", ""]
    lines.append(f"def build_handler_{index}(tracker: AgentExecutionTracker) -> {cls}:")
    lines.append(f"    return {cls}(tracker)")
    return "\n".join(lines) + "\n"


def big_source(lines: int, imports: list[tuple[str, str]]) -> str:
    """A long, realistic module: imports, then many small classes and functions."""
    out = [
        '"""Orchestration of agent runs: the platform\'s largest module."""',
        "from __future__ import annotations",
        "",
        "import logging",
        "import uuid",
        "",
        "from fleet.core.context import UserExecutionContext",
        "from fleet.core.state import DeepAgentState",
        "from fleet.core.tracker import AgentExecutionTracker, ExecutionState",
    ]
    out += [f"from {module} import {name}" for module, name in imports]
    out += ["", "logger = logging.getLogger(__name__)", ""]
    block = 0
    while len(out) < lines - 20:
        block += 1
        out += [
            "",
            f"class Stage{block}:",
            f'    """Stage {block} of an orchestrated run."""',
            "",
            "    def __init__(self, tracker: AgentExecutionTracker) -> None:",
            "        self.tracker = tracker",
            "        self.attempts = 0",
            "",
            "    def run(self, context: UserExecutionContext, payload: dict) -> dict:",
            "        self.attempts += 1",
            f'        logger.debug("stage {block} attempt %d", self.attempts)',
            "        result = {key: value for key, value in payload.items() if value}",
            f'        result["stage"] = {block}',
            "        return result",
            "",
            "    def finish(self, execution_id: str) -> None:",
            "        self.tracker.update_execution_state(execution_id, ExecutionState.COMPLETED)",
            "",
        ]
        if block % 10 == 0:
            out += [
                f"    def legacy_{block}(self, execution_id: str) -> str:",
                '        trace_id = f"trace_{uuid.uuid4().hex[:8]}"',
                "        self.tracker.update_execution_state("
                "execution_id, {'success': True, 'completed': True})",
                "        return trace_id",
                "",
            ]
    tail = [
        "",
        "def legacy_snapshot(state: DeepAgentState) -> dict:",
        "    return dict(vars(state))",
        "",
        "",
        "def edit_target(payload: dict) -> dict:",
        "    marker = 0",
        "    return {**payload, 'marker': marker}",
    ]
    # Module-level limits fill the gap, so that the file has exactly ``lines``
    # lines (the target names a size; the blocks above come in 18s and 23s).
    if len(out) + len(tail) < lines:
        out.append("")
    limit = 0
    while len(out) + len(tail) < lines:
        limit += 1
        out.append(f"STAGE_LIMIT_{limit} = {limit * 10}")
    out += tail
    return "\n".join(out) + "\n"


def generate(root: Path, files: int = 5000, big_lines: int = 2000, seed: int = 7) -> Path:
    """Write the project under ``root`` (replacing it); returns the big file's path."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    for rel, text in CORE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    rng = random.Random(seed)
    earlier: list[tuple[str, str]] = [("fleet.core.context", "UserExecutionContext")]
    written = len(CORE)
    for area in AREAS:
        directory = root / "fleet" / area
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "__init__.py").write_text("", encoding="utf-8")
        written += 1
    index = 0
    while written < files - 1:
        area = AREAS[index % len(AREAS)]
        module = f"fleet.{area}.step_{index}"
        path = root / "fleet" / area / f"step_{index}.py"
        path.write_text(_module_source(rng, index, earlier), encoding="utf-8")
        earlier.append((module, f"Handler{index}"))
        index += 1
        written += 1
    big = root / BIG_FILE
    big.write_text(big_source(big_lines, rng.sample(earlier, 12)), encoding="utf-8")
    return big
