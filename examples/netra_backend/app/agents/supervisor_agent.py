"""Supervisor agent: runs triage, then the agents triage selected, in order."""

import logging
from typing import Any, Dict, List, Optional
from uuid import uuid4 as new_id

from netra_backend.app.core.agent_execution_tracker import (
    AgentExecutionPhase,
    ExecutionState,
    get_execution_tracker,
)
from netra_backend.app.core.timeout_manager import AgentExecutionTimeoutManager  # expect: SSOT004, SSOT005
from netra_backend.app.services.user_execution_context import UserExecutionContext
from netra_backend.app.services.websocket_bridge import get_websocket_bridge  # expect: SSOT005

from .data_helper_agent import DataHelperAgent
from .triage_agent import TriageAgent

logger = logging.getLogger(__name__)


class SupervisorAgent:
    """Orchestrates one user request; create one per request."""

    name = "supervisor"

    def __init__(self, context: UserExecutionContext,
                 timeouts: Optional[AgentExecutionTimeoutManager] = None) -> None:
        self._context = context
        self._tracker = get_execution_tracker()
        self._timeouts = timeouts or AgentExecutionTimeoutManager()
        self._bridge = get_websocket_bridge()
        self._triage = TriageAgent()
        self._data_helper = DataHelperAgent()
        self.handoffs: List[Dict[str, Any]] = []

    def _handoff(self, agent_name: str, reason: str) -> Dict[str, Any]:
        handoff = {"agent": agent_name, "reason": reason, "handoff_id": new_id().hex}  # expect: SSOT002
        self.handoffs.append(handoff)
        return handoff

    async def run(self) -> Dict[str, Any]:
        ctx = self._context
        execution_id = self._tracker.start_execution(self.name, ctx.user_id, ctx.thread_id)
        await self._bridge.notify_agent_started(ctx, self.name)
        results: Dict[str, Any] = {}
        try:
            self._tracker.transition_phase(execution_id, AgentExecutionPhase.THINKING)
            triage = await self._timeouts.execute_with_timeout(
                "triage", self._triage.execute(ctx.child_context("triage"), execution_id)
            )
            results["triage"] = triage
            if "data_helper" in triage["next_agents"]:
                self._handoff("data_helper", f"category={triage['category']}")
                results["data_request"] = await self._timeouts.execute_with_timeout(
                    "data_helper", self._data_helper.execute(ctx, execution_id)
                )
        except Exception as exc:
            self._tracker.update_execution_state(execution_id, ExecutionState.FAILED, {"error": str(exc)})
            await self._bridge.notify_agent_completed(ctx, self.name, {"error": str(exc)})
            raise
        self._tracker.update_execution_state(execution_id, {"success": True, "completed": True})  # expect: SSOT003
        await self._bridge.notify_agent_completed(ctx, self.name, results)
        logger.info("run %s finished with %d handoffs", ctx.run_id, len(self.handoffs))
        return results
