"""Guard-rails for the open migrations.

* DeepAgentState -> UserExecutionContext (#271)
* AgentStateTracker -> AgentExecutionTracker (#220)
"""

import importlib

import pytest

import netra_backend.app.core.agent_state_tracker as legacy_state_tracker  # expect: SSOT004
from netra_backend.app.agents.state import DeepAgentState  # expect: SSOT004
from netra_backend.app.core.agent_execution_tracker import get_execution_tracker
from netra_backend.app.services.user_execution_context import (
    InvalidContextError,
    UserExecutionContext,
)


def test_legacy_tracker_module_warns_on_import():
    with pytest.warns(DeprecationWarning, match="AgentExecutionTracker"):
        importlib.reload(legacy_state_tracker)


def test_deep_agent_state_maps_onto_user_context():
    with pytest.warns(DeprecationWarning):
        state = DeepAgentState(user_request="cut my LLM bill", user_id="user_42",
                               thread_id="thread_7", run_id="run_1")
    context = UserExecutionContext(user_id=state.user_id, thread_id=state.thread_id,
                                   run_id=state.run_id, user_request=state.user_request)
    assert context.user_request == state.user_request


def test_user_context_rejects_placeholder_ids():
    with pytest.raises(InvalidContextError):
        UserExecutionContext(user_id="anonymous", thread_id="thread_7", run_id="run_1")


def test_contexts_do_not_share_metadata():
    first = UserExecutionContext(user_id="user_a", thread_id="thread_a", run_id="run_a",
                                 metadata={"tier": "free"})
    second = first.with_metadata(tier="enterprise")
    assert first.metadata["tier"] == "free"
    assert second.metadata["tier"] == "enterprise"


def test_every_caller_gets_the_same_tracker():
    assert get_execution_tracker() is get_execution_tracker()
