"""DeepAgentState: the supervisor pipeline's shared, mutable run state.

DEPRECATED (#271): one DeepAgentState object is handed from agent to agent
and mutated in place. Under concurrent load, references to it were cached
across requests and one user's triage results showed up in another user's
report. New code takes an immutable, per-request ``UserExecutionContext``
(netra_backend.app.services.user_execution_context) instead.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional


@dataclass
class DeepAgentState:
    """Everything the agents of one run know, in one mutable bag."""

    user_request: str = ""
    user_id: Optional[str] = None
    thread_id: Optional[str] = None
    run_id: Optional[str] = None
    triage_result: Optional[Dict[str, Any]] = None
    data_result: Optional[Dict[str, Any]] = None
    report: Optional[str] = None
    messages: List[Dict[str, str]] = field(default_factory=list)
    metadata: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        warnings.warn(
            "DeepAgentState is deprecated; pass a UserExecutionContext instead",
            DeprecationWarning,
            stacklevel=3,
        )

    def add_message(self, role: str, content: str) -> None:
        self.messages.append({"role": role, "content": content})

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def merge_states(base: DeepAgentState, update: Dict[str, Any]) -> DeepAgentState:
    """Return a copy of ``base`` with ``update`` applied (used by the reporter)."""
    merged = DeepAgentState(**{**base.to_dict(), **update})
    return merged
