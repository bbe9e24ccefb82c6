"""Fixtures shared by the unit tests."""

import uuid
from typing import Any, Dict, List, Optional, Tuple

import pytest

from netra_backend.app.core.agent_execution_tracker import (
    AgentExecutionTracker,
    ExecutionState,
    get_execution_tracker,
)
from netra_backend.app.services.user_execution_context import UserExecutionContext
from shared.types import UserID


class CircuitBreaker:
    """Always-closed breaker so agent tests never depend on wall-clock timing."""

    state = "closed"

    def allow_request(self) -> bool:
        return True

    def record_success(self) -> None:
        pass

    def record_failure(self) -> None:
        pass


class StubExecutionTracker:
    """Records calls instead of tracking; same surface as AgentExecutionTracker."""

    def __init__(self) -> None:
        self.calls: List[Tuple[str, Any]] = []
        self.states: Dict[str, ExecutionState] = {}

    def start_execution(self, agent_name: str, user_id: str, thread_id: str,
                        timeout_seconds: Optional[float] = None) -> str:
        execution_id = f"exec_{len(self.states) + 1}_stub0000"
        self.states[execution_id] = ExecutionState.PENDING
        self.calls.append(("start_execution", agent_name))
        return execution_id

    def update_execution_state(self, execution_id: str, state: ExecutionState,
                               metadata: Optional[Dict[str, Any]] = None, *, result: Any = None) -> None:
        self.states[execution_id] = state
        self.calls.append(("update_execution_state", state))

    def transition_phase(self, execution_id: str, phase: Any) -> None:
        self.calls.append(("transition_phase", phase))

    def complete_execution(self, execution_id: str, result: Any = None, error: Optional[str] = None) -> None:
        self.states[execution_id] = ExecutionState.FAILED if error else ExecutionState.COMPLETED

    def record_heartbeat(self, execution_id: str) -> bool:
        return execution_id in self.states

    def get_execution(self, execution_id: str) -> Optional[ExecutionState]:
        return self.states.get(execution_id)

    def is_circuit_open(self, agent_name: str) -> bool:
        return False


@pytest.fixture
def user_context() -> UserExecutionContext:
    thread_id = f"thread_{uuid.uuid4().hex[:8]}"  # expect: SSOT002
    return UserExecutionContext(
        user_id=UserID("user_test_1"),
        thread_id=thread_id,
        run_id=str(uuid.uuid4()),  # expect: SSOT002
        user_request="Why did our token spend double last week?",
    )


@pytest.fixture
def tracker() -> AgentExecutionTracker:
    """The shared tracker, exactly as production code gets it."""
    return get_execution_tracker()


@pytest.fixture
def stub_tracker() -> StubExecutionTracker:
    return StubExecutionTracker()
