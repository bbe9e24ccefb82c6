"""UserExecutionContext: immutable, per-request execution context.

Replaces the shared DeepAgentState (#271). A context is created once per
user request, never mutated, and passed explicitly to every agent, so one
user's data cannot reach another user's execution.
"""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterator, Mapping, Optional

from netra_backend.app.core.unified_id_manager import IDType, UnifiedIDManager


class InvalidContextError(ValueError):
    """Raised when a context is built with missing or placeholder IDs."""


_PLACEHOLDER_IDS = {"", "none", "null", "undefined", "anonymous"}


@dataclass(frozen=True)
class UserExecutionContext:
    user_id: str
    thread_id: str
    run_id: str
    request_id: str = field(default_factory=lambda: UnifiedIDManager.generate_id(IDType.REQUEST))
    user_request: str = ""
    websocket_client_id: Optional[str] = None
    metadata: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        for name in ("user_id", "thread_id", "run_id"):
            if str(getattr(self, name)).strip().lower() in _PLACEHOLDER_IDS:
                raise InvalidContextError(f"{name} must be a real ID, got {getattr(self, name)!r}")
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    @classmethod
    def from_request(cls, user_id: str, thread_id: str, user_request: str,
                     **metadata: Any) -> UserExecutionContext:
        """Context for a new run in an existing thread."""
        return cls(
            user_id=user_id,
            thread_id=thread_id,
            run_id=UnifiedIDManager.generate_run_id(thread_id),
            user_request=user_request,
            metadata=metadata,
        )

    def with_metadata(self, **extra: Any) -> UserExecutionContext:
        """A copy with ``extra`` merged into the metadata."""
        return dataclasses.replace(self, metadata={**self.metadata, **extra})

    def child_context(self, agent_name: str) -> UserExecutionContext:
        """Context for a sub-agent: same user and thread, its own request ID."""
        return dataclasses.replace(
            self,
            request_id=UnifiedIDManager.generate_id(IDType.REQUEST),
            metadata={**self.metadata, "parent_request_id": self.request_id, "agent": agent_name},
        )


@contextmanager
def managed_user_context(user_id: str, thread_id: str,
                         user_request: str = "") -> Iterator[UserExecutionContext]:
    """Create a context for the duration of one request."""
    context = UserExecutionContext.from_request(user_id, thread_id, user_request)
    try:
        yield context
    finally:
        # Nothing to release today; the hook exists so callers don't change
        # when per-request resources (DB sessions) move into the context.
        pass
