"""Response schemas of the public REST API.

``DeepAgentState`` here is the read-only payload of the dashboard's
"deep agent state" panel. It shares a name with the deprecated
``netra_backend.app.agents.state.DeepAgentState`` but is unrelated to it.
"""

from dataclasses import asdict, dataclass
from typing import Any, Dict


@dataclass(frozen=True)
class DeepAgentState:
    """One row of the run overview: which agent is doing what, for how long."""

    run: str
    agent: str
    status: str
    age_s: float

    def to_json(self) -> Dict[str, Any]:
        payload = asdict(self)
        payload["age_s"] = round(self.age_s, 1)
        return payload


@dataclass(frozen=True)
class ErrorResponse:
    code: str
    message: str

    def to_json(self) -> Dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}
