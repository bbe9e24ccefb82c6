"""Agent phase/state tracking (legacy).

DEPRECATED (#220): phase transitions and state history were folded into
``AgentExecutionTracker``. This module stays until the reporting pipeline
stops importing it; do not add new callers.
"""

import logging
import threading
import time
import warnings
from collections import defaultdict
from enum import Enum
from typing import Any, Dict, List, Optional, Tuple

warnings.warn(
    "agent_state_tracker is deprecated; use AgentExecutionTracker "
    "(netra_backend.app.core.agent_execution_tracker)",
    DeprecationWarning,
    stacklevel=2,
)

logger = logging.getLogger(__name__)


class ExecutionState(Enum):  # expect: SSOT001
    """Copied from the old supervisor before TIMEOUT/DEAD existed."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "error"
    TIMED_OUT = "timed_out"


class AgentExecutionPhase(Enum):  # expect: SSOT001
    STARTING = "starting"
    THINKING = "thinking"
    TOOL_EXECUTION = "tool_execution"
    COMPLETED = "completed"
    ERROR = "error"


_ALLOWED_TRANSITIONS = {
    AgentExecutionPhase.STARTING: {AgentExecutionPhase.THINKING, AgentExecutionPhase.ERROR},
    AgentExecutionPhase.THINKING: {
        AgentExecutionPhase.TOOL_EXECUTION,
        AgentExecutionPhase.COMPLETED,
        AgentExecutionPhase.ERROR,
    },
    AgentExecutionPhase.TOOL_EXECUTION: {AgentExecutionPhase.THINKING, AgentExecutionPhase.ERROR},
}


class AgentStateTracker:  # expect: SSOT001
    """Per-agent phase machine with a bounded history of transitions."""

    def __init__(self, max_history: int = 50) -> None:
        self._states: Dict[str, Dict[str, Any]] = {}
        self._history: Dict[str, List[Tuple[float, AgentExecutionPhase]]] = defaultdict(list)
        self._max_history = max_history
        self._lock = threading.Lock()

    def get_agent_state(self, agent_key: str) -> Optional[Dict[str, Any]]:
        return self._states.get(agent_key)

    def set_agent_state(self, agent_key: str, **values: Any) -> None:
        with self._lock:
            self._states.setdefault(agent_key, {}).update(values)

    def validate_state_transition(self, current: AgentExecutionPhase,
                                  target: AgentExecutionPhase) -> bool:
        return target in _ALLOWED_TRANSITIONS.get(current, set())

    def transition_state(self, agent_key: str, target: AgentExecutionPhase) -> bool:
        history = self._history[agent_key]
        current = history[-1][1] if history else AgentExecutionPhase.STARTING
        if history and not self.validate_state_transition(current, target):
            logger.warning("rejected transition %s -> %s for %s", current, target, agent_key)
            return False
        with self._lock:
            history.append((time.time(), target))
            del history[: -self._max_history]
        return True

    def get_state_history(self, agent_key: str) -> List[Tuple[float, AgentExecutionPhase]]:
        return list(self._history.get(agent_key, []))

    def cleanup_state(self, agent_key: str) -> None:
        with self._lock:
            self._states.pop(agent_key, None)
            self._history.pop(agent_key, None)
