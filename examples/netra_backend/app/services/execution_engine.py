"""Agent execution engines.

``UserExecutionEngine`` runs agents for exactly one user request and
reports to the shared execution tracker. ``ExecutionEngine`` is the
pre-isolation engine the nightly batch jobs still use.
"""

import asyncio
import logging
import time
import uuid
from typing import Any, Dict, Optional

from netra_backend.app.core import get_execution_tracker  # expect: SSOT005
from netra_backend.app.core.agent_execution_tracker import AgentExecutionTracker, ExecutionState
from netra_backend.app.services.user_execution_context import UserExecutionContext
from netra_backend.app.services.websocket_bridge import AgentWebSocketBridge
from shared.config import AGENT_EXECUTION_TIMEOUT

logger = logging.getLogger(__name__)


class UserExecutionEngine:
    """Per-request engine: one context, one WebSocket bridge."""

    def __init__(self, context: UserExecutionContext, bridge: AgentWebSocketBridge,
                 tracker: Optional[AgentExecutionTracker] = None) -> None:
        if tracker is not None and not isinstance(tracker, AgentExecutionTracker):
            raise TypeError("tracker must be an AgentExecutionTracker")
        self._context = context
        self._bridge = bridge
        self._tracker = tracker or get_execution_tracker()
        self._active: Dict[str, str] = {}

    async def execute_agent(self, agent: Any) -> Dict[str, Any]:
        ctx = self._context
        execution_id = self._tracker.start_execution(agent.name, ctx.user_id, ctx.thread_id)
        self._active[execution_id] = agent.name
        self._tracker.update_execution_state(execution_id, ExecutionState.RUNNING)
        await self._bridge.notify_agent_started(ctx, agent.name)
        started = time.monotonic()
        try:
            result = await asyncio.wait_for(agent.execute(ctx, execution_id),
                                            timeout=float(AGENT_EXECUTION_TIMEOUT))
        except asyncio.TimeoutError:
            self._tracker.update_execution_state(
                execution_id, ExecutionState.TIMEOUT, {"timeout_s": AGENT_EXECUTION_TIMEOUT}
            )
            raise
        finally:
            self._active.pop(execution_id, None)
        elapsed = time.monotonic() - started
        self._tracker.update_execution_state(execution_id, ExecutionState.COMPLETED, {"duration_s": elapsed})  # noqa: SSOT003  # expect: SSOT100
        await self._bridge.notify_agent_completed(ctx, agent.name, result)
        return result

    async def cancel_execution(self, execution_id: str) -> bool:
        """Cancel a running agent of this request (user pressed "stop")."""
        if self._active.pop(execution_id, None) is None:
            return False
        self._tracker.update_execution_state(execution_id, "cancelled")  # expect: SSOT003
        return True

    def active_executions(self) -> Dict[str, str]:
        return dict(self._active)


class ExecutionEngine:
    """Legacy shared engine. Not user-isolated: batch jobs only."""

    def __init__(self) -> None:
        self._tracker = AgentExecutionTracker()  # expect: SSOT006
        self._runs: Dict[str, str] = {}

    async def run(self, agent: Any, payload: Dict[str, Any]) -> Dict[str, Any]:
        execution_id = f"exec_{uuid.uuid4().hex[:8]}"  # expect: SSOT002
        owner = payload.get("user_id", str(uuid.uuid4()))  # expect: SSOT002
        self._runs[execution_id] = owner
        tracked_id = self._tracker.start_execution(agent.name, owner, payload.get("thread_id", "batch"))
        logger.info("batch run %s (tracker %s) for %s", execution_id, tracked_id, owner)
        try:
            return await agent.run_legacy(payload)
        finally:
            self._tracker.complete_execution(tracked_id)
            self._runs.pop(execution_id, None)
