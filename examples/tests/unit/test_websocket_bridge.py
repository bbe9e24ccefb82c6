"""AgentWebSocketBridge: the five chat events, and per-user routing."""

import asyncio
import uuid
from typing import Any, Dict, List

import pytest

from netra_backend.app.services.user_execution_context import UserExecutionContext
from netra_backend.app.services.websocket_bridge import (
    AgentWebSocketBridge,
    WebSocketSession,
    create_websocket_bridge,
)

CHAT_EVENTS = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]


class RecordingConnection:
    def __init__(self) -> None:
        self.sent: List[Dict[str, Any]] = []

    async def send_json(self, payload: Dict[str, Any]) -> None:
        self.sent.append(payload)


@pytest.fixture
def connection() -> RecordingConnection:
    return RecordingConnection()


@pytest.fixture
def bridge(connection, user_context) -> AgentWebSocketBridge:
    return create_websocket_bridge(user_context.user_id, connection)


def test_all_five_events_are_delivered_in_order(bridge, user_context):
    async def scenario() -> None:
        await bridge.notify_agent_started(user_context, "triage")
        await bridge.notify_agent_thinking(user_context, "triage", "classifying the request")
        await bridge.notify_tool_executing(user_context, "cost_explorer")
        await bridge.notify_tool_completed(user_context, "cost_explorer", {"rows": 12})
        await bridge.notify_agent_completed(user_context, "triage", {"category": "cost_optimization"})

    asyncio.run(scenario())
    assert bridge.sent_events == CHAT_EVENTS


def test_events_for_another_user_are_dropped(bridge, connection):
    other = UserExecutionContext(user_id="user_other", thread_id="thread_other", run_id="run_other")
    asyncio.run(bridge.notify_agent_started(other, "triage"))
    assert connection.sent == []


def test_old_clients_get_a_thread(bridge):
    frame = bridge.parse_client_message({"type": "user_message", "text": "  hi  "})
    assert frame["thread_id"].startswith("thread_")
    assert frame["text"] == "hi"


def test_unknown_fields_are_dropped(bridge):
    token_uuid_str = str(uuid.uuid4())
    frame = bridge.parse_client_message({"token": token_uuid_str, "thread_id": "thread_9"})
    assert "token" not in frame
    assert frame["thread_id"] == "thread_9"


def test_challenge_carries_the_session(connection):
    session = WebSocketSession(user_id="user_ws", connection=connection)
    bridge = AgentWebSocketBridge(session)
    first, second = bridge.handshake_challenge(), bridge.handshake_challenge()
    assert first["session"] == session.session_id
    assert first["nonce"] != second["nonce"]
