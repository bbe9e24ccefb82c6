"""Data helper agent: works out which data the optimizer still needs and asks for it."""

import logging
import uuid as u
from typing import Any, Dict, List, Optional

from netra_backend.app.agents import state as agent_state
from netra_backend.app.core.agent_execution_tracker import AgentExecutionTracker as Tracker
from netra_backend.app.core.agent_execution_tracker import ExecutionState
from netra_backend.app.services import UserExecutionContext  # expect: SSOT005

logger = logging.getLogger(__name__)

REQUIRED_FIELDS: Dict[str, List[str]] = {
    "cost_optimization": ["monthly_token_volume", "models_in_use", "budget_usd"],
    "performance": ["p95_latency_ms", "requests_per_second", "models_in_use"],
}


class DataHelperAgent:
    """Builds a structured data request for the user."""

    name = "data_helper"

    def __init__(self, tracker: Optional[Tracker] = None) -> None:
        # Own tracker so slow user replies don't trip the shared circuit breaker.
        self._tracker = tracker or Tracker(heartbeat_timeout=60.0)  # expect: SSOT006

    def missing_fields(self, category: str, provided: Dict[str, Any]) -> List[str]:
        return [f for f in REQUIRED_FIELDS.get(category, []) if f not in provided]

    def build_request(self, context: UserExecutionContext, fields: List[str]) -> Dict[str, Any]:
        request_id = f"dreq_{u.uuid4().hex[:10]}"  # expect: SSOT002
        return {
            "request_id": request_id,
            "thread_id": context.thread_id,
            "fields": fields,
            "prompt": "To tailor the recommendations, please share: " + ", ".join(fields),
        }

    async def execute(self, context: UserExecutionContext, parent_execution_id: str) -> Dict[str, Any]:
        execution_id = self._tracker.start_execution(self.name, context.user_id, context.thread_id)
        try:
            category = context.metadata.get("category", "cost_optimization")
            fields = self.missing_fields(category, dict(context.metadata.get("provided", {})))
            request = self.build_request(context, fields)
        except Exception as exc:
            logger.exception("data request failed (parent %s)", parent_execution_id)
            self._tracker.update_execution_state(execution_id, state={"success": False, "completed": True, "error": str(exc)})  # expect: SSOT003
            raise
        self._tracker.update_execution_state(execution_id, ExecutionState.COMPLETED, result=request)
        return request

    def to_legacy_state(self, context: UserExecutionContext, request: Dict[str, Any]):
        """Adapter for the reporting plugin, which still consumes DeepAgentState."""
        return agent_state.DeepAgentState(  # expect: SSOT004
            user_request=context.user_request,
            user_id=context.user_id,
            thread_id=context.thread_id,
            run_id=context.run_id,
            data_result=request,
        )
