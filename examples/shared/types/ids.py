"""Strongly typed platform identifiers.

``NewType`` wrappers make mypy catch a thread ID passed where a user ID is
expected. They do not generate anything: new IDs come from
``UnifiedIDManager.generate_id``.
"""

from typing import NewType

__all__ = [
    "ExecutionID",
    "RunID",
    "ThreadID",
    "UserID",
    "WebSocketID",
    "ensure_thread_id",
    "ensure_user_id",
]

UserID = NewType("UserID", str)
ThreadID = NewType("ThreadID", str)
RunID = NewType("RunID", str)
ExecutionID = NewType("ExecutionID", str)
WebSocketID = NewType("WebSocketID", str)

_PLACEHOLDERS = frozenset({"", "none", "null", "undefined"})


def _check(value: str, kind: str) -> str:
    if not isinstance(value, str) or value.strip().lower() in _PLACEHOLDERS:
        raise ValueError(f"invalid {kind}: {value!r}")
    return value.strip()


def ensure_user_id(value: str) -> UserID:
    """Validate and brand a user ID coming from auth claims or the database."""
    return UserID(_check(value, "user id"))


def ensure_thread_id(value: str) -> ThreadID:
    return ThreadID(_check(value, "thread id"))
