"""ExecutionState transitions, including the #305 dict-state regression."""

import time

import pytest

from netra_backend.app.core.agent_execution_tracker import AgentExecutionTracker, ExecutionState


@pytest.fixture
def fresh_tracker() -> AgentExecutionTracker:
    """A private tracker with a tiny heartbeat timeout, so death detection is fast."""
    return AgentExecutionTracker(heartbeat_timeout=0.05)  # expect: SSOT006


def _start(tracker: AgentExecutionTracker, context) -> str:
    return tracker.start_execution("triage", context.user_id, context.thread_id)


def test_happy_path_reaches_completed(fresh_tracker, user_context):
    execution_id = _start(fresh_tracker, user_context)
    fresh_tracker.update_execution_state(execution_id, ExecutionState.RUNNING)
    fresh_tracker.complete_execution(execution_id, result={"category": "performance"})
    assert fresh_tracker.get_execution(execution_id).state is ExecutionState.COMPLETED


def test_failure_keeps_error_metadata(fresh_tracker, user_context):
    execution_id = _start(fresh_tracker, user_context)
    fresh_tracker.update_execution_state(execution_id, ExecutionState.FAILED, {"error": "llm quota exceeded"})
    assert fresh_tracker.get_execution(execution_id).metadata["error"] == "llm quota exceeded"


def test_dict_state_is_rejected(fresh_tracker, user_context):
    """#305: the dict used to be stored and crashed later on ``state.value``."""
    execution_id = _start(fresh_tracker, user_context)
    with pytest.raises(TypeError):
        fresh_tracker.update_execution_state(execution_id, {"success": True, "completed": True})  # ssot: ignore[SSOT003](regression test for #305)


def test_string_state_is_rejected(fresh_tracker, user_context):
    execution_id = _start(fresh_tracker, user_context)
    legacy_state = "completed"
    with pytest.raises(TypeError):
        fresh_tracker.update_execution_state(execution_id, legacy_state)  # expect: SSOT003


@pytest.mark.parametrize("bad_state", [None, 1, "running", {"completed": True}])
def test_non_enum_states_are_rejected(fresh_tracker, user_context, bad_state):
    execution_id = _start(fresh_tracker, user_context)
    with pytest.raises(TypeError):
        fresh_tracker.update_execution_state(execution_id, bad_state)


def test_silent_execution_is_marked_dead(fresh_tracker, user_context):
    execution_id = _start(fresh_tracker, user_context)
    time.sleep(0.1)
    assert fresh_tracker.check_timeouts() == [execution_id]
    assert fresh_tracker.get_execution(execution_id).state is ExecutionState.DEAD
    assert not fresh_tracker.record_heartbeat(execution_id)
