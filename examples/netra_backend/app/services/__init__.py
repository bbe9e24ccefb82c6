"""Application services: user context, WebSocket bridge, execution engine."""

from .user_execution_context import UserExecutionContext, managed_user_context

__all__ = ["UserExecutionContext", "managed_user_context"]
