"""Core runtime services: execution tracking, ID generation, timeouts.

The names below are re-exported for interactive use and old call sites.
New code imports them from their defining modules (see
SSOT_IMPORT_REGISTRY.md); the package-level path is not registered.
"""

from netra_backend.app.core.agent_execution_tracker import (
    AgentExecutionTracker,
    ExecutionState,
    get_execution_tracker,
)
from netra_backend.app.core.unified_id_manager import IDType, UnifiedIDManager

__all__ = [
    "AgentExecutionTracker",
    "ExecutionState",
    "IDType",
    "UnifiedIDManager",
    "get_execution_tracker",
]
