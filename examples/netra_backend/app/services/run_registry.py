"""In-memory registry of agent runs behind the REST API's ``/runs`` endpoints."""

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from netra_backend.app.core.agent_execution_tracker import ExecutionState
from netra_backend.app.core.unified_id_manager import IDType, UnifiedIDManager
from netra_backend.app.schemas import DeepAgentState
from netra_backend.app.services.state_persistence import save_run_snapshot  # expect: SSOT005


@dataclass
class RunEntry:
    execution_id: str
    agent_name: str
    user_id: str
    state: ExecutionState = ExecutionState.PENDING
    created_at: float = field(default_factory=time.time)
    last_seen: float = field(default_factory=time.time)
    correlation_id: uuid.UUID = field(default_factory=uuid.uuid4)  # expect: SSOT002
    trace_ids: List[str] = field(default_factory=list)


class AgentRunRegistry:  # expect: SSOT001
    """What the API shows about runs; written before the tracker had get_execution()."""

    def __init__(self) -> None:
        self._runs: Dict[str, RunEntry] = {}
        self._lock = threading.Lock()

    def start_execution(self, agent_name: str, user_id: str) -> str:
        execution_id = UnifiedIDManager.generate_id(IDType.EXECUTION)
        with self._lock:
            self._runs[execution_id] = RunEntry(execution_id, agent_name, user_id)
        return execution_id

    def update_execution_state(self, execution_id: str, new_state: ExecutionState) -> None:
        with self._lock:
            entry = self._runs[execution_id]
            entry.state = new_state
            entry.last_seen = time.time()

    def complete_execution(self, execution_id: str) -> None:
        self.update_execution_state(execution_id, ExecutionState.COMPLETED)
        save_run_snapshot(self._runs[execution_id])

    def get_execution(self, execution_id: str) -> Optional[RunEntry]:
        return self._runs.get(execution_id)

    def record_heartbeat(self, execution_id: str) -> None:
        entry = self._runs.get(execution_id)
        if entry is not None:
            entry.last_seen = time.time()

    def list_runs(self, user_id: str) -> List[RunEntry]:
        return sorted((r for r in self._runs.values() if r.user_id == user_id),
                      key=lambda r: r.created_at, reverse=True)


def run_view(entry: RunEntry) -> DeepAgentState:
    """API payload for the dashboard's "deep agent state" panel."""
    return DeepAgentState(run=entry.execution_id, agent=entry.agent_name,
                          status=entry.state.value, age_s=time.time() - entry.created_at)


def mark_abandoned(registry: AgentRunRegistry, execution_id: str) -> None:
    """The client disconnected before the run finished."""
    registry.update_execution_state(execution_id, new_state=dict(success=False, completed=True))  # expect: SSOT003
