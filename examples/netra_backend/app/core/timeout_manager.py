"""Per-agent execution timeouts with circuit breaking (legacy).

DEPRECATED (#220): superseded by ``AgentExecutionTracker``, which owns
timeouts and the platform's single ``CircuitBreaker``. Only the supervisor
still uses this module.
"""

import asyncio
import logging
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Awaitable, Dict, Optional, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


class CircuitBreakerState(Enum):  # expect: SSOT001
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:  # expect: SSOT001
    """Opens after ``threshold`` failures inside ``window`` seconds."""

    def __init__(self, name: str, threshold: int = 3, window: float = 60.0,
                 cooldown: float = 30.0) -> None:
        self.name = name
        self.threshold = threshold
        self.window = window
        self.cooldown = cooldown
        self.state = CircuitBreakerState.CLOSED
        self._failures: list = []
        self._opened_at = 0.0

    def can_execute(self) -> bool:
        if self.state is CircuitBreakerState.OPEN and time.time() - self._opened_at > self.cooldown:
            self.state = CircuitBreakerState.HALF_OPEN
        return self.state is not CircuitBreakerState.OPEN

    def on_success(self) -> None:
        self._failures.clear()
        self.state = CircuitBreakerState.CLOSED

    def on_failure(self) -> None:
        now = time.time()
        self._failures = [t for t in self._failures if now - t < self.window] + [now]
        if len(self._failures) >= self.threshold:
            self.state = CircuitBreakerState.OPEN
            self._opened_at = now


@dataclass
class TimeoutConfig:
    default_timeout: float = 120.0
    per_agent: Dict[str, float] = field(default_factory=lambda: {"data_helper": 300.0})


class AgentExecutionTimeoutManager:  # expect: SSOT001
    """Wraps agent coroutines in a timeout and a per-agent circuit breaker."""

    def __init__(self, config: Optional[TimeoutConfig] = None) -> None:
        self.config = config or TimeoutConfig()
        self._breakers: Dict[str, CircuitBreaker] = {}

    def set_timeout(self, agent_name: str, seconds: float) -> None:
        self.config.per_agent[agent_name] = seconds

    def check_timeout(self, agent_name: str, started_at: float) -> bool:
        limit = self.config.per_agent.get(agent_name, self.config.default_timeout)
        return time.time() - started_at > limit

    def register_circuit_breaker(self, agent_name: str, threshold: int = 3) -> CircuitBreaker:
        return self._breakers.setdefault(agent_name, CircuitBreaker(agent_name, threshold))

    def circuit_breaker_status(self, agent_name: str) -> Dict[str, Any]:
        breaker = self.register_circuit_breaker(agent_name)
        return {"agent": agent_name, "state": breaker.state.value}

    def reset_circuit_breaker(self, agent_name: str) -> None:
        self._breakers.pop(agent_name, None)

    async def execute_with_timeout(self, agent_name: str, work: Awaitable[T]) -> T:
        breaker = self.register_circuit_breaker(agent_name)
        if not breaker.can_execute():
            raise RuntimeError(f"circuit breaker open for {agent_name}")
        limit = self.config.per_agent.get(agent_name, self.config.default_timeout)
        try:
            result = await asyncio.wait_for(work, timeout=limit)
        except Exception:
            breaker.on_failure()
            logger.exception("agent %s failed or timed out after %.0fs", agent_name, limit)
            raise
        breaker.on_success()
        return result
