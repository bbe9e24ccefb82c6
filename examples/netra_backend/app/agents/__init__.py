"""Agents of the Netra platform: supervisor, triage and data helper.

Agent classes are importable from this package for convenience; the
registered import paths are the agents' own modules.
"""

from .data_helper_agent import DataHelperAgent
# Old reporting plugins still do `from netra_backend.app.agents import DeepAgentState`.
from .state import DeepAgentState  # expect: SSOT004
from .supervisor_agent import SupervisorAgent
from .triage_agent import TriageAgent

__all__ = ["DataHelperAgent", "DeepAgentState", "SupervisorAgent", "TriageAgent"]
