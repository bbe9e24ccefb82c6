"""Agent execution tracking: the single source of truth (SSOT).

Consolidates what used to live in three places (#220): execution tracking
and death detection, phase transitions (``AgentStateTracker``) and timeouts
plus circuit breaking (``AgentExecutionTimeoutManager``).

Use the process-wide instance from :func:`get_execution_tracker`; do not
instantiate :class:`AgentExecutionTracker` outside this module.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List, Optional

from netra_backend.app.core.unified_id_manager import IDType, UnifiedIDManager


class ExecutionState(Enum):
    PENDING = "pending"
    STARTING = "starting"
    RUNNING = "running"
    COMPLETING = "completing"
    COMPLETED = "completed"
    FAILED = "failed"
    TIMEOUT = "timeout"
    DEAD = "dead"
    CANCELLED = "cancelled"


TERMINAL_STATES = frozenset(
    {ExecutionState.COMPLETED, ExecutionState.FAILED, ExecutionState.TIMEOUT,
     ExecutionState.DEAD, ExecutionState.CANCELLED}
)


class AgentExecutionPhase(Enum):
    CREATED = "created"
    STARTING = "starting"
    THINKING = "thinking"
    TOOL_EXECUTION = "tool_execution"
    RESULT_PROCESSING = "result_processing"
    COMPLETING = "completing"
    COMPLETED = "completed"
    FAILED = "failed"


class CircuitBreakerState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreakerOpenError(RuntimeError):
    """Raised when an agent's circuit breaker rejects a new execution."""


class CircuitBreaker:
    """Consecutive-failure circuit breaker with a half-open probe."""

    def __init__(self, failure_threshold: int = 5, recovery_timeout: float = 30.0) -> None:
        self.failure_threshold = failure_threshold
        self.recovery_timeout = recovery_timeout
        self.state = CircuitBreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0

    def allow_request(self) -> bool:
        if self.state is CircuitBreakerState.OPEN:
            if time.monotonic() - self._opened_at < self.recovery_timeout:
                return False
            self.state = CircuitBreakerState.HALF_OPEN
        return True

    def record_success(self) -> None:
        self._failures = 0
        self.state = CircuitBreakerState.CLOSED

    def record_failure(self) -> None:
        self._failures += 1
        if self.state is CircuitBreakerState.HALF_OPEN or self._failures >= self.failure_threshold:
            self.state = CircuitBreakerState.OPEN
            self._opened_at = time.monotonic()


@dataclass
class ExecutionRecord:
    execution_id: str
    agent_name: str
    user_id: str
    thread_id: str
    timeout_seconds: float
    state: ExecutionState = ExecutionState.PENDING
    phase: AgentExecutionPhase = AgentExecutionPhase.CREATED
    started_at: float = field(default_factory=time.monotonic)
    last_heartbeat: float = field(default_factory=time.monotonic)
    metadata: Dict[str, Any] = field(default_factory=dict)
    result: Any = None


class AgentExecutionTracker:
    """Tracks every agent execution: state, phase, heartbeats, timeouts."""

    def __init__(self, heartbeat_timeout: float = 10.0, execution_timeout: float = 300.0) -> None:
        self.heartbeat_timeout = heartbeat_timeout
        self.execution_timeout = execution_timeout
        self._executions: Dict[str, ExecutionRecord] = {}
        self._breakers: Dict[str, CircuitBreaker] = {}
        self._lock = threading.RLock()

    def start_execution(self, agent_name: str, user_id: str, thread_id: str,
                        timeout_seconds: Optional[float] = None) -> str:
        if self.is_circuit_open(agent_name):
            raise CircuitBreakerOpenError(f"circuit open for agent {agent_name!r}")
        execution_id = UnifiedIDManager.generate_id(IDType.EXECUTION)
        with self._lock:
            self._executions[execution_id] = ExecutionRecord(
                execution_id, agent_name, user_id, thread_id,
                timeout_seconds or self.execution_timeout,
            )
        return execution_id

    def update_execution_state(self, execution_id: str, state: ExecutionState,
                               metadata: Optional[Dict[str, Any]] = None, *,
                               result: Any = None) -> None:
        # Issue #305: dicts such as {"success": True, "completed": True} used to
        # reach this point and fail later with "'dict' object has no attribute 'value'".
        if not isinstance(state, ExecutionState):
            raise TypeError(f"state must be an ExecutionState, got {type(state).__name__}")
        with self._lock:
            record = self._executions[execution_id]
            record.state = state
            record.metadata.update(metadata or {})
            if result is not None:
                record.result = result
        if state in TERMINAL_STATES:
            breaker = self._breakers.setdefault(record.agent_name, CircuitBreaker())
            if state is ExecutionState.COMPLETED:
                breaker.record_success()
            else:
                breaker.record_failure()

    def transition_phase(self, execution_id: str, phase: AgentExecutionPhase) -> None:
        with self._lock:
            self._executions[execution_id].phase = phase

    def complete_execution(self, execution_id: str, result: Any = None,
                           error: Optional[str] = None) -> None:
        final = ExecutionState.FAILED if error else ExecutionState.COMPLETED
        self.update_execution_state(execution_id, final, {"error": error}, result=result)

    def record_heartbeat(self, execution_id: str) -> bool:
        with self._lock:
            record = self._executions.get(execution_id)
            if record is None or record.state in TERMINAL_STATES:
                return False
            record.last_heartbeat = time.monotonic()
            return True

    def check_timeouts(self) -> List[str]:
        """Mark silent executions DEAD and overdue ones TIMEOUT; return their IDs."""
        now, expired = time.monotonic(), []
        for record in list(self._executions.values()):
            if record.state in TERMINAL_STATES:
                continue
            if now - record.started_at > record.timeout_seconds:
                self.update_execution_state(record.execution_id, ExecutionState.TIMEOUT)
            elif now - record.last_heartbeat > self.heartbeat_timeout:
                self.update_execution_state(record.execution_id, ExecutionState.DEAD)
            else:
                continue
            expired.append(record.execution_id)
        return expired

    def get_execution(self, execution_id: str) -> Optional[ExecutionRecord]:
        return self._executions.get(execution_id)

    def is_circuit_open(self, agent_name: str) -> bool:
        breaker = self._breakers.get(agent_name)
        return breaker is not None and not breaker.allow_request()


_tracker: Optional[AgentExecutionTracker] = None
_tracker_lock = threading.Lock()


def get_execution_tracker() -> AgentExecutionTracker:
    """The process-wide tracker (created on first use)."""
    global _tracker
    with _tracker_lock:
        if _tracker is None:
            _tracker = AgentExecutionTracker()
        return _tracker
