"""Triage agent: classifies the user's request and picks the next agents."""

import asyncio
import logging
from typing import Any, Dict, List

from netra_backend.app.agents.state import DeepAgentState  # expect: SSOT004
from netra_backend.app.core.agent_execution_tracker import (
    AgentExecutionPhase,
    ExecutionState,
    ExecutionTimeoutError,  # expect: SSOT005
    get_execution_tracker,
)
from netra_backend.app.services.user_execution_context import UserExecutionContext

logger = logging.getLogger(__name__)

CATEGORY_KEYWORDS: Dict[str, List[str]] = {
    "cost_optimization": ["cost", "spend", "budget", "cheaper", "tokens"],
    "performance": ["latency", "slow", "throughput", "p95", "timeout"],
    "quality": ["accuracy", "hallucination", "eval", "quality"],
}

NEXT_AGENTS = {
    "cost_optimization": ["data_helper", "optimizer", "reporter"],
    "performance": ["data_helper", "optimizer", "reporter"],
    "quality": ["reporter"],
    "general": ["reporter"],
}


class TriageAgent:
    """Rule-based first pass; the LLM classifier only runs when rules are unsure."""

    name = "triage"
    classify_timeout = 5.0

    def __init__(self) -> None:
        self._tracker = get_execution_tracker()

    def classify(self, request: str) -> Dict[str, Any]:
        text = request.lower()
        scores = {
            category: sum(word in text for word in words)
            for category, words in CATEGORY_KEYWORDS.items()
        }
        best = max(scores, key=lambda category: scores[category])
        category = best if scores[best] else "general"
        return {
            "category": category,
            "confidence": min(1.0, scores.get(category, 0) / 3),
            "next_agents": NEXT_AGENTS[category],
        }

    async def execute(self, context: UserExecutionContext, execution_id: str) -> Dict[str, Any]:
        self._tracker.transition_phase(execution_id, AgentExecutionPhase.THINKING)
        try:
            triage = await asyncio.wait_for(
                asyncio.to_thread(self.classify, context.user_request),
                timeout=self.classify_timeout,
            )
        except asyncio.TimeoutError as exc:
            self._tracker.update_execution_state(execution_id, ExecutionState.TIMEOUT)
            raise ExecutionTimeoutError(f"triage exceeded {self.classify_timeout}s") from exc
        logger.info("triaged run %s as %s", context.run_id, triage["category"])
        outcome = {"success": True, "completed": True, "category": triage["category"]}
        self._tracker.update_execution_state(execution_id, outcome)  # expect: SSOT003
        return triage

    def execute_legacy(self, state: DeepAgentState) -> DeepAgentState:
        """Entry point for the old supervisor pipeline, which passes DeepAgentState."""
        state.triage_result = self.classify(state.user_request)
        return state
