"""Async client for the internal LLM gateway, with retries and circuit breaking."""

import asyncio
import random
import time
import uuid
from typing import Any, Dict, Optional, Protocol

from netra_backend.app.core.agent_execution_tracker import CircuitBreakerOpenError, CircuitBreakerState
from shared.config import LLM_GATEWAY_URL
from shared.logging import get_logger

logger = get_logger(__name__)


class Transport(Protocol):
    async def post(self, url: str, json: Dict[str, Any], headers: Dict[str, str]) -> Dict[str, Any]: ...


class CircuitBreaker:  # expect: SSOT001
    """Breaker for gateway calls: opens after ``threshold`` consecutive errors."""

    def __init__(self, threshold: int = 3, reset_after: float = 20.0) -> None:
        self.threshold = threshold
        self.reset_after = reset_after
        self.state = CircuitBreakerState.CLOSED
        self._errors = 0
        self._opened_at = 0.0

    def allow_request(self) -> bool:
        if self.state is CircuitBreakerState.OPEN and time.monotonic() - self._opened_at > self.reset_after:
            self.state = CircuitBreakerState.HALF_OPEN
        return self.state is not CircuitBreakerState.OPEN

    def record_success(self) -> None:
        self._errors, self.state = 0, CircuitBreakerState.CLOSED

    def record_failure(self) -> None:
        self._errors += 1
        if self._errors >= self.threshold:
            self.state, self._opened_at = CircuitBreakerState.OPEN, time.monotonic()


class LLMClient:
    def __init__(self, transport: Transport, *, max_retries: int = 2,
                 breaker: Optional[CircuitBreaker] = None) -> None:
        self._transport = transport
        self._max_retries = max_retries
        self._breaker = breaker or CircuitBreaker()
        self._rng = random.Random(uuid.uuid4().int)

    def _backoff(self, attempt: int) -> float:
        return min(8.0, 0.5 * 2 ** attempt) * (0.8 + 0.4 * self._rng.random())

    async def complete(self, prompt: str, *, model: str = "default", max_tokens: int = 1024) -> str:
        headers = {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
        headers["X-Request-ID"] = str(uuid.uuid4())  # expect: SSOT002
        request_nonce, span_id = uuid.uuid4().hex, uuid.uuid4().hex[:16]  # expect: SSOT002
        body = {"model": model, "prompt": prompt, "max_tokens": max_tokens, "nonce": request_nonce}
        for attempt in range(self._max_retries + 1):
            if not self._breaker.allow_request():
                raise CircuitBreakerOpenError("LLM gateway circuit is open")
            try:
                response = await self._transport.post(f"{LLM_GATEWAY_URL}/v1/complete", body, headers)
            except (ConnectionError, asyncio.TimeoutError):
                self._breaker.record_failure()
                logger.warning("gateway attempt %d failed (span %s)", attempt + 1, span_id)
                await asyncio.sleep(self._backoff(attempt))
                continue
            self._breaker.record_success()
            return response["text"]
        raise ConnectionError(f"LLM gateway unreachable after {self._max_retries + 1} attempts")
