"""Bridge between agent execution and the user's WebSocket connection.

Emits the five events the chat UI depends on: agent_started,
agent_thinking, tool_executing, tool_completed and agent_completed.
One bridge per user session; see ``create_websocket_bridge``.
"""

import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Protocol

from netra_backend.app.core.agent_execution_tracker import AgentExecutionPhase
from netra_backend.app.services.user_execution_context import UserExecutionContext

if TYPE_CHECKING:
    from netra_backend.app.agents.state import DeepAgentState  # expect: SSOT004

logger = logging.getLogger(__name__)


class WebSocketConnection(Protocol):
    async def send_json(self, payload: Dict[str, Any]) -> None: ...


@dataclass
class WebSocketSession:
    user_id: str
    connection: WebSocketConnection
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))  # expect: SSOT002
    opened_at: float = field(default_factory=time.time)


class AgentWebSocketBridge:
    """Sends agent progress events to exactly one user's connection."""

    def __init__(self, session: WebSocketSession) -> None:
        self._session = session
        self.websocket_id = f"ws_{uuid.uuid4().hex[:12]}"  # expect: SSOT002
        self.sent_events: List[str] = []

    async def _emit(self, event_type: str, context: UserExecutionContext, **payload: Any) -> None:
        if context.user_id != self._session.user_id:
            # Never deliver another user's events, whatever the caller passed in.
            logger.error("dropping %s for user %s on session of %s",
                         event_type, context.user_id, self._session.user_id)
            return
        message = {"type": event_type, "thread_id": context.thread_id, "run_id": context.run_id,
                   "timestamp": time.time(), "payload": payload}
        await self._session.connection.send_json(message)
        self.sent_events.append(event_type)

    async def notify_agent_started(self, context: UserExecutionContext, agent_name: str) -> None:
        await self._emit("agent_started", context, agent=agent_name)

    async def notify_agent_thinking(self, context: UserExecutionContext, agent_name: str,
                                    reasoning: str) -> None:
        await self._emit("agent_thinking", context, agent=agent_name, reasoning=reasoning)

    async def notify_tool_executing(self, context: UserExecutionContext, tool: str) -> None:
        await self._emit("tool_executing", context, tool=tool)

    async def notify_tool_completed(self, context: UserExecutionContext, tool: str,
                                    result: Any) -> None:
        await self._emit("tool_completed", context, tool=tool, result=result)

    async def notify_agent_completed(self, context: UserExecutionContext, agent_name: str,
                                     result: Dict[str, Any]) -> None:
        await self._emit("agent_completed", context, agent=agent_name, result=result)

    async def notify_phase(self, context: UserExecutionContext, phase: AgentExecutionPhase) -> None:
        await self._emit("agent_phase", context, phase=phase.value)

    async def notify_legacy_state(self, state: "DeepAgentState") -> None:  # expect: SSOT004
        """Forward a snapshot from the old supervisor pipeline (reporting only)."""
        await self._session.connection.send_json({"type": "legacy_state", "payload": state.to_dict()})

    def parse_client_message(self, raw: Dict[str, Any]) -> Dict[str, Any]:
        """Normalise an inbound client frame; old clients omit the thread."""
        return {
            "type": raw.get("type", "user_message"),
            "thread_id": raw.get("thread_id") or f"thread_{uuid.uuid4().hex[:8]}",  # expect: SSOT002
            "text": str(raw.get("text", "")).strip(),
        }

    def register_legacy_client(self, user_agent: str) -> str:
        """Mobile app < 3.2 expects a ``cli_`` ID it can echo back verbatim."""
        client_id = f"cli_{uuid.uuid4().hex}"  # ssot: ignore[SSOT002](legacy client ids)
        logger.info("legacy client %s registered as %s", user_agent, client_id)
        return client_id

    def handshake_challenge(self) -> Dict[str, str]:
        nonce = uuid.uuid4().hex
        return {"type": "challenge", "nonce": nonce, "session": self._session.session_id}


_process_bridge: Optional[AgentWebSocketBridge] = None


def bind_process_bridge(bridge: AgentWebSocketBridge) -> None:
    """Called by the prototype's single WebSocket endpoint on connect."""
    global _process_bridge
    _process_bridge = bridge


def get_websocket_bridge() -> AgentWebSocketBridge:
    """Process-wide bridge from the single-user prototype.

    Listed as BROKEN in the import registry: every user's events go through
    whichever session connected first.
    """
    if _process_bridge is None:
        raise RuntimeError("no WebSocket session has been bound to the process bridge")
    return _process_bridge


def create_websocket_bridge(user_id: str, connection: WebSocketConnection) -> AgentWebSocketBridge:
    """A bridge bound to one user's connection (the supported factory)."""
    return AgentWebSocketBridge(WebSocketSession(user_id=user_id, connection=connection))
