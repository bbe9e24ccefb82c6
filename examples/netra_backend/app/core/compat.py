"""Backwards-compatible names for the consolidated execution tracker.

Plugins and notebooks written against the pre-#220 API subclass or import
the old names. They keep working through the thin aliases below, which add
no behaviour of their own; new code uses ``get_execution_tracker()``.
"""

from netra_backend.app.core.agent_execution_tracker import AgentExecutionTracker


class AgentStateTrackerShim(AgentExecutionTracker):
    """Compatibility shim for subclasses of the old AgentStateTracker.

    Inherits everything from AgentExecutionTracker; defining methods here
    would re-create the duplicate that #220 removed.
    """


# Aliases for call sites that imported the tracker under its old names.
ExecutionTracker = AgentExecutionTracker
LegacyTracker = AgentExecutionTracker

__all__ = ["AgentStateTrackerShim", "ExecutionTracker", "LegacyTracker"]
